'use strict';
/*
 * Excel's number rules that HyperFormula 3.5.0 does not follow, shared by the fix_*.js modules.
 *
 * Excel keeps and compares numbers at 15 significant digits: ROUND(x, 2) looks at x cleaned to 15
 * digits (a product that lands one ulp below a half cent still rounds up), and 0.1+0.2=0.3 is
 * TRUE. Helpers here do that; `register` also corrects two coercions of text to numbers:
 *  - "" (an empty text, e.g. the result of ="") is not a number: =""+1 and FLOOR("",1) are
 *    #VALUE! in Excel (HyperFormula read it as 0). An EMPTY cell still counts as 0.
 *  - a date text with spaces around it (" 2024-01-10 ") is not read as a date (numbers with
 *    spaces, " 10 ", still are).
 * and comparisons of two numbers (=, <>, <, >, <=, >=, and everything built on them) compare the
 * numbers at 15 significant digits.
 */
const path = require('path');

/** `x` rounded to 15 significant digits (Excel's precision); 0, NaN and infinities unchanged. */
function round15(x) {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(15));
}

/** Exact powers of ten (each literal is exactly representable up to 1e22). */
const POW10 = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
  1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** The integer made of the first `n` (1-15) significant digits of a toExponential(14) text. */
function figuresValue(text, n) {
  let v = text.charCodeAt(0) - 48;
  for (let k = 1; k < n; k++) v = v * 10 + (text.charCodeAt(k + 1) - 48);
  return v;
}

/**
 * `x` rounded to `digits` decimal places (negative: left of the point) in decimal, as Excel does:
 * x is first taken at 15 significant digits, then rounded half away from zero ('half'), away from
 * zero ('up') or toward zero ('down'). Returns Infinity when the result does not fit a double.
 *
 * Computes exactly what decimalRoundText computes, without building texts (ROUND runs once per
 * formula in big models): the 15 figures are read in place from the toExponential text, and a
 * result `head` x 10^k with |k| <= 22 is head * 10^k or head / 10^-k, which equals
 * Number(`${head}e${k}`): head (below 2^53) and 10^|k| are exact doubles, and IEEE multiplication
 * and division round the exact value to nearest-even as parsing the text does (Clinger's fast
 * path, which V8's own parser takes). Other cases go through decimalRoundText.
 */
function decimalRound(x, digits, mode) {
  if (x === 0 || !Number.isFinite(x)) return x;
  if (!Number.isInteger(digits) || digits > 400 || digits < -400) return decimalRoundText(x, digits, mode);
  const negative = x < 0;
  // "d.ddddddddddddddde[+-]E": the 15 significant digits are characters 0 and 2-15.
  const text = Math.abs(x).toExponential(14);
  let exponent = 0;
  for (let i = 18; i < text.length; i++) exponent = exponent * 10 + (text.charCodeAt(i) - 48);
  if (text.charCodeAt(17) === 45) exponent = -exponent; // '-'
  const keep = exponent + 1 + digits; // significant digits left of the rounding position
  if (keep >= 15) {
    const p = exponent - 14;
    if (p > 22 || p < -22) return decimalRoundText(x, digits, mode);
    const f = figuresValue(text, 15);
    const r = p >= 0 ? f * POW10[p] : f / POW10[-p];
    return negative ? -r : r;
  }
  let head = keep > 0 ? figuresValue(text, keep) : 0;
  let up = false;
  if (mode === 'half') up = keep >= 0 && text.charCodeAt(keep === 0 ? 0 : keep + 1) >= 53; // '5'
  else if (mode === 'up') {
    if (keep < 0) up = true;
    else for (let k = keep; k < 15 && !up; k++) up = text.charCodeAt(k === 0 ? 0 : k + 1) !== 48;
  }
  if (up) head += 1;
  if (head === 0) return 0;
  if (digits > 22 || digits < -22) return decimalRoundText(x, digits, mode);
  const result = digits >= 0 ? head / POW10[digits] : head * POW10[-digits];
  return negative ? -result : result;
}

/** decimalRound through texts, as first written (the reference of the fast path above). */
function decimalRoundText(x, digits, mode) {
  if (x === 0 || !Number.isFinite(x)) return x;
  const negative = x < 0;
  const [mantissa, exponentText] = Math.abs(x).toExponential(14).split('e');
  const figures = mantissa.replace('.', ''); // 15 significant digits
  const exponent = Number(exponentText);
  const keep = exponent + 1 + digits; // significant digits left of the rounding position
  if (keep >= 15) return Number(`${negative ? '-' : ''}${figures}e${exponent - 14}`);
  let head = keep > 0 ? Number(figures.slice(0, keep)) : 0;
  let up = false;
  if (mode === 'half') up = keep >= 0 && figures.charCodeAt(keep) >= 53; // '5'
  else if (mode === 'up') up = keep < 0 || /[1-9]/.test(figures.slice(keep));
  if (up) head += 1;
  if (head === 0) return 0;
  const result = Number(`${head}e${-digits}`);
  return negative ? -result : result;
}

/** -0 becomes 0 (Excel has no negative zero). */
function noNegativeZero(x) {
  return x === 0 ? 0 : x;
}

function hfInternal(relative) {
  const main = require.resolve('hyperformula');
  return require(path.join(path.dirname(main), ...relative.split('/')));
}

let installed = false;

function install() {
  if (installed) return;
  installed = true;
  const { ArithmeticHelper } = hfInternal('interpreter/ArithmeticHelper.js');
  const P = ArithmeticHelper.prototype;

  const nonDate = P.coerceNonDateScalarToMaybeNumber;
  P.coerceNonDateScalarToMaybeNumber = function coerceNonDateScalarToMaybeNumber(arg) {
    if (arg === '') return undefined;
    return nonDate.call(this, arg);
  };

  P.coerceToMaybeNumber = function coerceToMaybeNumber(arg) {
    const n = this.coerceNonDateScalarToMaybeNumber(arg);
    if (n !== undefined) return n;
    if (typeof arg !== 'string' || arg === '' || arg.trim() !== arg) return undefined;
    return this.dateTimeHelper.dateStringToDateNumber(arg);
  };

  const floatCmp = P.floatCmp;
  P.floatCmp = function excelFloatCmp(leftArg, rightArg) {
    if (this.actualEps !== 0) return floatCmp.call(this, leftArg, rightArg);
    const left = typeof leftArg === 'number' ? leftArg : leftArg.val;
    const right = typeof rightArg === 'number' ? rightArg : rightArg.val;
    if (left === right) return 0;
    // Only numbers within a few ulps of each other can be equal at 15 digits.
    if (Math.abs(left - right) <= 1e-14 * Math.max(Math.abs(left), Math.abs(right))) {
      const l = round15(left);
      const r = round15(right);
      if (l === r) return 0;
      return l > r ? 1 : -1;
    }
    return left > right ? 1 : -1;
  };
}

/** Installs the coercion and comparison corrections (once per process). */
function register() {
  install();
}

module.exports = { register, round15, decimalRound, decimalRoundText, noNegativeZero, hfInternal };
