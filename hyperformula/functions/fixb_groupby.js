'use strict';
/*
 * GROUPBY and PIVOTBY as Excel 365 computes them (Microsoft: "GROUPBY function", "PIVOTBY
 * function"; layout details checked against Excel-saved workbooks). HyperFormula 3.5.0 has
 * neither.
 *
 * GROUPBY(row_fields, values, function, [field_headers], [total_depth], [sort_order],
 *         [filter_array], [field_relationship])
 * PIVOTBY(row_fields, col_fields, values, function, [field_headers], [row_total_depth],
 *         [row_sort_order], [col_total_depth], [col_sort_order], [filter_array], [relative_to])
 *
 * - function: an eta-reduced LAMBDA (Excel stores SUM passed as a function as `_xleta.SUM`),
 *   applied to each group's values (one column of `values` at a time); PERCENTOF also gets the
 *   values it is a percentage of (`relative_to`: 0 column totals, 1 row totals, 2 grand total,
 *   3 parent column total, 4 parent row total; GROUPBY: the grand total). Totals and subtotals
 *   apply the function to all the values of their group, not to the groups' results.
 * - field_headers: 0 no, 1 yes (not shown), 2 no (generate), 3 yes (shown); omitted: yes when
 *   the first value is text and the one below a number.
 * - total_depth: 0 none, 1 grand total, 2.. grand total and subtotals of the outer levels;
 *   negative: at the top (or left). The grand total is labelled "Total", "Grand Total" when
 *   subtotals are shown too.
 * - sort_order: field numbers (row fields, then values), negative descending. Groups are in
 *   ascending order of their keys level by level; a field number sets its level's direction;
 *   a value number orders the innermost level (and levels whose subtotals are shown) by the
 *   group's result.
 * - filter_array: a column of logicals; only its first column is read.
 * Cells of a pivot with no values are blank.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { makeArrayTools } = require('./array_common');

const ERROR_ORDER = { NULL: 1, DIV_BY_ZERO: 2, VALUE: 3, REF: 4, NAME: 5, NUM: 6, NA: 7 };

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, isEmpty, isRange, err } = makeTools(hf);
  const { announce, fit } = makeArrayTools(hf);

  const grid = (v) => (isRange(v) ? v.rawData() : [[raw(v)]]);

  // ---- the aggregation functions a group's values can be given to ----------------------------
  const nums = (vals) => {
    const out = [];
    for (const v of vals) {
      if (isError(v)) return v;
      if (typeof v === 'number') out.push(v);
    }
    return out;
  };
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  function variance(xs, sample) {
    const n = xs.length;
    if (n - (sample ? 1 : 0) <= 0) return err('DIV_BY_ZERO', 'too few values');
    const m = sum(xs) / n;
    return xs.reduce((a, x) => a + (x - m) * (x - m), 0) / (n - (sample ? 1 : 0));
  }
  const onNumbers = (f) => (vals) => {
    const xs = nums(vals);
    return isError(xs) ? xs : f(xs);
  };
  const AGGREGATES = {
    SUM: onNumbers(sum),
    AVERAGE: onNumbers((xs) => (xs.length ? sum(xs) / xs.length : err('DIV_BY_ZERO', 'no numbers'))),
    COUNT: (vals) => vals.filter((v) => typeof v === 'number').length,
    COUNTA: (vals) => vals.filter((v) => !isEmpty(v)).length,
    MIN: onNumbers((xs) => (xs.length ? Math.min(...xs) : 0)),
    MAX: onNumbers((xs) => (xs.length ? Math.max(...xs) : 0)),
    PRODUCT: onNumbers((xs) => (xs.length ? xs.reduce((a, b) => a * b, 1) : 0)),
    MEDIAN: onNumbers((xs) => {
      if (!xs.length) return err('NUM', 'no numbers');
      const s = [...xs].sort((a, b) => a - b);
      const h = s.length >> 1;
      return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
    }),
    'VAR.S': onNumbers((xs) => variance(xs, true)),
    'VAR.P': onNumbers((xs) => variance(xs, false)),
    'STDEV.S': onNumbers((xs) => {
      const v = variance(xs, true);
      return isError(v) ? v : Math.sqrt(v);
    }),
    'STDEV.P': onNumbers((xs) => {
      const v = variance(xs, false);
      return isError(v) ? v : Math.sqrt(v);
    }),
  };
  AGGREGATES.VAR = AGGREGATES['VAR.S'];
  AGGREGATES.VARP = AGGREGATES['VAR.P'];
  AGGREGATES.STDEV = AGGREGATES['STDEV.S'];
  AGGREGATES.STDEVP = AGGREGATES['STDEV.P'];
  function percentOf(vals, all) {
    const a = nums(vals);
    if (isError(a)) return a;
    const b = nums(all);
    if (isError(b)) return b;
    const total = sum(b);
    return total === 0 ? err('DIV_BY_ZERO', 'total is 0') : sum(a) / total;
  }

  /** The aggregation of the function argument: (values, all values) -> result, or an error
   * when it is not a function Excel can pass (or one not known here). */
  function aggregator(plugin, fnAst, state) {
    const m = fnAst && fnAst.type === 'NAMED_EXPRESSION'
      ? /^_xleta\.(?:_xlfn\.)?(.+)$/i.exec(fnAst.expressionName || '') : null;
    if (!m) {
      // not a function: an error value is the result, anything else #VALUE!
      const v = fnAst && fnAst.type !== 'EMPTY' ? raw(plugin.evaluateAst(fnAst, state)) : undefined;
      return isError(v) ? v : err('VALUE', 'function expected');
    }
    const name = m[1].toUpperCase();
    if (name === 'PERCENTOF') return { fn: percentOf, percent: true };
    const f = AGGREGATES[name];
    if (!f) return { fn: () => err('VALUE', `${name} is not an aggregation`), percent: false };
    return { fn: f, percent: false };
  }

  // ---- ordering of keys -------------------------------------------------------------------
  function rank(v) {
    if (isEmpty(v)) return 4;
    if (typeof v === 'number') return 0;
    if (typeof v === 'string') return 1;
    if (typeof v === 'boolean') return 2;
    return 3;
  }
  function compareAsc(a, b) {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    if (ra === 3) return (ERROR_ORDER[a.type] || 99) - (ERROR_ORDER[b.type] || 99);
    if (ra === 4) return 0;
    if (ra === 1) {
      const x = a.toLowerCase();
      const y = b.toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function keyOf(v) {
    if (isEmpty(v)) return 'e';
    if (typeof v === 'number') return `n${v}`;
    if (typeof v === 'string') return `s${v.toLowerCase()}`;
    if (typeof v === 'boolean') return `b${v}`;
    return `x${v.type}`;
  }

  // ---- arguments ----------------------------------------------------------------------------
  function intOf(v, dflt) {
    if (v === undefined) return dflt;
    v = raw(v);
    if (isRange(v)) v = v.rawData()[0][0];
    if (isError(v)) return v;
    if (isEmpty(v)) return dflt;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') {
      if (v.trim() === '' || !Number.isFinite(Number(v))) return err('VALUE', 'not a number');
      v = Number(v);
    }
    return Math.trunc(v);
  }
  function sortSpec(v, limit) {
    if (v === undefined) return [];
    const out = [];
    for (const row of grid(v)) {
      for (const x of row) {
        const k = intOf(x, undefined);
        if (k === undefined) continue;
        if (isError(k)) return k;
        if (k === 0 || Math.abs(k) > limit) return err('VALUE', 'sort_order out of range');
        out.push(k);
      }
    }
    return out;
  }
  const truthy = (v) => (typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : false);

  // ---- groups -------------------------------------------------------------------------------
  /**
   * The lines of one axis: leaves, subtotals and the grand total, in output order. Each line is
   * {labels, level (0 grand total, k < depth a subtotal, depth a leaf), members (record ids),
   * parent (the enclosing line's members)}.
   */
  function axisLines(keys, ids, opts) {
    const depth = keys.length ? keys[0].length : 0;
    const { totalDepth, spec, valueOf, table, nFields } = opts;
    // totals deeper than the fields: #VALUE!
    if (Math.abs(totalDepth) > depth) return err('VALUE', 'total_depth deeper than the fields');
    const subLevels = table ? 0 : Math.min(Math.abs(totalDepth) - 1, depth - 1);
    const atTop = totalDepth < 0;
    const all = ids;
    function build(members, level) {
      const groups = new Map();
      for (const id of members) {
        const k = keyOf(keys[id][level]);
        let g = groups.get(k);
        if (!g) {
          g = { key: keys[id][level], members: [] };
          groups.set(k, g);
        }
        g.members.push(id);
      }
      const list = [...groups.values()];
      const lvl = level + 1;
      const useValues = lvl === depth || lvl <= subLevels;
      const comparators = [];
      let keyed = false;
      for (const s of spec) {
        const col = Math.abs(s);
        const dir = s < 0 ? -1 : 1;
        if (col === lvl) {
          comparators.push((a, b) => dir * compareAsc(a.key, b.key));
          keyed = true;
        } else if (col > nFields && useValues) {
          for (const g of list) {
            if (!g.sortValues) g.sortValues = {};
            g.sortValues[col] = valueOf(g.members, col - nFields - 1);
          }
          comparators.push((a, b) => dir * compareAsc(a.sortValues[col], b.sortValues[col]));
        }
      }
      if (!keyed) comparators.push((a, b) => compareAsc(a.key, b.key));
      list.sort((a, b) => {
        for (const c of comparators) {
          const r = c(a, b);
          if (r) return r;
        }
        return 0;
      });
      return list;
    }
    const lines = [];
    function walk(members, level, prefix, parentMembers) {
      for (const g of build(members, level)) {
        const labels = [...prefix, g.key];
        if (level + 1 === depth) {
          lines.push({ labels, level: depth, members: g.members, parent: parentMembers });
          continue;
        }
        const sub = level + 1 <= subLevels;
        const line = { labels, level: level + 1, members: g.members, parent: parentMembers };
        if (sub && atTop) lines.push(line);
        walk(g.members, level + 1, labels, g.members);
        if (sub && !atTop) lines.push(line);
      }
    }
    walk(all, 0, [], all);
    if (totalDepth !== 0) {
      const label = subLevels > 0 ? 'Grand Total' : 'Total';
      const grand = { labels: [label], level: 0, members: all, parent: all };
      if (atTop) lines.unshift(grand);
      else lines.push(grand);
    }
    for (const line of lines) {
      while (line.labels.length < depth) line.labels.push('');
    }
    return lines;
  }

  function intersect(a, b) {
    if (a === b) return a;
    const set = new Set(b);
    return a.filter((x) => set.has(x));
  }

  /** Common reading of the data arguments: records kept by the filter, header names. */
  function readData(blocks, headersArg, filterArg, valuesIndex) {
    const grids = blocks.map(grid);
    const height = grids[0].length;
    if (grids.some((g) => g.length !== height)) return err('VALUE', 'fields of different heights');
    let headers = intOf(headersArg, undefined);
    if (isError(headers)) return headers;
    if (headers === undefined) {
      const v = grids[valuesIndex];
      headers = height > 1 && typeof v[0][0] === 'string' && typeof v[1][0] === 'number' ? 1 : 0;
    }
    if (headers < 0 || headers > 3) return err('VALUE', 'field_headers out of range');
    const hasHeader = headers === 1 || headers === 3;
    const show = headers === 2 || headers === 3;
    const start = hasHeader ? 1 : 0;
    let filter;
    if (filterArg !== undefined) {
      const f = grid(filterArg);
      if (f.length !== height) return err('VALUE', 'filter of another height');
      filter = f.map((row) => row[0]);
      for (let i = start; i < height; i++) if (isError(filter[i])) return filter[i];
    }
    const ids = [];
    for (let i = start; i < height; i++) if (!filter || truthy(filter[i])) ids.push(i);
    if (!ids.length) return err('ERROR', 'no values (#CALC! in Excel)');
    const names = grids.map((g, b) =>
      g[0].map((v, c) => (hasHeader ? (isEmpty(v) ? '' : v) : headers === 2 ? `${['Row Field', 'Column Field', 'Value'][b]} ${c + 1}` : '')));
    return { grids, ids, show, names };
  }

  function evalArgs(plugin, ast, state) {
    return ast.args.map((a, i) => (a && a.type !== 'EMPTY' ? () => plugin.evaluateAst(a, state) : () => undefined));
  }

  class FixbGroupByPlugin extends FunctionPlugin {
    groupby(ast, state) {
      const out = this.groupbyRows(ast, state);
      return fit(this, ast, state, out);
    }

    groupbyRows(ast, state) {
      if (ast.args.length < 3) return err('NA', 'too few arguments');
      const arg = evalArgs(this, ast, state);
      const rowsV = arg[0]();
      const valuesV = arg[1]();
      for (const v of [rowsV, valuesV]) if (isError(v)) return v;
      const agg = aggregator(this, ast.args[2], state);
      if (isError(agg)) return agg;
      const data = readData([rowsV, valuesV], arg[3] && arg[3](), arg[6] && arg[6](), 1);
      if (isError(data)) return data;
      const [rowG, valG] = data.grids;
      const nFields = rowG[0].length;
      const nv = valG[0].length;
      const totalDepth = intOf(arg[4] && arg[4](), 1);
      if (isError(totalDepth)) return totalDepth;
      const spec = sortSpec(arg[5] && arg[5](), nFields + nv);
      if (isError(spec)) return spec;
      const rel = intOf(arg[7] && arg[7](), 0);
      if (isError(rel)) return rel;
      const column = (ids, j) => ids.map((i) => valG[i][j]);
      const allIds = data.ids;
      const compute = (ids, j) => agg.fn(column(ids, j), column(allIds, j));
      const lines = axisLines(rowG, allIds, {
        totalDepth, spec, table: rel === 1, nFields, valueOf: compute,
      });
      if (isError(lines)) return lines;
      const rows = [];
      if (data.show) rows.push([...data.names[0], ...data.names[1]]);
      for (const line of lines) {
        const r = [...line.labels];
        for (let j = 0; j < nv; j++) r.push(compute(line.members, j));
        rows.push(r);
      }
      return rows;
    }

    pivotby(ast, state) {
      const out = this.pivotbyRows(ast, state);
      return fit(this, ast, state, out);
    }

    pivotbyRows(ast, state) {
      if (ast.args.length < 4) return err('NA', 'too few arguments');
      const arg = evalArgs(this, ast, state);
      const rowsV = arg[0]();
      const colsV = arg[1]();
      const valuesV = arg[2]();
      for (const v of [rowsV, colsV, valuesV]) if (isError(v)) return v;
      const agg = aggregator(this, ast.args[3], state);
      if (isError(agg)) return agg;
      const data = readData([rowsV, colsV, valuesV], arg[4] && arg[4](), arg[9] && arg[9](), 2);
      if (isError(data)) return data;
      const [rowG, colG, valG] = data.grids;
      const nR = rowG[0].length;
      const nC = colG[0].length;
      const nv = valG[0].length;
      const rowTotal = intOf(arg[5] && arg[5](), 1);
      const colTotal = intOf(arg[7] && arg[7](), 1);
      const rel = intOf(arg[10] && arg[10](), 0);
      for (const v of [rowTotal, colTotal, rel]) if (isError(v)) return v;
      const rowSpec = sortSpec(arg[6] && arg[6](), nR + nv);
      if (isError(rowSpec)) return rowSpec;
      const colSpec = sortSpec(arg[8] && arg[8](), nC + nv);
      if (isError(colSpec)) return colSpec;
      const allIds = data.ids;
      const column = (ids, j) => ids.map((i) => valG[i][j]);
      const total = (ids, j) => agg.fn(column(ids, j), column(allIds, j));
      const rowLines = axisLines(rowG, allIds, {
        totalDepth: rowTotal, spec: rowSpec, table: false, nFields: nR, valueOf: total,
      });
      const colLines = axisLines(colG, allIds, {
        totalDepth: colTotal, spec: colSpec, table: false, nFields: nC, valueOf: total,
      });
      if (isError(rowLines)) return rowLines;
      if (isError(colLines)) return colLines;
      const blanks = (n) => Array.from({ length: n }, () => '');
      const rows = [];
      if (data.show) {
        const top = blanks(nR + colLines.length * nv);
        top[nR] = data.names[1].join(', ');
        rows.push(top);
      }
      for (let level = 0; level < nC; level++) {
        const r = blanks(nR);
        for (const line of colLines) {
          const label = line.level === 0 && level > 0 ? '' : line.labels[level];
          for (let j = 0; j < nv; j++) r.push(label);
        }
        rows.push(r);
      }
      if (data.show) {
        if (nv > 1) {
          const r = [...data.names[0]];
          for (let k = 0; k < colLines.length; k++) r.push(...data.names[2]);
          rows.push(r);
        } else {
          rows[rows.length - 1].splice(0, nR, ...data.names[0]);
        }
      }
      for (const rl of rowLines) {
        const r = [...rl.labels];
        for (const cl of colLines) {
          const ids = intersect(rl.members, cl.members);
          for (let j = 0; j < nv; j++) {
            if (!ids.length) {
              r.push('');
              continue;
            }
            let base = cl.members;
            if (rel === 1) base = rl.members;
            else if (rel === 2) base = allIds;
            else if (rel === 3) base = intersect(rl.members, cl.parent);
            else if (rel === 4) base = intersect(rl.parent, cl.members);
            r.push(agg.fn(column(ids, j), column(base, j)));
          }
        }
        rows.push(r);
      }
      return rows;
    }

    groupbySize(ast, state) {
      return announce(this, ast, state, undefined);
    }
  }

  const any = { argumentType: T.ANY, optionalArg: true };
  const common = { vectorizationForbidden: true, enableArrayArithmeticForArguments: true };
  FixbGroupByPlugin.implementedFunctions = {
    GROUPBY: {
      method: 'groupby', sizeOfResultArrayMethod: 'groupbySize', ...common,
      parameters: [any], repeatLastArgs: 1,
    },
    PIVOTBY: {
      method: 'pivotby', sizeOfResultArrayMethod: 'groupbySize', ...common,
      parameters: [any], repeatLastArgs: 1,
    },
  };
  return FixbGroupByPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
