'use strict';
/*
 * HYPGEOM.DIST(sample_s, number_sample, population_s, number_pop, cumulative) as Excel computes
 * it (values cached in formulas__test.xlsx). The four counts are truncated to integers; a
 * negative count, number_sample or population_s above number_pop is #NUM!, but zero counts are
 * valid (HYPGEOM.DIST(0,0,0,0,FALSE) = 1, HYPGEOM.DIST(0,0,4,4,TRUE) = 1). For the probability
 * mass, a sample_s outside [max(0, n - N + K), min(n, K)] is #NUM! (Microsoft's page); the
 * cumulative distribution is 0 below that interval and 1 above it
 * ({=HYPGEOM.DIST({0;5;3},2,3,3,TRUE)} = {0;1;1}).
 */
const { registerPlugin, hfInternal } = require('./info_common');

function register(hfModule) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType } = hfModule;
  const jstat = hfInternal('interpreter/plugin/3rdparty/jstat/jstat.js');
  const num = (msg) => new CellError(ErrorType.NUM, msg);

  class ExcelHypgeomPlugin extends FunctionPlugin {
    hypgeomdist(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('HYPGEOM.DIST'), (s0, n0, k0, p0, cumulative) => {
        const s = Math.trunc(s0);
        const n = Math.trunc(n0);
        const K = Math.trunc(k0);
        const N = Math.trunc(p0);
        if (s < 0 || n < 0 || K < 0 || N < 0 || n > N || K > N) return num('HYPGEOM.DIST: counts out of range');
        const lo = Math.max(0, n - N + K);
        const hi = Math.min(n, K);
        if (cumulative) {
          if (s < lo) return 0;
          if (s >= hi) return 1;
          return jstat.hypgeom.cdf(s, N, K, n);
        }
        if (s < lo || s > hi) return num('HYPGEOM.DIST: sample_s out of range');
        if (N === 0) return 1;
        return jstat.hypgeom.pdf(s, N, K, n);
      });
    }
  }
  const number = { argumentType: FunctionArgumentType.NUMBER };
  ExcelHypgeomPlugin.implementedFunctions = {
    'HYPGEOM.DIST': {
      method: 'hypgeomdist',
      parameters: [number, number, number, number, { argumentType: FunctionArgumentType.BOOLEAN }],
    },
  };
  return registerPlugin(hfModule, ExcelHypgeomPlugin);
}

module.exports = { register };
