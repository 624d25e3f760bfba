'use strict';
/*
 * Implicit intersection with a range on another sheet. Excel ("Implicit intersection operator:
 * @"): where one value is expected, a one-column range gives its cell in the formula's row and a
 * one-row range its cell in the formula's column, whichever sheet the range is on
 * (=UPPER(Data!B1:B100) in row 7 reads Data!B7). HyperFormula 3.5.0 intersects only ranges on
 * the formula's own sheet and gave #VALUE! for the others. Its intersection helper is read from
 * the module's exports at each call, so replacing it there changes every caller.
 */
const { hfInternal } = require('./info_common');

function intersect(arg, state) {
  if (arg.isAdHoc()) {
    const row = arg.data[0];
    return row === undefined ? undefined : row[0];
  }
  const range = arg.range;
  const at = state.formulaAddress;
  if (range.width() === 1) {
    const offset = at.row - range.start.row;
    if (offset >= 0 && offset < range.height()) return arg.data[offset][0];
  } else if (range.height() === 1) {
    const offset = at.col - range.start.col;
    if (offset >= 0 && offset < range.width()) return arg.data[0][offset];
  }
  return undefined;
}

function register() {
  const helper = hfInternal('interpreter/ArithmeticHelper.js');
  if (!helper.coerceRangeToScalar.__xlimport) {
    intersect.__xlimport = true;
    helper.coerceRangeToScalar = intersect;
  }
}

module.exports = { register, intersect };
