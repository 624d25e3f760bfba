'use strict';
/*
 * Number-system conversions with Excel's rules, replacing HyperFormula 3.5.0's built-ins:
 * BIN2DEC, BIN2OCT, BIN2HEX, OCT2BIN, OCT2DEC, OCT2HEX, HEX2BIN, HEX2OCT, HEX2DEC, DEC2BIN,
 * DEC2OCT, DEC2HEX.
 *  - The source of X2Y is text of at most 10 digits of its base (hex case-insensitive: "e" is
 *    14); a number is read as its digits (BIN2DEC(1011) is 11); an empty cell or "" is 0; TRUE/FALSE
 *    are #VALUE!; anything else is #NUM!. Ten digits with the top bit set are a negative number in
 *    two's complement (bin 10 bits, oct 30, hex 40).
 *  - DEC2Y truncates the number toward zero (DEC2BIN(-512.8) is "1000000000"); bin takes
 *    -512..511, oct -2^29..2^29-1, hex -2^39..2^39-1, else #NUM!. A negative result is written as
 *    ten digits of two's complement whatever `places` says.
 *  - `places` is checked first: TRUE/FALSE or non-numeric text is #VALUE!, truncated below 1 or
 *    above 10 is #NUM!; a result longer than `places` is #NUM!; shorter results are padded with 0.
 * HF read hex digits case-sensitively, rejected "" and kept fractions of decimals.
 */
const BASES = { BIN: 2, OCT: 8, HEX: 16, DEC: 10 };
const BITS = { 2: 10, 8: 30, 16: 40 };

function defineBasesPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, EmptyValue } = hf;
  const raw = (v) => (v !== null && typeof v === 'object' && !(v instanceof CellError) && 'val' in v ? v.val : v);
  const isBlank = (v) => v === EmptyValue || v === undefined || v === null;
  const numError = () => new CellError(ErrorType.NUM);
  const valueError = () => new CellError(ErrorType.VALUE);
  const DIGITS = { 2: /^[01]*$/, 8: /^[0-7]*$/, 16: /^[0-9a-f]*$/i };

  /** Minimum and maximum value a base can write in ten digits. */
  const limits = (base) => [-(2 ** (BITS[base] - 1)), 2 ** (BITS[base] - 1) - 1];

  class ExcelBasesPlugin extends FunctionPlugin {
    toNumber(v) {
      const x = raw(this.arithmeticHelper.coerceScalarToNumberOrError(v));
      return typeof x === 'number' ? x : valueError();
    }

    /** The checked `places` argument (undefined when omitted), or a CellError. */
    places(v, given) {
      if (!given) return undefined;
      v = raw(v);
      if (v instanceof CellError) return v;
      if (typeof v === 'boolean') return valueError();
      const n = isBlank(v) ? 0 : this.toNumber(v);
      if (n instanceof CellError) return n;
      const p = Math.trunc(n);
      return p < 1 || p > 10 ? numError() : p;
    }

    /** The value of a source text in `base`, or a CellError. */
    parse(v, base) {
      v = raw(v);
      if (v instanceof CellError) return v;
      if (typeof v === 'boolean') return valueError();
      const text = isBlank(v) ? '' : String(v);
      if (text.length > 10 || !DIGITS[base].test(text)) return numError();
      if (text === '') return 0;
      let n = parseInt(text, base);
      if (text.length === 10 && n >= 2 ** (BITS[base] - 1)) n -= 2 ** BITS[base];
      return n;
    }

    /** `n` written in `base` with `places` digits, or a CellError. */
    format(n, base, places) {
      const [lo, hi] = limits(base);
      if (n < lo || n > hi) return numError();
      if (n < 0) return (n + 2 ** BITS[base]).toString(base).toUpperCase();
      const text = n.toString(base).toUpperCase();
      if (places === undefined) return text;
      if (text.length > places) return numError();
      return text.padStart(places, '0');
    }

    convert(ast, state, name, from, to) {
      const placesGiven = ast.args.length > 1 && ast.args[1].type !== 'EMPTY';
      return this.runFunction(ast.args, state, this.metadata(name), (value, placesArg) => {
        const places = to === 10 ? undefined : this.places(placesArg, placesGiven);
        if (places instanceof CellError) return places;
        let n;
        if (from === 10) {
          const v = raw(value);
          if (v instanceof CellError) return v;
          if (typeof v === 'boolean') return valueError();
          n = isBlank(v) ? 0 : this.toNumber(v);
          if (n instanceof CellError) return n;
          n = Math.trunc(n);
        } else {
          n = this.parse(value, from);
          if (n instanceof CellError) return n;
        }
        return to === 10 ? n : this.format(n, to, places);
      });
    }
  }

  const SCALAR = { argumentType: FunctionArgumentType.SCALAR };
  const OPTIONAL = { argumentType: FunctionArgumentType.SCALAR, optionalArg: true };
  ExcelBasesPlugin.implementedFunctions = {};
  for (const from of ['BIN', 'OCT', 'HEX', 'DEC']) {
    for (const to of ['BIN', 'OCT', 'HEX', 'DEC']) {
      if (from === to || (from === 'DEC' && to === 'DEC')) continue;
      const name = `${from}2${to}`;
      const method = `conv${name}`;
      ExcelBasesPlugin.prototype[method] = function (ast, state) {
        return this.convert(ast, state, name, BASES[from], BASES[to]);
      };
      ExcelBasesPlugin.implementedFunctions[name] = {
        method,
        parameters: to === 'DEC' ? [SCALAR] : [SCALAR, OPTIONAL],
      };
    }
  }
  return ExcelBasesPlugin;
}

function register(hfModule) {
  const { HyperFormula } = hfModule;
  const plugin = defineBasesPlugin(hfModule);
  HyperFormula.registerFunctionPlugin(plugin);
  return plugin;
}

module.exports = { register, defineBasesPlugin };
