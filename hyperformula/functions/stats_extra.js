'use strict';
/*
 * Statistical functions HyperFormula 3.5.0 lacks: AVERAGEIFS, BINOM.DIST.RANGE, PROB, INTERCEPT,
 * FORECAST, FORECAST.LINEAR, PERMUT, PERMUTATIONA, TRIMMEAN, RANK, RANK.EQ, RANK.AVG, MODE,
 * MODE.SNGL. MODE and MODE.SNGL: text typed as an argument (even "1") and a reference to one
 * empty cell are #VALUE!, the first such argument or error deciding (cached in
 * poi__formulaevaltestdata_copy.xlsx: MODE(B8,"1",2,3) and MODE(B9,2,D7) with D7 empty).
 * fixq_args.js then makes MODE.SNGL (and MODE.MULT) ignore typed text and reject a missing
 * argument, as Excel 16 does for them.
 */
const { hfInternal, registerPlugin, makeTools } = require('./info_common');

function definePlugin(hf) {
  const { FunctionArgumentType: T } = hf;
  const { ConditionalAggregationPlugin } = hfInternal(
    'interpreter/plugin/ConditionalAggregationPlugin.js');
  const { AverageResult } = hfInternal('interpreter/plugin/AverageResult.js');
  const { raw, isError, err, flatten, numbersOf } = makeTools(hf);

  function logChoose(n, k) {
    let s = 0;
    for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
    return s;
  }

  const isNullError = (v) => isError(v) && raw(v).type === 'NULL';

  /** Paired numbers of two same-size blocks (pairs with a non-number skipped). */
  function pairs(ys, xs) {
    const fy = flatten(ys);
    const fx = flatten(xs);
    if (fy.length !== fx.length) return err('NA', 'ranges of different sizes');
    const out = [];
    // Excel passes over #NULL! (its error code 0) and returns the first other error, the y of
    // a pair before its x; a #NULL! y skips its pair. #NULL! comes back only when no other
    // error follows.
    let nullError;
    for (let i = 0; i < fy.length; i++) {
      if (isNullError(fy[i])) {
        nullError = nullError || fy[i];
        continue;
      }
      if (isError(fy[i])) return fy[i];
      if (isNullError(fx[i])) nullError = nullError || fx[i];
      else if (isError(fx[i])) return fx[i];
      if (typeof fy[i] === 'number' && typeof fx[i] === 'number') out.push([fx[i], fy[i]]);
    }
    return nullError || out;
  }

  /** Least-squares line through the pairs: [slope, intercept], or an error. */
  function line(ys, xs) {
    const ps = pairs(ys, xs);
    if (isError(ps)) return ps;
    if (!ps.length) return err('DIV_BY_ZERO', 'no pairs');
    const mx = ps.reduce((s, p) => s + p[0], 0) / ps.length;
    const my = ps.reduce((s, p) => s + p[1], 0) / ps.length;
    let sxx = 0;
    let sxy = 0;
    for (const [x, y] of ps) {
      sxx += (x - mx) * (x - mx);
      sxy += (x - mx) * (y - my);
    }
    if (sxx === 0) return err('DIV_BY_ZERO', 'the x values do not vary');
    const slope = sxy / sxx;
    return [slope, my - slope * mx];
  }

  function rank(x, ref, order, average) {
    const nums = numbersOf(ref);
    if (isError(nums)) return nums;
    let less = 0;
    let equal = 0;
    for (const v of nums) {
      if (v === x) equal++;
      else if (order ? v < x : v > x) less++;
    }
    if (!equal) return err('NA', 'the number is not in the list');
    return average ? less + (equal + 1) / 2 : less + 1;
  }

  function mode(args) {
    const nums = [];
    for (const a of args) {
      const ns = numbersOf(a);
      if (isError(ns)) return ns;
      nums.push(...ns);
    }
    const counts = new Map();
    let best;
    let bestCount = 1;
    for (const v of nums) {
      const c = (counts.get(v) || 0) + 1;
      counts.set(v, c);
      if (c > bestCount) {
        bestCount = c;
        best = v;
      }
    }
    if (best === undefined) return err('NA', 'no value repeats');
    // ties: the value that appears first in the data
    for (const v of nums) if (counts.get(v) === bestCount) return v;
    return best;
  }

  class StatsExtraPlugin extends ConditionalAggregationPlugin {
    averageifs(ast, state) {
      const compute = (values, ...args) => {
        const r = this.computeConditionalAggregationFunction(values, args, 'AVERAGEIFS',
          AverageResult.empty, (a, b) => a.compose(b),
          (arg) => (typeof raw(arg) === 'number' ? AverageResult.single(raw(arg)) : AverageResult.empty));
        if (isError(r)) return r;
        const avg = r.averageValue();
        return avg === undefined ? err('DIV_BY_ZERO', 'no cell matches') : avg;
      };
      return this.runFunction(ast.args, state, this.metadata('AVERAGEIFS'), compute);
    }

    binomdistrange(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BINOM.DIST.RANGE'), (n, p, s, s2) => {
        n = Math.trunc(n);
        s = Math.trunc(s);
        s2 = s2 === undefined ? s : Math.trunc(s2);
        if (n < 0 || p < 0 || p > 1 || s < 0 || s > n || s2 < s || s2 > n) {
          return err('NUM', 'argument out of range');
        }
        let total = 0;
        for (let k = s; k <= s2; k++) {
          if (p === 0) total += k === 0 ? 1 : 0;
          else if (p === 1) total += k === n ? 1 : 0;
          else total += Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
        }
        return total;
      });
    }

    prob(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('PROB'), (xs, ps, lower, upper) => {
        const fx = flatten(xs);
        const fp = flatten(ps);
        if (fx.length !== fp.length) return err('NA', 'ranges of different sizes');
        let sum = 0;
        let total = 0;
        const hi = upper === undefined ? lower : upper;
        for (let i = 0; i < fx.length; i++) {
          if (isError(fp[i])) return fp[i];
          if (isError(fx[i])) return fx[i];
          const p = fp[i];
          if (typeof p !== 'number') continue;
          if (p < 0 || p > 1) return err('NUM', 'a probability out of [0, 1]');
          total += p;
          const x = fx[i];
          if (typeof x === 'number' && x >= lower && x <= hi) sum += p;
        }
        if (Math.abs(total - 1) > 1e-9) return err('NUM', 'probabilities do not sum to 1');
        return sum;
      });
    }

    intercept(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('INTERCEPT'), (ys, xs) => {
        const l = line(ys, xs);
        return isError(l) ? l : l[1];
      });
    }

    forecast(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('FORECAST'), (x, ys, xs) => {
        const l = line(ys, xs);
        return isError(l) ? l : l[1] + l[0] * x;
      });
    }

    permut(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('PERMUT'), (n, k) => {
        n = Math.trunc(n);
        k = Math.trunc(k);
        if (n < 0 || k < 0 || n < k) return err('NUM', 'argument out of range');
        let r = 1;
        for (let i = 0; i < k; i++) r *= n - i;
        return r;
      });
    }

    permutationa(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('PERMUTATIONA'), (n, k) => {
        n = Math.trunc(n);
        k = Math.trunc(k);
        if (n < 0 || k < 0) return err('NUM', 'argument out of range');
        return n ** k;
      });
    }

    trimmean(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('TRIMMEAN'), (data, percent) => {
        const nums = numbersOf(data);
        if (isError(nums)) return nums;
        if (percent < 0 || percent >= 1 || !nums.length) return err('NUM', 'bad percent');
        const cut = Math.floor((nums.length * percent) / 2);
        const kept = nums.sort((a, b) => a - b).slice(cut, nums.length - cut);
        return kept.reduce((s, v) => s + v, 0) / kept.length;
      });
    }

    rankeq(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('RANK.EQ'), (x, ref, order) =>
        rank(x, ref, Math.trunc(order) !== 0, false));
    }

    rankavg(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('RANK.AVG'), (x, ref, order) =>
        rank(x, ref, Math.trunc(order) !== 0, true));
    }

    modesngl(ast, state) {
      for (const arg of ast.args) {
        if (!arg || arg.type === 'EMPTY') continue;
        if (arg.type === 'STRING') return err('VALUE', 'MODE: text argument');
        if (arg.type !== 'CELL_REFERENCE') continue;
        const v = raw(this.evaluateAst(arg, state));
        if (isError(v)) return v;
        if (v === hf.EmptyValue || v === null || v === undefined) {
          return err('VALUE', 'MODE: reference to an empty cell');
        }
      }
      return this.runFunction(ast.args, state, this.metadata('MODE.SNGL'), (...args) => mode(args));
    }
  }

  const num = { argumentType: T.NUMBER };
  const range = { argumentType: T.RANGE };
  const rankParams = [num, range, { argumentType: T.NUMBER, defaultValue: 0 }];
  const modeDef = { method: 'modesngl', parameters: [{ argumentType: T.ANY }], repeatLastArgs: 1 };
  StatsExtraPlugin.implementedFunctions = {
    // AVERAGEIFS is defined with the other criteria functions in fix2_criteria.js.
    'BINOM.DIST.RANGE': {
      method: 'binomdistrange',
      parameters: [num, num, num, { argumentType: T.NUMBER, optionalArg: true }],
    },
    PROB: {
      method: 'prob',
      parameters: [range, range, num, { argumentType: T.NUMBER, optionalArg: true }],
    },
    INTERCEPT: { method: 'intercept', parameters: [range, range] },
    FORECAST: { method: 'forecast', parameters: [num, range, range] },
    'FORECAST.LINEAR': { method: 'forecast', parameters: [num, range, range] },
    PERMUT: { method: 'permut', parameters: [num, num] },
    PERMUTATIONA: { method: 'permutationa', parameters: [num, num] },
    TRIMMEAN: { method: 'trimmean', parameters: [range, num] },
    RANK: { method: 'rankeq', parameters: rankParams },
    'RANK.EQ': { method: 'rankeq', parameters: rankParams },
    'RANK.AVG': { method: 'rankavg', parameters: rankParams },
    MODE: modeDef,
    'MODE.SNGL': modeDef,
  };
  return StatsExtraPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
