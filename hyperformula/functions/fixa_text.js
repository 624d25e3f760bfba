'use strict';
/*
 * T of a reference to several cells looks at the reference's top-left cell, not at the cell
 * the formula's row or column meets (cached in poi__formulaevaltestdata_copy.xlsx: T(L7:N7) in
 * column N is "" for L7 = 1.001, where HyperFormula 3.5.0 took N7's text). In an array formula
 * HyperFormula's element-by-element evaluation stays.
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

function register(hfModule) {
  const { raw, isError, isRange } = makeTools(hfModule);
  const plugin = wrapFunction(hfModule, 'T', function topLeft(ast, state, base) {
    const arg = ast.args.length === 1 ? ast.args[0] : undefined;
    if (!arg || arg.type !== 'CELL_RANGE' || (state && state.arraysFlag)) return base(ast, state);
    const v = this.evaluateAst(arg, state);
    if (!isRange(v)) return base(ast, state);
    const first = raw(v.rawData()[0][0]);
    if (isError(first)) return first;
    return typeof first === 'string' ? first : '';
  });
  return plugin ? [plugin] : [];
}

module.exports = { register };
