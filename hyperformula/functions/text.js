'use strict';
const { registerPlugin } = require('./info_common');
/*
 * TEXT, FIXED and DOLLAR as Excel computes them, replacing HyperFormula 3.5.0's TEXT (which knows
 * few of Excel's format codes: TEXT(0.5,"0%") gave "1%"). Register before any instance is built:
 *
 *   require('./functions/text').register(require('hyperformula'));
 *
 * HyperFormula keeps one plugin per function id (a Map), so registering TEXT again replaces the
 * built-in one for every instance built afterwards.
 */

const numfmt = require('./numfmt');
// Time texts as Excel reads them ("24:99" is no time, "23:59.5" minutes:seconds), as in VALUE.
const { timeTextRejected, minutesSecondsValue } = require('./fixa_value');

function defineTextPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, EmptyValue } = hf;

  /** A number, or the plain value of one of HyperFormula's rich numbers (date, percent, ...). */
  function rawNumber(v) {
    if (typeof v === 'number') return v;
    if (v !== null && typeof v === 'object' && typeof v.val === 'number') return v.val;
    return undefined;
  }

  function isDate1904(config) {
    const d = config && config.nullDate;
    return Boolean(d && d.year === 1904);
  }

  class ExcelTextPlugin extends FunctionPlugin {
    /** TEXT(value, format_text) */
    text(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('TEXT'), (value, format) =>
        this.formatValue(value, format));
    }

    /** FIXED(number, [decimals=2], [no_commas=FALSE]) */
    fixed(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('FIXED'), (number, decimals, noCommas) =>
        this.fixedText(number, decimals, noCommas ? '0' : '#,##0', ''));
    }

    /** DOLLAR(number, [decimals=2]) */
    dollar(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('DOLLAR'), (number, decimals) =>
        this.fixedText(number, decimals, '$#,##0', 'dollar'));
    }

    formatValue(value, format) {
      let v = value;
      if (v === EmptyValue || v === null || v === undefined) v = 0;
      if (typeof v === 'string' && v !== '') {
        // numeric text ("123", "12%", "1/2/2020") is formatted as the number it stands for
        const ms = minutesSecondsValue(v);
        const n = ms !== undefined ? ms : rawNumber(this.arithmeticHelper.coerceToMaybeNumber(v));
        if (n !== undefined && !timeTextRejected(v)) v = n;
      }
      const raw = rawNumber(v);
      if (raw !== undefined) v = raw;
      try {
        return numfmt.formatNumber(v, format, { date1904: isDate1904(this.config) });
      } catch (err) {
        if (err instanceof numfmt.NumberFormatError) {
          return new CellError(ErrorType.VALUE, `TEXT: ${err.message}`);
        }
        throw err;
      }
    }

    fixedText(number, decimals, intPart, kind) {
      const places = Math.trunc(decimals);
      if (places > 127) return new CellError(ErrorType.VALUE, 'too many decimals');
      const rounded = numfmt.roundExcel(number, places);
      const shown = Math.max(places, 0);
      const body = intPart + (shown > 0 ? '.' + '0'.repeat(shown) : '');
      const code = kind === 'dollar' ? `${body};(${body})` : body;
      return numfmt.formatNumber(rounded, code, {});
    }
  }

  ExcelTextPlugin.implementedFunctions = {
    TEXT: {
      method: 'text',
      parameters: [
        { argumentType: FunctionArgumentType.NOERROR },
        { argumentType: FunctionArgumentType.STRING },
      ],
    },
    FIXED: {
      method: 'fixed',
      parameters: [
        { argumentType: FunctionArgumentType.NUMBER },
        { argumentType: FunctionArgumentType.NUMBER, defaultValue: 2 },
        { argumentType: FunctionArgumentType.BOOLEAN, defaultValue: false },
      ],
    },
    DOLLAR: {
      method: 'dollar',
      parameters: [
        { argumentType: FunctionArgumentType.NUMBER },
        { argumentType: FunctionArgumentType.NUMBER, defaultValue: 2 },
      ],
    },
  };
  return ExcelTextPlugin;
}

/** Register the plugin on HyperFormula (every instance built afterwards uses it). `hfModule` is
 * the loaded hyperformula package (its exports: HyperFormula, FunctionPlugin, ...). */
function register(hfModule) {
  const plugin = defineTextPlugin(hfModule);
  return registerPlugin(hfModule, plugin);
}

module.exports = { register, defineTextPlugin };
