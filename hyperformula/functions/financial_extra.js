'use strict';
/*
 * Excel's time-value-of-money, depreciation and cash-flow functions where HyperFormula 3.5.0
 * differs from Excel (they replace the built-ins of the same id), plus the ones it lacks (VDB,
 * AMORLINC, AMORDEGRC). Checked against Excel-cached values (corpus ironcalc__financial_*.xlsx)
 * and Microsoft's documentation examples. What each replacement fixes:
 *
 *   PMT, PV, FV, NPER   rate <= -1 / impossible results give #NUM! (HF: numbers or #DIV/0!)
 *   IPMT, PPMT          per outside [1, nper] is #NUM!
 *   CUMIPMT, CUMPRINC   start is rounded up, end truncated; end > nper, booleans: errors
 *   RATE                Newton's method from the guess; a rate <= -1 is #NUM!
 *   NPV                 empty cells, logicals and text in references are skipped
 *   IRR, MIRR           convergence of double roots; MIRR with a -1 rate or no inflow
 *   DB, DDB             non-integer life, period and month (HF: #NUM!); DB with salvage > cost
 *   EFFECT, NOMINAL     rate <= 0 is #NUM!, logicals #VALUE!
 *   TBILLEQ/PRICE/YIELD Excel's bond-equivalent formula beyond half a year; logicals #VALUE!
 *   XNPV, XIRR          Excel's handling of blanks, text and rates <= 0; XIRR's fallback search
 */

const D = require('./financial_dates');
const { registerTable } = require('./financial_common');

const opt = (v, dflt) => (v === undefined ? dflt : v);

// ---------------------------------------------------------------- annuities

function payment(rate, nper, pv, fv, start) {
  if (rate === 0) return nper === 0 ? 'NUM' : -(pv + fv) / nper;
  if (rate <= -1) return 'NUM';
  const f = nper === 0 ? 1 : Math.pow(1 + rate, nper);
  return start
    ? ((fv + pv * f) * rate) / ((1 + rate) * (1 - f))
    : (fv * rate + pv * rate * f) / (1 - f);
}

function futureValue(rate, nper, pmt, pv, start) {
  if (rate === 0) return -pv - pmt * nper;
  if (rate === -1 && nper < 0) return 'DIV0';
  const f = Math.pow(1 + rate, nper);
  const fv = start ? -pv * f - (pmt * (1 + rate) * (f - 1)) / rate : -pv * f - (pmt * (f - 1)) / rate;
  if (Number.isNaN(fv)) return 'NUM';
  return Number.isFinite(fv) ? fv : 'DIV0';
}

function presentValue(rate, nper, pmt, fv, type) {
  fv = opt(fv, 0);
  const start = opt(type, 0) !== 0;
  if (rate === 0) return -fv - pmt * nper;
  if (rate === -1) return 'DIV0';
  const f = Math.pow(1 + rate, nper);
  return start
    ? -(fv * rate + pmt * (1 + rate) * (f - 1)) / (rate * f)
    : (-fv * rate - pmt * (f - 1)) / (rate * f);
}

function nper(rate, pmt, pv, fv, type) {
  fv = opt(fv, 0);
  const start = opt(type, 0) !== 0;
  if (rate === 0) return pmt === 0 ? 'DIV0' : -(fv + pv) / pmt;
  if (rate < -1) return 'NUM';
  let growth;
  if (pmt === 0) {
    growth = -fv / pv;
  } else {
    const term = start ? (pmt * (1 + rate)) / rate : pmt / rate;
    growth = (1 - fv / term) / (1 + pv / term);
  }
  if (!(growth > 0)) return 'NUM';
  return Math.log(growth) / Math.log(1 + rate);
}

function interestPayment(rate, per, n, pv, fv, start) {
  const pmt = payment(rate, n, pv, fv, start);
  if (typeof pmt === 'string') return pmt;
  if (per < 1 || per >= n + 1) return 'NUM';
  if (per === 1 && start) return 0;
  const bal = futureValue(rate, start ? per - 2 : per - 1, pmt, pv, start);
  if (typeof bal === 'string') return bal;
  return (bal + (start ? -pmt : 0)) * rate;
}

function principalPayment(rate, per, n, pv, fv, start) {
  const pmt = payment(rate, n, pv, fv, start);
  if (typeof pmt === 'string') return pmt;
  const ipmt = interestPayment(rate, per, n, pv, fv, start);
  return typeof ipmt === 'string' ? ipmt : pmt - ipmt;
}

function cumulative(which) {
  return (rate, n, pv, startPer, endPer, type) => {
    const first = Math.ceil(startPer);
    const last = Math.trunc(endPer);
    if (type !== 0 && type !== 1) return 'NUM';
    if (first > last || rate <= 0 || n <= 0 || pv <= 0 || first < 1) return 'NUM';
    let acc = 0;
    for (let per = first; per <= last; per++) {
      const v = which(rate, per, n, pv, 0, type === 1);
      if (typeof v === 'string') return v;
      acc += v;
    }
    return acc;
  };
}

/** RATE: Newton's method on the annuity equation, from the guess. */
function rate(n, pmt, pv, fv, type, guess) {
  fv = opt(fv, 0);
  const t = opt(type, 0) !== 0 ? 1 : 0;
  let r = opt(guess, 0.1);
  if (r <= -1) return 'VALUE';
  for (let i = 0; i < 50; i++) {
    const p1 = Math.pow(1 + r, n - 1);
    const p = p1 * (1 + r);
    const f = pv * p + (pmt * (1 + r * t) * (p - 1)) / r + fv;
    const df = pv * n * p1 - (pmt * (p - 1)) / (r * r) + (pmt * (1 + r * t) * p1 * n) / r;
    const next = r - f / df;
    if (!Number.isFinite(next) || next <= -1) return 'NUM';
    if (Math.abs(next - r) < 1e-7) return next;
    r = next;
  }
  return 'NUM';
}

// ---------------------------------------------------------------- cash flows

function npvOf(r, values) {
  let acc = 0;
  for (let i = 0; i < values.length; i++) acc += values[i] / Math.pow(1 + r, i + 1);
  return acc;
}

function npvSlope(r, values) {
  let acc = 0;
  for (let i = 0; i < values.length; i++) acc -= (values[i] * (i + 1)) / Math.pow(1 + r, i + 2);
  return acc;
}

function newton(f, df, guess, eps, maxIter) {
  let x = guess;
  for (let i = 0; i < maxIter; i++) {
    const next = x - f(x) / df(x);
    if (!Number.isFinite(next)) return undefined;
    if (Math.abs(next - x) < eps) return next;
    x = next;
  }
  return undefined;
}

/** Root of g on [lo, hi] by bisection when the ends bracket one. */
function bisect(g, lo, hi, eps) {
  let glo = g(lo);
  const ghi = g(hi);
  if (!(glo * ghi <= 0)) return undefined;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    const gm = g(mid);
    if (Math.abs(gm) < eps || (hi - lo) / 2 < eps) return mid;
    if (glo * gm < 0) {
      hi = mid;
    } else {
      lo = mid;
      glo = gm;
    }
  }
  return undefined;
}

function irr(values, guess) {
  const g = opt(guess, 0.1);
  if (g <= -1) return 'VALUE';
  if (values.every((v) => v >= 0) || values.every((v) => v <= 0)) return 'NUM';
  const f = (r) => npvOf(r, values);
  const df = (r) => npvSlope(r, values);
  const ok = (r) => r !== undefined && r > -1 && Number.isFinite(r);
  let r = newton(f, df, g, 1e-10, 100);
  if (ok(r)) return r;
  r = bisect(f, -0.99999, 100, 1e-12);
  if (ok(r)) return r;
  for (const start of [200, -0.5, 0.5, 1, 5]) {
    r = newton(f, df, start, 1e-10, 100);
    if (ok(r)) return r;
  }
  return 'NUM';
}

function mirr(values, financeRate, reinvestRate) {
  const n = values.length;
  const pos = values.map((v) => (v >= 0 ? v : 0));
  const neg = values.map((v) => (v < 0 ? v : 0));
  const lastNeg = values.reduce((idx, v, i) => (v < 0 ? i : idx), -1);
  if (lastNeg === -1) return 'DIV0';
  const top = reinvestRate === -1 ? pos[n - 1] : -npvOf(reinvestRate, pos) * Math.pow(1 + reinvestRate, n);
  let bottom;
  if (financeRate === -1) bottom = lastNeg === 0 ? neg[0] : Infinity;
  else bottom = npvOf(financeRate, neg) * (1 + financeRate);
  const result = Math.pow(top / bottom, 1 / (n - 1)) - 1;
  if (Number.isNaN(result)) return 'NUM';
  return Number.isFinite(result) ? result : 'DIV0';
}

function xnpvOf(r, values, days) {
  let acc = 0;
  for (let i = 0; i < values.length; i++) acc += values[i] / Math.pow(1 + r, (days[i] - days[0]) / 365);
  return acc;
}

function xnpvSlope(r, values, days) {
  let acc = 0;
  for (let i = 1; i < values.length; i++) {
    const t = (days[i] - days[0]) / 365;
    acc -= (values[i] * t) / Math.pow(1 + r, t + 1);
  }
  return acc;
}

/** Numbers of a range for XNPV/XIRR: blank cells as `blank` (or an error code), any other
 * non-number as the error code `other`. */
function rangeNumbers(range, blank, other) {
  const out = [];
  for (const v of range.valuesFromTopLeftCorner()) {
    if (v !== null && typeof v === 'object' && v.constructor && v.constructor.name === 'CellError') {
      return v;
    }
    const raw = v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v;
    if (typeof raw === 'number') out.push(raw);
    else if (typeof raw === 'symbol' || raw === null || raw === undefined) {
      if (typeof blank === 'string') return blank;
      out.push(blank);
    } else return other;
  }
  return out;
}

function checkDates(days) {
  for (const d of days) if (d < 0 || d > D.MAX_SERIAL || d < days[0]) return 'NUM';
  return null;
}

function xnpv(r, valuesRange, datesRange) {
  const values = rangeNumbers(valuesRange, 'NUM', 'NUM');
  if (!Array.isArray(values)) return values;
  const dates = rangeNumbers(datesRange, 'NUM', 'VALUE');
  if (!Array.isArray(dates)) return dates;
  const days = dates.map(Math.floor);
  if (values.length !== days.length || values.length === 0) return 'NUM';
  const bad = checkDates(days);
  if (bad) return bad;
  if (r <= 0) return 'NUM';
  return xnpvOf(r, values, days);
}

function xirr(valuesRange, datesRange, guess) {
  const values = rangeNumbers(valuesRange, 0, 'VALUE');
  if (!Array.isArray(values)) return values;
  const dates = rangeNumbers(datesRange, 0, 'VALUE');
  if (!Array.isArray(dates)) return dates;
  const days = dates.map(Math.floor);
  if (values.length !== days.length || values.length === 0) return 'NUM';
  const bad = checkDates(days);
  if (bad) return bad;
  const g = opt(guess, 0.1);
  if (g <= -1) return 'NUM';
  if (values.every((v) => v >= 0) || values.every((v) => v <= 0)) return 'NUM';
  const f = (r) => xnpvOf(r, values, days);
  const df = (r) => xnpvSlope(r, values, days);
  const ok = (r) => r !== undefined && r > -1 && Number.isFinite(r);
  let r = newton(f, df, g, 1e-10, 100);
  if (ok(r)) return r;
  r = bisect(f, -0.9999, 100, 1e-12);
  if (ok(r)) return r;
  r = newton(f, df, 200, 1e-10, 100);
  return ok(r) ? r : 'NUM';
}

// ---------------------------------------------------------------- depreciation

function db(cost, salvage, life, period, month) {
  const mon = Math.trunc(opt(month, 12));
  if ((mon === 12 && period > life) || period > life + 1) return 'NUM';
  if (mon <= 0 || mon > 12 || period <= 0 || cost < 0 || life <= 0) return 'NUM';
  if (cost === 0) return 0;
  const per = Math.trunc(period);
  const r = Math.round((1 - Math.pow(salvage / cost, 1 / life)) * 1000) / 1000;
  let total = (cost * r * mon) / 12;
  if (per === 1) return total;
  for (let i = 2; i < per; i++) total += (cost - total) * r;
  if (per > life) return ((cost - total) * r * (12 - mon)) / 12;
  return (cost - total) * r;
}

function ddb(cost, salvage, life, period, factor) {
  const fac = opt(factor, 2);
  if (period > life || cost < 0 || salvage < 0 || period <= 0 || fac <= 0 || life <= 0) return 'NUM';
  let r = fac / life;
  let before;
  if (r >= 1) {
    r = 1;
    before = period === 1 ? cost : 0;
  } else {
    before = cost * Math.pow(1 - r, period - 1);
  }
  const after = cost * Math.pow(1 - r, period);
  return Math.max(before - Math.max(salvage, after), 0);
}

/** Depreciation accumulated by (fractional) `period`: declining balance at factor/life,
 * switching to straight line when that is larger (unless noSwitch). */
function vdbTotal(cost, salvage, life, period, factor, noSwitch) {
  const whole = Math.floor(period);
  const frac = period - whole;
  let total = 0;
  const ddbStep = (tot) => Math.min((cost - tot) * (factor / life), cost - salvage - tot);
  const slnStep = (tot, per) => (cost - tot - salvage) / (life - per);
  for (let per = 0; ; per++) {
    const d = ddbStep(total);
    const s = slnStep(total, per);
    const step = !noSwitch && d < s ? s : d;
    const next = total + step;
    if (whole === 0) return next * frac;
    if (per === whole - 1) {
      const d2 = ddbStep(next);
      const s2 = slnStep(next, per + 1);
      const useSln = !noSwitch && d2 < s2;
      const nextStep = useSln ? (whole === life ? 0 : s2) : d2;
      return next + nextStep * frac;
    }
    total = next;
  }
}

function vdb(cost, salvage, life, start, end, factor, noSwitch) {
  const fac = opt(factor, 2);
  const ns = opt(noSwitch, false);
  if (cost < 0 || salvage < 0 || life <= 0 || fac <= 0) return 'NUM';
  if (start < 0 || start > end || end > life) return 'NUM';
  if (end === 0) return 0;
  const upto = (p) => (p === 0 ? 0 : vdbTotal(cost, salvage, life, p, fac, ns));
  return upto(end) - upto(start);
}

function amorFirst(cost, purchased, first, salvage, r, basis) {
  const fix = (d) =>
    (basis === 1 || basis === 3) && D.isLeap(d.y) && d.m === 2 && d.d >= 28 ? D.makeDate(d.y, 2, 28) : d;
  const year = basis === 1 ? (D.isLeap(purchased.y) ? 366 : 365) : basis === 3 ? 365 : 360;
  const len = D.daysBetween(fix(purchased), fix(first), basis);
  const part = (len / year) * r * cost;
  return part === 0 ? cost * r : Math.min(part, cost - salvage);
}

function amorChecks(cost, purchased, first, salvage, period, r, basis) {
  if (cost < 0 || salvage < 0 || salvage >= cost || period < 0 || r <= 0) return 'NUM';
  if (purchased.n > first.n || basis === 2 || !(basis >= 0 && basis <= 4)) return 'NUM';
  return null;
}

function amorlinc(cost, purchased, first, salvage, period, r, basis) {
  basis = opt(basis, 0);
  const bad = amorChecks(cost, purchased, first, salvage, period, r, basis);
  if (bad) return bad;
  const per = Math.trunc(period);
  const life = Math.ceil(1 / r);
  if (cost === salvage || per > life) return 0;
  const firstDep = amorFirst(cost, purchased, first, salvage, r, basis);
  if (per === 0) return firstDep;
  let avail = cost - salvage - firstDep;
  let dep = r * cost;
  for (let p = 1; p <= per; p++) {
    dep = Math.min(dep, avail);
    avail = Math.max(0, avail - dep);
  }
  return dep;
}

function amordegrc(cost, purchased, first, salvage, period, r, basis) {
  basis = opt(basis, 0);
  const bad = amorChecks(cost, purchased, first, salvage, period, r, basis);
  if (bad) return bad;
  const life = 1 / r;
  if ((life >= 0 && life <= 3) || (life >= 4 && life <= 5)) return 'NUM';
  const per = Math.trunc(period);
  const assetLife = Math.ceil(life);
  if (per > assetLife) return 0;
  const coeff = assetLife < 3 ? 1 : assetLife <= 4 ? 1.5 : assetLife <= 6 ? 2 : 2.5;
  let dr = r * coeff;
  const excelRound = (x) => Math.round(Math.round(x * 1e13) / 1e13);
  const firstRaw = amorFirst(cost, purchased, first, salvage, dr, basis);
  const lifeLeft = firstRaw === cost * dr ? assetLife : assetLife + 1;
  const firstDep = excelRound(firstRaw);
  if (per === 0) return firstDep;
  let remain = cost - firstDep;
  let dep = 0;
  for (let p = 1; p <= per; p++) {
    const left = lifeLeft - (p + 1);
    const half = Math.abs(left - 2) < 1e-4;
    dep = half ? remain * 0.5 : dr * remain;
    if (half) dr = 1;
    if (remain < salvage) dep = Math.max(0, remain - salvage);
    remain -= dep;
  }
  return excelRound(dep);
}

// ---------------------------------------------------------------- rates and T-bills

function effect(nominal, npery) {
  const n = Math.trunc(npery);
  if (nominal <= 0 || n < 1) return 'NUM';
  return Math.pow(1 + nominal / n, n) - 1;
}

function nominal(eff, npery) {
  const n = Math.trunc(npery);
  if (eff <= 0 || n < 1) return 'NUM';
  return (Math.pow(1 + eff, 1 / n) - 1) * n;
}

function withinAYear(settl, mat) {
  if (mat.n - settl.n < 365 || mat.y === settl.y) return true;
  if (mat.y !== settl.y + 1) return false;
  return mat.m < settl.m || (mat.m === settl.m && mat.d <= settl.d);
}

function tbill(fn) {
  return (settl, mat, v) => {
    if (settl.n > mat.n || !withinAYear(settl, mat) || v <= 0) return 'NUM';
    return fn(mat.n - settl.n, v);
  };
}

function tbilleq(days, disc) {
  if (days < 183) return (365 * disc) / (360 - disc * days);
  // price * (1 + y/2) * (1 + (days - year/2) * y / year) = 100
  const year = days === 366 ? 366 : 365;
  const extra = days - year / 2;
  const alpha = 1 - (days * disc) / 360;
  const a = (extra * alpha) / (year * 2);
  const b = alpha * (0.5 + extra / year);
  const c = alpha - 1;
  return (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a);
}

// ---------------------------------------------------------------- table

const FUNCTIONS = {
  PMT: {
    args: ['n', 'n', 'n', 'n', 'n'],
    min: 3,
    impl: (r, n, pv, fv, t) => payment(r, n, pv, opt(fv, 0), opt(t, 0) !== 0),
  },
  FV: {
    args: ['n', 'n', 'n', 'n', 'n'],
    min: 3,
    impl: (r, n, pmt, pv, t) => futureValue(r, n, pmt, opt(pv, 0), opt(t, 0) !== 0),
  },
  PV: { args: ['n', 'n', 'n', 'n', 'n'], min: 3, impl: presentValue },
  NPER: { args: ['n', 'n', 'n', 'n', 'n'], min: 3, impl: nper },
  RATE: { args: ['n', 'n', 'n', 'n', 'n', 'n'], min: 3, impl: rate },
  IPMT: {
    args: ['n', 'n', 'n', 'n', 'n', 'n'],
    min: 4,
    impl: (r, per, n, pv, fv, t) => interestPayment(r, per, n, pv, opt(fv, 0), opt(t, 0) !== 0),
  },
  PPMT: {
    args: ['n', 'n', 'n', 'n', 'n', 'n'],
    min: 4,
    impl: (r, per, n, pv, fv, t) => principalPayment(r, per, n, pv, opt(fv, 0), opt(t, 0) !== 0),
  },
  CUMIPMT: { args: ['N', 'N', 'N', 'N', 'N', 'N'], min: 6, impl: cumulative(interestPayment) },
  CUMPRINC: { args: ['N', 'N', 'N', 'N', 'N', 'N'], min: 6, impl: cumulative(principalPayment) },
  IRR: { args: ['r', 'n'], min: 1, impl: null },
  MIRR: { args: ['r', 'n', 'n'], min: 3, impl: null },
  XNPV: { args: ['n', 'r', 'r'], min: 3, impl: xnpv },
  XIRR: { args: ['r', 'r', 'n'], min: 2, impl: xirr },
  DB: { args: ['n', 'n', 'n', 'n', 'N'], min: 4, impl: db },
  DDB: { args: ['n', 'n', 'n', 'n', 'N'], min: 4, impl: ddb },
  VDB: { args: ['n', 'n', 'n', 'n', 'n', 'n', 'b'], min: 5, impl: vdb },
  AMORLINC: { args: ['N', 'd', 'd', 'N', 'N', 'N', 'i'], min: 6, impl: amorlinc },
  AMORDEGRC: { args: ['N', 'd', 'd', 'N', 'N', 'N', 'i'], min: 6, impl: amordegrc },
  EFFECT: { args: ['N', 'N'], min: 2, impl: effect },
  NOMINAL: { args: ['N', 'N'], min: 2, impl: nominal },
  TBILLEQ: { args: ['d', 'd', 'N'], min: 3, impl: tbill(tbilleq) },
  TBILLPRICE: {
    args: ['d', 'd', 'N'],
    min: 3,
    impl: tbill((days, disc) => {
      const p = 100 * (1 - (disc * days) / 360);
      return p < 0 ? 'NUM' : p;
    }),
  },
  TBILLYIELD: {
    args: ['d', 'd', 'N'],
    min: 3,
    impl: tbill((days, pr) => ((100 - pr) * 360) / (pr * days)),
  },
};

/** Numbers of a range argument as IRR/MIRR read them (other values skipped, errors kept). */
function rangeValues(range) {
  if (typeof range === 'number') return [range];
  const out = [];
  for (const v of range.valuesFromTopLeftCorner()) {
    if (v !== null && typeof v === 'object' && v.constructor && v.constructor.name === 'CellError') {
      return v;
    }
    const raw = v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v;
    if (typeof raw === 'number') out.push(raw);
  }
  return out;
}

FUNCTIONS.IRR.impl = (range, guess) => {
  const values = rangeValues(range);
  return Array.isArray(values) ? irr(values, guess) : values;
};
FUNCTIONS.MIRR.impl = (range, fr, rr) => {
  const values = rangeValues(range);
  return Array.isArray(values) ? mirr(values, fr, rr) : values;
};

/** NPV(rate, value1, ...): values typed as arguments count (logicals, numeric text); within
 * references and arrays only numbers count. Needs the argument syntax, so it is a plugin of its
 * own. */
function defineNpvPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, EmptyValue } = hf;
  const REFERENCE_TYPES = new Set(['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE']);
  class ExcelNpvPlugin extends FunctionPlugin {
    npv(ast, state) {
      const isReference = ast.args.map((a) => REFERENCE_TYPES.has(a.type));
      return this.runFunction(ast.args, state, this.metadata('NPV'), (rate, ...args) => {
        const values = [];
        for (let i = 0; i < args.length; i++) {
          const v = args[i];
          if (v instanceof CellError) return v;
          if (v && typeof v.valuesFromTopLeftCorner === 'function') {
            for (const x of v.valuesFromTopLeftCorner()) {
              if (x instanceof CellError) return x;
              const raw = x !== null && typeof x === 'object' && typeof x.val === 'number' ? x.val : x;
              if (typeof raw === 'number') values.push(raw);
            }
          } else if (isReference[i + 1]) {
            const raw = v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v;
            if (typeof raw === 'number') values.push(raw);
          } else if (v !== EmptyValue) {
            const n = this.scalarNumber(v);
            if (n instanceof CellError) return n;
            values.push(n);
          }
        }
        if (rate === -1) return new CellError(ErrorType.DIV_BY_ZERO);
        const out = npvOf(rate, values);
        return Number.isFinite(out) ? out : new CellError(ErrorType.NUM);
      });
    }

    /** A value typed as an argument: logicals count as 0/1, numeric text as its number. */
    scalarNumber(v) {
      if (typeof v === 'boolean') return Number(v);
      if (typeof v === 'number') return v;
      const n = this.arithmeticHelper.coerceToMaybeNumber(v);
      const raw = n !== null && typeof n === 'object' ? n.val : n;
      return typeof raw === 'number' ? raw : new CellError(ErrorType.VALUE);
    }
  }
  ExcelNpvPlugin.implementedFunctions = {
    NPV: {
      method: 'npv',
      parameters: [
        { argumentType: FunctionArgumentType.NUMBER },
        { argumentType: FunctionArgumentType.ANY },
      ],
      repeatLastArgs: 1,
    },
  };
  return ExcelNpvPlugin;
}

function register(hfModule) {
  const plugin = registerTable(hfModule, 'ExcelFinancialExtraPlugin', FUNCTIONS);
  hfModule.HyperFormula.registerFunctionPlugin(defineNpvPlugin(hfModule), {});
  return plugin;
}

module.exports = { register, FUNCTIONS };
