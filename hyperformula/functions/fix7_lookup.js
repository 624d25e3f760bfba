'use strict';
/*
 * XLOOKUP and XMATCH as Excel 365 computes them (Microsoft: "XLOOKUP function", "XMATCH
 * function"), replacing HyperFormula's XLOOKUP and lookup_extra's XMATCH. Checked against the
 * values Excel cached for mixed, unsorted arrays:
 *  - values order as numbers < text (case-insensitive) < FALSE < TRUE < blank; an exact match
 *    never equates two types. A blank (or omitted) lookup value finds a blank cell and orders
 *    after every value (XMATCH(blank, {1,"a",TRUE}, -1) is 3, with match_mode 0 or 1 #N/A;
 *    XLOOKUP(blank, R:R, S:S) the row of R's first blank cell);
 *  - match_mode 0 exact, -1 exact or next smaller, 1 exact or next larger, 2 wildcards (* ? ~,
 *    text only; another type matches exactly); search_mode 1 first-to-last, -1 last-to-first,
 *    2 / -2 binary search on data assumed ascending / descending: the classic halving search
 *    (middle = floor((lo + hi) / 2)), which on unsorted data lands where Excel lands; the next
 *    smaller / larger value is the last one passed on the way. Wildcards with a binary search
 *    are #VALUE!. match_mode 3 (regex): the pattern is searched in each text, case-sensitive
 *    as REGEXTEST does; an invalid pattern is #VALUE!. Both modes are rounded down (INT: -1.1 is -2), other values #VALUE!;
 *  - an error lookup value is the result (before a bad mode is reported);
 *  - the lookup value, if_not_found, match_mode and search_mode are lifted: an array in any of
 *    them gives an array of results, arrays broadcast against each other as Excel does (a single
 *    row or column is repeated, positions past a smaller array are #N/A). Outside array formulas
 *    a range there is reduced to the cell in the formula's row or column.
 * XLOOKUP's result is the row (vertical lookup array) or column of return_array, an empty cell
 * read as 0; if_not_found (when given) replaces #N/A.
 */
const { registerPlugin, makeTools, wildcardRegex, hfInternal } = require('./info_common');
const { makeArrayTools } = require('./array_common');
const { excelRegex } = require('./text_extra');

const { InterpreterState } = hfInternal('interpreter/InterpreterState.js');

function makeLookupTools(hf) {
  const { raw, isError, isEmpty, err, EmptyValue } = makeTools(hf);

  function rank(v) {
    if (typeof v === 'number') return 0;
    if (typeof v === 'string') return 1;
    if (v === false) return 2;
    if (v === true) return 3;
    if (isEmpty(v)) return 4;
    return 5; // an error
  }

  /** Order of two values: by type, then within the type (text without case). */
  function compare(a, b) {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    if (ra === 0) return a < b ? -1 : a > b ? 1 : 0;
    if (ra === 1) {
      const x = a.toLowerCase();
      const y = b.toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return 0;
  }

  /** Index in `values` (0-based) of the match of `x`, -1 when none, -2 for an invalid regex. */
  function findIndex(values, x, mm, sm) {
    const n = values.length;
    if (sm === 2 || sm === -2) {
      const asc = sm === 2;
      let lo = 0;
      let hi = n - 1;
      let passed = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const c = compare(values[mid], x);
        if (c === 0) {
          // a run of equal values: the first on ascending data, the last on descending data
          let k = mid;
          const step = asc ? -1 : 1;
          while (k + step >= 0 && k + step < n && compare(values[k + step], x) === 0) k += step;
          return k;
        }
        if ((mm === -1 && c < 0) || (mm === 1 && c > 0)) passed = mid;
        if ((c < 0) === asc) lo = mid + 1;
        else hi = mid - 1;
      }
      return passed;
    }
    let wildcard;
    if (mm === 2 && typeof x === 'string') wildcard = wildcardRegex(x);
    if (mm === 3) {
      // regex match (Excel 365): the pattern searched in each text, case-sensitive, as REGEXTEST
      try {
        wildcard = excelRegex(typeof x === 'string' ? x : String(x), false, false);
      } catch (e) {
        return -2;
      }
    }
    let best = -1;
    const [start, end, step] = sm === 1 ? [0, n, 1] : [n - 1, -1, -1];
    for (let i = start; i !== end; i += step) {
      const v = values[i];
      if (wildcard) {
        if (typeof v === 'string' && wildcard.test(v)) return i;
        continue;
      }
      if (isError(v)) continue;
      if (isEmpty(v)) {
        if (isEmpty(x)) return i;
        continue;
      }
      const c = compare(v, x);
      if (c === 0) return i;
      if ((mm === -1 && c < 0) || (mm === 1 && c > 0)) {
        const d = best < 0 ? 0 : compare(v, values[best]);
        if (best < 0 || (mm === -1 && d > 0) || (mm === 1 && d < 0)) best = i;
      }
    }
    return best;
  }

  /** A mode argument as Excel reads it (rounded down), `dflt` when omitted, or an error. */
  function modeArg(v, dflt) {
    if (v === undefined) return dflt;
    v = raw(v);
    if (isEmpty(v)) return dflt;
    if (isError(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
    if (typeof v !== 'number') return err('VALUE', 'mode is not a number');
    return Math.floor(v);
  }

  /** Match mode and search mode, or the error to return. */
  function modes(mmArg, smArg) {
    const mm = modeArg(mmArg, 0);
    if (isError(mm)) return mm;
    const sm = modeArg(smArg, 1);
    if (isError(sm)) return sm;
    if (![0, -1, 1, 2, 3].includes(mm) || ![1, -1, 2, -2].includes(sm)) {
      return err('VALUE', 'bad match or search mode');
    }
    if (mm >= 2 && (sm === 2 || sm === -2)) return err('VALUE', 'wildcards with binary search');
    return { mm, sm };
  }

  /** The lookup value of one element (an omitted one is blank). */
  function lookupValue(v) {
    v = raw(v);
    return isEmpty(v) ? EmptyValue : v;
  }

  return { findIndex, modes, lookupValue, compare };
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, SimpleRangeValue, CellError, ErrorType } = hf;
  const { raw, isError, isEmpty, err } = makeTools(hf);
  const { argSize, announce, fit } = makeArrayTools(hf);
  const { findIndex, modes, lookupValue } = makeLookupTools(hf);
  // loaded here, once HyperFormula itself is: the module is part of its import cycle
  const arithmetic = hfInternal('interpreter/ArithmeticHelper.js');

  const gridOf = (v) => (v instanceof SimpleRangeValue ? v.rawData() : [[v]]);
  const na = () => new CellError(ErrorType.NA, 'outside the array result');

  /** Lifted arguments: outside array evaluation a range is reduced to one cell (implicit
   * intersection); in an array evaluation the block of values. */
  function liftable(v, state) {
    if (!(v instanceof SimpleRangeValue)) return v;
    if (state.arraysFlag) return v;
    const s = arithmetic.coerceRangeToScalar(v, state); // read at each call: it may be replaced
    return s === undefined ? err('VALUE', 'a range where one value is expected') : s;
  }

  /** Broadcast the lifted arguments; calls `one(...scalars)` per element. Returns a grid. */
  function lift(args, one) {
    const blocks = args.map((a) => (a instanceof SimpleRangeValue ? a.rawData() : undefined));
    if (blocks.every((b) => b === undefined)) return undefined;
    const height = Math.max(...blocks.map((b) => (b ? b.length : 1)));
    const width = Math.max(...blocks.map((b) => (b ? b[0].length : 1)));
    const out = [];
    for (let r = 0; r < height; r++) {
      const line = [];
      for (let c = 0; c < width; c++) {
        let outside = false;
        const scalars = args.map((a, i) => {
          const b = blocks[i];
          if (!b) return a;
          const rr = b.length === 1 ? 0 : r;
          const cc = b[0].length === 1 ? 0 : c;
          if (rr >= b.length || cc >= b[0].length) {
            outside = true;
            return undefined;
          }
          return b[rr][cc];
        });
        line.push(outside ? na() : one(...scalars));
      }
      out.push(line);
    }
    return out;
  }

  /** Size of the broadcast of the lifted arguments' ASTs, when one of them is an array. */
  function liftedSize(plugin, asts, state) {
    let lifted = false;
    let width = 1;
    let height = 1;
    for (const a of asts) {
      const s = argSize(plugin, a, state);
      if (!s) continue;
      if (s.width > 1 || s.height > 1) lifted = true;
      width = Math.max(width, s.width);
      height = Math.max(height, s.height);
    }
    return lifted ? { width, height } : undefined;
  }

  /** The lookup array as a list and its direction, or an error. */
  function vectorOf(where) {
    const g = gridOf(where);
    const h = g.length;
    const w = h ? g[0].length : 0;
    if (h > 1 && w > 1) return err('VALUE', 'lookup_array is not a row or a column');
    const vertical = h > 1 || w === 1;
    return { values: vertical ? g.map((row) => row[0]) : g[0], vertical };
  }

  const zeroEmpty = (v) => (isEmpty(v) ? 0 : v);

  /** Evaluate `ast`'s arguments: the lookup and return arrays as arrays (array arithmetic on),
   * the lifted ones in the caller's mode; an omitted or empty argument is undefined. */
  function evaluateArgs(plugin, ast, state, arrayPositions) {
    const arrays = new InterpreterState(state.formulaAddress, true, state.formulaVertex);
    return ast.args.map((a, i) => {
      if (!a || a.type === 'EMPTY') return undefined;
      return plugin.evaluateAst(a, arrayPositions.includes(i) ? arrays : state);
    });
  }

  class Fix7LookupPlugin extends FunctionPlugin {
    xlookup(ast, state) {
      if (ast.args.length < 3 || ast.args.length > 6) return err('NA', 'XLOOKUP takes 3 to 6 arguments');
      const [value, where, ret, notFound, mmArg, smArg] = evaluateArgs(this, ast, state, [1, 2]);
      for (const a of [where, ret]) if (isError(a)) return a;
      if (where === undefined || ret === undefined) return err('VALUE', 'no lookup or return array');
      const vec = vectorOf(where);
      if (isError(vec)) return vec;
      const r = gridOf(ret);
      if ((vec.vertical ? r.length : r[0].length) !== vec.values.length) {
        return err('VALUE', 'lookup_array and return_array differ in size');
      }
      const noFallback = notFound === undefined;
      const one = (v, nf, mm, sm) => {
        const x = lookupValue(v);
        if (isError(x)) return x;
        const m = modes(mm, sm);
        if (isError(m)) return m;
        const i = findIndex(vec.values, x, m.mm, m.sm);
        if (i === -2) return err('VALUE', 'invalid regular expression');
        if (i < 0) return noFallback ? err('NA', 'not found') : nf;
        return vec.vertical ? [r[i].map(zeroEmpty)] : r.map((row) => [zeroEmpty(row[i])]);
      };
      const rowsOf = (out) => {
        if (Array.isArray(out)) return out;
        if (out instanceof SimpleRangeValue) return out.rawData().map((row) => row.map(zeroEmpty));
        return [[zeroEmpty(raw(out))]];
      };
      const args = [value, notFound, mmArg, smArg].map((a) => liftable(a, state));
      const grid = lift(args, (...s) => {
        const rows = rowsOf(one(...s));
        return rows.length === 1 && rows[0].length === 1 ? rows[0][0] : err('VALUE', 'nested array');
      });
      return fit(this, ast, state, grid || rowsOf(one(...args)));
    }

    xlookupSize(ast, state) {
      if (state.arraysFlag) {
        const lifted = liftedSize(this, [ast.args[0], ast.args[3], ast.args[4], ast.args[5]], state);
        if (lifted) return announce(this, ast, state, lifted);
      }
      const where = argSize(this, ast.args[1], state);
      const ret = argSize(this, ast.args[2], state);
      if (!where || !ret) return announce(this, ast, state, undefined);
      const vertical = where.height > 1 || where.width === 1;
      const size = vertical ? { width: ret.width, height: 1 } : { width: 1, height: ret.height };
      return announce(this, ast, state, size);
    }

    xmatch(ast, state) {
      if (ast.args.length < 2 || ast.args.length > 4) return err('NA', 'XMATCH takes 2 to 4 arguments');
      const [value, where, mmArg, smArg] = evaluateArgs(this, ast, state, [1]);
      if (isError(where)) return where;
      if (where === undefined) return err('VALUE', 'no lookup array');
      const vec = vectorOf(where);
      if (isError(vec)) return vec;
      const one = (v, mm, sm) => {
        const x = lookupValue(v);
        if (isError(x)) return x;
        const m = modes(mm, sm);
        if (isError(m)) return m;
        const i = findIndex(vec.values, x, m.mm, m.sm);
        if (i === -2) return err('VALUE', 'invalid regular expression');
        return i < 0 ? err('NA', 'not found') : i + 1;
      };
      const args = [value, mmArg, smArg].map((a) => liftable(a, state));
      const grid = lift(args, one);
      return fit(this, ast, state, grid || [[one(...args)]]);
    }

    xmatchSize(ast, state) {
      const lifted = state.arraysFlag
        ? liftedSize(this, [ast.args[0], ast.args[2], ast.args[3]], state) : undefined;
      return announce(this, ast, state, lifted || { width: 1, height: 1 });
    }
  }

  const any = { argumentType: T.ANY };
  Fix7LookupPlugin.implementedFunctions = {
    XLOOKUP: {
      method: 'xlookup', sizeOfResultArrayMethod: 'xlookupSize', vectorizationForbidden: true,
      parameters: [any, any, any, { ...any, optionalArg: true }, { ...any, optionalArg: true },
        { ...any, optionalArg: true }],
    },
    XMATCH: {
      method: 'xmatch', sizeOfResultArrayMethod: 'xmatchSize', vectorizationForbidden: true,
      parameters: [any, any, { ...any, optionalArg: true }, { ...any, optionalArg: true }],
    },
  };
  return Fix7LookupPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, makeLookupTools };
