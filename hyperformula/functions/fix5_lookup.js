'use strict';
/*
 * VLOOKUP, HLOOKUP and MATCH as Excel computes them (Microsoft: "VLOOKUP function", "HLOOKUP
 * function", "MATCH function"), replacing HyperFormula's:
 *  - exact match (range_lookup FALSE, match_type 0): the first value equal to the lookup value,
 *    text compared case-insensitively, never a number with text; a text lookup value may hold
 *    the wildcards * ? and ~ (escape);
 *  - approximate match (range_lookup TRUE or omitted, match_type 1): Excel's binary search over
 *    data it assumes ascending (on unsorted data the result is where that search lands, not the
 *    largest value <= the lookup value), values of another type than the lookup value skipped;
 *  - match_type -1: the smallest value >= the lookup value in data assumed descending; the scan
 *    stops at the first value below the lookup value (so ascending data gives #N/A unless the
 *    first value is a match, as Excel's cached results show);
 *  - the table may be a range or an array (a single number or logical is a 1x1 table, a single
 *    text #VALUE!); col/row_index_num is
 *    truncated, below 1 gives #VALUE!, past the table #REF!; an empty result cell gives 0.
 * The lookup column (row) of a range is read cell by cell (no copy of the table), so an
 * approximate lookup costs O(log n) cell reads.
 */
const { registerPlugin, makeTools, wildcardRegex } = require('./info_common');

const hasWildcard = (s) => /[*?~]/.test(s);

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, SimpleRangeValue } = hf;
  const { raw, isError, isEmpty, err, compareSameType } = makeTools(hf);

  /** Cell access to a table argument: size and value at (row, col), without copying a range. */
  function tableOf(plugin, v) {
    if (v instanceof SimpleRangeValue && v.range !== undefined && v.range.start) {
      const range = v.range;
      const graph = plugin.dependencyGraph;
      const { sheet } = range.start;
      const height = Math.min(range.height(), Math.max(0, graph.getSheetHeight(sheet) - range.start.row));
      const width = Math.min(range.width(), Math.max(0, graph.getSheetWidth(sheet) - range.start.col));
      return {
        width: range.width(),
        height: range.height(),
        usedWidth: width,
        usedHeight: height,
        at: (r, c) => raw(graph.getCellValue({ sheet, row: range.start.row + r, col: range.start.col + c })),
      };
    }
    const g = v instanceof SimpleRangeValue ? v.rawData() : [[v]];
    const h = g.length;
    const w = h ? g[0].length : 0;
    return { width: w, height: h, usedWidth: w, usedHeight: h, at: (r, c) => raw(g[r][c]) };
  }

  /** Index of the first value equal to x (wildcards in text), -1 when none. */
  function exactIndex(n, get, x) {
    const wildcard = typeof x === 'string' && hasWildcard(x) ? wildcardRegex(x) : undefined;
    for (let i = 0; i < n; i++) {
      const v = get(i);
      if (wildcard) {
        if (typeof v === 'string' && wildcard.test(v)) return i;
      } else if (compareSameType(v, x) === 0) {
        return i;
      }
    }
    return -1;
  }

  /** Excel's binary search on data assumed ascending: the last value <= x of x's type (an exact
   * match gives the last of its run of equal values); a probe on a value of another type looks
   * right for the next value of x's type. -1 when none. */
  function ascendingIndex(n, get, x) {
    let lo = 0;
    let hi = n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      let k = mid;
      let c;
      while (k <= hi && (c = compareSameType(get(k), x)) === undefined) k++;
      if (k > hi) {
        hi = mid - 1;
        continue;
      }
      if (c === 0) {
        while (k + 1 < n && compareSameType(get(k + 1), x) === 0) k++;
        return k;
      }
      if (c < 0) {
        found = k;
        lo = k + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** match_type -1: the smallest value >= x in data assumed descending. */
  function descendingIndex(n, get, x) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      const c = compareSameType(get(i), x);
      if (c === undefined) continue;
      if (c === 0) return i;
      if (c < 0) break;
      best = i;
    }
    return best;
  }

  function lookupKey(key) {
    const x = raw(key);
    return isEmpty(x) ? 0 : x;
  }

  function resultOf(v) {
    if (isEmpty(v)) return 0;
    if (v instanceof SimpleRangeValue) return err('VALUE', 'a range is not a value');
    return v;
  }

  class Fix5LookupPlugin extends FunctionPlugin {
    /** VLOOKUP (vertical true) and HLOOKUP (vertical false). */
    tableLookup(key, table, index, sorted, vertical) {
      const x = lookupKey(key);
      if (isError(x)) return x;
      const t = tableOf(this, table);
      if (t.width === 1 && t.height === 1 && !(table && table.range) && typeof t.at(0, 0) === 'string') {
        return err('VALUE', 'text is not a table');
      }
      const i = Math.trunc(index);
      if (i < 1) return err('VALUE', 'index below 1');
      if (i > (vertical ? t.width : t.height)) return err('REF', 'index past the table');
      const n = vertical ? t.usedHeight : t.usedWidth;
      const get = vertical ? (k) => t.at(k, 0) : (k) => t.at(0, k);
      const found = sorted ? ascendingIndex(n, get, x) : exactIndex(n, get, x);
      if (found < 0) return err('NA', 'value not found');
      return resultOf(vertical ? t.at(found, i - 1) : t.at(i - 1, found));
    }

    vlookup(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('VLOOKUP'),
        (key, table, index, sorted) => this.tableLookup(key, table, index, sorted, true));
    }

    hlookup(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('HLOOKUP'),
        (key, table, index, sorted) => this.tableLookup(key, table, index, sorted, false));
    }

    match(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('MATCH'), (key, where, type) => {
        const x = lookupKey(key);
        if (isError(x)) return x;
        const t = tableOf(this, where);
        if (t.width > 1 && t.height > 1) return err('NA', 'lookup_array is not a row or a column');
        const vertical = t.width === 1;
        const n = vertical ? t.usedHeight : t.usedWidth;
        const get = vertical ? (k) => t.at(k, 0) : (k) => t.at(0, k);
        let found;
        if (type > 0) found = ascendingIndex(n, get, x);
        else if (type < 0) found = descendingIndex(n, get, x);
        else found = exactIndex(n, get, x);
        return found < 0 ? err('NA', 'value not found') : found + 1;
      });
    }
  }

  const tableParams = [
    { argumentType: T.NOERROR },
    { argumentType: T.RANGE },
    { argumentType: T.NUMBER },
    { argumentType: T.BOOLEAN, defaultValue: true },
  ];
  Fix5LookupPlugin.implementedFunctions = {
    VLOOKUP: { method: 'vlookup', parameters: tableParams },
    HLOOKUP: { method: 'hlookup', parameters: tableParams },
    MATCH: {
      method: 'match',
      parameters: [
        { argumentType: T.NOERROR },
        { argumentType: T.RANGE },
        { argumentType: T.NUMBER, defaultValue: 1 },
      ],
    },
  };
  return Fix5LookupPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
