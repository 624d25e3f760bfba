'use strict';
/*
 * SUMPRODUCT reads its arrays as Excel does (Microsoft, "SUMPRODUCT function": "SUMPRODUCT
 * treats non-numeric array entries as if they were zeros"): text in a multi-cell range, numeric
 * text included ("4"), and logical values count 0, where HyperFormula 3.5.0 converted "4" to 4.
 * A one-cell range holding text is one text value, not an array, and gives #VALUE! (Excel's
 * cached value in Apache POI's FormulaEvalTestData: SUMPRODUCT(G1330:G1330,I1330:I1330) with
 * G1330 = "4" is #VALUE!).
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

const CONST = 'XL_CONST'; // a node holding a computed value (fixn_functions.js teaches it)

function register() {
  return [];
}

function finalize(hfModule) {
  const { raw, isRange, err } = makeTools(hfModule);
  const { SimpleRangeValue } = hfModule;
  const plugin = wrapFunction(hfModule, 'SUMPRODUCT', function nonNumericAsZero(ast, state, base) {
    const args = ast.args || [];
    let changed = false;
    const out = args.map((a) => {
      if (!a || !['CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE'].includes(a.type)) return a;
      const v = this.evaluateAst(a, state);
      const one = !isRange(v) ? v : v.data.length === 1 && v.data[0].length === 1 ? v.data[0][0] : undefined;
      if (one !== undefined) {
        const x = raw(one);
        return typeof x === 'string' ? { type: CONST, value: err('VALUE', 'SUMPRODUCT: text') } : a;
      }
      const data = v.data;
      let touched = false;
      const rows = data.map((row) =>
        row.map((cell) => {
          const x = raw(cell);
          if (typeof x === 'string' || typeof x === 'boolean') {
            touched = true;
            return 0;
          }
          return cell;
        })
      );
      changed = true; // the range read here is passed on, not read a second time
      return { type: CONST, value: touched ? SimpleRangeValue.onlyValues(rows) : v };
    });
    const bad = out.find((a) => a && a.type === CONST && !(a.value instanceof SimpleRangeValue));
    if (bad) return bad.value;
    return base(changed ? { ...ast, args: out } : ast, state);
  });
  return plugin ? [plugin] : [];
}

module.exports = { register, finalize };
