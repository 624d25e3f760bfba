'use strict';
/*
 * IFS stops at the first TRUE condition (Microsoft: "IFS function"): the conditions after it
 * and the other values are not evaluated, so IFS(TRUE,1,1/0,3) is 1 (HyperFormula 3.5.0
 * evaluated every argument first and returned the #DIV/0!). A condition is a logical or a
 * number (0 is FALSE) or the text "TRUE" / "FALSE"; other text is #VALUE!, an error is the result; no TRUE condition is #N/A.
 * Array arguments keep HyperFormula's element-wise evaluation.
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

function register(hfModule) {
  const { raw, isError, isEmpty, isRange, err } = makeTools(hfModule);
  wrapFunction(hfModule, 'IFS', function ifs(ast, state, base) {
    const args = ast.args;
    if (args.length < 2 || args.length % 2 !== 0) return base(ast, state);
    for (let i = 0; i < args.length; i += 2) {
      const c = this.evaluateAst(args[i], state);
      if (isRange(c)) return base(ast, state);
      const v = raw(c);
      if (isError(v)) return v;
      let truth;
      if (typeof v === 'boolean') truth = v;
      else if (typeof v === 'number') truth = v !== 0;
      else if (isEmpty(v)) truth = false;
      else if (/^(TRUE|FALSE)$/i.test(v)) truth = v.toUpperCase() === 'TRUE';
      else return err('VALUE', 'IFS condition is text');
      if (truth) {
        const r = this.evaluateAst(args[i + 1], state);
        return isRange(r) ? base(ast, state) : r;
      }
    }
    return err('NA', 'IFS: no condition met');
  });
}

module.exports = { register };
