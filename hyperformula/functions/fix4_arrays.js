'use strict';
/*
 * SORT and UNIQUE as Excel 365 computes them (HyperFormula 3.5.0 has neither). The result is
 * sized from the argument (or from the range Excel recorded for the formula) and fitted with
 * `array_common.js`, like the other array plugins.
 *
 * SORT order (Microsoft: "SORT function"; checked against Excel-saved workbooks): ascending is
 * numbers < text (case-insensitive) < logicals < errors (by error code), blank cells last as 0;
 * descending reverses it but keeps blanks last. Ties keep their original order.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { makeArrayTools } = require('./array_common');

const ERROR_CODES = {
  NULL: 1, DIV_BY_ZERO: 2, VALUE: 3, REF: 4, NAME: 5, NUM: 6, NA: 7, SPILL: 9,
};

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, isEmpty, err, compareSameType } = makeTools(hf);
  const { argSize, announce, fit } = makeArrayTools(hf);

  function rank(v) {
    if (isEmpty(v)) return 4;
    if (typeof v === 'number') return 0;
    if (typeof v === 'string') return 1;
    if (typeof v === 'boolean') return 2;
    return 3;
  }

  /** Ascending order of two values; blanks compare equal to each other. */
  function compareAsc(a, b) {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    if (ra === 4) return 0;
    if (ra === 3) return (ERROR_CODES[a.type] || 99) - (ERROR_CODES[b.type] || 99);
    return compareSameType(a, b) || 0;
  }

  function compareOrdered(a, b, order) {
    const ea = isEmpty(a);
    const eb = isEmpty(b);
    if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
    return order * compareAsc(a, b);
  }

  /** Empty cells of a result show as 0, as Excel's array results do. */
  const zeroBlanks = (rows) => rows.map((row) => row.map((v) => (isEmpty(v) ? 0 : v)));

  function transpose(rows) {
    return rows[0].map((_, c) => rows.map((row) => row[c]));
  }

  function intArg(v, name) {
    v = raw(v);
    if (isError(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
    if (typeof v !== 'number') return err('VALUE', `${name} is not a number`);
    return Math.trunc(v);
  }

  /** Key of a value for UNIQUE: text compares case-insensitively; a blank cell is not 0 (it
   * shows as 0 in the result, but Excel keeps a column of blanks apart from one of zeros). */
  function uniqueKey(v) {
    if (isEmpty(v)) return 'blank';
    if (typeof v === 'number') return `n:${v}`;
    if (typeof v === 'string') return `s:${v.toLowerCase()}`;
    if (typeof v === 'boolean') return `b:${v}`;
    return `e:${v.type}`;
  }

  class Fix4ArrayPlugin extends FunctionPlugin {
    sort(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('SORT'), (array, index, order, byCol) => {
        if (isError(array)) return array;
        let rows = array.rawData();
        const idx = index === undefined || isEmpty(raw(index)) ? 1 : intArg(index, 'sort_index');
        if (isError(idx)) return idx;
        const ord = order === undefined || isEmpty(raw(order)) ? 1 : intArg(order, 'sort_order');
        if (isError(ord)) return ord;
        let cols = byCol === undefined ? false : raw(byCol);
        if (isEmpty(cols)) cols = false;
        if (isError(cols)) return cols;
        if (typeof cols === 'number') cols = cols !== 0;
        if (typeof cols !== 'boolean') return err('VALUE', 'by_col is not a logical');
        if (ord !== 1 && ord !== -1) return err('VALUE', 'sort_order must be 1 or -1');
        if (cols) rows = transpose(rows);
        if (idx < 1 || idx > rows[0].length) return err('VALUE', 'sort_index out of range');
        const order2 = rows.map((_, i) => i);
        order2.sort((x, y) => compareOrdered(rows[x][idx - 1], rows[y][idx - 1], ord) || x - y);
        let out = order2.map((i) => rows[i]);
        if (cols) out = transpose(out);
        return fit(this, ast, state, zeroBlanks(out));
      });
    }

    sortSize(ast, state) {
      return announce(this, ast, state, argSize(this, ast.args[0], state));
    }

    unique(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('UNIQUE'), (array, byCol, once) => {
        if (isError(array)) return array;
        let rows = array.rawData();
        const flags = [byCol, once].map((v) => {
          v = v === undefined ? false : raw(v);
          if (isEmpty(v)) return false;
          return typeof v === 'number' ? v !== 0 : v;
        });
        for (const f of flags) {
          if (isError(f)) return f;
          if (typeof f !== 'boolean') return err('VALUE', 'not a logical');
        }
        if (flags[0]) rows = transpose(rows);
        const counts = new Map();
        const keys = rows.map((row) => row.map(uniqueKey).join('\u0000'));
        for (const k of keys) counts.set(k, (counts.get(k) || 0) + 1);
        const seen = new Set();
        let out = [];
        rows.forEach((row, i) => {
          const k = keys[i];
          if (seen.has(k)) return;
          seen.add(k);
          if (flags[1] && counts.get(k) !== 1) return;
          out.push(row);
        });
        // #CALC! in Excel: fixo_calc.js turns this message into it (keep the message)
        if (!out.length) return err('VALUE', 'no unique values (#CALC! in Excel)');
        if (flags[0]) out = transpose(out);
        return fit(this, ast, state, zeroBlanks(out));
      });
    }

    uniqueSize(ast, state) {
      return announce(this, ast, state, undefined);
    }
  }

  const any = (optionalArg) => ({ argumentType: T.ANY, optionalArg });
  const common = { vectorizationForbidden: true, enableArrayArithmeticForArguments: true };
  Fix4ArrayPlugin.implementedFunctions = {
    SORT: {
      method: 'sort', sizeOfResultArrayMethod: 'sortSize', ...common,
      parameters: [{ argumentType: T.RANGE }, any(true), any(true), any(true)],
    },
    UNIQUE: {
      method: 'unique', sizeOfResultArrayMethod: 'uniqueSize', ...common,
      parameters: [{ argumentType: T.RANGE }, any(true), any(true)],
    },
  };
  return Fix4ArrayPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
