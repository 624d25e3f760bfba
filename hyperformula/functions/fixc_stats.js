'use strict';
/*
 * Statistical functions whose rules or range differ from Excel in HyperFormula 3.5.0:
 *  - COUNTBLANK counts empty cells and cells whose value is empty text "" (Microsoft:
 *    "COUNTBLANK function": cells with formulas that return "" are also counted).
 *  - POISSON.DIST (and POISSON) for large x or mean: P(X <= x) is the regularized upper
 *    incomplete gamma Q(x + 1, mean) and the mass exp(x ln(mean) - mean - ln(x!)), where
 *    HyperFormula summed terms that overflow (POISSON.DIST(1000000,1000000,TRUE) is
 *    0.500265961486284 in Excel, HyperFormula gave #NUM!).
 *  - T.TEST (and TTEST): tails and type are truncated (T.TEST(..., 2.2, 3.3) is a two-tailed
 *    type 3 test); a paired test (type 1) takes ranges of the same size and uses the pairs in
 *    which both values are numbers (text and logicals drop the whole pair).
 *  - NORM.S.INV, NORM.INV and LOGNORM.INV in the far tails and next to p = 0.5, where jStat's
 *    inverse error function loses its precision (NORM.S.INV(7.61985302416047E-24) is -10 in
 *    Excel, HyperFormula gave -9.89; NORM.INV of 5.7E-157 was #NUM!): there the quantile comes
 *    from Acklam's rational approximation (relative error below 1.2E-9).
 *  - The cumulative NORM.DIST, NORM.S.DIST and LOGNORM.DIST keep their relative precision in
 *    the tails and next to the mean (NORM.DIST(0,40,1.5,TRUE) is 5.7347825020024E-157 in Excel,
 *    HyperFormula gave 0): erf by its power series for |z| < 1, erfc by its continued fraction
 *    beyond 3.
 */
const { registerPlugin, makeTools, hfInternal } = require('./info_common');

const jstat = hfInternal('interpreter/plugin/3rdparty/jstat/jstat.js');

/** The pieces of the regularized incomplete gamma at (a, x > 0): log of the common prefix
 * e^-x x^a / Gamma(a), and either the series whose product with it is the lower P(a, x)
 * (x < a + 1) or Lentz's continued fraction whose product with it is the upper Q(a, x). */
function gammaTerms(a, x, maxIter = 1000000, eps = 1e-16) {
  const logPrefix = -x + a * Math.log(x) - jstat.gammaln(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < maxIter; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * eps) break;
    }
    return { logPrefix, lower: sum };
  }
  const TINY = 1e-300;
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < maxIter; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < eps) break;
  }
  return { logPrefix, upper: h };
}

/** Regularized lower incomplete gamma P(a, x) (series) or upper Q(a, x) (continued fraction),
 * returned as [P, Q]. */
function regularizedGamma(a, x) {
  if (x <= 0) return [0, 1];
  const t = gammaTerms(a, x);
  if (t.lower !== undefined) {
    const p = t.lower * Math.exp(t.logPrefix);
    return [p, 1 - p];
  }
  const q = Math.exp(t.logPrefix) * t.upper;
  return [1 - q, q];
}

/** HyperFormula's direct jStat sum when it stays finite (it is the more exact), else undefined. */
function direct(v) {
  return Number.isFinite(v) && v >= 0 && v <= 1 ? v : undefined;
}

function poissonMass(k, mean) {
  if (mean === 0) return k === 0 ? 1 : 0;
  return direct(jstat.poisson.pdf(k, mean)) ?? Math.exp(k * Math.log(mean) - mean - jstat.gammaln(k + 1));
}

function poissonCumulative(k, mean) {
  if (mean === 0) return 1;
  return direct(jstat.poisson.cdf(k, mean)) ?? regularizedGamma(k + 1, mean)[1];
}

// Acklam's approximation of the standard normal quantile.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklam(p) {
  if (p < P_LOW || p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p < P_LOW ? p : 1 - p));
    const z = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    return p < P_LOW ? z : -z;
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/** erf(x) by its power series (|x| small). */
function erfSeries(x) {
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let n = 1; n < 100; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < Math.abs(sum) * 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc(x) for x >= 3 by its continued fraction, evaluated backwards. */
function erfcFraction(x) {
  let f = 0;
  for (let k = 80; k >= 1; k--) f = (k / 2) / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}

/** Standard normal distribution function with relative precision in both tails. */
function normalCdf(z) {
  const x = z / Math.SQRT2;
  if (Math.abs(x) < 1) return 0.5 + 0.5 * erfSeries(x);
  if (x <= -3) return 0.5 * erfcFraction(-x);
  if (x >= 3) return 1 - 0.5 * erfcFraction(x);
  return jstat.normal.cdf(z, 0, 1);
}

/** Standard normal quantile: jStat's where it is exact, Acklam's in the tails and at the centre. */
function normalQuantile(p) {
  if (Math.abs(p - 0.5) < 1e-6) {
    // Newton steps on erf, with p - 0.5 exact (Sterbenz), keep the relative precision of z.
    let z = acklam(p);
    for (let i = 0; i < 2; i++) {
      const pdf = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
      z -= (0.5 * erfSeries(z / Math.SQRT2) - (p - 0.5)) / pdf;
    }
    return z;
  }
  if (p < 1e-10 || p > 1 - 1e-10) {
    // One Halley step on the tail-exact distribution function.
    const z = acklam(p);
    const u = (normalCdf(z) - p) * Math.sqrt(2 * Math.PI) * Math.exp((z * z) / 2);
    return z - u / (1 + (z * u) / 2);
  }
  return jstat.normal.inv(p, 0, 1);
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, err, flatten, isEmpty } = makeTools(hf);

  class ExcelStatsFixcPlugin extends FunctionPlugin {
    countblank(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('COUNTBLANK'), (...values) =>
        values.filter((v) => isEmpty(v) || raw(v) === '').length);
    }

    poissondist(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('POISSON.DIST'), (x, mean, cumulative) => {
        const k = Math.trunc(x);
        const v = cumulative ? poissonCumulative(k, mean) : poissonMass(k, mean);
        return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : err('NUM', 'POISSON.DIST failed');
      });
    }

    normdist(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('NORM.DIST'), (x, mean, sd, cumulative) =>
        cumulative ? normalCdf((x - mean) / sd) : jstat.normal.pdf(x, mean, sd));
    }

    normsdist(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('NORM.S.DIST'), (z, cumulative) =>
        cumulative ? normalCdf(z) : jstat.normal.pdf(z, 0, 1));
    }

    lognormdist(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('LOGNORM.DIST'), (x, mean, sd, cumulative) =>
        cumulative ? normalCdf((Math.log(x) - mean) / sd) : jstat.lognormal.pdf(x, mean, sd));
    }

    normsinv(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('NORM.S.INV'), (p) => normalQuantile(p));
    }

    norminv(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('NORM.INV'), (p, mean, sd) =>
        mean + sd * normalQuantile(p));
    }

    lognorminv(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('LOGNORM.INV'), (p, mean, sd) =>
        Math.exp(mean + sd * normalQuantile(p)));
    }

    ttest(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('T.TEST'), (rx, ry, tailsIn, typeIn) => {
        const tails = Math.trunc(tailsIn);
        const type = Math.trunc(typeIn);
        if (tails < 1 || tails > 2 || type < 1 || type > 3) return err('NUM', 'T.TEST tails or type');
        const xs = flatten(rx).map(raw);
        const ys = flatten(ry).map(raw);
        // The first error: pair by pair for paired data, else the first array then the second.
        // Excel passes over #NULL! (its error code 0; a #NULL! in array1 skips its pair) and
        // returns it only when no other error follows.
        const isNull = (v) => isError(v) && v.type === 'NULL';
        const order =
          type === 1 && xs.length === ys.length
            ? xs.flatMap((x, i) => (isNull(x) ? [x] : [x, ys[i]]))
            : xs.concat(ys);
        const bad = order.find((v) => isError(v) && !isNull(v)) || order.find(isNull);
        if (bad) return bad;
        const nums = (vs) => vs.filter((v) => typeof v === 'number');
        const p = (t, df) => tails * (1 - jstat.studentt.cdf(t, df));
        if (type === 1) {
          if (xs.length !== ys.length) return err('NA', 'T.TEST paired ranges differ in size');
          const d = [];
          for (let i = 0; i < xs.length; i++) {
            if (typeof xs[i] === 'number' && typeof ys[i] === 'number') d.push(xs[i] - ys[i]);
          }
          const n = d.length;
          if (n <= 1) return err('DIV_BY_ZERO', 'T.TEST needs two pairs');
          const s = jstat.stdev(d, true);
          if (s === 0) return err('DIV_BY_ZERO', 'T.TEST of no spread');
          return p(Math.abs((Math.sqrt(n) * jstat.mean(d)) / s), n - 1);
        }
        const a = nums(xs);
        const b = nums(ys);
        const n = a.length;
        const m = b.length;
        if (n <= 1 || m <= 1) return err('DIV_BY_ZERO', 'T.TEST needs two values');
        if (type === 2) {
          const s = (jstat.sumsqerr(a) + jstat.sumsqerr(b)) / (n + m - 2);
          if (s === 0) return err('DIV_BY_ZERO', 'T.TEST of no spread');
          return p(Math.abs((jstat.mean(a) - jstat.mean(b)) / Math.sqrt(s * (1 / n + 1 / m))), n + m - 2);
        }
        const sx = jstat.variance(a, true) / n;
        const sy = jstat.variance(b, true) / m;
        if (sx === 0 && sy === 0) return err('DIV_BY_ZERO', 'T.TEST of no spread');
        const t = Math.abs((jstat.mean(a) - jstat.mean(b)) / Math.sqrt(sx + sy));
        const df = (sx + sy) ** 2 / (sx ** 2 / (n - 1) + sy ** 2 / (m - 1));
        return p(t, df);
      });
    }
  }

  const poisson = {
    method: 'poissondist',
    parameters: [
      { argumentType: T.NUMBER, minValue: 0 },
      { argumentType: T.NUMBER, minValue: 0 },
      { argumentType: T.BOOLEAN },
    ],
  };
  const ttest = {
    method: 'ttest',
    parameters: [
      { argumentType: T.RANGE },
      { argumentType: T.RANGE },
      { argumentType: T.NUMBER },
      { argumentType: T.NUMBER },
    ],
  };
  const probability = { argumentType: T.NUMBER, greaterThan: 0, lessThan: 1 };
  const spread = { argumentType: T.NUMBER, greaterThan: 0 };
  const quantile = (method) => ({ method, parameters: [probability, { argumentType: T.NUMBER }, spread] });
  ExcelStatsFixcPlugin.implementedFunctions = {
    'NORM.DIST': {
      method: 'normdist',
      parameters: [{ argumentType: T.NUMBER }, { argumentType: T.NUMBER }, spread, { argumentType: T.BOOLEAN }],
    },
    'NORM.S.DIST': {
      method: 'normsdist',
      parameters: [{ argumentType: T.NUMBER }, { argumentType: T.BOOLEAN }],
    },
    'LOGNORM.DIST': {
      method: 'lognormdist',
      parameters: [
        { argumentType: T.NUMBER, greaterThan: 0 },
        { argumentType: T.NUMBER },
        spread,
        { argumentType: T.BOOLEAN },
      ],
    },
    'NORM.S.INV': { method: 'normsinv', parameters: [probability] },
    NORMSINV: { method: 'normsinv', parameters: [probability] },
    'NORM.INV': quantile('norminv'),
    NORMINV: quantile('norminv'),
    'LOGNORM.INV': quantile('lognorminv'),
    LOGINV: quantile('lognorminv'),
    LOGNORMINV: quantile('lognorminv'),
    COUNTBLANK: {
      method: 'countblank',
      parameters: [{ argumentType: T.SCALAR }],
      repeatLastArgs: 1,
      expandRanges: true,
    },
    'POISSON.DIST': poisson,
    POISSON: poisson,
    'T.TEST': ttest,
    TTEST: ttest,
  };
  return ExcelStatsFixcPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, regularizedGamma, gammaTerms };
