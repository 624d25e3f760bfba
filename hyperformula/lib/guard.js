'use strict';
// One formula must never fail a whole workbook. HyperFormula 3.5.0 lets a few JavaScript
// exceptions escape from the evaluation of a single formula (e.g. "Function returning array
// cannot be vectorized." for some array arguments, or a RangeError "Invalid string length" from
// REPT with a huge count), which aborts buildFromSheets for every cell. This wraps the one
// per-formula evaluation entry point (Evaluator.evaluateAstToCellValue: called once per formula
// vertex, not per AST node) so such an exception becomes that cell's error value instead:
// #VALUE! for a RangeError (what Excel returns for an over-long text), #ERROR! otherwise, with
// the exception's message kept as the error message.
const path = require('path');

function install(hfMain) {
  const dir = path.dirname(hfMain);
  const { Evaluator } = require(path.join(dir, 'Evaluator.js'));
  const { CellError, ErrorType } = require(path.join(dir, 'Cell.js'));
  const P = Evaluator.prototype;
  if (P.__xlGuarded) return;
  const original = P.evaluateAstToCellValue;
  P.evaluateAstToCellValue = function evaluateAstToCellValue(ast, state) {
    try {
      return original.call(this, ast, state);
    } catch (err) {
      const type = err instanceof RangeError ? ErrorType.VALUE : ErrorType.ERROR;
      return new CellError(type, `engine exception: ${err && err.message ? err.message : err}`);
    }
  };
  P.__xlGuarded = true;
}

module.exports = { install };
