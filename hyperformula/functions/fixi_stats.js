'use strict';
/*
 * PERCENTILE, PERCENTILE.INC/.EXC, QUARTILE, QUARTILE.INC/.EXC: an error among the data is the
 * result even when k is out of range (cached in formulas__test.xlsx: PERCENTILE(Q29:R29,R29)
 * over a #REF! cell with k = -8 is #REF!, not #NUM!). QUARTILE's quart is checked before it is
 * truncated: a quart below 0 is #NUM! (QUARTILE(F32:G32,-0.1) is #NUM!, not the minimum).
 */
const { wrapFunction } = require('./fix7_atp');

const IDS = ['PERCENTILE', 'PERCENTILE.INC', 'PERCENTILE.EXC', 'QUARTILE', 'QUARTILE.INC', 'QUARTILE.EXC'];

function finalize(hfModule) {
  const { SimpleRangeValue, CellError, ErrorType } = hfModule;
  const scalar = (v) => (v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v);
  for (const id of IDS) {
    wrapFunction(hfModule, id, function percentile(ast, state, base) {
      const [dataAst, kAst] = ast.args;
      if (state && state.arraysFlag) return base(ast, state);
      if (!dataAst || !kAst || dataAst.type === 'EMPTY' || kAst.type === 'EMPTY') return base(ast, state);
      const k = scalar(this.evaluateAst(kAst, state));
      if (k instanceof CellError || k instanceof SimpleRangeValue) return base(ast, state);
      const data = this.evaluateAst(dataAst, state);
      if (data instanceof CellError) return data;
      if (data instanceof SimpleRangeValue) {
        const err = data.valuesFromTopLeftCorner().find((x) => x instanceof CellError);
        if (err) return err;
      }
      if (id.startsWith('QUARTILE') && typeof k === 'number' && k < 0) {
        return new CellError(ErrorType.NUM, `${id}: quart below 0`);
      }
      return base(ast, state);
    });
  }
}

function register() {
  return [];
}

module.exports = { register, finalize };
