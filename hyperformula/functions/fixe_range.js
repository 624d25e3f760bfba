'use strict';
/*
 * The range operator between computed references (Microsoft: "Calculation operators and
 * precedence": `:` gives one reference to all the cells between, and including, the two
 * references): SUM(INDEX(r,1,1):INDEX(r,1,n)), INDIRECT("A12"):INDIRECT("A15"),
 * Name:OFFSET(A2,n,0), CHOOSE(1,A1,A2):CHOOSE(2,A4,A5). HyperFormula 3.5.0 cannot parse `:`
 * there; the pipeline writes it as XL.RANGE(X, Y), resolved here at evaluation time by
 * ../lib/dynamic.js (the range spanning both sides, recorded as a dynamic target so the
 * cells in it are computed first).
 */
const { registerPlugin } = require('./info_common');
const dynamic = require('../lib/dynamic');

function definePlugin(hfModule) {
  const { FunctionPlugin, FunctionArgumentType } = hfModule;

  class RangeOperatorPlugin extends FunctionPlugin {
    span(ast, state) {
      return dynamic.dynamicValue(this.interpreter, ast, state);
    }
  }
  const any = { argumentType: FunctionArgumentType.ANY };
  RangeOperatorPlugin.implementedFunctions = {
    [dynamic.RANGE]: { method: 'span', parameters: [any, any] },
  };
  return RangeOperatorPlugin;
}

function register(hfModule) {
  dynamic.install(require.resolve('hyperformula'));
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
