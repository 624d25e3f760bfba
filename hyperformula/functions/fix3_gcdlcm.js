'use strict';
/*
 * GCD and LCM with Excel's argument rules, replacing HyperFormula 3.5.0's built-ins:
 *  - every value is truncated to an integer (LCM(7.5,4.5,7.7) is 28); a negative value, or one
 *    of 2^53 or more, is #NUM!; an LCM of 2^53 or more is #NUM!;
 *  - TRUE/FALSE are #VALUE! (as arguments, in ranges and in arrays); texts are read as numbers
 *    ("8" is 8, "2024-01-10" a date serial) or are #VALUE! ("" and "eight" too);
 *  - a reference to an empty cell is skipped (LCM(A1,5) with A1 empty is 5; nothing but empty
 *    cells is #VALUE!), an empty cell inside a range counts as 0 (LCM(A1:B1) is 0);
 *  - an omitted argument (LCM(,5)) is #N/A; the first error met is the result.
 * HF skipped blanks, 0 and booleans inconsistently and returned 0 for LCM of mixed arguments.
 */
const LIMIT = 2 ** 53;

function defineGcdLcmPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, EmptyValue, SimpleRangeValue } =
    hf;

  const raw = (v) => (v !== null && typeof v === 'object' && !(v instanceof CellError) && 'val' in v ? v.val : v);

  class ExcelGcdLcmPlugin extends FunctionPlugin {
    /** `op` folded over the truncated integers of the arguments, or the first error. */
    integers(ast, state, name, op) {
      if (ast.args.some((a) => a.type === 'EMPTY')) return new CellError(ErrorType.NA);
      return this.runFunction(ast.args, state, this.metadata(name), (...args) => {
        const out = [];
        let negative = false;
        const take = (v, inRange) => {
          v = raw(v);
          if (v instanceof CellError) return v;
          if (v === EmptyValue || v === null || v === undefined) {
            if (inRange) out.push(0);
            return null;
          }
          if (typeof v === 'boolean') return new CellError(ErrorType.VALUE);
          let n = v;
          if (typeof v === 'string') {
            if (v === '') return new CellError(ErrorType.VALUE);
            n = raw(this.arithmeticHelper.coerceScalarToNumberOrError(v));
            if (n instanceof CellError) return new CellError(ErrorType.VALUE);
          }
          if (typeof n !== 'number' || !Number.isFinite(n)) return new CellError(ErrorType.VALUE);
          const t = Math.trunc(n);
          if (n < 0) {
            // GCD(-0.4) is #NUM!, after every argument's type is checked: GCD(-0.4,TRUE) #VALUE!
            negative = true;
            return null;
          }
          if (t >= LIMIT) return new CellError(ErrorType.NUM);
          out.push(t);
          return null;
        };
        for (const arg of args) {
          if (arg instanceof SimpleRangeValue) {
            for (const v of arg.valuesFromTopLeftCorner()) {
              const err = take(v, true);
              if (err) return err;
            }
          } else {
            const err = take(arg, false);
            if (err) return err;
          }
        }
        if (negative) return new CellError(ErrorType.NUM);
        if (out.length === 0) return new CellError(ErrorType.VALUE);
        let result = out[0];
        for (const n of out.slice(1)) {
          result = op(result, n);
          if (result >= LIMIT) return new CellError(ErrorType.NUM);
        }
        return result >= LIMIT ? new CellError(ErrorType.NUM) : result;
      });
    }

    gcd(ast, state) {
      return this.integers(ast, state, 'GCD', (a, b) => gcd2(a, b));
    }

    lcm(ast, state) {
      return this.integers(ast, state, 'LCM', (a, b) => (a === 0 || b === 0 ? 0 : (a / gcd2(a, b)) * b));
    }
  }

  function gcd2(a, b) {
    while (b) [a, b] = [b, a % b];
    return a;
  }

  const ANY = { argumentType: FunctionArgumentType.ANY };
  ExcelGcdLcmPlugin.implementedFunctions = {
    GCD: { method: 'gcd', parameters: [ANY], repeatLastArgs: 1 },
    LCM: { method: 'lcm', parameters: [ANY], repeatLastArgs: 1 },
  };
  return ExcelGcdLcmPlugin;
}

function register(hfModule) {
  const { HyperFormula } = hfModule;
  const plugin = defineGcdLcmPlugin(hfModule);
  HyperFormula.registerFunctionPlugin(plugin);
  return plugin;
}

module.exports = { register, defineGcdLcmPlugin };
