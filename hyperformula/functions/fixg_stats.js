'use strict';
/*
 * Statistical functions as Excel computes them:
 *  - AVEDEV, DEVSQ, GEOMEAN, HARMEAN, MEDIAN: a reference argument is read as a reference even
 *    when it is a single cell ("If an array or reference argument contains text,
 *    logical values, or empty cells, those values are ignored"). HyperFormula 3.5.0 took a lone
 *    cell as a value typed in the formula, so "29/02/1900" in it counted as 60 and TRUE as 1.
 *    With nothing left, these functions have no numbers: #NUM!.
 *  - The two-array functions (PEARSON, CORREL, COVAR, COVARIANCE.P/.S, F.TEST, INTERCEPT, RSQ,
 *    SLOPE, STEYX, T.TEST, CHISQ.TEST and their compatibility twins) return the first error of
 *    the first array, then of the second; Excel's scan passes over #NULL! (the error with code 0
 *    in its own numbering) when a later error follows, so (#NULL!, #NUM!) gives #NUM!.
 *  - Z.TEST with a sigma of 0 or less is #NUM!; with a single number (and no sigma to use
 *    instead of the sample's) it is #DIV/0!.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { overridePlugin } = require('./fix9_stats');

const IGNORING = {
  AVEDEV: 'NUM',
  DEVSQ: 'NUM',
  GEOMEAN: 'NUM',
  HARMEAN: 'NUM',
  MEDIAN: 'NUM',
};

const TWO_ARRAYS = [
  'PEARSON', 'CORREL', 'COVAR', 'COVARIANCE.P', 'COVARIANCE.S', 'F.TEST', 'FTEST', 'INTERCEPT',
  'RSQ', 'SLOPE', 'STEYX', 'T.TEST', 'TTEST', 'CHISQ.TEST', 'CHITEST',
];

function register(hfModule) {
  const tools = makeTools(hfModule);
  const { raw, isError, isEmpty, err, flatten } = tools;
  const plugins = [];
  const add = (plugin) => plugin && plugins.push(registerPlugin(hfModule, plugin));
  const isNull = (v) => isError(v) && raw(v).type === 'NULL';

  // --- lone cells read as references: text, logicals and empties ignored ---
  for (const [id, noneCode] of Object.entries(IGNORING)) {
    add(
      overridePlugin(hfModule, id, function ignoring(base, ast, state) {
        const kept = [];
        let dropped = false;
        for (const arg of ast.args) {
          let skip = false;
          if (arg.type === 'CELL_REFERENCE') {
            const v = raw(this.evaluateAst(arg, state));
            skip = isEmpty(v) || typeof v === 'string' || typeof v === 'boolean';
          }
          if (skip) dropped = true;
          else kept.push(arg);
        }
        if (!dropped) return base(ast, state);
        if (kept.length === 0) return err(noneCode, `${id} of no numbers`);
        return base({ ...ast, args: kept }, state);
      })
    );
  }

  // --- two arrays: #NULL! yields to a later error ---
  for (const id of TWO_ARRAYS) {
    add(
      overridePlugin(hfModule, id, function nullLast(base, ast, state) {
        const result = base(ast, state);
        if (!isNull(result) || ast.args.length < 2) return result;
        for (const arg of ast.args.slice(0, 2)) {
          for (const x of flatten(this.evaluateAst(arg, state))) {
            if (isError(x) && !isNull(x)) return x;
          }
        }
        return result;
      })
    );
  }

  // --- Z.TEST: sigma <= 0 is #NUM!, one number is #DIV/0! ---
  for (const id of ['Z.TEST', 'ZTEST']) {
    add(
      overridePlugin(hfModule, id, function zTest(base, ast, state) {
        const result = base(ast, state);
        if (isError(result) && raw(result).type !== 'DIV_BY_ZERO') return result;
        if (ast.args.length >= 3 && ast.args[2].type !== 'EMPTY') {
          const sigma = raw(this.evaluateAst(ast.args[2], state));
          if (typeof sigma === 'number' && sigma <= 0) return err('NUM', `${id}: sigma <= 0`);
        }
        if (isError(result)) return result;
        const numbers = flatten(this.evaluateAst(ast.args[0], state)).filter(
          (x) => typeof raw(x) === 'number'
        );
        return numbers.length === 1 ? err('DIV_BY_ZERO', `${id} of one number`) : result;
      })
    );
  }
  return plugins;
}

module.exports = { register };
