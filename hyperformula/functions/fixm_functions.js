'use strict';
/*
 * Excel behaviours of worksheet functions found missing on the shared corpus (all wraps are
 * applied in `finalize`, over whichever implementation is final):
 *  - SUMIF / AVERAGEIF: a sum_range (average_range) of another size than range is resized to
 *    range's shape from its top-left cell (Microsoft, "SUMIF function": "the sum_range argument
 *    does not have to be the same size and shape as the range argument. The actual cells that
 *    are added are determined by using the upper leftmost cell in the sum_range argument as the
 *    beginning cell, and then including cells that correspond in size and shape to the range
 *    argument"). The resized reference is read through XL.OFFSET (../lib/dynamic.js), so its
 *    cells become precedents of the formula when the dynamic targets are settled.
 *  - DATE: a year that month carries past 9999 is #NUM! even when day brings the date back
 *    (DATE(9999, 13, -1) is #NUM!, cached in ironcalc's DATE book).
 *  - Text read as a date must lie between 1900-01-01 (1904-01-01) and 9999-12-31 (Microsoft,
 *    "DATEVALUE function": "date_text must represent a date between January 1, 1900 and
 *    December 31, 9999 ... DATEVALUE returns the #VALUE! error value if ... outside this range"):
 *    "7/5/1800" is no date, so YEAR("7/5/1800") and VALUE("7/5/1800") are #VALUE!.
 *  - HYPERLINK: a friendly_name that is a reference to an empty cell shows 0, as a formula
 *    reading that cell does (cached: HYPERLINK("https://"&E21, E21) with E21 empty is 0).
 *  - PROB with no number in prob_range (all text) is #DIV/0! (cached in ironcalc's PROB book).
 *  - VLOOKUP / HLOOKUP: a lookup value that is not found is #N/A even when col/row_index_num is
 *    below 1 (cached: VLOOKUP("1", C1, 0) with C1 empty is #N/A); a found one stays #VALUE!.
 *  - GAMMA.INV / GAMMAINV for tiny probabilities: the quantile is solved on the logarithm of the
 *    lower regularized gamma function, so GAMMA.INV(GAMMA.DIST(10, 9, 1e6, TRUE), 9, 1e6) is
 *    10 (cached in ironcalc's GAMMA book) where the plain iteration stopped far from it.
 */
const { makeTools, hfInternal } = require('./info_common');
const { makeArrayTools } = require('./array_common');
const { wrapFunction } = require('./fix7_atp');
const { gammaTerms } = require('./fixc_stats');

const Ast = hfInternal('parser/Ast.js');
const { CellAddress } = hfInternal('parser/CellAddress.js');
const { DateNumber, DateTimeNumber } = hfInternal('interpreter/InterpreterValue.js');

function unparen(ast) {
  let a = ast;
  while (a && (a.type === 'PARENTHESIS' || a.type === 'PARENTHESES')) a = a.expression;
  return a;
}

const given = (a) => a !== undefined && a.type !== 'EMPTY';

/** log of the lower regularized gamma P(a, x), accurate where P underflows a double. */
function logLowerGamma(a, x) {
  if (x <= 0) return -Infinity;
  const t = gammaTerms(a, x, 100000, 1e-17);
  if (t.lower !== undefined) return t.logPrefix + Math.log(t.lower);
  return Math.log1p(-Math.exp(t.logPrefix) * t.upper); // P = 1 - Q
}

/** x with P(a, x) = p, by bisection on log x over log P (p in (0, 1)). */
function gammaQuantile(p, a) {
  const target = Math.log(p);
  let lo = -745;
  let hi = 745;
  for (let i = 0; i < 400 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo), Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (logLowerGamma(a, Math.exp(mid)) < target) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

function register() {
  return [];
}

function finalize(hfModule) {
  const { raw, isError, isEmpty, isRange, err, flatten } = makeTools(hfModule);
  const plugins = [];
  const add = (p) => p && plugins.push(p);

  // ---- SUMIF / AVERAGEIF: sum_range resized to range's shape ---------------------------------
  /** Height and width of a reference AST (a cell or a cell range), else undefined. */
  function refShape(ast, state) {
    const a = unparen(ast);
    if (!a) return undefined;
    if (a.type === 'CELL_REFERENCE') return { h: 1, w: 1 };
    if (a.type === 'CELL_RANGE') {
      try {
        const s = a.start.toSimpleCellAddress(state.formulaAddress);
        const e = a.end.toSimpleCellAddress(state.formulaAddress);
        if (s.sheet !== e.sheet) return undefined;
        return { h: Math.abs(e.row - s.row) + 1, w: Math.abs(e.col - s.col) + 1 };
      } catch (e) {
        return undefined;
      }
    }
    return undefined;
  }
  /** The criterion arguments of an ordinary (not array) formula that are multi-cell ranges
   * replaced by their implicit intersection with the formula's cell, or by #VALUE! when there is
   * none (the error is then the criterion, and matches #VALUE! cells). */
  function intersectCriteria(self, ast, state, positions) {
    if (state.arraysFlag) return ast;
    const args = (ast.args || []).slice();
    let changed = false;
    for (const i of positions) {
      const a = unparen(args[i]);
      if (!a || a.type !== 'CELL_RANGE') continue;
      let s;
      let e;
      try {
        s = a.start.toSimpleCellAddress(state.formulaAddress);
        e = a.end.toSimpleCellAddress(state.formulaAddress);
      } catch (x) {
        continue;
      }
      if (s.sheet !== e.sheet) continue;
      const r1 = Math.min(s.row, e.row);
      const r2 = Math.max(s.row, e.row);
      const c1 = Math.min(s.col, e.col);
      const c2 = Math.max(s.col, e.col);
      if (r1 === r2 && c1 === c2) continue;
      const f = state.formulaAddress;
      const row = r1 === r2 ? r1 : f.row;
      const col = c1 === c2 ? c1 : f.col;
      const inside = f.sheet === s.sheet && row >= r1 && row <= r2 && col >= c1 && col <= c2;
      args[i] = inside
        ? Ast.buildCellReferenceAst(CellAddress.absolute(col, row, s.sheet))
        : Ast.buildCellErrorAst(err('VALUE', 'no implicit intersection'));
      changed = true;
    }
    return changed ? { ...ast, args } : ast;
  }
  const criteriaPositions = {
    COUNTIF: () => [1],
    SUMIF: () => [1],
    AVERAGEIF: () => [1],
    COUNTIFS: (n) => Array.from({ length: Math.floor(n / 2) }, (_, k) => 2 * k + 1),
    SUMIFS: (n) => Array.from({ length: Math.floor((n - 1) / 2) }, (_, k) => 2 * k + 2),
    AVERAGEIFS: (n) => Array.from({ length: Math.floor((n - 1) / 2) }, (_, k) => 2 * k + 2),
    MAXIFS: (n) => Array.from({ length: Math.floor((n - 1) / 2) }, (_, k) => 2 * k + 2),
    MINIFS: (n) => Array.from({ length: Math.floor((n - 1) / 2) }, (_, k) => 2 * k + 2),
  };
  for (const [id, positions] of Object.entries(criteriaPositions)) {
    add(wrapFunction(hfModule, id, function criteria(ast0, state, base) {
      const ast = intersectCriteria(this, ast0, state, positions((ast0.args || []).length));
      const args = ast.args || [];
      if ((id !== 'SUMIF' && id !== 'AVERAGEIF') || args.length !== 3 || !given(args[2])) {
        return base(ast, state);
      }
      const target = refShape(args[2], state);
      if (!target) return base(ast, state);
      const range = this.evaluateAst(args[0], state);
      if (!isRange(range)) return base(ast, state);
      const h = range.height();
      const w = range.width();
      if (h === target.h && w === target.w) return base(ast, state);
      const topLeft = refTopLeft(unparen(args[2]), state);
      const offset = Ast.buildProcedureAst('XL.OFFSET', [
        topLeft, Ast.buildNumberAst(0), Ast.buildNumberAst(0), Ast.buildNumberAst(h), Ast.buildNumberAst(w),
      ]);
      return this.evaluateAst({ ...ast, args: [args[0], args[1], offset] }, state);
    }));
  }
  /** The top-left cell of a reference AST (a range may be written bottom-right first). */
  function refTopLeft(a, state) {
    if (a.type === 'CELL_REFERENCE') return a;
    const s = a.start.toSimpleCellAddress(state.formulaAddress);
    const e = a.end.toSimpleCellAddress(state.formulaAddress);
    return Ast.buildCellReferenceAst(
      CellAddress.absolute(Math.min(s.col, e.col), Math.min(s.row, e.row), s.sheet));
  }

  // ---- DATE: the year month carries to must not pass 9999 ------------------------------------
  add(wrapFunction(hfModule, 'DATE', function yearPast9999(ast, state, base) {
    const got = base(ast, state);
    if (isError(got) || (ast.args || []).length < 2) return got;
    const nums = [];
    for (const a of ast.args.slice(0, 2)) {
      const v = this.evaluateAst(a, state);
      if (isRange(v)) return got;
      const n = raw(this.coerceScalarToNumberOrError(raw(v)));
      if (typeof n !== 'number') return got;
      nums.push(Math.trunc(n));
    }
    let [y, m] = nums;
    if (y >= 0 && y < 1900) y += 1900;
    if (y + Math.floor((m - 1) / 12) > 9999) return err('NUM', 'DATE: year past 9999');
    return got;
  }));

  // ---- HYPERLINK: a friendly name read from an empty cell is 0 -------------------------------
  add(wrapFunction(hfModule, 'HYPERLINK', function emptyName(ast, state, base) {
    const got = base(ast, state);
    const args = ast.args || [];
    const a = unparen(args[1]);
    if (!a || a.type !== 'CELL_REFERENCE' || isError(got)) return got;
    const v = this.evaluateAst(a, state);
    return isEmpty(raw(v)) ? 0 : got;
  }));

  // ---- PROB with no number in prob_range -----------------------------------------------------
  add(wrapFunction(hfModule, 'PROB', function noProbabilities(ast, state, base) {
    const got = base(ast, state);
    if (!isError(got) || raw(got).type !== 'NUM' || (ast.args || []).length < 2) return got;
    const ps = flatten(this.evaluateAst(ast.args[1], state));
    if (ps.some(isError)) return got;
    return ps.some((p) => typeof raw(p) === 'number') ? got : err('DIV_BY_ZERO', 'PROB: no probabilities');
  }));

  // ---- VLOOKUP / HLOOKUP: not found comes before an index below 1 ----------------------------
  for (const id of ['VLOOKUP', 'HLOOKUP']) {
    add(wrapFunction(hfModule, id, function notFoundFirst(ast, state, base) {
      const got = base(ast, state);
      const args = ast.args || [];
      if (!isError(got) || raw(got).type !== 'VALUE' || args.length < 3) return got;
      const idx = this.evaluateAst(args[2], state);
      if (isRange(idx)) return got;
      const n = raw(this.coerceScalarToNumberOrError(raw(idx)));
      if (typeof n !== 'number' || Math.trunc(n) >= 1) return got;
      const probe = base({ ...ast, args: [args[0], args[1], Ast.buildNumberAst(1), ...args.slice(3)] }, state);
      return isError(probe) && raw(probe).type === 'NA' ? probe : got;
    }));
  }

  // ---- GAMMA.INV for tiny probabilities ------------------------------------------------------
  for (const id of ['GAMMA.INV', 'GAMMAINV']) {
    add(wrapFunction(hfModule, id, function tinyProbability(ast, state, base) {
      const got = base(ast, state);
      if (typeof raw(got) !== 'number' || (ast.args || []).length !== 3) return got;
      const vals = ast.args.map((a) => raw(this.evaluateAst(a, state)));
      if (vals.some((v) => typeof v !== 'number')) return got;
      const [p, alpha, beta] = vals;
      if (!(p > 0 && p < 1 && alpha > 0 && beta > 0)) return got;
      const x = raw(got);
      const lp = logLowerGamma(alpha, x / beta);
      if (Math.abs(lp - Math.log(p)) <= 1e-10 * Math.max(1, Math.abs(Math.log(p)))) return got;
      const q = gammaQuantile(p, alpha);
      return q > 1e-300 && Number.isFinite(q) ? q * beta : got;
    }));
  }

  add(wrapFunction(hfModule, 'DATEVALUE', function before1900(ast, state, base) {
    const got = base(ast, state);
    if (typeof raw(got) !== 'number' || (ast.args || []).length !== 1) return got;
    const v = raw(this.evaluateAst(ast.args[0], state));
    if (typeof v !== 'string') return got;
    const { dateTime } = this.dateTimeHelper.parseDateTimeFromConfigFormats(v);
    const early = dateTime && typeof dateTime.year === 'number' && dateTime.year < 1900;
    return early || raw(got) < 0 ? err('VALUE', 'DATEVALUE: a date before 1900') : got;
  }));

  // ---- database functions: a logical field is a column number --------------------------------
  for (const id of ['DAVERAGE', 'DCOUNT', 'DCOUNTA', 'DGET', 'DMAX', 'DMIN', 'DPRODUCT', 'DSTDEV',
    'DSTDEVP', 'DSUM', 'DVAR', 'DVARP']) {
    add(wrapFunction(hfModule, id, function logicalField(ast, state, base) {
      const args = ast.args || [];
      if (args.length !== 3 || !given(args[1])) return base(ast, state);
      const f = this.evaluateAst(args[1], state);
      if (isRange(f) || typeof raw(f) !== 'boolean') return base(ast, state);
      const field = Ast.buildNumberAst(raw(f) ? 1 : 0);
      return base({ ...ast, args: [args[0], field, args[2]] }, state);
    }));
  }

  // ---- XMATCH: ß equals ss outside wildcard and binary searches ------------------------------
  const fold = (s) => s.toLowerCase().replace(/ß/g, 'ss');
  add(wrapFunction(hfModule, 'XMATCH', function sharpS(ast, state, base) {
    const got = base(ast, state);
    const args = ast.args || [];
    if (args.length < 2 || args.length > 4 || isRange(got)) return got;
    if (isError(got) && raw(got).type !== 'NA') return got;
    const x = this.evaluateAst(args[0], state);
    if (isRange(x) || typeof raw(x) !== 'string' || !/ß|ss/i.test(raw(x))) return got;
    const mode = (i, dflt) => {
      if (!given(args[i])) return dflt;
      const v = this.evaluateAst(args[i], state);
      return isRange(v) ? undefined : raw(v);
    };
    const mm = mode(2, 0);
    const sm = mode(3, 1);
    if (![0, -1, 1].includes(mm) || ![1, -1].includes(sm)) return got;
    const where = this.evaluateAst(args[1], state);
    const values = flatten(where);
    const g = isRange(where) ? where.rawData() : [[raw(where)]];
    if (g.length > 1 && g[0].length > 1) return got;
    const key = fold(raw(x));
    const order = sm === 1 ? values.map((_, i) => i) : values.map((_, i) => values.length - 1 - i);
    for (const i of order) {
      const v = raw(values[i]);
      if (typeof v === 'string' && fold(v) === key) return i + 1;
    }
    return got;
  }));

  // ---- FREQUENCY with no number among the bins: one bin of 0 ---------------------------------
  const { fit } = makeArrayTools(hfModule);
  add(wrapFunction(hfModule, 'FREQUENCY', function noBins(ast, state, base) {
    const args = ast.args || [];
    if (args.length !== 2) return base(ast, state);
    const bins = flatten(this.evaluateAst(args[1], state)).map(raw);
    if (bins.some((b) => typeof b === 'number' || isError(b))) return base(ast, state);
    const data = flatten(this.evaluateAst(args[0], state)).map(raw);
    const bad = data.find(isError);
    if (bad) return bad;
    const nums = data.filter((v) => typeof v === 'number');
    const low = nums.filter((v) => v <= 0).length;
    return fit(this, ast, state, [[low], [nums.length - low]]);
  }));

  patchDateText(hfModule);
  return plugins;
}

/** Text read as a date outside 1900-01-01 (the epoch) .. 9999-12-31 is no date. */
function patchDateText() {
  const { DateTimeHelper } = hfInternal('DateTimeHelper.js');
  const P = DateTimeHelper.prototype;
  if (P.__xlDateRange) return;
  const original = P.dateStringToDateNumber;
  P.dateStringToDateNumber = function dateStringToDateNumber(text) {
    const got = original.call(this, text);
    if (!(got instanceof DateNumber || got instanceof DateTimeNumber)) return got; // a time alone
    const { dateTime } = this.parseDateTimeFromConfigFormats(text);
    if (dateTime && typeof dateTime.year === 'number' && dateTime.year < 1900) return undefined;
    const day = Math.floor(got.val);
    if (day < 0 || day > this.maxDateValue) return undefined;
    return got;
  };
  P.__xlDateRange = true;
}

module.exports = { register, finalize };
