'use strict';
/*
 * XIRR and XNPV argument checks as Excel makes them (values cached in the corpus):
 * - guess (XIRR) and rate (XNPV) are Analysis ToolPak numbers: a logical is #VALUE!
 *   (XIRR(v,d,TRUE) and XNPV(TRUE,v,d) are #VALUE!), numeric text is still read;
 * - an error among the dates wins over one among the values
 *   (XIRR({-10,#N/A,1,2,7},{3,#REF!,7,4,9}) is #REF!);
 * - a logical among the values or dates is #VALUE!;
 * - in references, a payment/date pair with an empty cell is left out (XIRR over five pairs
 *   plus an empty pair gives the five-pair rate); text that reads as a number counts as that
 *   number, other text is #VALUE! (cached in ironcalc__financial_xirr.xlsx: a "hello" payment).
 */
const { registerTable } = require('./financial_common');
const { FUNCTIONS } = require('./financial_extra');

const isError = (v) =>
  v !== null && typeof v === 'object' && v.constructor && v.constructor.name === 'CellError';
const raw = (v) => (v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v);
const isBlank = (v) => typeof v === 'symbol' || v === null || v === undefined;
/** A number, numeric text as its number, a blank as itself; undefined for other text. */
function asNumber(v) {
  if (typeof v !== 'string') return v;
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** The payments and dates XIRR works on, or an error (a CellError or a code). */
function cashFlows(valuesRange, datesRange) {
  const values = valuesRange.valuesFromTopLeftCorner();
  const dates = datesRange.valuesFromTopLeftCorner();
  for (const d of dates) if (isError(d)) return d;
  for (const v of values) if (isError(v)) return v;
  if (values.length !== dates.length) return 'NUM';
  const fromRefs = Boolean(valuesRange.range) && Boolean(datesRange.range);
  const keptValues = [];
  const keptDates = [];
  for (let i = 0; i < values.length; i++) {
    const v = raw(values[i]);
    const d = raw(dates[i]);
    if (typeof v === 'boolean' || typeof d === 'boolean') return 'VALUE';
    if (fromRefs && (isBlank(v) || isBlank(d))) continue;
    const nv = asNumber(v);
    const nd = asNumber(d);
    if (nv === undefined || nd === undefined) return 'VALUE';
    keptValues.push(nv);
    keptDates.push(nd);
  }
  const asRange = (list) => ({ valuesFromTopLeftCorner: () => list });
  return [asRange(keptValues), asRange(keptDates)];
}

function xirr(valuesRange, datesRange, guess) {
  const flows = cashFlows(valuesRange, datesRange);
  if (!Array.isArray(flows)) return flows;
  return FUNCTIONS.XIRR.impl(flows[0], flows[1], guess);
}

function register(hfModule) {
  return registerTable(hfModule, 'ExcelXirrChecksPlugin', {
    XIRR: { ...FUNCTIONS.XIRR, args: ['r', 'r', 'N'], impl: xirr },
    XNPV: { ...FUNCTIONS.XNPV, args: ['N', 'r', 'r'] },
  });
}

module.exports = { register };
