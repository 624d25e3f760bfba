'use strict';
const { registerPlugin } = require('./info_common');
/*
 * Shared machinery of the financial plugins (a helper module: no `register`).
 *
 * A function is declared as {args, min, impl}: `args` lists one coercion kind per argument,
 * `min` how many are required, `impl(...values)` computes the result from coerced values and
 * returns a number, a date ({y, m, d, n}: returned as its serial number), or an error code string
 * ('NUM', 'VALUE', 'DIV0', 'NA'). Coercion kinds, as Excel applies them:
 *   n  number; booleans count as 0/1, numeric text is read as a number (core functions: PMT, ...)
 *   N  number, but a boolean is #VALUE! (Analysis ToolPak functions: PRICE, COUPDAYS, ...)
 *   i  like N, truncated to an integer (frequency, basis)
 *   d  a date serial: like N, truncated; below 0 or beyond 9999-12-31 is #NUM!
 *   b  a logical (calc_method): numbers are TRUE when non-zero
 *   r  a range or array, passed through (SimpleRangeValue)
 * Omitted optional arguments arrive as `undefined`; the impl picks its default.
 */

const dates = require('./financial_dates');

function defineFinancialPlugin(hf, name, table) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, EmptyValue } = hf;
  const ERRORS = {
    NUM: ErrorType.NUM,
    VALUE: ErrorType.VALUE,
    DIV0: ErrorType.DIV_BY_ZERO,
    NA: ErrorType.NA,
  };

  class Plugin extends FunctionPlugin {
    date1904() {
      const d = this.config && this.config.nullDate;
      return Boolean(d && d.year === 1904);
    }

    coerceOne(value, kind) {
      if (value === undefined) return undefined;
      if (kind === 'r') return value;
      let v = value;
      if (v === EmptyValue || v === null) v = 0;
      if (v !== null && typeof v === 'object' && typeof v.val === 'number') v = v.val;
      if (typeof v === 'boolean') {
        if (kind === 'b' || kind === 'n') return kind === 'b' ? v : Number(v);
        return 'VALUE';
      }
      if (typeof v === 'string') {
        if (kind === 'b') {
          const up = v.toUpperCase();
          if (up === 'TRUE' || up === 'FALSE') return up === 'TRUE';
        }
        const n = this.arithmeticHelper.coerceToMaybeNumber(v);
        const raw = n !== null && typeof n === 'object' ? n.val : n;
        if (typeof raw !== 'number') return 'VALUE';
        v = raw;
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'VALUE';
      switch (kind) {
        case 'b':
          return v !== 0;
        case 'i':
          return Math.trunc(v);
        case 'd': {
          const s = Math.trunc(v);
          if (s < 0 || s > dates.MAX_SERIAL) return 'NUM';
          return dates.fromSerial(s, this.date1904());
        }
        default:
          return v;
      }
    }

    toResult(out) {
      if (typeof out === 'string') return new CellError(ERRORS[out] || ErrorType.NUM);
      if (out instanceof CellError) return out;
      if (out !== null && typeof out === 'object') return dates.toSerial(out, this.date1904());
      if (typeof out !== 'number' || !Number.isFinite(out)) return new CellError(ErrorType.NUM);
      return out;
    }

    evaluate(fname, ast, state) {
      const spec = table[fname];
      return this.runFunction(ast.args, state, this.metadata(fname), (...values) => {
        const coerced = [];
        for (let i = 0; i < values.length; i++) {
          if (values[i] instanceof CellError) return values[i];
          const c = this.coerceOne(values[i], spec.args[i]);
          if (typeof c === 'string') return new CellError(ERRORS[c]);
          coerced.push(c);
        }
        return this.toResult(spec.impl.apply(this, coerced));
      });
    }
  }

  const implemented = {};
  for (const [fname, spec] of Object.entries(table)) {
    const method = `fn_${fname.replace(/\./g, '_')}`;
    Plugin.prototype[method] = function run(ast, state) {
      return this.evaluate(fname, ast, state);
    };
    const parameters = spec.args.map((kind, i) => {
      const p = {
        // SCALAR hands errors to us, so they are reported in argument order like Excel does
        argumentType: kind === 'r' ? FunctionArgumentType.RANGE : FunctionArgumentType.SCALAR,
      };
      if (i >= spec.min) p.optionalArg = true;
      return p;
    });
    implemented[fname] = { method, parameters };
  }
  Plugin.implementedFunctions = implemented;
  Object.defineProperty(Plugin, 'name', { value: name });
  return Plugin;
}

/** Register a table of functions on HyperFormula (replacing built-ins of the same id). */
function registerTable(hfModule, name, table) {
  const plugin = defineFinancialPlugin(hfModule, name, table);
  return registerPlugin(hfModule, plugin);
}

/** #NUM! unless frequency is 1, 2 or 4. */
const badFrequency = (f) => f !== 1 && f !== 2 && f !== 4;
/** #NUM! unless basis is 0..4. */
const badBasis = (b) => !(b >= 0 && b <= 4);

/**
 * Root of f near `guess`: Newton's method with a numeric derivative, then bisection over a
 * bracket grown from the guess (rates stay above -1). Returns undefined when none is found.
 */
function findRoot(f, guess, lower = -1) {
  const eps = 1e-10;
  let x = guess;
  for (let i = 0; i < 100; i++) {
    const fx = f(x);
    if (!Number.isFinite(fx)) break;
    if (Math.abs(fx) < 1e-12) return x;
    const h = Math.max(1e-7, Math.abs(x) * 1e-7);
    const d = (f(x + h) - f(x - h)) / (2 * h);
    if (!Number.isFinite(d) || d === 0) break;
    const nx = x - fx / d;
    if (!Number.isFinite(nx) || nx <= lower) break;
    if (Math.abs(nx - x) < eps * Math.max(1, Math.abs(x))) return nx;
    x = nx;
  }
  // bracket, then bisect
  let lo = Math.max(lower + 1e-10, guess - 0.01);
  let hi = guess + 0.01;
  let flo = f(lo);
  let fhi = f(hi);
  for (let i = 0; i < 60 && !(flo * fhi <= 0); i++) {
    const nlo = Math.max(lower + 1e-10, lo - 1.6 * (hi - lo));
    const nhi = hi + 1.6 * (hi - lo);
    lo = nlo;
    hi = nhi;
    flo = f(lo);
    fhi = f(hi);
    if (!Number.isFinite(flo) || !Number.isFinite(fhi)) return undefined;
  }
  if (!(flo * fhi <= 0)) return undefined;
  for (let i = 0; i < 300; i++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    if (fm === 0 || (hi - lo) / 2 < 1e-15 * Math.max(1, Math.abs(mid))) return mid;
    if (flo * fm < 0) {
      hi = mid;
    } else {
      lo = mid;
      flo = fm;
    }
  }
  return (lo + hi) / 2;
}

module.exports = { defineFinancialPlugin, registerTable, badFrequency, badBasis, findRoot };
