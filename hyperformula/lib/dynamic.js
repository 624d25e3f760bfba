'use strict';
/*
 * Dynamic references: INDIRECT and OFFSET as Excel evaluates them, on HyperFormula 3.5.0.
 *
 * HyperFormula resolves references when it parses a formula: it has no INDIRECT, and it rewrites
 * OFFSET into a plain reference at parse time only when every argument is a constant (anything
 * else is a parse error). Here:
 *
 * 1. The parser keeps HyperFormula's static rewrite and turns every other OFFSET(...) into a call
 *    of XL.OFFSET, a function evaluated at run time (patch of handleOffsetHeuristic).
 * 2. INDIRECT and XL.OFFSET resolve their target when evaluated (resolveRef): A1 and R1C1 text,
 *    sheet-qualified (quoted) names, whole rows and columns, ranges, defined names, nesting
 *    (OFFSET(INDIRECT(...), ...)). As a value they give the target's value (a range where a
 *    function wants one; implicit intersection when a whole formula is a multi-cell reference).
 *    As a direct argument of another function they are replaced by the reference itself, so
 *    ROW, COLUMN, ROWS, ISREF, SUMIF... see a reference exactly as if it had been typed.
 * 3. The static dependencies omit the OFFSET anchor (only its address is used, as in Excel: an
 *    `=OFFSET(A5,-1,0)` in A5 is not circular), and the targets are recorded per formula vertex.
 * 4. settle(hf): HyperFormula orders evaluation by static dependencies, so a dynamic cell may have
 *    been computed before its target. Each recorded target becomes a graph edge (target -> cell),
 *    the cells that gained one are recomputed in one partial run (topological order, now with
 *    those edges; their dependents follow), and this repeats until no new target appears. An
 *    edge this module added is removed when the cell no longer resolves to that target.
 */

const path = require('path');

const INDIRECT = 'INDIRECT';
const OFFSET = 'XL.OFFSET';
// `X:Y` between computed references (INDEX(...):INDEX(...), INDIRECT(...):INDIRECT(...),
// Name:OFFSET(...)), which HyperFormula cannot parse: the pipeline writes it XL.RANGE(X, Y).
const RANGE = 'XL.RANGE';
// Functions whose arguments are evaluated lazily or passed through as values: a dynamic argument
// keeps its value semantics there (and an untaken branch resolves nothing).
const VALUE_PASSING = new Set(['IF', 'IFS', 'IFERROR', 'IFNA', 'CHOOSE', 'SWITCH', INDIRECT, OFFSET]);
const MAX_DEPTH = 32; // names resolving through names through INDIRECT ...
const DEFAULT_MAX_ROUNDS = 50;

let hf = null; // internals of the loaded hyperformula package, set by install()

function loadInternals(hfMain) {
  const dir = path.dirname(hfMain);
  const req = (p) => require(path.join(dir, p));
  const ranges = req('AbsoluteCellRange.js');
  return {
    Interpreter: req('interpreter/Interpreter.js').Interpreter,
    FormulaParser: req('parser/FormulaParser.js').FormulaParser,
    Ast: req('parser/Ast.js'),
    parserIndex: req('parser/index.js'),
    CellAddress: req('parser/CellAddress.js').CellAddress,
    ColumnAddress: req('parser/ColumnAddress.js').ColumnAddress,
    RowAddress: req('parser/RowAddress.js').RowAddress,
    AbsoluteCellRange: ranges.AbsoluteCellRange,
    AbsoluteColumnRange: ranges.AbsoluteColumnRange,
    AbsoluteRowRange: ranges.AbsoluteRowRange,
    Cell: req('Cell.js'),
    SimpleRangeValue: req('SimpleRangeValue.js').SimpleRangeValue,
    arith: req('interpreter/ArithmeticHelper.js'),
    values: req('interpreter/InterpreterValue.js'),
    vertices: req('DependencyGraph/FormulaVertex.js'),
    InterpreterState: req('interpreter/InterpreterState.js').InterpreterState,
    ArraySize: req('ArraySize.js'),
    Evaluator: req('Evaluator.js').Evaluator,
  };
}

// ---------------------------------------------------------------------------------------------
// references: {sheet, r1, c1, r2, c2} (0-based, inclusive) or a CellError

function refError(message) {
  return new hf.Cell.CellError(hf.Cell.ErrorType.REF, message);
}

function isError(v) {
  return v instanceof hf.Cell.CellError;
}

function limits(interp) {
  return { rows: interp.config.maxRows, cols: interp.config.maxColumns };
}

function rangeRef(range) {
  return { sheet: range.start.sheet, r1: range.start.row, c1: range.start.col, r2: range.end.row, c2: range.end.col };
}

function isDynamicCall(ast) {
  let a = ast;
  while (a.type === hf.Ast.AstNodeType.PARENTHESIS) a = a.expression;
  return (
    a.type === hf.Ast.AstNodeType.FUNCTION_CALL &&
    (a.procedureName === INDIRECT || a.procedureName === OFFSET || a.procedureName === RANGE)
  );
}

/** The reference an AST stands for (a cell, range, name, INDIRECT or OFFSET), or a CellError. */
function resolveRef(interp, ast, state, depth) {
  if (depth > MAX_DEPTH) return refError('reference nested too deeply');
  const T = hf.Ast.AstNodeType;
  const base = state.formulaAddress;
  switch (ast.type) {
    case T.PARENTHESIS:
      return resolveRef(interp, ast.expression, state, depth);
    case T.CELL_REFERENCE: {
      const a = ast.reference.toSimpleCellAddress(base);
      if (hf.Cell.isColOrRowInvalid(a) || !interp.isSheetValid(ast.reference)) return refError();
      return { sheet: a.sheet, r1: a.row, c1: a.col, r2: a.row, c2: a.col };
    }
    case T.CELL_RANGE:
    case T.COLUMN_RANGE:
    case T.ROW_RANGE: {
      if (!interp.isSheetValid(ast.start) || !interp.isSheetValid(ast.end)) return refError();
      if (ast.start.sheet !== ast.end.sheet) return refError();
      let range;
      if (ast.type === T.CELL_RANGE) range = hf.AbsoluteCellRange.fromCellRange(ast, base);
      else if (ast.type === T.COLUMN_RANGE) range = hf.AbsoluteColumnRange.fromColumnRange(ast, base);
      else range = hf.AbsoluteRowRange.fromRowRangeAst(ast, base);
      const ref = rangeRef(range);
      const lim = limits(interp);
      if (ast.type === T.COLUMN_RANGE) {
        ref.r1 = 0;
        ref.r2 = lim.rows - 1;
      } else if (ast.type === T.ROW_RANGE) {
        ref.c1 = 0;
        ref.c2 = lim.cols - 1;
      }
      if (ref.r1 < 0 || ref.c1 < 0) return refError();
      return ref;
    }
    case T.NAMED_EXPRESSION:
      return resolveName(interp, ast.expressionName, base.sheet, state, depth + 1);
    case T.FUNCTION_CALL:
      if (ast.procedureName === INDIRECT) return indirectRef(interp, ast, state, depth + 1);
      if (ast.procedureName === OFFSET) return offsetRef(interp, ast, state, depth + 1);
      if (ast.procedureName === RANGE) return spanRef(interp, ast, state, depth + 1);
      if (ast.procedureName === 'INDEX') return indexRef(interp, ast, state, depth + 1);
      if (ast.procedureName === 'CHOOSE') return chooseRef(interp, ast, state, depth + 1);
      break;
    case T.ERROR:
    case T.ERROR_WITH_RAW_INPUT:
      return ast.error;
    default:
      break;
  }
  const v = interp.evaluateAst(ast, state);
  return isError(v) ? v : new hf.Cell.CellError(hf.Cell.ErrorType.VALUE, 'not a reference');
}

function resolveName(interp, name, sheet, state, depth) {
  const ne = interp.namedExpressions.nearestNamedExpression(name, sheet);
  if (!ne) return refError(`no name ${name}`);
  const dg = interp.dependencyGraph;
  const vertex = dg.addressMapping.getCell(ne.address);
  if (!(vertex instanceof hf.vertices.FormulaVertex)) return refError(`${name} is not a reference`);
  const ast = vertex.getFormula(dg.lazilyTransformingAstService);
  const inner = new hf.InterpreterState(ne.address, state.arraysFlag, state.formulaVertex);
  inner.xlCaller = state.xlCaller || state.formulaAddress; // INDIRECT("A1") in a name: caller's sheet
  return resolveRef(interp, ast, inner, depth);
}

/** A scalar argument: implicit intersection for a range, errors returned as they are. */
function scalarArg(interp, ast, state) {
  if (ast.type === hf.Ast.AstNodeType.EMPTY) return hf.values.EmptyValue;
  let v = interp.evaluateAst(ast, state);
  if (v instanceof hf.SimpleRangeValue) {
    v = hf.arith.coerceRangeToScalar(v, state);
    if (v === undefined) return new hf.Cell.CellError(hf.Cell.ErrorType.VALUE, 'no intersection');
  }
  return v;
}

function integerArg(interp, ast, state) {
  const v = scalarArg(interp, ast, state);
  if (isError(v)) return v;
  const n = interp.arithmeticHelper.coerceScalarToNumberOrError(v);
  if (isError(n)) return n;
  return Math.trunc(hf.values.getRawValue(n));
}

// ---- INDIRECT ---------------------------------------------------------------------------------

const A1_CELL = /^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$/;
const A1_COLS = /^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$/;
const A1_ROWS = /^\$?([0-9]{1,7}):\$?([0-9]{1,7})$/;
const R1C1_PART = /^(?:([Rr])(\[-?[0-9]+\]|[0-9]+)?)?(?:([Cc])(\[-?[0-9]+\]|[0-9]+)?)?$/;

function columnNumber(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** Split `'My Sheet'!A1` / `Sheet1!A1` / `A1` into [sheet name or null, rest]; null if malformed. */
function splitSheet(text) {
  if (text.startsWith("'")) {
    let i = 1;
    let name = '';
    while (i < text.length) {
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          name += "'";
          i += 2;
          continue;
        }
        break;
      }
      name += text[i++];
    }
    if (text[i] !== "'" || text[i + 1] !== '!') return null;
    return [name, text.slice(i + 2)];
  }
  const bang = text.lastIndexOf('!');
  if (bang < 0) return [null, text];
  return [text.slice(0, bang), text.slice(bang + 1)];
}

function parseA1(rest, lim) {
  const parts = rest.split(':');
  if (parts.length === 1) {
    const m = A1_CELL.exec(rest);
    if (!m) return null;
    const c = columnNumber(m[1]) - 1;
    const r = Number(m[2]) - 1;
    return { r1: r, c1: c, r2: r, c2: c };
  }
  if (parts.length !== 2) return null;
  let m = A1_COLS.exec(rest);
  if (m) {
    const a = columnNumber(m[1]) - 1;
    const b = columnNumber(m[2]) - 1;
    return { r1: 0, c1: Math.min(a, b), r2: lim.rows - 1, c2: Math.max(a, b) };
  }
  m = A1_ROWS.exec(rest);
  if (m) {
    const a = Number(m[1]) - 1;
    const b = Number(m[2]) - 1;
    return { r1: Math.min(a, b), c1: 0, r2: Math.max(a, b), c2: lim.cols - 1 };
  }
  const p = A1_CELL.exec(parts[0]);
  const q = A1_CELL.exec(parts[1]);
  if (!p || !q) return null;
  const [c1, c2] = [columnNumber(p[1]) - 1, columnNumber(q[1]) - 1];
  const [r1, r2] = [Number(p[2]) - 1, Number(q[2]) - 1];
  return { r1: Math.min(r1, r2), c1: Math.min(c1, c2), r2: Math.max(r1, r2), c2: Math.max(c1, c2) };
}

function r1c1Part(text, base) {
  const m = R1C1_PART.exec(text);
  if (!m || (!m[1] && !m[3])) return null;
  const coord = (letter, spec, here) => {
    if (!letter) return undefined;
    if (spec === undefined) return here;
    if (spec[0] === '[') return here + Number(spec.slice(1, -1));
    return Number(spec) - 1;
  };
  return { row: coord(m[1], m[2], base.row), col: coord(m[3], m[4], base.col) };
}

function parseR1C1(rest, base, lim) {
  const parts = rest.split(':');
  if (parts.length > 2) return null;
  const ends = parts.map((p) => r1c1Part(p, base));
  if (ends.some((e) => e === null)) return null;
  const [a, b] = [ends[0], ends[ends.length - 1]];
  const rowsOnly = (e) => e.col === undefined;
  const colsOnly = (e) => e.row === undefined;
  if (rowsOnly(a) && rowsOnly(b)) {
    return { r1: Math.min(a.row, b.row), c1: 0, r2: Math.max(a.row, b.row), c2: lim.cols - 1 };
  }
  if (colsOnly(a) && colsOnly(b)) {
    return { r1: 0, c1: Math.min(a.col, b.col), r2: lim.rows - 1, c2: Math.max(a.col, b.col) };
  }
  if (rowsOnly(a) || rowsOnly(b) || colsOnly(a) || colsOnly(b)) return null;
  return {
    r1: Math.min(a.row, b.row),
    c1: Math.min(a.col, b.col),
    r2: Math.max(a.row, b.row),
    c2: Math.max(a.col, b.col),
  };
}

function indirectRef(interp, ast, state, depth) {
  const args = ast.args;
  if (args.length < 1 || args.length > 2) {
    return new hf.Cell.CellError(hf.Cell.ErrorType.NA, 'INDIRECT takes 1 or 2 arguments');
  }
  const v = scalarArg(interp, args[0], state);
  if (isError(v)) return v;
  if (typeof v !== 'string') return refError('INDIRECT needs a text');
  let a1 = true;
  if (args.length > 1) {
    const f = scalarArg(interp, args[1], state);
    if (isError(f)) return f;
    const b = hf.arith.coerceScalarToBoolean(f === hf.values.EmptyValue ? false : f);
    if (isError(b)) return b;
    if (b === undefined) return new hf.Cell.CellError(hf.Cell.ErrorType.VALUE, 'a1 must be logical');
    a1 = b;
  }
  return parseReferenceText(interp, v, a1, state, depth);
}

function parseReferenceText(interp, text, a1, state, depth) {
  const lim = limits(interp);
  const caller = state.xlCaller || state.formulaAddress;
  if (text === '' || text.includes('[') && /^'?\[/.test(text)) return refError('external or empty');
  // A structured reference to one of the workbook's tables (functions/fixf_tables.js).
  const table = globalThis.__xlimportTableRef && globalThis.__xlimportTableRef(interp, text, caller, refError);
  if (table !== undefined) return table;
  const split = splitSheet(text);
  if (split === null) return refError();
  const [sheetName, rest] = split;
  let sheet = caller.sheet;
  if (sheetName !== null) {
    if (sheetName === '' || sheetName.includes('[')) return refError('external reference');
    sheet = interp.dependencyGraph.sheetMapping.getSheetId(sheetName);
    if (sheet === undefined) return refError(`no sheet ${sheetName}`);
  }
  const box = a1 ? parseA1(rest, lim) : parseR1C1(rest, caller, lim);
  if (box === null) {
    if (!/^[A-Za-z_\\][\w.\\?]*$/.test(rest)) return refError(`not a reference: ${text}`);
    return resolveName(interp, rest, sheet, state, depth + 1);
  }
  if (box.r1 < 0 || box.c1 < 0 || box.r2 >= lim.rows || box.c2 >= lim.cols) return refError();
  if (sheet < 0) return refError('no sheet for the reference');
  return { sheet, ...box };
}

// ---- OFFSET -----------------------------------------------------------------------------------

function offsetRef(interp, ast, state, depth) {
  const args = ast.args;
  if (args.length < 3 || args.length > 5) {
    return new hf.Cell.CellError(hf.Cell.ErrorType.NA, 'OFFSET takes 3 to 5 arguments');
  }
  const base = resolveRef(interp, args[0], state, depth);
  if (isError(base)) return base;
  const rows = integerArg(interp, args[1], state);
  if (isError(rows)) return rows;
  const cols = integerArg(interp, args[2], state);
  if (isError(cols)) return cols;
  const size = (i, whole) => {
    if (args.length <= i || args[i].type === hf.Ast.AstNodeType.EMPTY) return whole;
    const v = scalarArg(interp, args[i], state);
    if (isError(v)) return v;
    const n = interp.arithmeticHelper.coerceScalarToNumberOrError(v);
    if (isError(n)) return n;
    // Excel truncates sizes, except that a size between 0 and 1 (either sign) counts as 1.
    const x = hf.values.getRawValue(n);
    const t = Math.trunc(x);
    return t === 0 && x !== 0 ? Math.sign(x) : t;
  };
  const height = size(3, base.r2 - base.r1 + 1);
  if (isError(height)) return height;
  const width = size(4, base.c2 - base.c1 + 1);
  if (isError(width)) return width;
  if (height === 0 || width === 0) return refError('OFFSET with zero height or width');
  const r0 = base.r1 + rows;
  const c0 = base.c1 + cols;
  // A negative height or width extends up or left from the moved corner (Excel accepts it).
  const ref = {
    sheet: base.sheet,
    r1: height > 0 ? r0 : r0 + height + 1,
    r2: height > 0 ? r0 + height - 1 : r0,
    c1: width > 0 ? c0 : c0 + width + 1,
    c2: width > 0 ? c0 + width - 1 : c0,
  };
  const lim = limits(interp);
  if (ref.r1 < 0 || ref.c1 < 0 || ref.r2 >= lim.rows || ref.c2 >= lim.cols) {
    return refError('OFFSET outside the sheet');
  }
  return ref;
}

// ---- references given by INDEX, CHOOSE and the range operator -------------------------------

/** INDEX(reference, row_num, [column_num], [area_num]) as a reference (Microsoft: "INDEX
 * function", reference form): row_num or column_num 0 is the whole column or row; a
 * one-row reference with one number takes it as the column; outside the reference is #REF!. */
function indexRef(interp, ast, state, depth) {
  const args = ast.args;
  if (args.length < 2 || args.length > 4) {
    return new hf.Cell.CellError(hf.Cell.ErrorType.NA, 'INDEX takes 2 to 4 arguments');
  }
  const base = resolveRef(interp, args[0], state, depth);
  if (isError(base)) return base;
  const num = (i) => (args.length <= i || args[i].type === hf.Ast.AstNodeType.EMPTY ? 0 : integerArg(interp, args[i], state));
  let row = num(1);
  if (isError(row)) return row;
  let col = num(2);
  if (isError(col)) return col;
  const area = args.length > 3 ? num(3) : 1;
  if (isError(area)) return area;
  if (area !== 1) return refError('INDEX area_num past the areas');
  const height = base.r2 - base.r1 + 1;
  const width = base.c2 - base.c1 + 1;
  if (args.length === 2 && height === 1 && width > 1) {
    col = row;
    row = 0;
  }
  if (row < 0 || col < 0) return new hf.Cell.CellError(hf.Cell.ErrorType.VALUE, 'INDEX of a negative position');
  if (row > height || col > width) return refError('INDEX outside the reference');
  return {
    sheet: base.sheet,
    r1: row === 0 ? base.r1 : base.r1 + row - 1,
    r2: row === 0 ? base.r2 : base.r1 + row - 1,
    c1: col === 0 ? base.c1 : base.c1 + col - 1,
    c2: col === 0 ? base.c2 : base.c1 + col - 1,
  };
}

/** CHOOSE(index_num, ref1, ...) as a reference: the chosen one (index truncated; outside the
 * list #VALUE!). */
function chooseRef(interp, ast, state, depth) {
  const args = ast.args;
  if (args.length < 2) return new hf.Cell.CellError(hf.Cell.ErrorType.NA, 'CHOOSE takes 2 or more arguments');
  const i = integerArg(interp, args[0], state);
  if (isError(i)) return i;
  if (i < 1 || i >= args.length) return new hf.Cell.CellError(hf.Cell.ErrorType.VALUE, 'CHOOSE index out of range');
  return resolveRef(interp, args[i], state, depth);
}

/** XL.RANGE(X, Y), the range operator between two references: the smallest range holding
 * both (Microsoft: "Calculation operators and precedence", reference operators); on two
 * different sheets #VALUE!. */
function spanRef(interp, ast, state, depth) {
  if (ast.args.length !== 2) return new hf.Cell.CellError(hf.Cell.ErrorType.NA, 'range operator of two references');
  const a = resolveRef(interp, ast.args[0], state, depth);
  if (isError(a)) return a;
  const b = resolveRef(interp, ast.args[1], state, depth);
  if (isError(b)) return b;
  if (a.sheet !== b.sheet) return new hf.Cell.CellError(hf.Cell.ErrorType.VALUE, 'range operator across sheets');
  return {
    sheet: a.sheet,
    r1: Math.min(a.r1, b.r1),
    c1: Math.min(a.c1, b.c1),
    r2: Math.max(a.r2, b.r2),
    c2: Math.max(a.c2, b.c2),
  };
}

// ---------------------------------------------------------------------------------------------
// references as ASTs and values

function refAst(interp, ref) {
  const lim = limits(interp);
  const A = hf.Ast;
  if (ref.r1 === ref.r2 && ref.c1 === ref.c2) {
    return A.buildCellReferenceAst(hf.CellAddress.absolute(ref.c1, ref.r1, ref.sheet));
  }
  if (ref.r1 === 0 && ref.r2 === lim.rows - 1) {
    return A.buildColumnRangeAst(
      hf.ColumnAddress.absolute(ref.c1, ref.sheet),
      hf.ColumnAddress.absolute(ref.c2, ref.sheet),
      A.RangeSheetReferenceType.BOTH_ABSOLUTE,
    );
  }
  if (ref.c1 === 0 && ref.c2 === lim.cols - 1) {
    return A.buildRowRangeAst(
      hf.RowAddress.absolute(ref.r1, ref.sheet),
      hf.RowAddress.absolute(ref.r2, ref.sheet),
      A.RangeSheetReferenceType.BOTH_ABSOLUTE,
    );
  }
  return A.buildCellRangeAst(
    hf.CellAddress.absolute(ref.c1, ref.r1, ref.sheet),
    hf.CellAddress.absolute(ref.c2, ref.r2, ref.sheet),
    A.RangeSheetReferenceType.BOTH_ABSOLUTE,
  );
}

/** Resolve a dynamic call and record its target for the formula being evaluated (unless only
 * its address is used, as by ROW or COLUMN: then the target is no precedent). */
function resolveAndRecord(interp, ast, state, valueNeeded = true) {
  const ref = resolveRef(interp, ast, state, 0);
  if (valueNeeded && !isError(ref)) record(interp.dependencyGraph, state.formulaVertex, ref);
  return ref;
}

/** INDIRECT / XL.OFFSET evaluated for their value. */
function dynamicValue(interp, ast, state) {
  const ref = resolveAndRecord(interp, ast, state);
  if (isError(ref)) return ref;
  const dg = interp.dependencyGraph;
  if (ref.r1 === ref.r2 && ref.c1 === ref.c2) {
    const address = hf.Cell.simpleCellAddress(ref.sheet, ref.c1, ref.r1);
    const vertex = dg.addressMapping.getCell(address);
    if (vertex instanceof hf.vertices.FormulaVertex && !vertex.isComputed()) {
      // evaluated before its target: settle() computes it again in the right order
      return new hf.Cell.CellError(hf.Cell.ErrorType.NA, 'target not computed yet');
    }
    return dg.getCellValue(address);
  }
  const value = interp.evaluateAstWithoutPostprocessing(refAst(interp, ref), state);
  const vertex = state.formulaVertex;
  if (
    value instanceof hf.SimpleRangeValue &&
    vertex instanceof hf.vertices.ScalarFormulaVertex &&
    vertex.formula === ast &&
    state.formulaAddress.sheet >= 0
  ) {
    // A whole formula that is a multi-cell reference: Excel's implicit intersection.
    const v = hf.arith.coerceRangeToScalar(value, state);
    return v === undefined ? new hf.Cell.CellError(hf.Cell.ErrorType.VALUE, 'no intersection') : v;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// targets recorded per formula vertex, settle rounds

const registries = new WeakMap(); // DependencyGraph -> registry

function registryOf(dg) {
  let reg = registries.get(dg);
  if (reg === undefined) {
    // fresh: vertex -> refs resolved since the last settle; owned: vertex -> Map(key -> target
    // vertex) of edges this module added; latest: vertex -> refs of its last evaluation(s).
    reg = { fresh: new Map(), owned: new Map(), latest: new Map(), rounds: 0 };
    registries.set(dg, reg);
  }
  return reg;
}

function record(dg, vertex, ref) {
  if (vertex === undefined) return;
  const reg = registryOf(dg);
  let list = reg.fresh.get(vertex);
  if (list === undefined) {
    list = [];
    reg.fresh.set(vertex, list);
  }
  list.push(ref);
}

function refKey(ref) {
  return `${ref.sheet}:${ref.r1}:${ref.c1}:${ref.r2}:${ref.c2}`;
}

/** Make sure the edge target -> vertex exists; returns the target vertex if this call added it. */
function ensureEdge(dg, ref, vertex, lim) {
  const single = ref.r1 === ref.r2 && ref.c1 === ref.c2;
  if (single) {
    const address = hf.Cell.simpleCellAddress(ref.sheet, ref.c1, ref.r1);
    const target = dg.fetchCellOrCreateEmpty(address).vertex;
    if (dg.graph.existsEdge(target, vertex)) return null;
    dg.graph.addEdge(target, vertex);
    return target;
  }
  let range;
  if (ref.r1 === 0 && ref.r2 === lim.rows - 1) {
    range = new hf.AbsoluteColumnRange(ref.sheet, ref.c1, ref.c2);
  } else if (ref.c1 === 0 && ref.c2 === lim.cols - 1) {
    range = new hf.AbsoluteRowRange(ref.sheet, ref.r1, ref.r2);
  } else {
    range = hf.AbsoluteCellRange.fromCoordinates(ref.sheet, ref.c1, ref.r1, ref.c2, ref.r2);
  }
  const existing = dg.getRange(range.start, range.end);
  if (existing !== undefined && dg.graph.existsEdge(existing, vertex)) return null;
  dg.processCellDependencies([range], vertex);
  return dg.getRange(range.start, range.end) || null;
}

/**
 * Settle the dynamic references of `instance` (a HyperFormula): rounds of (add the edges of
 * newly seen targets, recompute the cells that gained one) until no new target appears.
 * Returns {rounds, recomputed, edges_added, edges_removed, cells, converged}.
 */
function settle(instance, maxRounds = DEFAULT_MAX_ROUNDS) {
  const dg = instance.dependencyGraph;
  const reg = registryOf(dg);
  const lim = { rows: instance.getConfig().maxRows, cols: instance.getConfig().maxColumns };
  const out = { rounds: 0, recomputed: 0, edges_added: 0, edges_removed: 0, converged: true };
  while (reg.fresh.size > 0) {
    const fresh = reg.fresh;
    reg.fresh = new Map();
    const recompute = [];
    for (const [vertex, refs] of fresh) {
      if (vertex.idInGraph === undefined) continue; // removed meanwhile
      reg.latest.set(vertex, refs);
      let owned = reg.owned.get(vertex);
      const keys = new Set();
      let gained = false;
      for (const ref of refs) {
        const key = refKey(ref);
        if (keys.has(key)) continue;
        keys.add(key);
        if (owned !== undefined && owned.has(key)) continue;
        const target = ensureEdge(dg, ref, vertex, lim);
        if (target === null) continue;
        if (owned === undefined) {
          owned = new Map();
          reg.owned.set(vertex, owned);
        }
        owned.set(key, target);
        out.edges_added++;
        gained = true;
      }
      if (owned !== undefined) {
        for (const [key, target] of owned) {
          if (keys.has(key)) continue;
          if (target.idInGraph !== undefined) dg.graph.removeEdgeIfExists(target, vertex);
          owned.delete(key);
          out.edges_removed++;
        }
      }
      if (gained) recompute.push(vertex);
    }
    if (recompute.length === 0) break;
    if (out.rounds >= maxRounds) {
      out.converged = false;
      break;
    }
    out.rounds++;
    out.recomputed += recompute.length;
    globalThis.__xlimportEpoch = (globalThis.__xlimportEpoch || 0) + 1; // values change now
    instance.evaluator.partialRun(recompute);
  }
  reg.rounds += out.rounds;
  out.cells = reg.latest.size;
  return out;
}

/** Per dynamic formula cell (names left out): [sheet id, row, col, [[sheet, r1, c1, r2, c2]...]]
 * (0-based), the targets of its latest evaluation. */
function targets(instance) {
  const dg = instance.dependencyGraph;
  const reg = registryOf(dg);
  const out = [];
  for (const [vertex, refs] of reg.latest) {
    if (vertex.idInGraph === undefined) continue;
    const a = vertex.getAddress(dg.lazilyTransformingAstService);
    if (a.sheet < 0) continue;
    const seen = new Set();
    const list = [];
    for (const r of refs) {
      const key = refKey(r);
      if (seen.has(key)) continue;
      seen.add(key);
      list.push([r.sheet, r.r1, r.c1, r.r2, r.c2]);
    }
    out.push([a.sheet, a.row, a.col, list]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// patches

function patchParser() {
  const P = hf.FormulaParser.prototype;
  if (P.__xlDynamic) return;
  const original = P.handleOffsetHeuristic;
  P.handleOffsetHeuristic = function handleOffsetHeuristic(args) {
    const ast = original.call(this, args);
    const err = this.customParsingError;
    if (
      ast.type === hf.Ast.AstNodeType.ERROR &&
      err !== undefined &&
      err.type === hf.Ast.ParsingErrorType.StaticOffsetError
    ) {
      this.customParsingError = undefined;
      return hf.Ast.buildProcedureAst(OFFSET, args);
    }
    // HyperFormula checks the static result against row and column 1 only.
    const T = hf.Ast.AstNodeType;
    const corner = ast.type === T.CELL_REFERENCE ? ast.reference : ast.type === T.CELL_RANGE ? ast.end : null;
    if (corner !== null && this.formulaAddress !== undefined) {
      const a = corner.toSimpleCellAddress(this.formulaAddress);
      if (a.col >= this.lexerConfig.maxColumns || a.row >= this.lexerConfig.maxRows) {
        return hf.Ast.buildCellErrorAst(refError('OFFSET outside the sheet'));
      }
    }
    return ast;
  };
  P.__xlDynamic = true;
}

/** HyperFormula's collectDependencies, except that OFFSET's first argument (whose address, not
 * value, is used) is no dependency. */
function patchDependencies() {
  const index = hf.parserIndex;
  if (index.collectDependencies.__xlDynamic) return;
  const T = hf.Ast.AstNodeType;
  const collect = (ast, registry, out, need) => {
    switch (ast.type) {
      case T.NAMED_EXPRESSION:
        if (need) out.push(new index.NamedExpressionDependency(ast.expressionName));
        return;
      case T.CELL_REFERENCE:
        if (need) out.push(new index.AddressDependency(ast.reference));
        return;
      case T.CELL_RANGE:
        if (need && ast.start.sheet === ast.end.sheet) out.push(new index.CellRangeDependency(ast.start, ast.end));
        return;
      case T.COLUMN_RANGE:
        if (need && ast.start.sheet === ast.end.sheet) out.push(new index.ColumnRangeDependency(ast.start, ast.end));
        return;
      case T.ROW_RANGE:
        if (need && ast.start.sheet === ast.end.sheet) out.push(new index.RowRangeDependency(ast.start, ast.end));
        return;
      case T.PERCENT_OP:
      case T.PLUS_UNARY_OP:
      case T.MINUS_UNARY_OP:
        collect(ast.value, registry, out, true);
        return;
      case T.CONCATENATE_OP:
      case T.EQUALS_OP:
      case T.NOT_EQUAL_OP:
      case T.LESS_THAN_OP:
      case T.GREATER_THAN_OP:
      case T.LESS_THAN_OR_EQUAL_OP:
      case T.GREATER_THAN_OR_EQUAL_OP:
      case T.MINUS_OP:
      case T.PLUS_OP:
      case T.TIMES_OP:
      case T.DIV_OP:
      case T.POWER_OP:
        collect(ast.left, registry, out, true);
        collect(ast.right, registry, out, true);
        return;
      case T.PARENTHESIS:
        collect(ast.expression, registry, out, need);
        return;
      case T.FUNCTION_CALL: {
        if (ast.procedureName === RANGE) {
          // the operands are references: only the values that place them are precedents (the
          // range they span is recorded when evaluated)
          ast.args.forEach((arg) => collectOperand(arg, registry, out));
          return;
        }
        const fnNeed = !registry.doesFunctionNeedArgumentToBeComputed(ast.procedureName);
        const anchorFree = ast.procedureName === OFFSET;
        ast.args.forEach((arg, i) => collect(arg, registry, out, anchorFree && i === 0 ? false : fnNeed));
        return;
      }
      default:
        return;
    }
  };
  const collectOperand = (ast, registry, out) => {
    switch (ast.type) {
      case T.PARENTHESIS:
        collectOperand(ast.expression, registry, out);
        return;
      case T.CELL_REFERENCE:
      case T.CELL_RANGE:
      case T.COLUMN_RANGE:
      case T.ROW_RANGE:
      case T.NAMED_EXPRESSION:
        return;
      case T.FUNCTION_CALL:
        if (ast.procedureName === 'INDEX' || ast.procedureName === OFFSET || ast.procedureName === RANGE) {
          ast.args.forEach((arg, i) => (i === 0 || ast.procedureName === RANGE ? collectOperand(arg, registry, out) : collect(arg, registry, out, true)));
          return;
        }
        if (ast.procedureName === 'CHOOSE') {
          ast.args.forEach((arg, i) => (i === 0 ? collect(arg, registry, out, true) : collectOperand(arg, registry, out)));
          return;
        }
        collect(ast, registry, out, true);
        return;
      default:
        collect(ast, registry, out, true);
    }
  };
  const collectDependencies = (ast, registry) => {
    const result = [];
    collect(ast, registry, result, true);
    return result;
  };
  collectDependencies.__xlDynamic = true;
  index.collectDependencies = collectDependencies;
}

/** CHOOSE whose choices are all references (ranges, cells, names, dynamic calls). */
function isChooseOfRefs(ast) {
  if (ast.type !== hf.Ast.AstNodeType.FUNCTION_CALL || ast.procedureName !== 'CHOOSE' || ast.args.length < 2) {
    return false;
  }
  const T = hf.Ast.AstNodeType;
  const refShaped = (a) => {
    while (a.type === T.PARENTHESIS) a = a.expression;
    return (
      a.type === T.CELL_RANGE || a.type === T.COLUMN_RANGE || a.type === T.ROW_RANGE ||
      a.type === T.CELL_REFERENCE || isDynamicCall(a)
    );
  };
  // at least one multi-cell choice: a CHOOSE of single cells is a value as it stands
  return ast.args.slice(1).every(refShaped) && ast.args.slice(1).some((a) => a.type !== T.CELL_REFERENCE);
}

/** Dynamic calls passed straight to another function become the reference they resolve to. */
function patchInterpreter() {
  const P = hf.Interpreter.prototype;
  if (P.__xlDynamic) return;
  const original = P.evaluateAstWithoutPostprocessing;
  const CALL = hf.Ast.AstNodeType.FUNCTION_CALL;
  P.evaluateAstWithoutPostprocessing = function evaluateAstWithoutPostprocessing(ast, state) {
    if (ast.type === CALL) {
      let flag = ast.__xlDynArgs;
      if (flag === undefined) {
        flag = !VALUE_PASSING.has(ast.procedureName) && ast.args.some((a) => isDynamicCall(a) || isChooseOfRefs(a));
        Object.defineProperty(ast, '__xlDynArgs', { value: flag, enumerable: false });
      }
      if (flag) {
        const needed = !this.functionRegistry.doesFunctionNeedArgumentToBeComputed(ast.procedureName);
        const args = ast.args.map((arg) => {
          if (isChooseOfRefs(arg)) {
            // CHOOSE(k, ref1, ref2, ...) with a single index: the reference chosen (Microsoft:
            // "CHOOSE function", SUM(CHOOSE(2,A1:A10,B1:B10))); an array index keeps CHOOSE's value.
            const index = this.evaluateAst(arg.args[0], state);
            if (index instanceof hf.SimpleRangeValue) return arg;
            const ref = resolveRef(this, arg, state, 0);
            return isError(ref) ? hf.Ast.buildCellErrorAst(ref) : refAst(this, ref);
          }
          if (!isDynamicCall(arg)) return arg;
          const ref = resolveAndRecord(this, arg, state, needed);
          return isError(ref) ? hf.Ast.buildCellErrorAst(ref) : refAst(this, ref);
        });
        return original.call(this, { ...ast, args }, state);
      }
    }
    return original.call(this, ast, state);
  };
  P.__xlDynamic = true;
}

/**
 * Legacy (non-array) formulas whose result is an array. The pipeline sends every array formula
 * Excel recorded (CSE, and the dynamic-array formulas Excel 365 writes as `t="array"` with their
 * spill range) with its range (`__xlimportArrayRefs`, engine.js); any other formula in a cell is
 * an ordinary one, which in Excel holds one value: the top-left element of an array result, the
 * implicit intersection of a reference (Microsoft: "Implicit intersection operator: @"; Excel
 * 365 shows such a formula as `=@...`). HyperFormula would spill it (or give #SPILL!) instead:
 * its predicted size is made 1x1 and a range value taken down to one value.
 */
function patchLegacyArrays() {
  const P = hf.ArraySize.ArraySizePredictor.prototype;
  if (P.__xlLegacy) return;
  const checkArraySize = P.checkArraySize;
  P.checkArraySize = function legacyCheckArraySize(ast, address) {
    const size = checkArraySize.call(this, ast, address);
    if (size.isScalar() || address === undefined || address.sheet < 0) return size;
    const refs = globalThis.__xlimportArrayRefs;
    if (refs !== undefined && refs.has(`${address.sheet}:${address.row}:${address.col}`)) return size;
    return hf.ArraySize.ArraySize.scalar();
  };
  P.__xlLegacy = true;
  const E = hf.Evaluator.prototype;
  const recompute = E.recomputeFormulaVertexValue;
  E.recomputeFormulaVertexValue = function legacyRecompute(vertex) {
    const value = recompute.call(this, vertex);
    if (!(value instanceof hf.SimpleRangeValue) || !(vertex instanceof hf.vertices.ScalarFormulaVertex)) {
      return value;
    }
    const address = vertex.getAddress(this.lazilyTransformingAstService);
    if (address.sheet < 0) return value; // a named expression keeps its range
    let v = hf.arith.coerceRangeToScalar(value, { formulaAddress: address });
    if (v === undefined) v = new hf.Cell.CellError(hf.Cell.ErrorType.VALUE, 'no intersection');
    else if (v === hf.values.EmptyValue && this.config.evaluateNullToZero) v = 0;
    return vertex.setCellValue(v);
  };
}

/** Install the patches (once per process). `hfMain` is require.resolve('hyperformula'). */
function install(hfMain) {
  if (hf === null) hf = loadInternals(hfMain);
  patchParser();
  patchDependencies();
  patchInterpreter();
  patchLegacyArrays();
}

module.exports = {
  install,
  settle,
  targets,
  dynamicValue,
  OFFSET,
  INDIRECT,
  RANGE,
};
