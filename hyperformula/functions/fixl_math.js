'use strict';
/*
 * Math functions of the Analysis ToolPak as Excel computes them:
 *  - FACTDOUBLE, SQRTPI and COMPLEX (real and imaginary coefficients) take no logical:
 *    FACTDOUBLE(TRUE), SQRTPI(TRUE) and COMPLEX("3.6", TRUE), also through a cell reference,
 *    are #VALUE! (errors checked left to right first).
 *  - FACTDOUBLE is #NUM! only below -1; the number is then truncated, and -1 and 0 give 1
 *    (the empty product): FACTDOUBLE(-1) = 1, FACTDOUBLE(-1.1) = #NUM!.
 *  - SUMPRODUCT: an error value in the arrays comes before their sizes are compared, so
 *    SUMPRODUCT((#NUM!, #REF!), (x, y), (a, b, c)) is #NUM!, not the #VALUE! of differing sizes.
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

function register(hfModule) {
  const { raw, isRange, isError, grid, err } = makeTools(hfModule);
  const plugins = [];

  /** The raw value of argument i (undefined when omitted or a range). */
  function argValue(self, ast, state, i) {
    const a = ast.args[i];
    if (!a || a.type === 'EMPTY') return undefined;
    const v = self.evaluateAst(a, state);
    return isRange(v) ? undefined : raw(v);
  }

  for (const [id, count] of [['FACTDOUBLE', 1], ['SQRTPI', 1], ['COMPLEX', 2]]) {
    const plugin = wrapFunction(hfModule, id, function noLogical(ast, state, base) {
      for (let i = 0; i < count; i++) {
        const x = argValue(this, ast, state, i);
        if (isError(x)) return x;
        if (typeof x === 'boolean') return err('VALUE', `${id}: a logical`);
      }
      const v = argValue(this, ast, state, 0);
      if (id === 'FACTDOUBLE' && typeof v === 'number' && v >= -1 && v < 0) return 1;
      return base(ast, state);
    });
    if (plugin) plugins.push(plugin);
  }

  const sumproduct = wrapFunction(hfModule, 'SUMPRODUCT', function errorsFirst(ast, state, base) {
    const got = base(ast, state);
    if (!isError(got) || raw(got).type !== 'VALUE') return got;
    for (const a of ast.args) {
      const v = this.evaluateAst(a, state);
      const cells = isRange(v) ? grid(v).flat() : [v];
      const bad = cells.find(isError);
      if (bad) return bad;
    }
    return got;
  });
  if (sumproduct) plugins.push(sumproduct);
  return plugins;
}

module.exports = { register };
