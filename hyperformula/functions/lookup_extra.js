'use strict';
/*
 * Lookup functions HyperFormula 3.5.0 lacks: LOOKUP (vector and array forms, Excel's approximate
 * binary search) and XMATCH (match modes 0/-1/1/2, search modes 1/-1/2/-2).
 */
const { registerPlugin, makeTools, wildcardRegex } = require('./info_common');

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const tools = makeTools(hf);
  const { raw, isError, isEmpty, err, grid, compareSameType } = tools;

  /** Excel's approximate binary search over `values` (ascending): index of the last value <=
   * `x` of the same type, -1 when none. A probe that lands on a value of another type (or an
   * error, or an empty cell) looks right for the next value of the lookup's type (so
   * LOOKUP(2, 1/(cond), r) finds the last true row); an exact match ends the search at the last
   * of its run of equal values. Checked against Excel's cached results on mixed-type arrays. */
  function approximateIndex(values, x) {
    let lo = 0;
    let hi = values.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      let k = mid;
      while (k <= hi && compareSameType(values[k], x) === undefined) k++;
      if (k > hi) {
        hi = mid - 1;
        continue;
      }
      const c = compareSameType(values[k], x);
      if (c === 0) {
        while (k + 1 < values.length && compareSameType(values[k + 1], x) === 0) k++;
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

  function exactEquals(v, x, wildcard) {
    if (wildcard && typeof x === 'string' && typeof v === 'string') return wildcard.test(v);
    return compareSameType(v, x) === 0;
  }

  class LookupExtraPlugin extends FunctionPlugin {
    /** LOOKUP(lookup_value, lookup_vector, [result_vector]) and LOOKUP(lookup_value, array). */
    lookup(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('LOOKUP'), (value, where, result) => {
        const x = raw(value);
        if (isError(x)) return x;
        const g = grid(where);
        const h = g.length;
        const w = h ? g[0].length : 0;
        let keys;
        let outs;
        if (result === undefined) {
          if (w > h) {
            keys = g[0];
            outs = g[h - 1];
          } else {
            keys = g.map((row) => row[0]);
            outs = g.map((row) => row[w - 1]);
          }
        } else {
          keys = h === 1 ? g[0] : g.map((row) => row[0]);
          const r = grid(result);
          if (r.length > 1 && r[0].length > 1) return err('NA', 'result is not a vector');
          outs = r.length === 1 ? r[0] : r.map((row) => row[0]);
        }
        const probe = isEmpty(x) ? 0 : x;
        const i = approximateIndex(keys, probe);
        if (i < 0) return err('NA', 'no value <= the lookup value');
        if (i >= outs.length) return err('NA', 'result vector too short');
        const out = outs[i];
        return isEmpty(out) ? 0 : out;
      });
    }

    /** XMATCH(lookup_value, lookup_array, [match_mode=0], [search_mode=1]) */
    xmatch(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('XMATCH'), (value, where, mm, sm) => {
        const x = isEmpty(raw(value)) ? 0 : raw(value);
        if (isError(x)) return x;
        const g = grid(where);
        if (g.length > 1 && g[0].length > 1) return err('VALUE', 'a row or a column expected');
        const values = g.length === 1 ? g[0] : g.map((row) => row[0]);
        if (![0, -1, 1, 2].includes(mm) || ![1, -1, 2, -2].includes(sm)) {
          return err('VALUE', 'bad match or search mode');
        }
        const i = this.xmatchIndex(values, x, mm, sm);
        return i < 0 ? err('NA', 'not found') : i + 1;
      });
    }

    xmatchIndex(values, x, mm, sm) {
      const n = values.length;
      if (sm === 2 || sm === -2) {
        const asc = sm === 2;
        let lo = 0;
        let hi = n - 1;
        let below = -1;
        let above = -1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const c = compareSameType(values[mid], x);
          if (c === 0) return mid;
          // a value of another type sorts like Excel's order: numbers < text < booleans
          const cmp = c !== undefined ? c : typeOrder(values[mid]) - typeOrder(x);
          if ((cmp < 0) === asc) {
            if (cmp < 0) below = mid;
            else above = mid;
            lo = mid + 1;
          } else {
            if (cmp < 0) below = mid;
            else above = mid;
            hi = mid - 1;
          }
        }
        if (mm === -1 && below >= 0 && compareSameType(values[below], x) !== undefined) return below;
        if (mm === 1 && above >= 0 && compareSameType(values[above], x) !== undefined) return above;
        return -1;
      }
      const wildcard = mm === 2 && typeof x === 'string' ? wildcardRegex(x) : undefined;
      let best = -1;
      const order = sm === 1 ? [0, n, 1] : [n - 1, -1, -1];
      for (let i = order[0]; i !== order[1]; i += order[2]) {
        const v = values[i];
        if (exactEquals(v, x, wildcard)) return i;
        if (mm !== -1 && mm !== 1) continue;
        const c = compareSameType(v, x);
        if (c === undefined) continue;
        if ((mm === -1 && c < 0) || (mm === 1 && c > 0)) {
          const d = best < 0 ? undefined : compareSameType(v, values[best]);
          if (best < 0 || (mm === -1 && d > 0) || (mm === 1 && d < 0)) best = i;
        }
      }
      return best;
    }
  }

  function typeOrder(v) {
    if (typeof v === 'number') return 0;
    if (typeof v === 'string') return 1;
    if (typeof v === 'boolean') return 2;
    return 3;
  }

  LookupExtraPlugin.implementedFunctions = {
    LOOKUP: {
      method: 'lookup',
      parameters: [
        { argumentType: T.SCALAR },
        { argumentType: T.RANGE },
        { argumentType: T.RANGE, optionalArg: true },
      ],
    },
    // XMATCH is fix7_lookup.js's (this module loads after it and would replace it).
  };
  return LookupExtraPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
