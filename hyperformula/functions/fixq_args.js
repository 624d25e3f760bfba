'use strict';
/*
 * Arguments Excel reads differently from the modules that define these functions:
 *
 * - MODE.SNGL and MODE.MULT: text typed as an argument is ignored, as text in a range is, and a
 *   missing argument is #VALUE! (in argument order, as an error value written there would be).
 *   Cached by Excel 16 (Mac) in formulas__test.xlsx, sheet STATISTICAL:
 *   MODE.SNGL(D71:E71,E71:F71,F71:G71,"") is 0.2 and MODE.MULT(D69:E69,E69:F69,F69:G69,"") 0.1
 *   (the data's mode: the "" changes nothing, where every other statistical function of those
 *   rows, AVERAGE to VARPA, gives #VALUE!), MODE.SNGL/MODE.MULT(..., "29/02/1900") the data's
 *   mode, and MODE.MULT(H69:J69,D69:I69,E69:G69,F69:H69,) #VALUE!. stats_extra.js gave
 *   MODE.SNGL #VALUE! for typed text (MODE's rule) and both functions ignored a missing
 *   argument. The legacy MODE keeps stats_extra.js's rule (typed text, even "1", is #VALUE!):
 *   that is what Excel 2013 cached for it in poi__formulaevaltestdata_copy.xlsx.
 * - ARRAYTOTEXT in strict format (1) of a reference to one empty cell is #VALUE! (Excel's cached
 *   value of ARRAYTOTEXT(H4,1) in formulas__test.xlsx, sheet TEXT), not "{}": "{}" is no array
 *   constant. A cell holding "" gives {""}, and empty cells inside a larger range stay empty
 *   entries ({0,,""}), as before.
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

const CONST = 'XL_CONST'; // a node holding a computed value (fixn_functions.js teaches it)
const RANGES = ['CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE'];

function register() {
  return [];
}

function finalize(hfModule) {
  const { err } = makeTools(hfModule);
  const plugins = [];

  for (const id of ['MODE.SNGL', 'MODE.MULT']) {
    plugins.push(
      wrapFunction(hfModule, id, function modeArguments(ast, state, base) {
        const args = ast.args || [];
        let changed = false;
        const out = args.map((a) => {
          if (!a || a.type === 'EMPTY') {
            changed = true;
            return { type: CONST, value: err('VALUE', `${id}: missing argument`) };
          }
          if (a.type === 'STRING') {
            changed = true; // the text as a value, which the function skips like range text
            return { type: CONST, value: a.value };
          }
          return a;
        });
        return base(changed ? { ...ast, args: out } : ast, state);
      })
    );
  }

  plugins.push(
    wrapFunction(hfModule, 'ARRAYTOTEXT', function strictEmptyCell(ast, state, base) {
      const value = base(ast, state);
      const first = ast.args && ast.args[0];
      if (value === '{}' && first && (first.type === 'CELL_REFERENCE' || RANGES.includes(first.type))) {
        return err('VALUE', 'ARRAYTOTEXT: one empty cell in strict format');
      }
      return value;
    })
  );
  return plugins.filter(Boolean);
}

module.exports = { register, finalize };
