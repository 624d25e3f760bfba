'use strict';
/*
 * VALUE as Excel reads text (Microsoft, "VALUE function": text in any constant number, date or
 * time format Excel recognizes), where HyperFormula 3.5.0 gave #VALUE!:
 *  - an empty cell is 0;
 *  - thousands separators in groups of three ("123,456.67", "$1,000"; "12,34" stays #VALUE!);
 *  - a currency symbol ($ or €) before or after the number ("$1,000", "12€");
 *  - dates with a month name: "2-Feb-2026", "2 February 2026", "Feb 2, 2026", "Feb-2026" (the
 *    1st), two-digit years 00-29 in 2000-2029 and 30-99 in 1930-1999.
 *  - a time text's last part may run past 59 (up to 9999) only when the parts before it are in
 *    range: "23:99" is 23:00 + 99 minutes, "24:99" and "23:10000" are not times; "59:9999.5"
 *    (minutes:seconds.fraction) is, "60:9999.5" is not; "23:59.:0" is not (pycel__text.xlsx).
 * Other text (plain numbers, percentages, numeric dates, times) keeps HyperFormula's reading.
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september',
  'october', 'november', 'december',
];

/** 1..12 for a month name or its first three letters, else 0. */
function monthOf(name) {
  const n = name.toLowerCase();
  const i = MONTHS.findIndex((m) => m === n || (n.length === 3 && m.startsWith(n)));
  return i + 1;
}

/** The number a text with thousands separators and/or a currency symbol stands for. */
function parseGroupedNumber(text) {
  let s = text.trim();
  let negative = false;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren) {
    negative = true;
    s = paren[1].trim();
  }
  const m = /^([+-]?)\s*([$€]?)\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(\.\d*)?([eE][+-]?\d+)?\s*([$€]?)\s*(%?)$/.exec(
    s
  );
  if (!m) return undefined;
  const [, sign1, cur1, sign2, int, frac, exp, cur2, pct] = m;
  if (!int && !(frac && frac.length > 1)) return undefined;
  if (!cur1 && !cur2 && !(int && int.includes(','))) return undefined; // HyperFormula's case
  if ((cur1 && cur2) || (sign1 && sign2) || (paren && (sign1 || sign2))) return undefined;
  if (sign2 && !cur1) return undefined;
  let v = Number((int || '0').replace(/,/g, '') + (frac || '') + (exp || ''));
  if (!Number.isFinite(v)) return undefined;
  if (pct) v /= 100;
  if (sign1 === '-' || sign2 === '-') v = -v;
  return negative ? -v : v;
}

/** {year, month, day} of a date written with a month name, or undefined. */
function parseMonthNameDate(text) {
  const s = text.trim();
  let m;
  let day;
  let month;
  let year;
  if ((m = /^(\d{1,2})[-\s/]+([A-Za-z]{3,9})\.?[-\s/,]+(\d{4}|\d{2})$/.exec(s))) {
    [day, month, year] = [Number(m[1]), monthOf(m[2]), m[3]];
  } else if ((m = /^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(s))) {
    [day, month, year] = [Number(m[2]), monthOf(m[1]), m[3]];
  } else if ((m = /^([A-Za-z]{3,9})\.?[-\s/]+(\d{4})$/.exec(s))) {
    [day, month, year] = [1, monthOf(m[1]), m[2]];
  } else {
    return undefined;
  }
  if (!month) return undefined;
  let y = Number(year);
  if (year.length === 2) y += y < 30 ? 2000 : 1900;
  return { year: y, month, day };
}

/** True for text made of digits, colons and a point that Excel does not read as a time. */
function timeTextRejected(text) {
  const s = text.trim();
  if (!/^[\d:.]+$/.test(s) || !s.includes(':')) return false;
  const m = /^(\d+):(\d+)(?::(\d+))?(\.\d*)?$/.exec(s);
  if (!m) return true;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (m[3] !== undefined) {
    // h:m:s
    const sec = Number(m[3]);
    if (b >= 60) return true;
    return sec >= 60 && (sec > 9999 || a >= 24);
  }
  if (m[4] && m[4].length > 1) {
    // m:s.fraction
    return b >= 60 && (b > 9999 || a >= 60);
  }
  // h:m
  return b >= 60 && (b > 9999 || a >= 24);
}

/** The serial of a minutes:seconds.fraction text ("23:59.5": Excel reads two parts with a
 * fraction as minutes and seconds), or undefined. */
function minutesSecondsValue(text) {
  const m = /^(\d+):(\d+\.\d+)$/.exec(text.trim());
  if (!m || timeTextRejected(text)) return undefined;
  return (Number(m[1]) * 60 + Number(m[2])) / 86400;
}

function register(hfModule) {
  const { raw, isEmpty, isRange, err } = makeTools(hfModule);
  const plugin = wrapFunction(hfModule, 'VALUE', function value(ast, state, base) {
    if (ast.args.length !== 1 || !ast.args[0] || ast.args[0].type === 'EMPTY') return base(ast, state);
    const v = this.evaluateAst(ast.args[0], state);
    if (isRange(v)) return base(ast, state);
    const x = raw(v);
    if (isEmpty(x)) return 0;
    if (typeof x !== 'string') return base(ast, state);
    const n = parseGroupedNumber(x);
    if (n !== undefined) return n;
    if (timeTextRejected(x)) return err('VALUE', 'VALUE: not a time Excel reads');
    const ms = minutesSecondsValue(x);
    if (ms !== undefined) return ms;
    const d = parseMonthNameDate(x);
    if (d) {
      const helper = this.dateTimeHelper;
      if (d.year >= 1900 && d.year <= 9999 && d.day >= 1 && d.day <= helper.daysInMonth(d.year, d.month)) {
        const serial = helper.dateToNumber(d);
        if (serial >= 0) return serial;
      }
    }
    return base(ast, state);
  });
  return plugin ? [plugin] : [];
}

module.exports = { register, parseGroupedNumber, parseMonthNameDate, timeTextRejected,
  minutesSecondsValue };
