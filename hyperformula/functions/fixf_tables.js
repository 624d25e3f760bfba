'use strict';
/*
 * Structured references built as text for INDIRECT (Microsoft: "Using structured references
 * with Excel tables"): INDIRECT("Table1[Amount]") is the data body of the column Amount,
 * INDIRECT("Table1[#Totals]") the totals row, INDIRECT("Table1[[#Headers],[A]:[C]]") the header
 * cells of columns A to C, INDIRECT("Table1") the data body. Special items #All, #Data,
 * #Headers, #Totals and #This Row (or @: the caller's row); a missing column, an empty totals
 * or header row, or #This Row outside the data rows is #REF!. Names and column names are
 * case-insensitive; ' escapes [ ] # ' in a column name.
 *
 * The workbook's tables come with the load (`settings.tables`, engine.js puts them in
 * globalThis.__xlimportTables); lib/dynamic.js asks globalThis.__xlimportTableRef(interp, text,
 * caller) before reading a text as an A1 or R1C1 reference.
 */

const CELL = /^\$?([A-Za-z]{1,3})\$?(\d+)$/;

function columnNumber(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** {r1, c1, r2, c2} (0-based) of "A1:D10", or null. */
function box(ref) {
  const [a, b = a] = String(ref).split(':');
  const p = CELL.exec(a);
  const q = CELL.exec(b);
  if (!p || !q) return null;
  return {
    r1: Number(p[2]) - 1, c1: columnNumber(p[1]) - 1, r2: Number(q[2]) - 1, c2: columnNumber(q[1]) - 1,
  };
}

/** The items of a structured reference's brackets: ["#TOTALS", "col a", ...] and ":" between
 * a column range, or null when malformed. */
function items(inner) {
  const s = inner.trim();
  if (s === '') return [];
  if (!s.startsWith('[')) return [s.startsWith('#') ? s : unescape(s)];
  const out = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === ' ' || ch === ',') {
      i++;
      continue;
    }
    if (ch === ':') {
      out.push(':');
      i++;
      continue;
    }
    if (ch !== '[') return null;
    let j = i + 1;
    let item = '';
    while (j < s.length && s[j] !== ']') {
      if (s[j] === "'" && j + 1 < s.length) j++;
      item += s[j++];
    }
    if (j >= s.length) return null;
    out.push(item);
    i = j + 1;
  }
  return out;
}

function unescape(name) {
  return name.replace(/'(.)/g, '$1');
}

/** The reference a structured-reference text stands for: {sheet, r1, c1, r2, c2}, an Error
 * (as #REF!), or undefined when the text names no table. */
function tableRef(interp, text, caller, refError) {
  const tables = globalThis.__xlimportTables;
  if (!Array.isArray(tables) || tables.length === 0) return undefined;
  const m = /^\s*([^[\]'!]+?)\s*(?:\[(.*)\])?\s*$/s.exec(text);
  if (!m) return undefined;
  const upper = m[1].toUpperCase();
  const t = tables.find((x) => String(x.name).toUpperCase() === upper);
  if (!t) return undefined;
  const sheet = interp.dependencyGraph.sheetMapping.getSheetId(t.sheet);
  const b = box(t.ref);
  if (sheet === undefined || !b) return refError(`table ${t.name} not found`);
  const list = items(m[2] === undefined ? '' : m[2]);
  if (list === null) return refError(`malformed structured reference ${text}`);
  const dataR1 = b.r1 + (t.header_rows || 0);
  const dataR2 = b.r2 - (t.totals_rows || 0);
  const spans = {
    '#ALL': [b.r1, b.r2],
    '#DATA': [dataR1, dataR2],
    '#HEADERS': [b.r1, dataR1 - 1],
    '#TOTALS': [dataR2 + 1, b.r2],
  };
  const columns = (t.columns || []).map((c) => String(c).toUpperCase());
  const rows = [];
  const cols = [];
  let thisRow = false;
  for (const raw of list) {
    if (raw === ':') continue;
    const item = raw.trim();
    const special = item.startsWith('#') ? item.toUpperCase().split(/\s+/).join(' ') : null;
    if (special === '#THIS ROW' || item === '@') thisRow = true;
    else if (special) {
      if (!spans[special]) return refError(`unknown item ${item}`);
      rows.push(spans[special]);
    } else {
      const i = columns.indexOf(item.toUpperCase());
      if (i < 0) return refError(`no column ${item} in ${t.name}`);
      cols.push(i);
    }
  }
  let r1;
  let r2;
  if (thisRow) {
    if (rows.length || caller.sheet !== sheet || caller.row < dataR1 || caller.row > dataR2) {
      return refError('#This Row outside the table');
    }
    r1 = r2 = caller.row;
  } else if (rows.length) {
    r1 = Math.min(...rows.map((s) => s[0]));
    r2 = Math.max(...rows.map((s) => s[1]));
  } else {
    [r1, r2] = [dataR1, dataR2];
  }
  if (r1 > r2) return refError(`empty part of ${t.name}`);
  const c1 = cols.length ? b.c1 + Math.min(...cols) : b.c1;
  const c2 = cols.length ? b.c1 + Math.max(...cols) : b.c2;
  return { sheet, r1, c1, r2, c2 };
}

function register() {
  globalThis.__xlimportTableRef = tableRef;
}

module.exports = { register, tableRef };
