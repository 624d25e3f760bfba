'use strict';
/*
 * SUBTOTAL and AGGREGATE with the rows Excel leaves out (Microsoft: "SUBTOTAL function",
 * "AGGREGATE function"):
 *  - cells whose formula calls SUBTOTAL or AGGREGATE are ignored, "to avoid double counting"
 *    (AGGREGATE: options 0 to 3 only);
 *  - SUBTOTAL always ignores rows hidden by a filter; with function_num 101 to 111 it also
 *    ignores rows hidden by hand ("Hide Rows"); hidden columns are never ignored;
 *  - AGGREGATE options 1, 3, 5 and 7 ignore hidden rows (hidden by hand or by a filter), options
 *    2, 3, 6 and 7 error values.
 * function_num is truncated (SUBTOTAL(101.2, ...) is 101); out of 1-11 / 101-111 is #VALUE!.
 *
 * The hidden rows of each sheet come from the workbook (`<row hidden="1">`, filtered when inside
 * an AutoFilter with an active filter): engine.js publishes them as globalThis.__xlimportHiddenRows
 * (Map sheetId -> Map(0-based row -> filtered)).
 *
 * Values of references are taken as Excel's statistical functions take them from a range:
 * numbers only (text, logicals, empties skipped; COUNTA counts every non-empty cell); a value
 * typed as an argument is coerced (TRUE is 1, "3" is 3). No numbers: AVERAGE, STDEV.S/P, VAR.S/P
 * #DIV/0!, MAX, MIN, PRODUCT and SUM 0. An error in the values is the result, except for COUNT
 * and COUNTA (and AGGREGATE with an option that ignores errors).
 */
const { registerPlugin, makeTools, hfInternal } = require('./info_common');

const NESTED = new Set(['SUBTOTAL', 'AGGREGATE']);

/** Does the formula `ast` call SUBTOTAL or AGGREGATE anywhere? */
function callsSubtotal(ast) {
  if (!ast || typeof ast !== 'object') return false;
  if (Array.isArray(ast)) return ast.some(callsSubtotal);
  if (ast.type === 'FUNCTION_CALL' && NESTED.has(String(ast.procedureName).toUpperCase())) return true;
  for (const key of ['args', 'left', 'right', 'value', 'expression']) {
    const child = ast[key];
    if (child && typeof child === 'object' && callsSubtotal(child)) return true;
  }
  return false;
}

/** Two-pass sum of squared deviations from the mean. */
function squaredDeviations(xs) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - mean) * (b - mean), 0);
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, SimpleRangeValue } = hf;
  const { raw, isError, isEmpty, err } = makeTools(hf);
  const { FormulaVertex } = hfInternal('DependencyGraph/FormulaVertex.js');
  const nestedCache = new WeakMap(); // formula vertex -> calls SUBTOTAL/AGGREGATE

  /** The aggregate `fn` (1-13: SUBTOTAL's eleven, MEDIAN, MODE.SNGL) of collected values. */
  function aggregate(fn, values) {
    const { nums, firstError, nonEmpty } = values;
    if (fn === 2) return nums.length;
    if (fn === 3) return nonEmpty;
    if (firstError !== undefined) return firstError;
    const n = nums.length;
    switch (fn) {
      case 1:
        return n === 0 ? err('DIV_BY_ZERO', 'AVERAGE of no numbers') : nums.reduce((a, b) => a + b, 0) / n;
      case 4:
        return n === 0 ? 0 : nums.reduce((a, b) => (b > a ? b : a), -Infinity);
      case 5:
        return n === 0 ? 0 : nums.reduce((a, b) => (b < a ? b : a), Infinity);
      case 6:
        return n === 0 ? 0 : nums.reduce((a, b) => a * b, 1);
      case 7:
        return n < 2 ? err('DIV_BY_ZERO', 'STDEV.S of fewer than 2 numbers') : Math.sqrt(squaredDeviations(nums) / (n - 1));
      case 8:
        return n < 1 ? err('DIV_BY_ZERO', 'STDEV.P of no numbers') : Math.sqrt(squaredDeviations(nums) / n);
      case 9:
        return nums.reduce((a, b) => a + b, 0);
      case 10:
        return n < 2 ? err('DIV_BY_ZERO', 'VAR.S of fewer than 2 numbers') : squaredDeviations(nums) / (n - 1);
      case 11:
        return n < 1 ? err('DIV_BY_ZERO', 'VAR.P of no numbers') : squaredDeviations(nums) / n;
      case 12: {
        if (n === 0) return err('NUM', 'MEDIAN of no numbers');
        const xs = nums.slice().sort((a, b) => a - b);
        const h = Math.floor(n / 2);
        return n % 2 ? xs[h] : (xs[h - 1] + xs[h]) / 2;
      }
      case 13: {
        // MODE.SNGL: the most frequent number, the first one met among equally frequent ones
        const counts = new Map();
        let best;
        let bestCount = 1;
        for (const x of nums) {
          const c = (counts.get(x) || 0) + 1;
          counts.set(x, c);
          if (c > bestCount) {
            best = x;
            bestCount = c;
          }
        }
        return best === undefined ? err('NA', 'MODE.SNGL: no number repeats') : best;
      }
      default:
        return err('VALUE', 'unknown function number');
    }
  }

  /** Percentile of sorted `xs` at p, inclusive (PERCENTILE.INC) or exclusive, or an error. */
  function percentile(xs, p, exclusive) {
    const n = xs.length;
    if (n === 0) return err('NUM', 'percentile of no numbers');
    let h;
    if (exclusive) {
      if (!(p > 0 && p < 1)) return err('NUM', 'PERCENTILE.EXC needs 0 < k < 1');
      h = p * (n + 1) - 1;
      if (h < 0 || h > n - 1) return err('NUM', 'PERCENTILE.EXC: k outside the data');
    } else {
      if (!(p >= 0 && p <= 1)) return err('NUM', 'PERCENTILE.INC needs 0 <= k <= 1');
      h = p * (n - 1);
    }
    const lo = Math.floor(h);
    return lo + 1 < n ? xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo]) : xs[lo];
  }

  /** AGGREGATE's array form (14-19) on collected numbers with its k. */
  function arrayForm(fn, nums, k) {
    const xs = nums.slice().sort((a, b) => a - b);
    const n = xs.length;
    switch (fn) {
      case 14:
      case 15: {
        const i = Math.ceil(k);
        if (n === 0 || i < 1 || i > n) return err('NUM', 'k outside 1..count');
        return fn === 14 ? xs[n - i] : xs[i - 1];
      }
      case 16:
        return percentile(xs, k, false);
      case 17: {
        const q = Math.trunc(k);
        return q < 0 || q > 4 ? err('NUM', 'quart outside 0..4') : percentile(xs, q / 4, false);
      }
      case 18:
        return percentile(xs, k, true);
      default: {
        const q = Math.trunc(k);
        return q < 1 || q > 3 ? err('NUM', 'quart outside 1..3') : percentile(xs, q / 4, true);
      }
    }
  }

  class ExcelSubtotalPlugin extends FunctionPlugin {
    /** Calls SUBTOTAL or AGGREGATE the formula of the cell at `address`? */
    isNestedSubtotal(address) {
      const vertex = this.dependencyGraph.addressMapping.getCell(address);
      if (!(vertex instanceof FormulaVertex)) return false;
      let nested = nestedCache.get(vertex);
      if (nested === undefined) {
        let formula;
        try {
          formula = vertex.getFormula(this.dependencyGraph.lazilyTransformingAstService);
        } catch (e) {
          formula = vertex.formula;
        }
        nested = callsSubtotal(formula);
        nestedCache.set(vertex, nested);
      }
      return nested;
    }

    /**
     * Values of the reference arguments `args` (ASTs), without the rows and cells `skip` says:
     * {hidden: every hidden row, filtered: rows hidden by a filter, nested: SUBTOTAL/AGGREGATE
     * cells, errors: error values}. Returns {nums, firstError, nonEmpty}.
     */
    collect(args, state, skip) {
      const out = { nums: [], firstError: undefined, nonEmpty: 0 };
      const hiddenBySheet = globalThis.__xlimportHiddenRows;
      const take = (v, fromReference) => {
        v = raw(v);
        if (isEmpty(v)) return;
        if (isError(v)) {
          if (skip.errors) return;
          out.nonEmpty += 1;
          if (out.firstError === undefined) out.firstError = v;
          return;
        }
        out.nonEmpty += 1;
        if (typeof v === 'number') out.nums.push(v);
        else if (!fromReference) {
          // a value typed as an argument is coerced, as SUM(TRUE,"3") does
          const n = this.arithmeticHelper.coerceScalarToNumberOrError(v);
          if (isError(n)) {
            if (!skip.errors && out.firstError === undefined) out.firstError = n;
          } else out.nums.push(raw(n));
        }
      };
      const left = (sheet, row, col) => {
        if (hiddenBySheet instanceof Map) {
          const rows = hiddenBySheet.get(sheet);
          if (rows !== undefined) {
            const filtered = rows.get(row);
            if (filtered !== undefined && (skip.hidden || (filtered && skip.filtered))) return true;
          }
        }
        return skip.nested && this.isNestedSubtotal({ sheet, row, col });
      };
      for (const arg of args) {
        let a = arg;
        while (a && a.type === 'PARENTHESES') a = a.expression;
        const v = this.evaluateAst(arg, state);
        if (a && a.type === 'CELL_REFERENCE' && !(v instanceof SimpleRangeValue)) {
          const address = a.reference.toSimpleCellAddress(state.formulaAddress);
          if (!left(address.sheet, address.row, address.col)) take(v, true);
          continue;
        }
        if (v instanceof SimpleRangeValue) {
          const range = v.range;
          const data = v.data;
          for (let i = 0; i < data.length; i++) {
            for (let j = 0; j < data[i].length; j++) {
              if (range && left(range.start.sheet, range.start.row + i, range.start.col + j)) continue;
              take(data[i][j], true);
            }
          }
          continue;
        }
        take(v, false);
      }
      return out;
    }

    /** function_num truncated, or an error. */
    functionNumber(ast, state) {
      if (ast === undefined || ast.type === 'EMPTY') return err('VALUE', 'function number missing');
      let v = this.evaluateAst(ast, state);
      if (v instanceof SimpleRangeValue) {
        const d = v.data;
        v = d.length && d[0].length ? d[0][0] : undefined;
      }
      v = raw(v);
      if (isError(v)) return v;
      if (isEmpty(v)) return err('VALUE', 'function number missing');
      const n = this.arithmeticHelper.coerceScalarToNumberOrError(v);
      if (isError(n)) return n;
      return Math.trunc(raw(n));
    }

    subtotal(ast, state) {
      if (ast.args.length < 2) return err('NA', 'SUBTOTAL needs a function number and a reference');
      const fn = this.functionNumber(ast.args[0], state);
      if (isError(fn)) return fn;
      const base = fn > 100 ? fn - 100 : fn;
      if (!(base >= 1 && base <= 11) || (fn > 11 && fn < 101)) {
        return err('VALUE', `SUBTOTAL function number ${fn} out of 1-11 and 101-111`);
      }
      const skip = { hidden: fn > 100, filtered: true, nested: true, errors: false };
      return aggregate(base, this.collect(ast.args.slice(1), state, skip));
    }

    aggregate(ast, state) {
      if (ast.args.length < 3) return err('VALUE', 'AGGREGATE needs a function, options and a reference');
      const fn = this.functionNumber(ast.args[0], state);
      if (isError(fn)) return fn;
      if (!(fn >= 1 && fn <= 19)) return err('VALUE', `AGGREGATE function number ${fn} out of 1-19`);
      const options = ast.args[1].type === 'EMPTY' ? 0 : this.functionNumber(ast.args[1], state);
      if (isError(options)) return options;
      if (!(options >= 0 && options <= 7)) return err('VALUE', `AGGREGATE options ${options} out of 0-7`);
      const skip = {
        hidden: options % 2 === 1,
        filtered: options % 2 === 1,
        nested: options <= 3,
        errors: options === 2 || options === 3 || options >= 6,
      };
      if (fn <= 13) return aggregate(fn, this.collect(ast.args.slice(2), state, skip));
      if (ast.args.length !== 4) return err('VALUE', 'AGGREGATE array form needs an array and k');
      let k = this.evaluateAst(ast.args[3], state);
      if (k instanceof SimpleRangeValue) k = k.data.length && k.data[0].length ? k.data[0][0] : undefined;
      k = raw(k);
      if (isError(k)) return k;
      k = this.arithmeticHelper.coerceScalarToNumberOrError(isEmpty(k) ? 0 : k);
      if (isError(k)) return k;
      const values = this.collect([ast.args[2]], state, skip);
      if (values.firstError !== undefined) return values.firstError;
      return arrayForm(fn, values.nums, raw(k));
    }
  }

  ExcelSubtotalPlugin.implementedFunctions = {
    SUBTOTAL: {
      method: 'subtotal',
      parameters: [{ argumentType: T.NUMBER }, { argumentType: T.ANY }],
      repeatLastArgs: 1,
    },
    AGGREGATE: {
      method: 'aggregate',
      parameters: [{ argumentType: T.NUMBER }, { argumentType: T.NUMBER }, { argumentType: T.ANY }],
      repeatLastArgs: 1,
    },
  };
  return ExcelSubtotalPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, callsSubtotal };
