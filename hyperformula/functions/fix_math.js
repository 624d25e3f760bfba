'use strict';
const { registerPlugin } = require('./info_common');
/*
 * Rounding functions as Excel computes them, replacing HyperFormula 3.5.0's built-ins:
 *
 *  - ROUND, ROUNDUP, ROUNDDOWN, TRUNC: decimal rounding of the value cleaned to 15 significant
 *    digits (ROUND(1.05*(0.0284+0.0046)-0.0284, 4) is 0.0063); the digits argument is truncated
 *    to an integer (ROUND(7.123, 0.5) is 7). HF multiplied by 10^digits in binary.
 *  - INT rounds down (INT(-7.5) is -8; HF truncated toward zero).
 *  - MROUND: #NUM! for different signs, 0 for a zero multiple, TRUE/FALSE are #VALUE!, an omitted
 *    argument is #N/A.
 *  - FLOOR, CEILING (Excel 2010 rules: a negative number with a negative significance rounds
 *    toward zero, resp. away from zero; positive number with negative significance: #NUM!;
 *    FLOOR(x,0) is #DIV/0!, CEILING(x,0) is 0), FLOOR.MATH, CEILING.MATH, FLOOR.PRECISE,
 *    CEILING.PRECISE, ISO.CEILING. The quotient number/significance is cleaned to 15 digits before
 *    it is rounded, so FLOOR(7.1,0.1) is 7.1 and not 7.0; a quotient beyond the double range is
 *    #NUM!.
 */
const { round15, decimalRound, noNegativeZero } = require('./fix_numbers');

function defineMathPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType } = hf;
  const NUMBER = FunctionArgumentType.NUMBER;
  const num = (defaultValue) =>
    defaultValue === undefined ? { argumentType: NUMBER } : { argumentType: NUMBER, defaultValue };

  const numError = () => new CellError(ErrorType.NUM);

  /** round(q) * significance, with q = number / significance cleaned to 15 digits. */
  function multiple(value, significance, round) {
    const q = round15(value / significance);
    if (!Number.isFinite(q)) return numError();
    const r = noNegativeZero(round(q) * significance);
    return Number.isFinite(r) ? r : numError();
  }

  function digitsOf(places) {
    return Math.trunc(places);
  }

  function rounded(x, places, mode) {
    const r = decimalRound(x, digitsOf(places), mode);
    return Number.isFinite(r) ? noNegativeZero(r) : numError();
  }

  class ExcelRoundingPlugin extends FunctionPlugin {
    round(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ROUND'), (x, places) =>
        rounded(x, places, 'half'));
    }

    roundup(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ROUNDUP'), (x, places) =>
        rounded(x, places, 'up'));
    }

    rounddown(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ROUNDDOWN'), (x, places) =>
        rounded(x, places, 'down'));
    }

    trunc(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('TRUNC'), (x, places) =>
        rounded(x, places, 'down'));
    }

    intFunc(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('INT'), (x) =>
        noNegativeZero(Math.floor(round15(x))));
    }

    mround(ast, state) {
      if (ast.args.some((a) => a.type === 'EMPTY')) return new CellError(ErrorType.NA);
      return this.runFunction(ast.args, state, this.metadata('MROUND'), (x, m) => {
        if (typeof x === 'boolean' || typeof m === 'boolean') return new CellError(ErrorType.VALUE);
        const value = this.toNumber(x);
        if (value instanceof CellError) return value;
        const mult = this.toNumber(m);
        if (mult instanceof CellError) return mult;
        if (mult === 0 || value === 0) return 0;
        if (value > 0 !== mult > 0) return numError();
        return multiple(value, mult, (q) => Math.sign(q) * Math.floor(Math.abs(q) + 0.5));
      });
    }

    toNumber(v) {
      const n = this.arithmeticHelper.coerceScalarToNumberOrError(v);
      return typeof n === 'number' || n instanceof CellError ? n : n.val;
    }

    floor(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('FLOOR'), (x, s) => {
        if (s === 0) return x === 0 ? 0 : new CellError(ErrorType.DIV_BY_ZERO);
        if (x === 0) return 0;
        if (x > 0 && s < 0) return numError();
        return multiple(x, s, Math.floor);
      });
    }

    ceiling(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CEILING'), (x, s) => {
        if (s === 0 || x === 0) return 0;
        if (x > 0 && s < 0) return numError();
        return multiple(x, s, Math.ceil);
      });
    }

    floormath(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('FLOOR.MATH'), (x, s, mode) => {
        const sig = Math.abs(s);
        if (sig === 0 || x === 0) return 0;
        return multiple(x, sig, x < 0 && mode !== 0 ? Math.ceil : Math.floor);
      });
    }

    ceilingmath(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CEILING.MATH'), (x, s, mode) => {
        const sig = Math.abs(s);
        if (sig === 0 || x === 0) return 0;
        return multiple(x, sig, x < 0 && mode !== 0 ? Math.floor : Math.ceil);
      });
    }

    floorprecise(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('FLOOR.PRECISE'), (x, s) => {
        const sig = Math.abs(s);
        if (sig === 0 || x === 0) return 0;
        return multiple(x, sig, Math.floor);
      });
    }

    ceilingprecise(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CEILING.PRECISE'), (x, s) => {
        const sig = Math.abs(s);
        if (sig === 0 || x === 0) return 0;
        return multiple(x, sig, Math.ceil);
      });
    }
  }

  const SCALAR = { argumentType: FunctionArgumentType.SCALAR };
  ExcelRoundingPlugin.implementedFunctions = {
    ROUND: { method: 'round', parameters: [num(), num(0)] },
    ROUNDUP: { method: 'roundup', parameters: [num(), num(0)] },
    ROUNDDOWN: { method: 'rounddown', parameters: [num(), num(0)] },
    TRUNC: { method: 'trunc', parameters: [num(), num(0)] },
    INT: { method: 'intFunc', parameters: [num()] },
    MROUND: { method: 'mround', parameters: [SCALAR, SCALAR] },
    FLOOR: { method: 'floor', parameters: [num(), num(1)] },
    CEILING: { method: 'ceiling', parameters: [num(), num(1)] },
    'FLOOR.MATH': { method: 'floormath', parameters: [num(), num(1), num(0)] },
    'CEILING.MATH': { method: 'ceilingmath', parameters: [num(), num(1), num(0)] },
    'FLOOR.PRECISE': { method: 'floorprecise', parameters: [num(), num(1)] },
    'CEILING.PRECISE': { method: 'ceilingprecise', parameters: [num(), num(1)] },
    'ISO.CEILING': { method: 'ceilingprecise', parameters: [num(), num(1)] },
  };
  return ExcelRoundingPlugin;
}

/** Registers the plugin (after fix_numbers' coercion rules, which it relies on). */
function register(hfModule) {
  require('./fix_numbers').register(hfModule);
  const plugin = defineMathPlugin(hfModule);
  return registerPlugin(hfModule, plugin);
}

module.exports = { register, defineMathPlugin };
