'use strict';
/*
 * ROW and COLUMN of a range in an array formula (Microsoft: "ROW function", "COLUMN function"):
 * "if reference is a range of cells, and if ROW is entered as a vertical array, ROW returns the
 * row numbers of reference as a vertical array" (COLUMN: the column numbers as a horizontal
 * array). {=ROW(A3:B5)} is {3;4;5}, {=COLUMN(AC12:AD13)} {29,30}; HyperFormula gave the first
 * number only. Outside array formulas the first row (column) stays the result, as in Excel.
 */
const { wrapFunction } = require('./fix7_atp');

function finalize(hfModule) {
  const { SimpleRangeValue, ArraySize } = hfModule;

  /** The (sheet-independent) box of a range argument, or undefined. */
  function box(ast, state) {
    if (!ast || ast.args.length !== 1) return undefined;
    let a = ast.args[0];
    while (a && a.type === 'PARENTHESES') a = a.expression;
    if (!a || !['CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE'].includes(a.type)) return undefined;
    try {
      const start = a.start.toSimpleCellAddress(state.formulaAddress);
      const end = a.end.toSimpleCellAddress(state.formulaAddress);
      if (a.type === 'COLUMN_RANGE') return { r1: 0, r2: 1048575, c1: start.col, c2: end.col };
      if (a.type === 'ROW_RANGE') return { r1: start.row, r2: end.row, c1: 0, c2: 16383 };
      return { r1: start.row, r2: end.row, c1: start.col, c2: end.col };
    } catch (e) {
      return undefined;
    }
  }

  for (const [id, vertical] of [['ROW', true], ['COLUMN', false]]) {
    const count = (b) => (vertical ? b.r2 - b.r1 + 1 : b.c2 - b.c1 + 1);
    wrapFunction(
      hfModule,
      id,
      function rowsOrColumns(ast, state, base) {
        const b = state.arraysFlag ? box(ast, state) : undefined;
        if (!b || count(b) < 2) return base(ast, state);
        const first = vertical ? b.r1 : b.c1;
        const numbers = Array.from({ length: count(b) }, (_, i) => first + i + 1);
        return SimpleRangeValue.onlyValues(vertical ? numbers.map((n) => [n]) : [numbers]);
      },
      function size(ast, state) {
        const b = state.arraysFlag ? box(ast, state) : undefined;
        if (!b || count(b) < 2) return ArraySize.scalar();
        return vertical ? new ArraySize(1, count(b)) : new ArraySize(count(b), 1);
      },
    );
  }
}

/*
 * With a multi-cell reference in an array formula, ISFORMULA gives one result per cell
 * ({=ISFORMULA(C10:J10)} is an array of 8), and T the T of the reference's first cell (Excel's
 * cached {=T(I42:Q42)} is T(I42) in every cell of its range); HyperFormula gave ISFORMULA of the
 * first cell and T element by element.
 */
function finalizeReferenceFunctions(hfModule) {
  const { SimpleRangeValue, ArraySize, CellError } = hfModule;
  const { hfInternal } = require('./info_common');
  const { FormulaVertex } = hfInternal('DependencyGraph/FormulaVertex.js');
  const { isMultiCellReference } = require('./fix7_atp');

  function rangeOf(ast, state) {
    let a = ast.args.length === 1 ? ast.args[0] : undefined;
    while (a && a.type === 'PARENTHESES') a = a.expression;
    if (!a || a.type !== 'CELL_RANGE' || !isMultiCellReference(a, state)) return undefined;
    try {
      const start = a.start.toSimpleCellAddress(state.formulaAddress);
      const end = a.end.toSimpleCellAddress(state.formulaAddress);
      return { start, end };
    } catch (e) {
      return undefined;
    }
  }

  wrapFunction(
    hfModule,
    'ISFORMULA',
    function isformula(ast, state, base) {
      const r = state.arraysFlag ? rangeOf(ast, state) : undefined;
      if (!r) return base(ast, state);
      const rows = [];
      for (let row = r.start.row; row <= r.end.row; row++) {
        const line = [];
        for (let col = r.start.col; col <= r.end.col; col++) {
          const vertex = this.dependencyGraph.addressMapping.getCell({ sheet: r.start.sheet, row, col });
          line.push(vertex instanceof FormulaVertex);
        }
        rows.push(line);
      }
      return SimpleRangeValue.onlyValues(rows);
    },
    function size(ast, state) {
      const r = state.arraysFlag ? rangeOf(ast, state) : undefined;
      if (!r) return ArraySize.scalar();
      return new ArraySize(r.end.col - r.start.col + 1, r.end.row - r.start.row + 1);
    },
  );

  wrapFunction(hfModule, 'T', function t(ast, state, base) {
    if (!state.arraysFlag || !rangeOf(ast, state)) return base(ast, state);
    const v = this.evaluateAst(ast.args[0], state);
    const first = v instanceof SimpleRangeValue ? v.data[0][0] : v;
    if (first instanceof CellError || typeof first === 'string') return first;
    return '';
  }, function size(ast, state) {
    // one value for a range; element by element for an array (HyperFormula's own sizing)
    if (!state.arraysFlag || rangeOf(ast, state) || ast.args.length !== 1) return ArraySize.scalar();
    try {
      const s = this.arraySizeForAst(ast.args[0], state);
      return s && !s.isRef ? new ArraySize(s.width, s.height) : ArraySize.scalar();
    } catch (e) {
      return ArraySize.scalar();
    }
  });
}

function register() {
  return [];
}

function finalizeAll(hfModule) {
  finalize(hfModule);
  finalizeReferenceFunctions(hfModule);
}

module.exports = { register, finalize: finalizeAll };
