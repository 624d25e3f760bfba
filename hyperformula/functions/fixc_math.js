'use strict';
/*
 * Numeric functions whose edge rules or precision differ from Excel in HyperFormula 3.5.0:
 *  - PI is the double nearest to pi (3.141592653589793); HyperFormula rounded it to 14 decimals,
 *    so PI()-1E-12 and COT/CSC/SEC near multiples of pi were off (Excel caches
 *    PI()-0.000000000001 = 3.141592653588793). SQRTPI uses the same pi.
 *  - ACOT returns the angle in (0, pi) (Microsoft: "ACOT function"): pi/2 - ATAN(x); HyperFormula
 *    gave ATAN(1/x), negative for negative x.
 *  - LOG with base 1 is #DIV/0! (log(base) is 0); POWER(0, 0) is #NUM!.
 *  - COMBIN and COMBINA truncate both arguments before any check (COMBIN(1E-10, 0.1) is 1);
 *    COMBINA(0, k) is #NUM! for k > 0 and COMBINA(0, 0) is 1; COMBINA is computed as a running
 *    product, #NUM! only when the result overflows (COMBINA(1000,200) is 1.66768330678137E+233).
 *  - BASE truncates the number (BASE(12.567, 2) is "1100"); it takes 0 <= number < 2^53.
 *  - CHOOSE with an index below 1 or beyond the values is #VALUE! (FALSE is 0); HyperFormula gave
 *    #NUM! for FALSE.
 *  - SERIESSUM with x = 0 and a zero power is #NUM! (0^0).
 *  - The Analysis ToolPak functions DELTA, GESTEP, QUOTIENT, MULTINOMIAL, SERIESSUM (x, n, m),
 *    ERF, ERFC, DOLLARDE, DOLLARFR, and ERF.PRECISE/ERFC.PRECISE take no logical value: TRUE or
 *    FALSE typed or referenced is #VALUE! (MULTINOMIAL also inside a range or an array).
 */
const { registerPlugin, makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

// Function -> 0-based parameters that reject logicals (undefined: all); `ranges`: also look
// inside ranges and arrays.
const NO_LOGICALS = {
  DELTA: {},
  GESTEP: {},
  QUOTIENT: {},
  MULTINOMIAL: { ranges: true },
  SERIESSUM: { positions: [0, 1, 2] },
  ERF: {},
  ERFC: {},
  'ERF.PRECISE': {},
  'ERFC.PRECISE': {},
  DOLLARDE: {},
  DOLLARFR: {},
};

/** n choose m as a running product (undefined when it overflows). */
function runningProduct(n, m) {
  let r = 1;
  for (let i = 1; i <= m; i++) r = (r * (n - m + i)) / i;
  return Number.isFinite(r) ? Math.round(r) : undefined;
}

/** n choose m with the smaller of m and n-m (HyperFormula's COMBIN, whose digits Excel matches). */
function combinSymmetric(n, m) {
  if (2 * m > n) m = n - m;
  let r = 1;
  for (let i = 1; i <= m; i++) r *= (n - m + i) / i;
  return Number.isFinite(r) ? Math.round(r) : undefined;
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { isError, err } = makeTools(hf);
  const num = { argumentType: T.NUMBER };

  class ExcelMathFixcPlugin extends FunctionPlugin {
    pi(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('PI'), () => Math.PI);
    }

    sqrtpi(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('SQRTPI'), (x) =>
        x < 0 ? err('NUM', 'SQRTPI of a negative number') : Math.sqrt(x * Math.PI));
    }

    acot(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ACOT'), (x) => Math.PI / 2 - Math.atan(x));
    }

    log(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('LOG'), (x, base) => {
        if (x <= 0 || base <= 0) return err('NUM', 'LOG of a non-positive number');
        if (base === 1) return err('DIV_BY_ZERO', 'LOG to base 1');
        return Math.log(x) / Math.log(base);
      });
    }

    power(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('POWER'), (x, y) => {
        if (x === 0 && y === 0) return err('NUM', 'POWER(0, 0)');
        if (x === 0 && y < 0) return err('DIV_BY_ZERO', 'POWER of 0 to a negative power');
        const r = Math.pow(x, y);
        if (Number.isNaN(r)) return err('NUM', 'POWER of a negative number to a fraction');
        if (!Number.isFinite(r)) return err('NUM', 'POWER overflows');
        return r;
      });
    }

    combin(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('COMBIN'), (n, k) => {
        n = Math.trunc(n);
        k = Math.trunc(k);
        if (n < 0 || k < 0 || k > n) return err('NUM', 'COMBIN needs 0 <= k <= n');
        const r = combinSymmetric(n, k);
        return r === undefined ? err('NUM', 'COMBIN overflows') : r;
      });
    }

    combina(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('COMBINA'), (n, k) => {
        n = Math.trunc(n);
        k = Math.trunc(k);
        if (n < 0 || k < 0) return err('NUM', 'COMBINA of a negative number');
        if (k === 0) return 1;
        if (n === 0) return err('NUM', 'COMBINA(0, k) for k > 0');
        const r = runningProduct(n + k - 1, k);
        return r === undefined ? err('NUM', 'COMBINA overflows') : r;
      });
    }

    base(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BASE'), (x, radix, minLength) => {
        x = Math.trunc(x);
        radix = Math.trunc(radix);
        const len = minLength === undefined ? 0 : Math.trunc(minLength);
        if (x < 0 || x >= 2 ** 53) return err('NUM', 'BASE needs 0 <= number < 2^53');
        if (radix < 2 || radix > 36) return err('NUM', 'BASE radix outside 2..36');
        if (len < 0 || len > 255) return err('NUM', 'BASE min_length outside 0..255');
        return x.toString(radix).toUpperCase().padStart(len, '0');
      });
    }

    choose(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CHOOSE'), (index, ...values) => {
        const i = Math.trunc(index);
        if (i < 1 || i > values.length) return err('VALUE', 'CHOOSE index outside the values');
        return values[i - 1];
      });
    }

    seriessum(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('SERIESSUM'), (x, n, m, range) => {
        const coefs = this.arithmeticHelper.manyToOnlyNumbersDropNulls(range.valuesFromTopLeftCorner());
        if (isError(coefs)) return coefs;
        if (x === 0 && coefs.some((_, i) => n + i * m === 0)) return err('NUM', 'SERIESSUM: 0^0');
        // Horner's scheme, as HyperFormula computes it.
        let ret = 0;
        for (const c of coefs.reverse()) ret = ret * Math.pow(x, m) + c;
        return ret * Math.pow(x, n);
      });
    }
  }

  ExcelMathFixcPlugin.implementedFunctions = {
    PI: { method: 'pi', parameters: [] },
    SQRTPI: { method: 'sqrtpi', parameters: [num] },
    ACOT: { method: 'acot', parameters: [num] },
    LOG: { method: 'log', parameters: [num, { argumentType: T.NUMBER, defaultValue: 10 }] },
    POWER: { method: 'power', parameters: [num, num] },
    COMBIN: { method: 'combin', parameters: [num, num] },
    COMBINA: { method: 'combina', parameters: [num, num] },
    BASE: { method: 'base', parameters: [num, num, { argumentType: T.NUMBER, optionalArg: true }] },
    CHOOSE: {
      method: 'choose',
      parameters: [num, { argumentType: T.SCALAR, passSubtype: true }],
      repeatLastArgs: 1,
    },
    SERIESSUM: { method: 'seriessum', parameters: [num, num, num, { argumentType: T.RANGE }] },
  };
  return ExcelMathFixcPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

/** Logical arguments of the functions of NO_LOGICALS are #VALUE! (wrapping the final
 * implementation, once every module has registered). */
function finalize(hfModule) {
  const { raw, isRange, err, flatten } = makeTools(hfModule);
  const plugins = [];
  for (const [id, { positions, ranges }] of Object.entries(NO_LOGICALS)) {
    const plugin = wrapFunction(hfModule, id, function noLogicals(ast, state, base) {
      for (let i = 0; i < ast.args.length; i++) {
        const a = ast.args[i];
        if (!a || a.type === 'EMPTY' || (positions && !positions.includes(i))) continue;
        const v = this.evaluateAst(a, state);
        const values = isRange(v) ? (ranges ? flatten(v) : []) : [raw(v)];
        if (values.some((x) => typeof x === 'boolean')) return err('VALUE', `${id}: a logical argument`);
      }
      return base(ast, state);
    });
    if (plugin) plugins.push(plugin);
  }
  return plugins;
}

module.exports = { register, finalize };
