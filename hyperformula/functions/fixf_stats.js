'use strict';
/*
 * BETA.DIST and BETA.INV (and BETADIST, BETAINV) as Excel computes them (Microsoft: "BETA.DIST
 * function", "BETA.INV function"):
 *  - BETA.DIST takes x in [A, B]: x = A or x = B is allowed (the cumulative is 0 and 1),
 *    x < A, x > B or A = B is #NUM! (HyperFormula rejected both ends).
 *  - The density over [A, B] is the standard beta density of (x - A) / (B - A) divided by
 *    B - A (HyperFormula returned the standard density unscaled).
 *  - BETA.INV takes 0 < probability < 1 (Excel returns #NUM! for 1) and is solved by bisection
 *    on the cumulative, so a probability of 1E-30 still gives back its x (HyperFormula's
 *    approximation lost it in the tails).
 */
const { registerPlugin, makeTools, hfInternal } = require('./info_common');

const jstat = hfInternal('interpreter/plugin/3rdparty/jstat/jstat.js');

/** Standard beta quantile: bisection on the cumulative down to adjacent doubles. */
function betaQuantile(p, a, b) {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 2000; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (jstat.beta.cdf(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  // The nearer of the two bracketing doubles.
  return Math.abs(jstat.beta.cdf(lo, a, b) - p) < Math.abs(jstat.beta.cdf(hi, a, b) - p) ? lo : hi;
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { err } = makeTools(hf);

  class ExcelStatsFixfPlugin extends FunctionPlugin {
    betadist(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BETA.DIST'), (x, a, b, cumulative, lo, hi) => {
        if (x < lo || x > hi || lo >= hi) return err('NUM', 'BETA.DIST: x outside [A, B]');
        const z = (x - lo) / (hi - lo);
        if (cumulative) {
          if (z <= 0) return 0;
          if (z >= 1) return 1;
          return jstat.beta.cdf(z, a, b);
        }
        const v = jstat.beta.pdf(z, a, b) / (hi - lo);
        return Number.isFinite(v) ? v : err('NUM', 'BETA.DIST: infinite density');
      });
    }

    // BETADIST(x, a, b, [A], [B]) is the cumulative BETA.DIST.
    betadistlegacy(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BETADIST'), (x, a, b, lo, hi) => {
        if (x < lo || x > hi || lo >= hi) return err('NUM', 'BETADIST: x outside [A, B]');
        const z = (x - lo) / (hi - lo);
        return z <= 0 ? 0 : z >= 1 ? 1 : jstat.beta.cdf(z, a, b);
      });
    }

    betainv(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BETA.INV'), (p, a, b, lo, hi) => {
        if (lo >= hi) return err('NUM', 'BETA.INV: A >= B');
        return lo + betaQuantile(p, a, b) * (hi - lo);
      });
    }
  }

  const positive = { argumentType: T.NUMBER, greaterThan: 0 };
  const inv = {
    method: 'betainv',
    parameters: [
      { argumentType: T.NUMBER, greaterThan: 0, lessThan: 1 },
      positive,
      positive,
      { argumentType: T.NUMBER, defaultValue: 0 },
      { argumentType: T.NUMBER, defaultValue: 1 },
    ],
  };
  ExcelStatsFixfPlugin.implementedFunctions = {
    'BETA.DIST': {
      method: 'betadist',
      parameters: [
        { argumentType: T.NUMBER },
        positive,
        positive,
        { argumentType: T.BOOLEAN },
        { argumentType: T.NUMBER, defaultValue: 0 },
        { argumentType: T.NUMBER, defaultValue: 1 },
      ],
    },
    BETADIST: {
      method: 'betadistlegacy',
      parameters: [
        { argumentType: T.NUMBER },
        positive,
        positive,
        { argumentType: T.NUMBER, defaultValue: 0 },
        { argumentType: T.NUMBER, defaultValue: 1 },
      ],
    },
    'BETA.INV': inv,
    BETAINV: inv,
  };
  return ExcelStatsFixfPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, betaQuantile };
