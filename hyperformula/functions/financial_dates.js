'use strict';
/*
 * Calendar and day-count rules of Excel's securities functions (ACCRINT, COUP*, PRICE, YIELD,
 * ODD*, DURATION ...). A helper module (no `register`): the plugins in financial_*.js use it.
 *
 * Dates are plain objects {y, m, d, n}: n is the day number (days since 1970-01-01 in the
 * proleptic Gregorian calendar), so differences and comparisons are integer arithmetic.
 *
 * Bases: 0 = US (NASD) 30/360, 1 = actual/actual, 2 = actual/360, 3 = actual/365,
 * 4 = European 30/360. The rules follow Excel's published behaviour as reproduced by the
 * ExcelFinancialFunctions project (tested against Excel) and the OOXML YEARFRAC notes.
 */

function daysFromCivil(y, m, d) {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(n) {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d, n };
}

const EPOCH_1900 = daysFromCivil(1899, 12, 30);
const EPOCH_1904 = daysFromCivil(1904, 1, 1);
/** Largest serial Excel accepts as a date (9999-12-31). */
const MAX_SERIAL = 2958465;

function isLeap(y) {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y, m) {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function makeDate(y, m, d) {
  return { y, m, d, n: daysFromCivil(y, m, d) };
}

/** Date of an Excel serial number (already truncated). Serial 60 of the 1900 system, Excel's
 * fictitious 1900-02-29, becomes 1900-03-01's day number with its own label. */
function fromSerial(serial, date1904) {
  if (date1904) return civilFromDays(EPOCH_1904 + serial);
  if (serial >= 61) return civilFromDays(EPOCH_1900 + serial);
  if (serial === 60) return { y: 1900, m: 2, d: 29, n: daysFromCivil(1900, 3, 1) };
  return civilFromDays(EPOCH_1900 + serial + 1);
}

function toSerial(date, date1904) {
  if (date1904) return date.n - EPOCH_1904;
  const s = date.n - EPOCH_1900;
  return s >= 61 ? s : s - 1;
}

const isLastDayOfMonth = (dt) => dt.d === daysInMonth(dt.y, dt.m);
const isLastDayOfFeb = (dt) => dt.m === 2 && isLastDayOfMonth(dt);

/** .NET AddMonths: shift the month, clamping the day to the target month's length. */
function addMonths(dt, months) {
  const total = dt.y * 12 + (dt.m - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return makeDate(y, m, Math.min(dt.d, daysInMonth(y, m)));
}

/** addMonths, then (when asked) the last day of the target month (end-of-month bonds). */
function changeMonth(dt, months, returnLastDay) {
  const nd = addMonths(dt, months);
  return returnLastDay ? makeDate(nd.y, nd.m, daysInMonth(nd.y, nd.m)) : nd;
}

/** Step from `start` by `months` until `end` is reached or passed; returns [front, trailing]:
 * the first date at or beyond `end` and the date before it on the schedule. */
function findPcdNcd(start, end, months, returnLastDay) {
  let front = start;
  let trailing = end;
  for (let guard = 0; guard < 100000; guard++) {
    if (months > 0 ? front.n >= end.n : front.n <= end.n) break;
    trailing = front;
    front = changeMonth(front, months, returnLastDay);
  }
  return [front, trailing];
}

/** [previous coupon date <= settlement, next coupon date > settlement], anchored on maturity. */
function couponDates(settl, mat, freq) {
  return findPcdNcd(mat, settl, -(12 / freq), isLastDayOfMonth(mat));
}

const diff360 = (sd, sm, sy, ed, em, ey) => (ey - sy) * 360 + (em - sm) * 30 + (ed - sd);

/** US (NASD) 30/360; `modifyBoth` is Excel's variant that also moves an end-of-February end. */
function days360Us(start, end, modifyBoth) {
  let sd = start.d;
  let ed = end.d;
  if (isLastDayOfFeb(end) && (isLastDayOfFeb(start) || modifyBoth)) ed = 30;
  if (ed === 31 && (sd >= 30 || modifyBoth)) ed = 30;
  if (sd === 31) sd = 30;
  if (isLastDayOfFeb(start)) sd = 30;
  return diff360(sd, start.m, start.y, ed, end.m, end.y);
}

function days360Eu(start, end) {
  const sd = start.d === 31 ? 30 : start.d;
  const ed = end.d === 31 ? 30 : end.d;
  return diff360(sd, start.m, start.y, ed, end.m, end.y);
}

/** Actual/365 denominator convention: February ends count as the 28th. */
function days365(start, end) {
  const s = makeDate(start.y, start.m, start.m === 2 && start.d > 28 ? 28 : start.d);
  const e = makeDate(end.y, end.m, end.m === 2 && end.d > 28 ? 28 : end.d);
  return (end.y - start.y) * 365 + (e.n - s.n);
}

/** Days from start to end under `basis`; `numerator` false gives the denominator convention of
 * bases 2 and 3. */
function daysBetween(start, end, basis, numerator = true) {
  switch (basis) {
    case 0:
      return days360Us(start, end, false);
    case 4:
      return days360Eu(start, end);
    case 2:
      return numerator ? end.n - start.n : days360Us(start, end, false);
    case 3:
      return numerator ? end.n - start.n : days365(start, end);
    default:
      return end.n - start.n;
  }
}

function lessOrEqualToAYearApart(d1, d2) {
  return d1.y === d2.y || (d2.y === d1.y + 1 && (d1.m > d2.m || (d1.m === d2.m && d1.d >= d2.d)));
}

function feb29Between(d1, d2) {
  if (d1.y === d2.y) return isLeap(d1.y) && d1.m <= 2 && d2.m > 2;
  if (d2.y === d1.y + 1) {
    if (isLeap(d1.y)) return d1.m <= 2;
    if (isLeap(d2.y)) return d2.m > 2;
  }
  return false;
}

/** Year length used by YEARFRAC-style fractions (basis 1 looks at the years spanned). */
function daysInYear(start, end, basis) {
  if (basis === 0 || basis === 2 || basis === 4) return 360;
  if (basis === 3) return 365;
  if (!lessOrEqualToAYearApart(start, end)) {
    const years = end.y - start.y + 1;
    return (daysFromCivil(end.y + 1, 1, 1) - daysFromCivil(start.y, 1, 1)) / years;
  }
  const leap =
    (start.y === end.y && isLeap(start.y)) || (end.m === 2 && end.d === 29) || feb29Between(start, end);
  return leap ? 366 : 365;
}

/** YEARFRAC(start, end, basis) for start <= end. */
function yearFrac(start, end, basis) {
  if (start.n === end.n) return 0;
  return daysBetween(start, end, basis, true) / daysInYear(start, end, basis);
}

/** Length of the coupon period (E) containing settlement. */
function coupDays(settl, mat, freq, basis) {
  if (basis === 1) {
    const [pcd, ncd] = couponDates(settl, mat, freq);
    return ncd.n - pcd.n;
  }
  return (basis === 3 ? 365 : 360) / freq;
}

function coupDaysBS(settl, mat, freq, basis) {
  const [pcd] = couponDates(settl, mat, freq);
  if (basis === 0) return days360Us(pcd, settl, false);
  if (basis === 4) return days360Eu(pcd, settl);
  return settl.n - pcd.n;
}

function coupDaysNC(settl, mat, freq, basis) {
  const [pcd, ncd] = couponDates(settl, mat, freq);
  if (basis === 0) return days360Us(pcd, ncd, true) - days360Us(pcd, settl, false);
  if (basis === 4) return days360Eu(settl, ncd);
  return ncd.n - settl.n;
}

/** Number of coupons payable between settlement and maturity. */
function coupNum(settl, mat, freq) {
  const [pcd] = couponDates(settl, mat, freq);
  const months = (mat.y - pcd.y) * 12 + (mat.m - pcd.m);
  return (months * freq) / 12;
}

module.exports = {
  MAX_SERIAL,
  makeDate,
  fromSerial,
  toSerial,
  isLeap,
  daysInMonth,
  isLastDayOfMonth,
  changeMonth,
  findPcdNcd,
  couponDates,
  days360Us,
  days360Eu,
  daysBetween,
  daysInYear,
  yearFrac,
  coupDays,
  coupDaysBS,
  coupDaysNC,
  coupNum,
};
