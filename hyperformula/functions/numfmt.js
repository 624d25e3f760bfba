'use strict';
/*
 * Excel number formats, as Excel applies them in TEXT(): a plain-JS formatter, no dependencies.
 *
 *   formatNumber(value, formatCode, {date1904}) -> string
 *
 * value: a number, a string (text: goes through the format's text section) or a boolean.
 * Throws NumberFormatError for a format Excel rejects or a value a date format cannot show
 * (TEXT then gives #VALUE!).
 *
 * Covered: sections pos;neg;zero;text and conditions ([>=1000]), colours and locale tags
 * ignored, [$€-407] currency text, quoted literals, backslash escapes, _x (one space), *x (dropped),
 * @; digit placeholders 0 # ?, decimal point, thousands separator and scaling commas, %,
 * scientific (0.00E+00, engineering ##0.0E+0), fractions (# ?/?, # ??/??, # ?/8); dates and times
 * (d..dddd, m..mmmmm, yy, yyyy, h, hh, m/mm as minutes, s, ss, .0/.00/.000, AM/PM, A/P, [h] [m]
 * [s] elapsed) in the 1900 system (with its phantom 1900-02-29) or the 1904 system; General.
 * Numbers are rounded Excel's way: half away from zero on the 15-significant-digit decimal string,
 * so 2.675 with "0.00" is "2.68".
 */

class NumberFormatError extends Error {}

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MAX_SERIAL = 2958466; // 10000-01-01: dates past 9999-12-31 cannot be shown
const DIGIT = { '0': true, '#': true, '?': true };

// ---------------------------------------------------------------------------------------------
// decimal arithmetic on the 15-significant-digit string of a double

/** |x| as {d, p}: d = significant digits (no leading or trailing zeros), value = 0.d × 10^p. */
function toDecimal(x) {
  const a = Math.abs(x);
  if (a === 0 || !Number.isFinite(a)) return { d: '', p: 0 };
  const s = a.toPrecision(15);
  const ePos = s.indexOf('e');
  const mant = ePos < 0 ? s : s.slice(0, ePos);
  const exp = ePos < 0 ? 0 : Number(s.slice(ePos + 1));
  const dot = mant.indexOf('.');
  let digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  let p = (dot < 0 ? mant.length : dot) + exp;
  const lead = digits.match(/^0*/)[0].length;
  digits = digits.slice(lead);
  p -= lead;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return { d: '', p: 0 };
  return { d: digits, p };
}

/** Round {d, p} to n decimals, half away from zero. Returns {int, frac} digit strings: int
 * without leading zeros ('' for zero), frac exactly n digits. */
function roundDecimal(dec, n) {
  let { d, p } = dec;
  const keep = p + n;
  if (keep < 0 || d === '') return { int: '', frac: '0'.repeat(Math.max(n, 0)) };
  if (keep < d.length) {
    const up = d.charCodeAt(keep) >= 53; // '5'
    d = d.slice(0, keep);
    if (up) {
      let i = d.length - 1;
      const arr = d.split('');
      while (i >= 0 && arr[i] === '9') {
        arr[i] = '0';
        i--;
      }
      if (i < 0) {
        arr.unshift('1');
        p += 1;
      } else {
        arr[i] = String.fromCharCode(arr[i].charCodeAt(0) + 1);
      }
      d = arr.join('');
    }
  }
  let int;
  let frac;
  if (p <= 0) {
    int = '';
    frac = '0'.repeat(-p) + d;
  } else if (p >= d.length) {
    int = d + '0'.repeat(p - d.length);
    frac = '';
  } else {
    int = d.slice(0, p);
    frac = d.slice(p);
  }
  int = int.replace(/^0+/, '');
  frac = (frac + '0'.repeat(Math.max(n, 0))).slice(0, Math.max(n, 0));
  return { int, frac };
}

/** Round x to n decimals (n may be negative) Excel's way; returns a double. */
function roundExcel(x, n) {
  const { int, frac } = roundDecimal(toDecimal(x), Math.max(n, 0));
  let v;
  if (n >= 0) {
    v = Number((int || '0') + (frac ? '.' + frac : ''));
  } else {
    const dec = toDecimal(x);
    const shifted = roundDecimal({ d: dec.d, p: dec.p + n }, 0);
    v = Number((shifted.int || '0') + '0'.repeat(-n));
  }
  return x < 0 ? -v : v;
}

// ---------------------------------------------------------------------------------------------
// parsing

function splitSections(code) {
  const sections = [];
  let cur = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      const j = code.indexOf('"', i + 1);
      const end = j < 0 ? code.length : j;
      cur += code.slice(i, end + 1);
      i = end;
    } else if (c === '\\' || c === '_' || c === '*') {
      cur += code.slice(i, i + 2);
      i++;
    } else if (c === '[') {
      const j = code.indexOf(']', i);
      const end = j < 0 ? code.length : j;
      cur += code.slice(i, end + 1);
      i = end;
    } else if (c === ';') {
      sections.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  sections.push(cur);
  return sections;
}

const COND_RE = /^(<=|>=|<>|<|>|=)\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;

function runLength(s, i, chars) {
  let j = i;
  while (j < s.length && chars.indexOf(s[j]) >= 0) j++;
  return j - i;
}

/** One section's tokens: {t: kind, ...}. */
function tokenize(s) {
  const tokens = [];
  let cond = null;
  const lit = (text) => {
    const last = tokens[tokens.length - 1];
    if (last && last.t === 'lit') last.s += text;
    else tokens.push({ t: 'lit', s: text });
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const lower = c.toLowerCase();
    if (c === '"') {
      const j = s.indexOf('"', i + 1);
      // Excel rejects a quoted literal that is never closed: the format #"F"" is #VALUE!
      if (j < 0) throw new NumberFormatError('unclosed quote');
      const end = j;
      lit(s.slice(i + 1, end));
      i = end;
    } else if (c === '\\') {
      if (i + 1 < s.length) lit(s[i + 1]);
      i++;
    } else if (c === '_') {
      if (i + 1 < s.length) lit(' ');
      i++;
    } else if (c === '*') {
      i++;
    } else if (c === '[') {
      const j = s.indexOf(']', i);
      if (j < 0) throw new NumberFormatError('unclosed [');
      const body = s.slice(i + 1, j);
      i = j;
      let m;
      if ((m = /^(h+|m+|s+)$/i.exec(body))) {
        tokens.push({ t: 'elapsed', u: m[1][0].toLowerCase(), n: m[1].length });
      } else if ((m = COND_RE.exec(body.replace(/\s+/g, '')))) {
        cond = { op: m[1], v: Number(m[2]) };
      } else if (body[0] === '$') {
        const dash = body.indexOf('-');
        const sym = dash < 0 ? body.slice(1) : body.slice(1, dash);
        if (sym) lit(sym);
      }
      // colours, [DBNum1], [natnum], ...: not shown
    } else if (DIGIT[c]) {
      tokens.push({ t: 'digit', c });
    } else if (c === '.') {
      tokens.push({ t: 'point' });
    } else if (c === ',') {
      tokens.push({ t: 'comma' });
    } else if (c === '%') {
      tokens.push({ t: 'percent' });
    } else if ((c === 'E' || c === 'e') && (s[i + 1] === '+' || s[i + 1] === '-')) {
      tokens.push({ t: 'exp', sign: s[i + 1], e: c });
      i++;
    } else if (c === '/') {
      tokens.push({ t: 'slash' });
    } else if (c === '@') {
      tokens.push({ t: 'text' });
    } else if (s.slice(i, i + 5).toLowerCase() === 'am/pm') {
      tokens.push({ t: 'ampm', am: 'AM', pm: 'PM' });
      i += 4;
    } else if (s.slice(i, i + 3).toLowerCase() === 'a/p') {
      tokens.push({ t: 'ampm', am: s[i], pm: s[i + 2] });
      i += 2;
    } else if (s.slice(i, i + 7).toLowerCase() === 'general') {
      tokens.push({ t: 'general' });
      i += 6;
    } else if ('ymdhs'.indexOf(lower) >= 0) {
      const n = runLength(s, i, lower + lower.toUpperCase());
      tokens.push({ t: lower, n });
      i += n - 1;
    } else if (lower === 'e') {
      const n = runLength(s, i, 'eE');
      tokens.push({ t: 'y', n: 4 });
      i += n - 1;
    } else {
      lit(c);
    }
  }
  return { tokens, cond };
}

function isDateToken(t) {
  return (
    t.t === 'y' || t.t === 'm' || t.t === 'd' || t.t === 'h' || t.t === 's' ||
    t.t === 'elapsed' || t.t === 'ampm'
  );
}

function compileDate(tokens) {
  const out = [];
  let hasAmPm = false;
  let fdigits = 0;
  let hasDate = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.t === 'point' && i > 0 && tokens[i + 1] && tokens[i + 1].t === 'digit' &&
        tokens[i + 1].c === '0') {
      const prev = out[out.length - 1];
      if (prev && (prev.t === 's' || (prev.t === 'elapsed' && prev.u === 's'))) {
        let n = 0;
        while (tokens[i + 1 + n] && tokens[i + 1 + n].t === 'digit' && tokens[i + 1 + n].c === '0') n++;
        const shown = Math.min(n, 3);
        out.push({ t: 'fsec', n: shown });
        fdigits = Math.max(fdigits, shown);
        i += n;
        continue;
      }
    }
    if (t.t === 'ampm') hasAmPm = true;
    if (t.t === 'y' || t.t === 'd') hasDate = true;
    if (t.t === 'digit' || t.t === 'general' || t.t === 'text') {
      throw new NumberFormatError('digit placeholders in a date format');
    }
    if (t.t === 'point' || t.t === 'comma' || t.t === 'slash' || t.t === 'percent') {
      out.push({ t: 'lit', s: { point: '.', comma: ',', slash: '/', percent: '%' }[t.t] });
      continue;
    }
    if (t.t === 'exp') {
      out.push({ t: 'lit', s: 'E' + t.sign });
      continue;
    }
    out.push(Object.assign({}, t));
  }
  // m / mm: minutes right after an hour or right before a second, else the month
  const timeIdx = out.map((t, i) => (isDateToken(t) ? i : -1)).filter((i) => i >= 0);
  for (let k = 0; k < timeIdx.length; k++) {
    const t = out[timeIdx[k]];
    if (t.t !== 'm') continue;
    if (t.n > 2) {
      hasDate = true;
      continue;
    }
    const prev = k > 0 ? out[timeIdx[k - 1]] : null;
    const next = k + 1 < timeIdx.length ? out[timeIdx[k + 1]] : null;
    if ((prev && (prev.t === 'h' || prev.t === 's' || (prev.t === 'elapsed' && prev.u !== 'm'))) ||
        (next && (next.t === 's' || (next.t === 'elapsed' && next.u === 's')))) {
      t.t = 'min';
    } else {
      hasDate = true;
    }
  }
  // with [h] (or [s]) present, a plain h (or s) shows the elapsed total as well
  const elapsed = new Set(out.filter((t) => t.t === 'elapsed').map((t) => t.u));
  for (let i = 0; i < out.length; i++) {
    const t = out[i];
    if ((t.t === 'h' && elapsed.has('h')) || (t.t === 's' && elapsed.has('s'))) {
      out[i] = { t: 'elapsed', u: t.t, n: t.n };
    }
  }
  const elapsedOnly = out.every((t) => t.t === 'lit' || t.t === 'elapsed');
  return { kind: 'date', tokens: out, hasAmPm, fdigits, hasDate, elapsedOnly };
}

function compileNumber(tokens) {
  const sec = { kind: 'number', tokens, general: false, text: false };
  let expAt = -1;
  let slashAt = -1;
  let pointAt = -1;
  let percent = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.t === 'exp' && expAt < 0) expAt = i;
    else if (t.t === 'slash' && slashAt < 0 && expAt < 0) slashAt = i;
    else if (t.t === 'point' && pointAt < 0 && expAt < 0 && slashAt < 0) pointAt = i;
    else if (t.t === 'percent') percent++;
    else if (t.t === 'general') sec.general = true;
    else if (t.t === 'text') sec.text = true;
  }
  sec.percent = percent;
  if (slashAt >= 0) {
    const frac = compileFraction(tokens, slashAt);
    if (frac) return Object.assign(sec, frac);
  }
  const mantEnd = expAt >= 0 ? expAt : tokens.length;
  const intEnd = pointAt >= 0 ? pointAt : mantEnd;
  // classify commas; digit placeholders of the integer and decimal parts
  let scale = 0;
  let thousands = false;
  const digitIdx = [];
  for (let i = 0; i < mantEnd; i++) if (tokens[i].t === 'digit') digitIdx.push(i);
  const firstDigit = digitIdx.length ? digitIdx[0] : -1;
  const lastIntDigit = digitIdx.filter((i) => i < intEnd).pop();
  const lastDigit = digitIdx.length ? digitIdx[digitIdx.length - 1] : -1;
  for (let i = 0; i < mantEnd; i++) {
    const t = tokens[i];
    if (t.t !== 'comma') continue;
    const before = tokens[i - 1];
    let k = i + 1;
    while (k < mantEnd && tokens[k].t === 'comma') k++;
    const after = tokens[k];
    if (firstDigit < 0 || i < firstDigit) {
      t.role = 'lit';
    } else if (before && !['digit', 'comma', 'point'].includes(before.t)) {
      // a comma right after a literal is written as it is: '#x,0' -> "8901x,2"
      t.role = 'lit';
    } else if (i < intEnd && lastIntDigit !== undefined && i < lastIntDigit) {
      // a thousands separator only between two digit placeholders ('0,x#' has none)
      t.role = 'drop';
      if (after && after.t === 'digit') thousands = true;
    } else if (i > lastDigit || (i < intEnd && lastIntDigit !== undefined && i > lastIntDigit)) {
      let j = i;
      while (j > 0 && tokens[j - 1].t === 'comma') j--;
      const prev = tokens[j - 1];
      if (prev && (prev.t === 'digit' || prev.t === 'point')) {
        t.role = 'drop';
        scale++;
      } else {
        t.role = 'drop';
      }
    } else {
      t.role = 'drop';
    }
  }
  sec.scale = scale;
  sec.thousands = thousands;
  sec.intDigits = [];
  sec.decDigits = [];
  for (let i = 0; i < mantEnd; i++) {
    if (tokens[i].t !== 'digit') continue;
    if (i < intEnd) sec.intDigits.push(i);
    else sec.decDigits.push(i);
  }
  sec.pointAt = pointAt;
  sec.expAt = expAt;
  if (expAt >= 0) {
    // no decimal point in the exponent: Excel rejects '0E+00.0'
    if (tokens.slice(expAt + 1).some((t) => t.t === 'point')) {
      throw new NumberFormatError('a decimal point after the exponent');
    }
    sec.expDigits = [];
    for (let i = expAt + 1; i < tokens.length; i++) if (tokens[i].t === 'digit') sec.expDigits.push(i);
  }
  return sec;
}

function compileFraction(tokens, slashAt) {
  // numerator: the last run of digit placeholders before the slash (literals may sit between
  // it and the slash); whole part: digit placeholders before that run
  let i = slashAt - 1;
  while (i >= 0 && tokens[i].t !== 'digit') i--;
  if (i < 0) return null;
  let j = i;
  while (j - 1 >= 0 && tokens[j - 1].t === 'digit') j--;
  const numer = [];
  for (let k = j; k <= i; k++) numer.push(k);
  const whole = [];
  for (let k = 0; k < j; k++) if (tokens[k].t === 'digit') whole.push(k);
  // denominator: placeholders after the slash, or a fixed number written as a literal
  let k = slashAt + 1;
  while (k < tokens.length && tokens[k].t === 'lit' && !/\d/.test(tokens[k].s[0]) &&
         tokens[k].s.trim() === '') k++;
  const denom = [];
  let fixed = null;
  let fixedTok = -1;
  if (k < tokens.length && tokens[k].t === 'lit' && /^[1-9]/.test(tokens[k].s)) {
    const m = /^\d+/.exec(tokens[k].s);
    fixed = Number(m[0]);
    fixedTok = k;
    tokens[k] = { t: 'lit', s: tokens[k].s.slice(m[0].length) };
  } else {
    for (let q = slashAt + 1; q < tokens.length; q++) {
      if (tokens[q].t === 'digit') denom.push(q);
      else if (denom.length) break;
    }
    if (!denom.length) return null;
  }
  return { fraction: true, whole, numer, denom, fixed, fixedTok, slashAt };
}

function compileSection(src) {
  const { tokens, cond } = tokenize(src);
  let sec;
  if (tokens.some(isDateToken)) sec = compileDate(tokens);
  else sec = compileNumber(tokens);
  sec.cond = cond;
  sec.hasText = tokens.some((t) => t.t === 'text');
  sec.hasDigits = tokens.some((t) => t.t === 'digit' || t.t === 'general') || sec.kind === 'date';
  // Excel rejects a section mixing digit placeholders with the text placeholder @ ('0.0@')
  if (sec.hasText && sec.kind === 'number' && tokens.some((t) => t.t === 'digit')) {
    throw new NumberFormatError('@ with digit placeholders');
  }
  return sec;
}

const GENERAL_SECTION = compileSection('General');
const cache = new Map();
const CACHE_LIMIT = 2000;

function compile(code) {
  let fmt = cache.get(code);
  if (fmt !== undefined) return fmt;
  const parts = splitSections(code);
  if (parts.length > 4) throw new NumberFormatError('more than four sections');
  const sections = parts.map(compileSection);
  if (sections.length === 4 && sections.slice(0, 3).some((sec) => sec.hasText)) {
    throw new NumberFormatError('@ outside the text section');
  }
  fmt = { sections };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(code, fmt);
  return fmt;
}

// ---------------------------------------------------------------------------------------------
// choosing a section

function test(cond, v) {
  switch (cond.op) {
    case '<': return v < cond.v;
    case '>': return v > cond.v;
    case '=': return v === cond.v;
    case '<=': return v <= cond.v;
    case '>=': return v >= cond.v;
    default: return v !== cond.v;
  }
}

/** [section, showMinus]: the section a number goes through and whether it writes a minus. */
function chooseSection(sections, v) {
  const numeric = numericSections(sections);
  const n = numeric.length;
  if (numeric[0].cond || (n > 1 && numeric[1].cond)) {
    if (numeric[0].cond && test(numeric[0].cond, v)) return [numeric[0], v < 0];
    if (n > 1 && numeric[1].cond) {
      if (test(numeric[1].cond, v)) return [numeric[1], v < 0];
      if (n > 2) return [numeric[2], v < 0];
      throw new NumberFormatError('no section for the value');
    }
    if (n > 1) return [numeric[1], v < 0 && n < 3 ? false : v < 0];
    return [GENERAL_SECTION, v < 0];
  }
  if (v > 0 || n === 1) return [numeric[0], v < 0];
  if (v < 0) return [numeric[1], false];
  return [n >= 3 ? numeric[2] : numeric[0], false];
}

// ---------------------------------------------------------------------------------------------
// numbers

function general(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  const dec = toDecimal(a);
  if (a >= 1e11 || a < 1e-9) return sign + scientific(a, 5, 2, true);
  // 11 characters at most (the sign not counted): "0." counts 2 below 1
  const intLen = Math.max(dec.p, 1);
  let decimals = Math.max(0, 10 - intLen);
  if (dec.p <= 0) decimals = 9;
  let r = roundDecimal(dec, decimals);
  let frac = r.frac.replace(/0+$/, '');
  if (dec.p < -4 && r.int === '' && frac.replace(/^0+/, '').length < 3 && dec.d.length > frac.replace(/^0+/, '').length) {
    return sign + scientific(a, 5, 2, true);
  }
  if ((r.int || '0').length + 1 + frac.length > 11 && r.int.length > 0) {
    r = roundDecimal(dec, Math.max(0, 10 - r.int.length));
    frac = r.frac.replace(/0+$/, '');
  }
  return sign + (r.int || '0') + (frac ? '.' + frac : '');
}

function scientific(a, decimals, expMin, trim) {
  const dec = toDecimal(a);
  let e = dec.d === '' ? 0 : dec.p - 1;
  let r = roundDecimal({ d: dec.d, p: dec.p - e }, decimals);
  if (r.int.length > 1) {
    e += 1;
    r = roundDecimal({ d: dec.d, p: dec.p - e }, decimals);
  }
  let frac = trim ? r.frac.replace(/0+$/, '') : r.frac;
  const exp = String(Math.abs(e)).padStart(expMin, '0');
  return (r.int || '0') + (frac ? '.' + frac : '') + 'E' + (e < 0 ? '-' : '+') + exp;
}

/** Fill digit placeholders (token indexes `idx`) right-aligned with the digits of `s`; the first
 * placeholder takes any extra digits. Returns a Map token index -> text. */
function fillInteger(tokens, idx, s, thousands) {
  const out = new Map();
  const k = idx.length;
  const cells = []; // per placeholder: array of chars ('d' digits or ' ')
  for (let q = 0; q < k; q++) {
    const fromRight = k - 1 - q;
    const pos = s.length - 1 - fromRight;
    let text;
    if (q === 0 && pos > 0) text = s.slice(0, pos + 1);
    else if (pos >= 0) text = s[pos];
    else {
      const c = tokens[idx[q]].c;
      text = c === '0' ? '0' : c === '?' ? ' ' : '';
    }
    cells.push(text);
  }
  if (thousands) {
    // a separator after every third placeholder position from the right, counted on the
    // placeholders (a '#' showing nothing still takes its position and shows no separator:
    // 1234567 with '#,##000########' is "00,01,234,567"); '?' padding's separator is a space
    const isPos = (ch) => (ch >= '0' && ch <= '9') || ch === ' ';
    for (let q = 0; q < k; q++) {
      let t = '';
      const cell = cells[q];
      const last = k - 1 - q; // position from the right (0-based) of the cell's last character
      for (let c = 0; c < cell.length; c++) {
        const ch = cell[c];
        t += ch;
        if (!isPos(ch)) continue;
        const left = last + (cell.length - 1 - c);
        if (left > 0 && left % 3 === 0) t += ch === ' ' ? ' ' : ',';
      }
      cells[q] = t;
    }
  }
  for (let q = 0; q < k; q++) out.set(idx[q], cells[q]);
  return out;
}

function fillDecimals(tokens, idx, frac) {
  const out = new Map();
  // a # or ? whose digit is one of the trailing zeros shows nothing (or a space), even before
  // a 0 placeholder: '#.##00#0' writes 0.456789 as ".45678900"
  let lastNonZero = -1;
  for (let q = 0; q < idx.length; q++) if (frac[q] !== undefined && frac[q] !== '0') lastNonZero = q;
  for (let q = 0; q < idx.length; q++) {
    const c = tokens[idx[q]].c;
    out.set(idx[q], q <= lastNonZero || c === '0' ? frac[q] : c === '?' ? ' ' : '');
  }
  return out;
}

function render(tokens, fills, extra) {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (extra && extra.before === i) s += extra.text;
    if (fills.has(i)) {
      s += fills.get(i);
      continue;
    }
    switch (t.t) {
      case 'lit': s += t.s; break;
      case 'point': s += '.'; break;
      case 'percent': s += '%'; break;
      case 'comma': if (t.role === 'lit') s += ','; break;
      case 'slash': s += '/'; break;
      case 'digit': break;
      case 'text': break;
      default: break;
    }
  }
  if (extra && extra.before === tokens.length) s += extra.text;
  return s;
}

function formatNumberSection(sec, a) {
  const tokens = sec.tokens;
  if (sec.general) {
    const fills = new Map();
    const g = general(a);
    const gi = tokens.findIndex((t) => t.t === 'general');
    fills.set(gi, g);
    return [render(tokens, fills), a === 0];
  }
  if (sec.fraction) return formatFraction(sec, a);
  const dec = toDecimal(a);
  dec.p += 2 * sec.percent - 3 * sec.scale;
  const fills = new Map();
  let extra = null;
  if (sec.expAt >= 0) {
    // scientific: no percent or comma scaling; the exponent is a multiple of the number of
    // integer placeholders (##0.0E+0 is engineering notation)
    const sci = toDecimal(a);
    const period = Math.max(sec.intDigits.length, 1);
    let e = 0;
    let r;
    if (sci.d !== '') {
      e = Math.floor((sci.p - 1) / period) * period;
      r = roundDecimal({ d: sci.d, p: sci.p - e }, sec.decDigits.length);
      if (r.int.length > period) {
        e += period;
        r = roundDecimal({ d: sci.d, p: sci.p - e }, sec.decDigits.length);
      }
    } else {
      r = { int: '0'.repeat(sec.intDigits.length), frac: '0'.repeat(sec.decDigits.length) };
    }
    for (const [i, t] of fillInteger(tokens, sec.intDigits, r.int, sec.thousands)) fills.set(i, t);
    for (const [i, t] of fillDecimals(tokens, sec.decDigits, r.frac)) fills.set(i, t);
    const expTok = tokens[sec.expAt];
    const sign = e < 0 ? '-' : expTok.sign === '+' ? '+' : '';
    const edig = fillInteger(tokens, sec.expDigits, String(Math.abs(e)), false);
    for (const [i, t] of edig) fills.set(i, t);
    fills.set(sec.expAt, expTok.e);
    if (sec.expDigits.length) fills.set(sec.expDigits[0], sign + edig.get(sec.expDigits[0]));
    else fills.set(sec.expAt, expTok.e + sign);
    return [render(tokens, fills), sci.d === ''];
  }
  const r = roundDecimal(dec, sec.decDigits.length);
  if (sec.intDigits.length) {
    for (const [i, t] of fillInteger(tokens, sec.intDigits, r.int, sec.thousands)) fills.set(i, t);
  } else if (r.int && (sec.decDigits.length || sec.pointAt >= 0)) {
    let text = r.int;
    if (sec.thousands) text = text.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const at = sec.pointAt >= 0 ? sec.pointAt : sec.decDigits.length ? sec.decDigits[0] : tokens.length;
    extra = { before: at, text };
  }
  for (const [i, t] of fillDecimals(tokens, sec.decDigits, r.frac)) fills.set(i, t);
  const zero = r.int === '' && !/[1-9]/.test(r.frac) && (sec.intDigits.length + sec.decDigits.length) > 0;
  return [render(tokens, fills, extra), zero];
}

function bestFraction(x, maxDen) {
  let bestN = 0;
  let bestD = 1;
  let bestErr = x;
  for (let d = 1; d <= maxDen; d++) {
    const n = Math.round(x * d);
    const err = Math.abs(x - n / d);
    if (err < bestErr - 1e-12) {
      bestErr = err;
      bestN = n;
      bestD = d;
      if (err === 0) break;
    }
  }
  return [bestN, bestD];
}

function padPlaceholders(tokens, idx, s, alignLeft) {
  // right-aligned like fillInteger, or left-aligned (a denominator of ? placeholders)
  if (!alignLeft) return fillInteger(tokens, idx, s, false);
  const out = new Map();
  const k = idx.length;
  for (let q = 0; q < k; q++) {
    let text;
    if (q === k - 1 && s.length > k) text = s.slice(q);
    else if (q < s.length) text = s[q];
    else {
      const c = tokens[idx[q]].c;
      text = c === '0' ? '0' : c === '?' ? ' ' : '';
    }
    out.set(idx[q], text);
  }
  return out;
}

function formatFraction(sec, a) {
  const tokens = sec.tokens;
  let x = a * Math.pow(100, sec.percent);
  const fills = new Map();
  let whole = 0;
  if (sec.whole.length) {
    whole = Math.floor(x);
    x -= whole;
  }
  let n;
  let d;
  if (sec.fixed) {
    d = sec.fixed;
    n = Math.round(x * d);
  } else {
    const maxDen = Math.pow(10, sec.denom.length) - 1;
    [n, d] = bestFraction(x, maxDen);
  }
  if (sec.whole.length && n === d) {
    whole += 1;
    n = 0;
  }
  const numerHasZero = sec.numer.some((i) => tokens[i].c === '0');
  const lastWhole = sec.whole.length ? sec.whole[sec.whole.length - 1] : -1;
  const fracEnd = sec.fixed ? sec.fixedTok : sec.denom[sec.denom.length - 1];
  if (sec.whole.length && n === 0 && !numerHasZero) {
    // a whole number: the whole part alone ("0" for zero), the fraction area blank
    for (const [i, t] of fillInteger(tokens, sec.whole, String(whole), false)) fills.set(i, t);
    const area = [];
    for (let i = lastWhole + 1; i <= fracEnd; i++) area.push(i);
    const blank = area.concat(sec.whole).some((i) => tokens[i].t === 'digit' && tokens[i].c === '?');
    let width = sec.fixed ? String(sec.fixed).length : 0;
    for (const i of area) {
      const t = tokens[i];
      if (t.t === 'digit' || t.t === 'slash' || t.t === 'comma' || t.t === 'point') width += 1;
      else if (t.t === 'lit') width += t.s.length;
      fills.set(i, '');
    }
    if (blank) fills.set(area[0], ' '.repeat(width));
    return [render(tokens, fills), whole === 0];
  }
  if (sec.whole.length) {
    const lead = tokens[lastWhole].c;
    if (whole === 0 && (n > 0 || lead === '#')) {
      // no whole part: '#' shows nothing (and the separator before the numerator goes), '?' and
      // its separator become spaces, '0' shows 0
      const digits = fillInteger(tokens, sec.whole, '', false);
      for (const [i, t] of digits) fills.set(i, t);
      const spaced = lead === '?' || tokens[sec.numer[0]].c === '?';
      for (let i = lastWhole + 1; i < sec.numer[0]; i++) {
        const t = tokens[i];
        const width = t.t === 'lit' ? t.s.length : t.t === 'comma' && t.role !== 'lit' ? 0 : 1;
        if (lead !== '0') fills.set(i, spaced ? ' '.repeat(width) : '');
      }
    } else {
      for (const [i, t] of fillInteger(tokens, sec.whole, String(whole), false)) fills.set(i, t);
    }
  }
  for (const [i, t] of fillInteger(tokens, sec.numer, String(n), false)) fills.set(i, t);
  if (sec.fixed) {
    fills.set(sec.slashAt, '/' + String(d));
  } else {
    // denominators with 0 placeholders are zero-padded on the left, others padded on the right
    const zeroPadded = sec.denom.some((i) => tokens[i].c === '0');
    for (const [i, t] of padPlaceholders(tokens, sec.denom, String(d), !zeroPadded)) fills.set(i, t);
  }
  return [render(tokens, fills), whole === 0 && n === 0];
}

// ---------------------------------------------------------------------------------------------
// dates and times

function civilFromDays(z) {
  // days since 1970-01-01 -> [y, m, d] (proleptic Gregorian)
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? y + 1 : y, m, d];
}

const DAYS_1899_12_31 = -25568; // days from 1970-01-01
const DAYS_1904_01_01 = -24107;

/** [year, month, day, weekday (0 = Sunday)] of a whole serial day. */
function dateOfSerial(days, date1904) {
  if (date1904) {
    const [y, m, d] = civilFromDays(DAYS_1904_01_01 + days);
    return [y, m, d, (((days + 5) % 7) + 7) % 7];
  }
  const wd = (((days + 6) % 7) + 7) % 7; // Excel: serial 1 (1900-01-01) is a Sunday
  if (days === 0) return [1900, 1, 0, wd];
  if (days === 60) return [1900, 2, 29, wd];
  const [y, m, d] = civilFromDays(DAYS_1899_12_31 + (days < 60 ? days : days - 1));
  return [y, m, d, wd];
}

function pad2(n) {
  return n < 10 ? '0' + n : String(n);
}

function formatDateSection(sec, v, date1904, showMinus) {
  // Excel 2016+: a negative value only through elapsed-time tokens alone ([h], [m], [s]).
  // Excel 2007/2008 (version 12) wrote any negative time as a minus and the time of its
  // absolute value ("-4:3 @ hour 02"); dates stay errors.
  const legacyMinus = v < 0 && !sec.hasDate && globalThis.__xlimportExcelVersion > 0 &&
    globalThis.__xlimportExcelVersion <= 12;
  if (v < 0 && !sec.elapsedOnly && !legacyMinus) throw new NumberFormatError('negative date or time');
  if (v >= MAX_SERIAL && !sec.elapsedOnly) throw new NumberFormatError('date after 9999-12-31');
  const a = Math.abs(v);
  const unit = Math.pow(10, sec.fdigits);
  const ticks = Math.round(a * 86400 * unit); // in units of 10^-fdigits seconds
  const totalSec = Math.floor(ticks / unit);
  const fracTicks = ticks - totalSec * unit;
  const days = Math.floor(totalSec / 86400);
  const secOfDay = totalSec - days * 86400;
  const hour = Math.floor(secOfDay / 3600);
  const minute = Math.floor((secOfDay % 3600) / 60);
  const second = secOfDay % 60;
  let ymd = null;
  const date = () => ymd || (ymd = dateOfSerial(days, date1904));
  let s = '';
  for (const t of sec.tokens) {
    switch (t.t) {
      case 'lit': s += t.s; break;
      case 'y': {
        const y = date()[0];
        s += t.n <= 2 ? pad2(y % 100) : String(y);
        break;
      }
      case 'm': {
        const m = date()[1];
        if (t.n === 1) s += String(m);
        else if (t.n === 2) s += pad2(m);
        else if (t.n === 3) s += MONTHS[m - 1].slice(0, 3);
        else if (t.n === 5) s += MONTHS[m - 1][0];
        else s += MONTHS[m - 1];
        break;
      }
      case 'd': {
        const [, , d, wd] = date();
        if (t.n === 1) s += String(d);
        else if (t.n === 2) s += pad2(d);
        else if (t.n === 3) s += DAYS[wd].slice(0, 3);
        else s += DAYS[wd];
        break;
      }
      case 'h': {
        let h = hour;
        if (sec.hasAmPm) h = h % 12 === 0 ? 12 : h % 12;
        s += t.n >= 2 ? pad2(h) : String(h);
        break;
      }
      case 'min': s += t.n >= 2 ? pad2(minute) : String(minute); break;
      case 's': s += t.n >= 2 ? pad2(second) : String(second); break;
      case 'fsec': {
        const f = String(fracTicks).padStart(sec.fdigits, '0').slice(0, t.n);
        s += '.' + f;
        break;
      }
      case 'ampm': s += hour < 12 ? t.am : t.pm; break;
      case 'elapsed': {
        const div = t.u === 'h' ? 3600 : t.u === 'm' ? 60 : 1;
        s += String(Math.floor(totalSec / div)).padStart(t.n, '0');
        break;
      }
      default: break;
    }
  }
  return (showMinus && v < 0 ? '-' : '') + s;
}

// ---------------------------------------------------------------------------------------------
// entry points

/** The sections numbers go through: a trailing section with @ is for text only. */
function numericSections(sections) {
  if (sections.length === 4) return sections.slice(0, 3);
  const last = sections[sections.length - 1];
  if (sections.length > 1 && last.hasText) return sections.slice(0, -1);
  return sections;
}

function formatText(sections, text) {
  let sec = null;
  const last = sections[sections.length - 1];
  if (sections.length === 4 || last.hasText) sec = last;
  if (sec === null) return text;
  let s = '';
  for (const t of sec.tokens) {
    if (t.t === 'text') s += text;
    else if (t.t === 'lit') s += t.s;
  }
  return s;
}

function formatNumber(value, formatCode, options) {
  const date1904 = Boolean(options && options.date1904);
  const code = String(formatCode);
  if (code === '') {
    // an empty format shows text as it is, a number as nothing (but its minus)
    if (typeof value === 'string') return value;
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    return value < 0 ? '-' : '';
  }
  const fmt = compile(code);
  if (typeof value === 'boolean') return formatText(fmt.sections, value ? 'TRUE' : 'FALSE');
  if (typeof value === 'string') return formatText(fmt.sections, value);
  if (!Number.isFinite(value)) throw new NumberFormatError('not a finite number');
  const [sec, showMinus] = chooseSection(fmt.sections, value);
  if (sec === null) throw new NumberFormatError('no section for the value');
  if (sec.kind === 'date') return formatDateSection(sec, value, date1904, showMinus);
  const a = Math.abs(value);
  if (sec.hasText && !sec.hasDigits) {
    // a text-only section shows a number as General
    let s = '';
    for (const t of sec.tokens) {
      if (t.t === 'text') s += general(showMinus ? value : Math.abs(value));
      else if (t.t === 'lit') s += t.s;
    }
    return s;
  }
  const [body, zero] = formatNumberSection(sec, a);
  // the minus of a negative number that rounds to zero is not shown ("0.00", not "-0.00")
  return showMinus && !zero ? '-' + body : body;
}

module.exports = { formatNumber, roundExcel, toDecimal, roundDecimal, NumberFormatError };
