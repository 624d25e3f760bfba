'use strict';
/*
 * Securities functions HyperFormula 3.5.0 lacks, as Excel computes them: ACCRINT, ACCRINTM, the
 * coupon family (COUPDAYS, COUPDAYBS, COUPDAYSNC, COUPNCD, COUPNUM, COUPPCD), PRICE, YIELD,
 * DURATION, MDURATION, discounted and at-maturity securities (DISC, INTRATE, RECEIVED,
 * PRICEDISC, YIELDDISC, PRICEMAT, YIELDMAT) and odd first/last periods (ODDFPRICE, ODDFYIELD,
 * ODDLPRICE, ODDLYIELD). Day counts live in financial_dates.js.
 *
 * Common rules (Microsoft's documentation): date arguments are truncated to integers; basis
 * outside 0..4, frequency other than 1, 2, 4, settlement >= maturity give #NUM!; a boolean or
 * non-numeric text argument gives #VALUE!.
 */

const D = require('./financial_dates');
const { registerTable, badFrequency, badBasis, findRoot } = require('./financial_common');

const opt = (v, dflt) => (v === undefined ? dflt : v);

// ---------------------------------------------------------------- accrued interest

function accrint(issue, first, settl, rate, par, freq, basis, calcMethod) {
  par = opt(par, 1000);
  basis = opt(basis, 0);
  calcMethod = opt(calcMethod, true);
  if (rate <= 0 || par <= 0 || badFrequency(freq) || badBasis(basis)) return 'NUM';
  if (issue.n >= settl.n) return 'NUM';
  const months = 12 / freq;
  const eom = D.isLastDayOfMonth(first);
  const regularPcd = D.changeMonth(first, -months, eom);
  // coupon date before settlement: walk the schedule forward when settlement is past the
  // first interest date (accrual from issue), else the regular period ending on first_interest
  const pcd =
    settl.n > first.n && calcMethod ? D.findPcdNcd(first, settl, months, eom)[1] : regularPcd;
  const start = issue.n > pcd.n ? issue : pcd;
  let acc = D.daysBetween(start, settl, basis) / D.coupDays(regularPcd, first, freq, basis);
  // earlier periods back to the issue date: whole ones count 1 (0 when accruing from
  // first_interest), the one holding the issue date its prorated share
  let front = pcd;
  while (front.n > issue.n) {
    const end = front;
    front = D.changeMonth(front, -months, eom);
    if (issue.n <= front.n) {
      acc += calcMethod ? 1 : 0;
    } else {
      const num = basis === 0 ? D.days360Us(issue, end, false) : D.daysBetween(issue, end, basis);
      let den;
      if (basis === 0) den = D.days360Us(front, end, true);
      else if (basis === 3) den = 365 / freq;
      else den = D.daysBetween(front, end, basis, false);
      acc += num / den;
    }
  }
  return (par * rate * acc) / freq;
}

function accrintm(issue, settl, rate, par, basis) {
  par = opt(par, 1000);
  basis = opt(basis, 0);
  if (rate <= 0 || par <= 0 || badBasis(basis) || issue.n >= settl.n) return 'NUM';
  return par * rate * (D.daysBetween(issue, settl, basis) / D.daysInYear(issue, settl, basis));
}

// ---------------------------------------------------------------- coupon schedule

/** Wrap a coupon computation with the family's validation. */
function coupon(fn) {
  return (settl, mat, freq, basis) => {
    basis = opt(basis, 0);
    if (badFrequency(freq) || badBasis(basis) || settl.n >= mat.n) return 'NUM';
    return fn(settl, mat, freq, basis);
  };
}

// ---------------------------------------------------------------- price and yield

function priceCore(settl, mat, rate, yld, redemption, freq, basis) {
  const n = D.coupNum(settl, mat, freq);
  const [pcd] = D.couponDates(settl, mat, freq);
  const a = D.daysBetween(pcd, settl, basis);
  const e = D.coupDays(settl, mat, freq, basis);
  const dsc = e - a;
  const coupon = (100 * rate) / freq;
  const accrued = (coupon * a) / e;
  if (n === 1) return (redemption + coupon) / (1 + ((dsc / e) * yld) / freq) - accrued;
  const base = 1 + yld / freq;
  let pv = redemption / Math.pow(base, n - 1 + dsc / e);
  for (let k = 1; k <= n; k++) pv += coupon / Math.pow(base, k - 1 + dsc / e);
  return pv - accrued;
}

function price(settl, mat, rate, yld, redemption, freq, basis) {
  basis = opt(basis, 0);
  if (badFrequency(freq) || badBasis(basis) || settl.n >= mat.n) return 'NUM';
  if (rate < 0 || yld < 0 || redemption <= 0) return 'NUM';
  return priceCore(settl, mat, rate, yld, redemption, freq, basis);
}

function yieldFn(settl, mat, rate, pr, redemption, freq, basis) {
  basis = opt(basis, 0);
  if (badFrequency(freq) || badBasis(basis) || settl.n >= mat.n) return 'NUM';
  if (rate < 0 || pr <= 0 || redemption <= 0) return 'NUM';
  const n = D.coupNum(settl, mat, freq);
  if (n <= 1) {
    const [pcd] = D.couponDates(settl, mat, freq);
    const a = D.daysBetween(pcd, settl, basis);
    const e = D.coupDays(settl, mat, freq, basis);
    const dsr = e - a;
    const paid = redemption / 100 + rate / freq;
    const cost = pr / 100 + ((a / e) * rate) / freq;
    return (((paid - cost) / cost) * freq * e) / dsr;
  }
  const y = findRoot((x) => priceCore(settl, mat, rate, x, redemption, freq, basis) - pr, 0.05);
  return y === undefined ? 'NUM' : y;
}

function durationCore(settl, mat, cpn, yld, freq, basis, modified) {
  basis = opt(basis, 0);
  if (badFrequency(freq) || badBasis(basis) || settl.n >= mat.n) return 'NUM';
  if (cpn < 0 || yld < 0) return 'NUM';
  const dbc = D.coupDaysBS(settl, mat, freq, basis);
  const e = D.coupDays(settl, mat, freq, basis);
  const n = D.coupNum(settl, mat, freq);
  const x1 = (e - dbc) / e;
  const x3 = yld / freq + 1;
  const last = Math.pow(x3, x1 + n - 1);
  let weighted = ((x1 + n - 1) * 100) / last;
  let total = 100 / last;
  for (let k = 1; k <= n; k++) {
    const t = k - 1 + x1;
    const cf = (100 * cpn) / freq / Math.pow(x3, t);
    weighted += cf * t;
    total += cf;
  }
  const dur = weighted / total / freq;
  return modified ? dur / x3 : dur;
}

// ---------------------------------------------------------------- discounted securities

/** [days from start to end, days in year] under basis (YEARFRAC's parts). */
function commonFactors(settl, mat, basis) {
  return [D.daysBetween(settl, mat, basis), D.daysInYear(settl, mat, basis)];
}

function discSecurity(fn, positive) {
  return (settl, mat, a, b, basis) => {
    basis = opt(basis, 0);
    if (badBasis(basis) || settl.n >= mat.n) return 'NUM';
    if (!(a > 0) || !(b > 0)) return 'NUM';
    const [dim, year] = commonFactors(settl, mat, basis);
    return fn(a, b, dim, year, positive);
  };
}

function matFactors(settl, mat, issue, basis) {
  const year = D.daysInYear(issue, settl, basis);
  const dim = D.daysBetween(issue, mat, basis);
  const a = D.daysBetween(issue, settl, basis);
  return { year, dim, a, dsm: dim - a };
}

function pricemat(settl, mat, issue, rate, yld, basis) {
  basis = opt(basis, 0);
  if (badBasis(basis) || settl.n >= mat.n || issue.n >= settl.n) return 'NUM';
  if (rate < 0 || yld < 0) return 'NUM';
  const { year, dim, a, dsm } = matFactors(settl, mat, issue, basis);
  const num = 100 + (dim / year) * rate * 100;
  const den = 1 + (dsm / year) * yld;
  return num / den - (a / year) * rate * 100;
}

function yieldmat(settl, mat, issue, rate, pr, basis) {
  basis = opt(basis, 0);
  if (badBasis(basis) || settl.n >= mat.n || issue.n >= settl.n) return 'NUM';
  if (rate < 0 || pr <= 0) return 'NUM';
  const { year, dim, a, dsm } = matFactors(settl, mat, issue, basis);
  const term1 = (dim / year) * rate + 1 - pr / 100 - (a / year) * rate;
  const term2 = pr / 100 + (a / year) * rate;
  return (term1 / term2) * (year / dsm);
}

// ---------------------------------------------------------------- odd first / last period

function daysNotNeg(start, end, basis) {
  return Math.max(0, D.daysBetween(start, end, basis));
}

/** Whole quasi-coupon periods from settl up to mat (Excel's odd-period counting). */
function coupNumber(mat, settl, months) {
  const eomMat = D.isLastDayOfMonth(mat);
  const eom =
    !eomMat && mat.m !== 2 && mat.d > 28 && mat.d < D.daysInMonth(mat.y, mat.m)
      ? D.isLastDayOfMonth(settl)
      : eomMat;
  const start = D.changeMonth(settl, 0, eom);
  let coupons = settl.n < start.n ? 1 : 0;
  let date = D.changeMonth(start, months, eom);
  for (let guard = 0; date.n < mat.n && guard < 100000; guard++) {
    coupons += 1;
    date = D.changeMonth(date, months, eom);
  }
  return coupons;
}

function oddfpriceCore(settl, mat, issue, first, rate, yld, redemption, freq, basis) {
  const months = 12 / freq;
  const e = D.coupDays(settl, first, freq, basis);
  const m = freq;
  const dfc = daysNotNeg(issue, first, basis);
  const x = yld / m + 1;
  if (dfc < e) {
    const n = D.coupNum(settl, mat, freq);
    const dsc = daysNotNeg(settl, first, basis);
    const a = daysNotNeg(issue, settl, basis);
    const y = dsc / e;
    let p = redemption / Math.pow(x, n - 1 + y);
    p += ((100 * rate) / m) * (dfc / e) / Math.pow(x, y);
    for (let k = 2; k <= n; k++) p += (100 * rate) / m / Math.pow(x, k - 1 + y);
    return p - (a / e) * (rate / m) * 100;
  }
  // long first period: quasi-coupon periods from the first coupon back to the issue date
  const nc = D.coupNum(issue, first, freq);
  let late = first;
  let dcnl = 0;
  let anl = 0;
  for (let index = nc; index >= 1; index--) {
    const early = D.changeMonth(late, -months, false);
    const nl = basis === 1 ? daysNotNeg(early, late, basis) : e;
    const dci = index > 1 ? nl : daysNotNeg(issue, late, basis);
    const start = issue.n > early.n ? issue : early;
    const end = settl.n < late.n ? settl : late;
    dcnl += dci / nl;
    anl += daysNotNeg(start, end, basis) / nl;
    late = early;
  }
  let dsc;
  if (basis === 2 || basis === 3) {
    dsc = daysNotNeg(settl, D.couponDates(settl, first, freq)[1], basis);
  } else {
    const pcd = D.couponDates(settl, first, freq)[0];
    dsc = e - D.daysBetween(pcd, settl, basis);
  }
  const nq = coupNumber(first, settl, months);
  const n = D.coupNum(first, mat, freq);
  const y = dsc / e;
  let p = redemption / Math.pow(x, y + nq + n);
  p += ((100 * rate) / m) * dcnl / Math.pow(x, nq + y);
  for (let k = 1; k <= n; k++) p += (100 * rate) / m / Math.pow(x, k + nq + y);
  return p - ((100 * rate) / m) * anl;
}

function oddfChecks(settl, mat, issue, first, rate, v, redemption, freq, basis) {
  if (badFrequency(freq) || badBasis(basis)) return 'NUM';
  if (!(mat.n > first.n && first.n > settl.n && settl.n > issue.n)) return 'NUM';
  if (rate < 0 || v < 0 || redemption <= 0) return 'NUM';
  return null;
}

function oddfprice(settl, mat, issue, first, rate, yld, redemption, freq, basis) {
  basis = opt(basis, 0);
  const bad = oddfChecks(settl, mat, issue, first, rate, yld, redemption, freq, basis);
  if (bad) return bad;
  return oddfpriceCore(settl, mat, issue, first, rate, yld, redemption, freq, basis);
}

function oddfyield(settl, mat, issue, first, rate, pr, redemption, freq, basis) {
  basis = opt(basis, 0);
  const bad = oddfChecks(settl, mat, issue, first, rate, pr, redemption, freq, basis);
  if (bad) return bad;
  if (pr <= 0) return 'NUM';
  const years = D.daysBetween(settl, mat, basis);
  const px = pr - 100;
  const guess = (rate * years * 100 - px) / (px / 4 + (years * px) / 2 + years * 100);
  const f = (y) => oddfpriceCore(settl, mat, issue, first, rate, y, redemption, freq, basis) - pr;
  const y = findRoot(f, Number.isFinite(guess) && guess > -1 ? guess : 0.05);
  return y === undefined ? 'NUM' : y;
}

function oddlFactors(settl, mat, last, freq, basis) {
  const months = 12 / freq;
  const nc = D.coupNum(last, mat, freq);
  const span = (a, b) => (basis === 0 ? Math.max(0, D.days360Us(a, b, true)) : daysNotNeg(a, b, basis));
  let early = last;
  let dcnl = 0;
  let anl = 0;
  let dscnl = 0;
  for (let index = 1; index <= nc; index++) {
    const late = D.changeMonth(early, months, false);
    const nl = span(early, late);
    const dci = index < nc ? nl : span(early, mat);
    let a = 0;
    if (late.n < settl.n) a = dci;
    else if (early.n < settl.n) a = daysNotNeg(early, settl, basis);
    const start = settl.n > early.n ? settl : early;
    const end = mat.n < late.n ? mat : late;
    dcnl += dci / nl;
    anl += a / nl;
    dscnl += daysNotNeg(start, end, basis) / nl;
    early = late;
  }
  return { dcnl, anl, dscnl };
}

function oddlChecks(settl, mat, last, rate, v, redemption, freq, basis) {
  if (badFrequency(freq) || badBasis(basis)) return 'NUM';
  if (!(mat.n > settl.n && settl.n > last.n)) return 'NUM';
  if (rate < 0 || v < 0 || redemption <= 0) return 'NUM';
  return null;
}

function oddlprice(settl, mat, last, rate, yld, redemption, freq, basis) {
  basis = opt(basis, 0);
  const bad = oddlChecks(settl, mat, last, rate, yld, redemption, freq, basis);
  if (bad) return bad;
  const { dcnl, anl, dscnl } = oddlFactors(settl, mat, last, freq, basis);
  const x = (100 * rate) / freq;
  return (dcnl * x + redemption) / ((dscnl * yld) / freq + 1) - anl * x;
}

function oddlyield(settl, mat, last, rate, pr, redemption, freq, basis) {
  basis = opt(basis, 0);
  const bad = oddlChecks(settl, mat, last, rate, pr, redemption, freq, basis);
  if (bad) return bad;
  if (pr <= 0) return 'NUM';
  const { dcnl, anl, dscnl } = oddlFactors(settl, mat, last, freq, basis);
  const x = (100 * rate) / freq;
  const paid = dcnl * x + redemption;
  const cost = anl * x + pr;
  return ((paid - cost) / cost) * (freq / dscnl);
}

// ---------------------------------------------------------------- table

const COUPON_ARGS = { args: ['d', 'd', 'i', 'i'], min: 3 };
const DISC_ARGS = { args: ['d', 'd', 'N', 'N', 'i'], min: 4 };

const FUNCTIONS = {
  ACCRINT: { args: ['d', 'd', 'd', 'N', 'N', 'i', 'i', 'b'], min: 6, impl: accrint },
  ACCRINTM: { args: ['d', 'd', 'N', 'N', 'i'], min: 3, impl: accrintm },
  COUPDAYS: { ...COUPON_ARGS, impl: coupon(D.coupDays) },
  COUPDAYBS: { ...COUPON_ARGS, impl: coupon(D.coupDaysBS) },
  COUPDAYSNC: { ...COUPON_ARGS, impl: coupon(D.coupDaysNC) },
  COUPNCD: { ...COUPON_ARGS, impl: coupon((s, m, f) => D.couponDates(s, m, f)[1]) },
  COUPPCD: { ...COUPON_ARGS, impl: coupon((s, m, f) => D.couponDates(s, m, f)[0]) },
  COUPNUM: { ...COUPON_ARGS, impl: coupon((s, m, f) => D.coupNum(s, m, f)) },
  PRICE: { args: ['d', 'd', 'N', 'N', 'N', 'i', 'i'], min: 6, impl: price },
  YIELD: { args: ['d', 'd', 'N', 'N', 'N', 'i', 'i'], min: 6, impl: yieldFn },
  DURATION: {
    args: ['d', 'd', 'N', 'N', 'i', 'i'],
    min: 5,
    impl: (s, m, c, y, f, b) => durationCore(s, m, c, y, f, b, false),
  },
  MDURATION: {
    args: ['d', 'd', 'N', 'N', 'i', 'i'],
    min: 5,
    impl: (s, m, c, y, f, b) => durationCore(s, m, c, y, f, b, true),
  },
  DISC: { ...DISC_ARGS, impl: discSecurity((pr, red, dim, yr) => ((1 - pr / red) * yr) / dim) },
  INTRATE: {
    ...DISC_ARGS,
    impl: discSecurity((inv, red, dim, yr) => (((red - inv) / inv) * yr) / dim),
  },
  RECEIVED: {
    ...DISC_ARGS,
    impl: discSecurity((inv, disc, dim, yr) => {
      const f = (disc * dim) / yr;
      return f >= 1 ? 'NUM' : inv / (1 - f);
    }),
  },
  PRICEDISC: {
    ...DISC_ARGS,
    impl: discSecurity((disc, red, dim, yr) => red - (disc * red * dim) / yr),
  },
  YIELDDISC: {
    ...DISC_ARGS,
    impl: discSecurity((pr, red, dim, yr) => (((red - pr) / pr) * yr) / dim),
  },
  PRICEMAT: { args: ['d', 'd', 'd', 'N', 'N', 'i'], min: 5, impl: pricemat },
  YIELDMAT: { args: ['d', 'd', 'd', 'N', 'N', 'i'], min: 5, impl: yieldmat },
  ODDFPRICE: { args: ['d', 'd', 'd', 'd', 'N', 'N', 'N', 'i', 'i'], min: 8, impl: oddfprice },
  ODDFYIELD: { args: ['d', 'd', 'd', 'd', 'N', 'N', 'N', 'i', 'i'], min: 8, impl: oddfyield },
  ODDLPRICE: { args: ['d', 'd', 'd', 'N', 'N', 'N', 'i', 'i'], min: 7, impl: oddlprice },
  ODDLYIELD: { args: ['d', 'd', 'd', 'N', 'N', 'N', 'i', 'i'], min: 7, impl: oddlyield },
};

function register(hfModule) {
  return registerTable(hfModule, 'ExcelBondsPlugin', FUNCTIONS);
}

module.exports = { register, FUNCTIONS };
