'use strict';
/*
 * Date edges of the 1900 date system as Excel computes them:
 *  - Serial 0 (0 <= serial < 1) is 1900-01-00, a day of January 1900. WEEKNUM gives week 0 for
 *    it (return types other than 21); EOMONTH(0, m) is the last day of the month m months after
 *    January 1900 (EOMONTH(0, 0) = 31) and EDATE(0, m) keeps day 0 of that month, which is the
 *    last day of the month before (EDATE(0, 31778) = 4548-02-29).
 *  - WEEKNUM takes no logical (an Analysis ToolPak function): WEEKNUM(TRUE) is #VALUE!.
 *  - DATEDIF "YD" counts the days from start_date to end_date's month and day in start_date's
 *    year (or the next year when that day is earlier), so the calendar of the start year is
 *    used: DATEDIF(8, 1987, "YD") is 153 (1900 has a 29 February in Excel).
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

function register(hfModule) {
  const { raw, isRange, isError, isEmpty, err } = makeTools(hfModule);
  const plugins = [];

  /** The raw value of argument i (undefined when omitted). */
  function argValue(self, ast, state, i) {
    const a = ast.args[i];
    if (!a || a.type === 'EMPTY') return undefined;
    const v = self.evaluateAst(a, state);
    return isRange(v) ? v : raw(v);
  }

  /** A numeric argument as a number, or undefined (errors, logicals, no number). */
  function numberArg(self, ast, state, i) {
    const v = argValue(self, ast, state, i);
    if (v === undefined || v === null || isEmpty(v)) return 0;
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const n = raw(self.coerceScalarToNumberOrError(v));
      return typeof n === 'number' ? n : undefined;
    }
    return undefined;
  }

  /** Serial of the last day of the month `months` months after January 1900. */
  function endOfMonthFrom1900(helper, months) {
    const year = 1900 + Math.floor(months / 12);
    const month = 1 + (months % 12);
    return helper.dateToNumber({ year, month, day: helper.daysInMonth(year, month) });
  }

  const weeknum = wrapFunction(hfModule, 'WEEKNUM', function weeknumEdges(ast, state, base) {
    const first = argValue(this, ast, state, 0);
    if (typeof first === 'boolean') return err('VALUE', 'WEEKNUM: a logical date');
    const got = base(ast, state);
    if (typeof raw(got) !== 'number') return got;
    const serial = numberArg(this, ast, state, 0);
    const type = ast.args.length > 1 ? numberArg(this, ast, state, 1) : 1;
    if (serial !== undefined && serial >= 0 && serial < 1 && Math.trunc(type) !== 21) return 0;
    return got;
  });
  if (weeknum) plugins.push(weeknum);

  for (const id of ['EDATE', 'EOMONTH']) {
    const plugin = wrapFunction(hfModule, id, function serialZero(ast, state, base) {
      const got = base(ast, state);
      if (typeof raw(got) !== 'number' || !this.dateTimeHelper) return got;
      const serial = numberArg(this, ast, state, 0);
      if (serial === undefined || serial < 0 || serial >= 1) return got;
      const m = numberArg(this, ast, state, 1);
      if (m === undefined) return got;
      const months = Math.trunc(m);
      if (id === 'EOMONTH' && months >= 0) return endOfMonthFrom1900(this.dateTimeHelper, months);
      if (id === 'EDATE' && months >= 1) return endOfMonthFrom1900(this.dateTimeHelper, months - 1);
      return got;
    });
    if (plugin) plugins.push(plugin);
  }

  const datedif = wrapFunction(hfModule, 'DATEDIF', function datedifYd(ast, state, base) {
    const got = base(ast, state);
    if (typeof raw(got) !== 'number') return got;
    const unit = argValue(this, ast, state, 2);
    if (typeof unit !== 'string' || unit.toUpperCase() !== 'YD') return got;
    const s = numberArg(this, ast, state, 0);
    const e = numberArg(this, ast, state, 1);
    if (s === undefined || e === undefined || s < 1 || isError(s)) return got;
    const helper = this.dateTimeHelper;
    const start = Math.floor(s);
    const sd = helper.numberToSimpleDate(start);
    const ed = helper.numberToSimpleDate(Math.floor(e));
    const later = ed.month > sd.month || (ed.month === sd.month && ed.day >= sd.day);
    const year = later ? sd.year : sd.year + 1;
    const dim = helper.daysInMonth(year, ed.month);
    // a 29 February in a common year is 1 March, as DATE has it
    const day = Math.min(ed.day, dim);
    const target = helper.dateToNumber({ year, month: ed.month, day }) + (ed.day - day);
    return target - start;
  });
  if (datedif) plugins.push(datedif);
  return plugins;
}

module.exports = { register };
