'use strict';
// One shared AST per formula shape.
//
// HyperFormula 3.5.0's ParserWithCaching.parse caches the AST of each formula shape (formulas
// that differ only by relative references share one hash), but on every cache hit it still runs
// convertReversedRangesToRegularRanges over the cached AST, which copies every inner node
// (Object.assign) even when no range needs reordering, and then collectDependencies over that
// copy. A model whose 1M formulas have a few thousand shapes thus allocates 1M private ASTs and
// dependency lists: memory and garbage collection time. The AST is relative (R0C0) and never
// mutated in place (transformations replace a vertex's AST), so HyperFormula's own cache paths
// (fetchCachedResult, formulas without inner nodes) already share one AST object among cells.
//
// This module makes the conversion copy-on-write: a node is copied only when a range below it
// really has reversed ends (e.g. B5:A1, or mixed absolute/relative ends whose order depends on
// the formula's address), exactly as HyperFormula copies it; otherwise the cached node itself is
// returned. When the whole AST comes back unchanged, the dependency list the cache entry computed
// from that same AST (with the same collectDependencies) is reused instead of a new walk.
// Results are identical: the same AST content and the same dependencies reach the graph.
//
// Second, the shape of a formula is found without the lexer when it can be proven equal to one
// lexed before. HyperFormula lexes every formula (chevrotain) and hashes its tokens, a cell
// reference as its R0C0 form relative to the formula's cell, every other token as its text, only
// to find the cached AST. `shapeKey` reads the text once: each maximal run of [A-Za-z0-9_.$] of
// the form $?L{1,3}$?D{1,7} (a cell reference within Excel's grid) not followed by "(" or "!"
// becomes its R0C0 form, everything else (strings, quoted sheet names, operators, names, numbers)
// stays as written; texts with "#", "[", "]", "\\", "@" or non-ASCII characters get no key. The
// first formula of a key goes through HyperFormula's lexer; its hash is kept for the key only if
// the tokens line up with the key (every run made relative is exactly the end of one
// CellReference token, no other token covers one, no ColumnRange/RowRange token, whose hash is
// relative too) and the parse succeeded. Formulas with that key then take that hash directly:
// two texts with one key differ only inside such runs, each of which the lexer (whose patterns
// see letters and digits only by class there: OFFSET and error literals cannot reach into them)
// takes as the same CellReference token with the same R0C0 hash, so HyperFormula would compute
// the same hash. Everything after the hash is HyperFormula's code.
const path = require('path');

const stats = { keyHits: 0, keysLexed: 0, mismatches: 0 };

function install(hfMain) {
  const dir = path.dirname(hfMain);
  const { ParserWithCaching } = require(path.join(dir, 'parser', 'ParserWithCaching.js'));
  const parserIndex = require(path.join(dir, 'parser', 'index.js'));
  const { AstNodeType: T, ParsingErrorType, buildParsingErrorAst } = require(path.join(dir, 'parser', 'Ast.js'));
  const LexerConfig = require(path.join(dir, 'parser', 'LexerConfig.js'));
  const P = ParserWithCaching.prototype;
  if (P.__xlParseCache || process.env.XLIMPORT_HF_PARSECACHE === '0') return;
  const originalConvert = P.convertReversedRangesToRegularRanges;

  const sameCell = (a, b) => a.col === b.col && a.row === b.row && a.type === b.type && a.sheet === b.sheet;
  const sameCol = (a, b) => a.col === b.col && a.type === b.type && a.sheet === b.sheet;
  const sameRow = (a, b) => a.row === b.row && a.type === b.type && a.sheet === b.sheet;

  /** HyperFormula's conversion, returning `ast` itself when nothing below it changes. */
  function convert(parser, ast) {
    switch (ast.type) {
      case T.CELL_RANGE: {
        const { start, end } = ast;
        // Same reference type at both ends, same sheet, already ordered: HF's sort keeps it.
        if (start.type === end.type && start.sheet === end.sheet && start.col <= end.col && start.row <= end.row) return ast;
        const o = parser.orderCellRangeEnds(start, end);
        if (sameCell(o.start, start) && sameCell(o.end, end)) return ast;
        return Object.assign(Object.assign({}, ast), { start: o.start, end: o.end });
      }
      case T.COLUMN_RANGE: {
        const { start, end } = ast;
        if (start.type === end.type && start.sheet === end.sheet && start.col <= end.col) return ast;
        const o = parser.orderColumnRangeEnds(start, end);
        if (sameCol(o.start, start) && sameCol(o.end, end)) return ast;
        return Object.assign(Object.assign({}, ast), { start: o.start, end: o.end });
      }
      case T.ROW_RANGE: {
        const { start, end } = ast;
        if (start.type === end.type && start.sheet === end.sheet && start.row <= end.row) return ast;
        const o = parser.orderRowRangeEnds(start, end);
        if (sameRow(o.start, start) && sameRow(o.end, end)) return ast;
        return Object.assign(Object.assign({}, ast), { start: o.start, end: o.end });
      }
      case T.PERCENT_OP:
      case T.PLUS_UNARY_OP:
      case T.MINUS_UNARY_OP: {
        const value = convert(parser, ast.value);
        return value === ast.value ? ast : Object.assign(Object.assign({}, ast), { value });
      }
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
      case T.POWER_OP: {
        const left = convert(parser, ast.left);
        const right = convert(parser, ast.right);
        return left === ast.left && right === ast.right ? ast : Object.assign(Object.assign({}, ast), { left, right });
      }
      case T.PARENTHESIS: {
        const expression = convert(parser, ast.expression);
        return expression === ast.expression ? ast : Object.assign(Object.assign({}, ast), { expression });
      }
      case T.FUNCTION_CALL: {
        const args = ast.args;
        let fixed = null;
        for (let i = 0; i < args.length; i++) {
          const a = convert(parser, args[i]);
          if (a !== args[i] && fixed === null) fixed = args.slice(0, i);
          if (fixed !== null) fixed.push(a);
        }
        return fixed === null ? ast : Object.assign(Object.assign({}, ast), { args: fixed });
      }
      case T.ARRAY: {
        const rows = ast.args;
        let fixed = null;
        for (let r = 0; r < rows.length; r++) {
          const row = rows[r];
          let fixedRow = null;
          for (let c = 0; c < row.length; c++) {
            const a = convert(parser, row[c]);
            if (a !== row[c] && fixedRow === null) fixedRow = row.slice(0, c);
            if (fixedRow !== null) fixedRow.push(a);
          }
          if (fixedRow !== null && fixed === null) fixed = rows.slice(0, r);
          if (fixed !== null) fixed.push(fixedRow === null ? row : fixedRow);
        }
        return fixed === null ? ast : Object.assign(Object.assign({}, ast), { args: fixed });
      }
      case T.EMPTY:
      case T.NUMBER:
      case T.STRING:
      case T.ERROR:
      case T.ERROR_WITH_RAW_INPUT:
      case T.CELL_REFERENCE:
      case T.NAMED_EXPRESSION:
        return ast;
      default:
        // A node type this module does not know: HyperFormula's own conversion.
        return originalConvert.call(parser, ast);
    }
  }

  P.convertReversedRangesToRegularRanges = function convertReversedRangesToRegularRanges(ast) {
    return convert(this, ast);
  };

  // ---- shape keys ----------------------------------------------------------------------------
  const MAX_COLUMNS = 16384;
  const MAX_ROWS = 1048576;
  // [A-Za-z0-9_.$]: the characters a run (a candidate reference) is made of.
  const RUN = new Uint8Array(128);
  for (let c = 48; c <= 57; c++) RUN[c] = 1;
  for (let c = 65; c <= 90; c++) RUN[c] = 1;
  for (let c = 97; c <= 122; c++) RUN[c] = 1;
  RUN[95] = 1; // _
  RUN[46] = 1; // .
  RUN[36] = 1; // $
  // Characters after which (or with which) no key is made.
  const STOP = new Uint8Array(128);
  for (const ch of '#[]\\@') STOP[ch.charCodeAt(0)] = 1;

  /** The R0C0 form of run text[i, j) when it is a cell reference candidate, else null. */
  function candidate(text, i, j, base) {
    let k = i;
    const colAbs = text.charCodeAt(k) === 36;
    if (colAbs) k++;
    let col = 0;
    const l0 = k;
    for (; k < j; k++) {
      let c = text.charCodeAt(k);
      if (c >= 97 && c <= 122) c -= 32;
      if (c < 65 || c > 90) break;
      col = col * 26 + (c - 64);
    }
    const letters = k - l0;
    if (letters < 1 || letters > 3) return null;
    const rowAbs = text.charCodeAt(k) === 36;
    if (rowAbs) k++;
    const d0 = k;
    let row = 0;
    for (; k < j; k++) {
      const c = text.charCodeAt(k);
      if (c < 48 || c > 57) return null;
      row = row * 10 + (c - 48);
    }
    const digits = k - d0;
    if (digits < 1 || digits > 7 || row < 1 || row > MAX_ROWS || col > MAX_COLUMNS) return null;
    col -= 1;
    row -= 1;
    return `\u0001${colAbs ? 'A' + col : 'R' + (col - base.col)}${rowAbs ? 'A' + row : 'R' + (row - base.row)}\u0001`;
  }

  /** The formula's shape key (see above), or null; with `cands`, the [start, end) of each run
   * made relative is pushed to it. */
  function shapeKey(text, base, cands) {
    const n = text.length;
    let key = '';
    let last = 0;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c > 126 || STOP[c] === 1) return null;
      if (c === 34 || c === 39) {
        // "string" (no backslash escapes: "\\" has no key) or 'quoted sheet' ('' inside): as written
        let k = i + 1;
        for (;;) {
          if (k >= n) return null;
          const d = text.charCodeAt(k);
          if (d > 126 || STOP[d] === 1) return null;
          if (d === c) {
            if (c === 39 && k + 1 < n && text.charCodeAt(k + 1) === 39) {
              k += 2;
              continue;
            }
            break;
          }
          k++;
        }
        i = k + 1;
        continue;
      }
      if (RUN[c] !== 1) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d > 126 || RUN[d] !== 1) break;
        j++;
      }
      const next = j < n ? text.charCodeAt(j) : -1;
      if (next !== 40 && next !== 33) {
        // not followed by "(" (a function) or "!" (a sheet name)
        const r0c0 = candidate(text, i, j, base);
        if (r0c0 !== null) {
          key += text.slice(last, i) + r0c0;
          last = j;
          if (cands) cands.push(i, j);
        }
      }
      i = j;
    }
    return key + text.slice(last);
  }

  /** Whether the lexer's tokens line up with the runs the key made relative. */
  function linesUp(tokens, cands) {
    let ci = 0;
    for (const t of tokens) {
      const type = t.tokenType;
      if (type === LexerConfig.ColumnRange || type === LexerConfig.RowRange) return false;
      const start = t.startOffset;
      const end = t.endOffset + 1;
      if (type === LexerConfig.CellReference) {
        // exactly one run, at the token's end (a sheet prefix before it is as written)
        if (ci >= cands.length || cands[ci + 1] !== end || cands[ci] < start) return false;
        ci += 2;
      } else if (ci < cands.length && cands[ci] < end) {
        return false; // a run inside some other token
      }
    }
    return ci === cands.length;
  }

  // XLIMPORT_HF_SHAPE_CHECK=<file>: every key hit also lexes and hashes as HyperFormula does,
  // appends any difference to that file (and then takes HyperFormula's path), and the counts at
  // exit (for tests and corpus checks).
  const CHECK = process.env.XLIMPORT_HF_SHAPE_CHECK || '';
  if (CHECK) {
    process.on('exit', () => require('fs').appendFileSync(CHECK, `${JSON.stringify({ stats })}\n`));
  }
  function check(parser, text, formulaAddress, known) {
    const lexed = parser.tokenizeFormula(text);
    const hash = lexed.errors.length > 0 ? null : parser.computeHashFromTokens(lexed.tokens, formulaAddress);
    if (hash === known) return true;
    stats.mismatches++;
    const a = formulaAddress;
    require('fs').appendFileSync(CHECK, `${JSON.stringify([a.sheet, a.row, a.col, text, known, hash])}\n`);
    return false; // HyperFormula's own path then
  }

  // HyperFormula's parse, except that an AST the conversion left unchanged keeps the cache
  // entry's dependency list (computed from that very AST) instead of collecting it again.
  P.parse = function parse(text, formulaAddress) {
    this.formulaAddress = formulaAddress;
    let shapes = this.__xlShapes;
    if (shapes === undefined) {
      shapes = new Map(); // shape key -> HyperFormula's hash, or false (tokens did not line up)
      this.__xlShapes = shapes;
    }
    const key = typeof text === 'string' ? shapeKey(text, formulaAddress, null) : null;
    if (key !== null) {
      const known = shapes.get(key);
      if (known) {
        const cached = this.cache.get(known);
        if (cached !== undefined && (!CHECK || check(this, text, formulaAddress, known))) {
          stats.keyHits++;
          ++this.statsCacheUsed;
          return finish(this, cached);
        }
      }
    }
    const lexerResult = this.tokenizeFormula(text);
    if (lexerResult.errors.length > 0) {
      const errors = lexerResult.errors.map((e) => ({ type: ParsingErrorType.LexingError, message: e.message }));
      return {
        ast: buildParsingErrorAst(),
        errors,
        hasVolatileFunction: false,
        hasStructuralChangeFunction: false,
        dependencies: [],
      };
    }
    const hash = this.computeHashFromTokens(lexerResult.tokens, formulaAddress);
    let cacheResult = this.cache.get(hash);
    if (cacheResult !== undefined) {
      ++this.statsCacheUsed;
    } else {
      const processedTokens = this.bindWhitespacesToTokens(lexerResult.tokens);
      const parsingResult = this.formulaParser.parseFromTokens(processedTokens, formulaAddress);
      if (parsingResult.errors.length > 0) {
        return Object.assign(Object.assign({}, parsingResult), {
          hasVolatileFunction: false,
          hasStructuralChangeFunction: false,
          dependencies: [],
        });
      }
      cacheResult = this.cache.set(hash, parsingResult.ast);
    }
    if (key !== null && !shapes.has(key)) {
      stats.keysLexed++;
      const cands = [];
      shapeKey(text, formulaAddress, cands);
      shapes.set(key, linesUp(lexerResult.tokens, cands) ? hash : false);
    }
    return finish(this, cacheResult);
  };

  function finish(parser, cacheResult) {
    const { ast, hasVolatileFunction, hasStructuralChangeFunction } = cacheResult;
    const converted = parser.convertReversedRangesToRegularRanges(ast);
    const dependencies =
      converted === ast && cacheResult.relativeDependencies !== undefined
        ? cacheResult.relativeDependencies
        : parserIndex.collectDependencies(converted, parser.functionRegistry);
    return { ast: converted, errors: [], hasVolatileFunction, hasStructuralChangeFunction, dependencies };
  }
  P.__xlParseCache = true;
}

module.exports = { install, stats };
