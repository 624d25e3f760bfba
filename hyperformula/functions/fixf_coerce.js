'use strict';
/*
 * A number turned into text (the & operator, text arguments of LEN, EXACT, LEFT ...) is written
 * as Excel writes it, with at most 15 significant digits and E notation for large and tiny
 * magnitudes: 1/3&"" is "0.333333333333333" (HyperFormula 3.5.0 wrote JavaScript's 17 digits,
 * "0.3333333333333333"), so EXACT(1/3,0.333333333333333) is TRUE.
 */
const { makeTools, hfInternal } = require('./info_common');

function register(hfModule) {
  const helper = hfInternal('interpreter/ArithmeticHelper.js');
  const { getRawValue, isExtendedNumber } = hfInternal('interpreter/InterpreterValue.js');
  const { numberToText } = makeTools(hfModule);
  const base = helper.coerceScalarToString;
  if (base.xlimportPatched) return;
  const coerce = function coerceScalarToString(arg) {
    return isExtendedNumber(arg) ? numberToText(getRawValue(arg)) : base(arg);
  };
  coerce.xlimportPatched = true;
  helper.coerceScalarToString = coerce;
}

module.exports = { register };
