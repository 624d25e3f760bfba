'use strict';
/*
 * Errors among the values of IRR and of the regression functions LINEST, LOGEST, TREND and
 * GROWTH: Excel gives #VALUE! where HyperFormula returned the error itself. Cached in
 * formulas__test.xlsx: IRR({-7,2;7,#N/A}) and IRR(C27:K27) over a #N/A cell are #VALUE! (an
 * error as IRR's guess is still the result); {=LINEST(L58:N58,N58:P58,0,0)} over #N/A, #DIV/0!
 * ... cells, LINEST(y,x,#N/A,0) and {=GROWTH(y,x,L51:M52)} with errors in new_x are #VALUE!.
 */
const { wrapFunction } = require('./fix7_atp');

function finalize(hfModule) {
  const { SimpleRangeValue, CellError, ErrorType } = hfModule;
  wrapFunction(hfModule, 'IRR', function irr(ast, state, base) {
    const values = ast.args[0];
    if (values && values.type !== 'EMPTY') {
      const v = this.evaluateAst(values, state);
      if (v instanceof SimpleRangeValue && v.valuesFromTopLeftCorner().some((x) => x instanceof CellError)) {
        return new CellError(ErrorType.VALUE, 'IRR values hold an error');
      }
    }
    return base(ast, state);
  });

  const hasError = (v) =>
    v instanceof CellError ||
    (v instanceof SimpleRangeValue && v.valuesFromTopLeftCorner().some((x) => x instanceof CellError));
  for (const id of ['LINEST', 'LOGEST', 'TREND', 'GROWTH']) {
    wrapFunction(hfModule, id, function regression(ast, state, base) {
      for (const a of ast.args) {
        if (a && a.type !== 'EMPTY' && hasError(this.evaluateAst(a, state))) {
          return new CellError(ErrorType.VALUE, `${id} arguments hold an error`);
        }
      }
      return base(ast, state);
    });
  }
}

function register() {
  return [];
}

module.exports = { register, finalize };
