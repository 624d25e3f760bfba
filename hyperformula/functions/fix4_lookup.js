'use strict';
/*
 * XLOOKUP as Excel 365 computes it (Microsoft: "XLOOKUP function"), replacing HyperFormula's:
 *  - match_mode 0 exact, -1 exact or next smaller, 1 exact or next larger, 2 wildcards (* ? ~);
 *  - search_mode 1 first-to-last, -1 last-to-first, 2 / -2 binary search on ascending /
 *    descending data (wildcards with a binary search are #VALUE!);
 *  - values order as numbers < text (case-insensitive) < logicals, in a linear search (the next
 *    smaller / larger value may be of another type, blanks and errors are skipped) and in a
 *    binary search (blank cells after logicals; an exact match gives the first of a run of equal
 *    values on ascending data, the last on descending data), as Excel's cached results show on
 *    unsorted and mixed data;
 *  - the result is the row (vertical lookup array) or column (horizontal) of return_array, and
 *    if_not_found (when given) replaces #N/A.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { makeArrayTools } = require('./array_common');
const { wildcardRegex } = require('./info_common');

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, isEmpty, err, compareSameType } = makeTools(hf);
  const { argSize, announce, fit } = makeArrayTools(hf);

  function rank(v) {
    if (isEmpty(v)) return 3;
    if (typeof v === 'number') return 0;
    if (typeof v === 'string') return 1;
    if (typeof v === 'boolean') return 2;
    return 4;
  }

  /** Order of two values in a binary search: by type first, then within the type. */
  function compareAll(a, b) {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    if (ra >= 3) return 0;
    return compareSameType(a, b) || 0;
  }

  /** Index of the match in `values` or -1. */
  function findIndex(values, x, mm, sm) {
    const n = values.length;
    if (sm === 2 || sm === -2) {
      // ascending: first value >= x; descending: first value < x (an exact match is then the
      // last of its run, as Excel returns on descending data)
      const asc = sm === 2;
      const past = asc ? (c) => c < 0 : (c) => c >= 0;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (past(compareAll(values[mid], x))) lo = mid + 1;
        else hi = mid;
      }
      const hit = asc ? lo : lo - 1;
      if (hit >= 0 && hit < n && compareAll(values[hit], x) === 0) return hit;
      const smaller = asc ? lo - 1 : lo;
      const larger = asc ? lo : lo - 1;
      if (mm === -1 && smaller >= 0 && smaller < n) return smaller;
      if (mm === 1 && larger >= 0 && larger < n) return larger;
      return -1;
    }
    const wildcard = mm === 2 && typeof x === 'string' ? wildcardRegex(x) : undefined;
    let best = -1;
    const [start, end, step] = sm === 1 ? [0, n, 1] : [n - 1, -1, -1];
    for (let i = start; i !== end; i += step) {
      const v = values[i];
      if (wildcard) {
        if (typeof v === 'string' && wildcard.test(v)) return i;
        continue;
      }
      const c = compareAll(v, x);
      if (c === 0) return i;
      if (mm === 0 || isEmpty(v) || isError(v)) continue;
      // approximate: the closest value in Excel's order numbers < text < logicals
      if ((mm === -1 && c < 0) || (mm === 1 && c > 0)) {
        const d = best < 0 ? 0 : compareAll(v, values[best]);
        if (best < 0 || (mm === -1 && d > 0) || (mm === 1 && d < 0)) best = i;
      }
    }
    return best;
  }

  function intArg(v, dflt) {
    if (v === undefined) return dflt;
    v = raw(v);
    if (isEmpty(v)) return dflt;
    if (isError(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
    if (typeof v !== 'number') return err('VALUE', 'mode is not a number');
    return Math.trunc(v);
  }

  const gridOf = (v) => (v instanceof hf.SimpleRangeValue ? v.rawData() : [[v]]);

  class Fix4LookupPlugin extends FunctionPlugin {
    xlookup(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('XLOOKUP'),
        (value, where, ret, notFound, matchMode, searchMode) => {
          const x = raw(value);
          if (isError(x)) return x;
          const g = gridOf(where);
          const r = gridOf(ret);
          const h = g.length;
          const w = g[0].length;
          if (h > 1 && w > 1) return err('VALUE', 'lookup_array is not a row or a column');
          const vertical = h > 1 || w === 1;
          const mm = intArg(matchMode, 0);
          if (isError(mm)) return mm;
          const sm = intArg(searchMode, 1);
          if (isError(sm)) return sm;
          if (![0, -1, 1, 2].includes(mm) || ![1, -1, 2, -2].includes(sm)) {
            return err('VALUE', 'bad match or search mode');
          }
          if (mm === 2 && (sm === 2 || sm === -2)) return err('VALUE', 'wildcards with binary search');
          const values = vertical ? g.map((row) => row[0]) : g[0];
          if ((vertical ? r.length : r[0].length) !== values.length) {
            return err('VALUE', 'lookup_array and return_array differ in size');
          }
          const i = findIndex(values, x, mm, sm);
          if (i < 0) {
            const nf = notFound === undefined ? undefined : raw(notFound);
            if (nf === undefined || (isEmpty(nf) && ast.args[3] && ast.args[3].type === 'EMPTY')) {
              return err('NA', 'not found');
            }
            return fit(this, ast, state, gridOf(notFound).map((row) =>
              row.map((v) => (isEmpty(v) ? 0 : v))));
          }
          const out = vertical ? [r[i]] : r.map((row) => [row[i]]);
          return fit(this, ast, state, out.map((row) => row.map((v) => (isEmpty(v) ? 0 : v))));
        });
    }

    xlookupSize(ast, state) {
      const where = argSize(this, ast.args[1], state);
      const ret = argSize(this, ast.args[2], state);
      if (!where || !ret) return announce(this, ast, state, undefined);
      const vertical = where.height > 1 || where.width === 1;
      const size = vertical ? { width: ret.width, height: 1 } : { width: 1, height: ret.height };
      return announce(this, ast, state, size);
    }
  }

  const any = (optionalArg) => ({ argumentType: T.ANY, optionalArg });
  Fix4LookupPlugin.implementedFunctions = {
    XLOOKUP: {
      method: 'xlookup', sizeOfResultArrayMethod: 'xlookupSize',
      vectorizationForbidden: true, enableArrayArithmeticForArguments: true,
      parameters: [{ argumentType: T.SCALAR }, { argumentType: T.RANGE }, { argumentType: T.RANGE },
        any(true), any(true), any(true)],
    },
  };
  return Fix4LookupPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
