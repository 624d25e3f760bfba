'use strict';
/*
 * Array formulas as Excel fills their range (Microsoft: "Guidelines and examples of array
 * formulas", "Dynamic array formulas and spilled array behavior"):
 *  - ARRAYFORMULA(x), the wrapper the pipeline puts around an array (CSE or spilled) formula:
 *    the result takes the size of the range Excel gave the formula (recorded by the engine).
 *    A larger result is cropped; a single value fills the whole range; a single row (column)
 *    is repeated down (across) it; cells past a larger result show #N/A. A reference to empty
 *    cells gives 0, as an array formula shows. A result that is a plain multi-cell reference
 *    (`{=A1:A4}`) is an array too (HyperFormula 3.5.0 sizes it as one cell and gives
 *    #VALUE!). Without a recorded range (a formula wrapped because it calls SUMPRODUCT,
 *    LOOKUP ...) the size is the result's own.
 *  - ROW(ref) / COLUMN(ref) in an array formula: the row (column) number of every row (column)
 *    of a multi-cell reference, as a column (row) of numbers; elsewhere the first one.
 *  - CONCATENATE(text1, ...): a range where one text is expected takes the implicit
 *    intersection, and goes element by element in an array formula (HyperFormula joined every
 *    cell of the range).
 *  - ANCHORARRAY(ref), the `A1#` spill reference: the whole range of the array anchored at ref;
 *    #REF! when ref is no array formula's anchor (an empty cell, a constant, a cell inside a
 *    spill range that is not its top-left).
 * And three patches of HyperFormula's evaluation (below): #N/A past a shorter array in
 * element-wise evaluation, the first value of an element that is itself an array, and the
 * implicit intersection of an ordinary formula whose whole result is a block.
 */
const { hfInternal, registerPlugin, makeTools, recordedSize } = require('./info_common');
const { makeArrayTools } = require('./array_common');

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, ArraySize, SimpleRangeValue } = hf;
  const { AbsoluteCellRange } = hfInternal('AbsoluteCellRange.js');
  const { raw, isEmpty, isRange, err } = makeTools(hf);
  const { argSize, announce, fit } = makeArrayTools(hf);

  /** The size announced for this call (array_common `announce`), if any. */
  function announced(plugin, ast, state) {
    const a = state.formulaAddress;
    const byAst = plugin.__xlSizes && plugin.__xlSizes.get(`${a.sheet}:${a.row}:${a.col}`);
    return byAst && byAst.get(ast);
  }

  /** A value as rows of values, empties as 0 (an array formula shows 0 for an empty cell). A
   * reference is read cell by cell up to the size needed, so a whole row or column (`=1:1`
   * over A1:XFD1) reads no more than its range and its cells past the data are 0. */
  function rowsOf(plugin, ast, state, v, known) {
    // Empty is 0; a number that is not finite (an element computed without HyperFormula's
    // overflow check) is #NUM!, as Excel gives for the element.
    const zero = (x) => {
      if (isEmpty(x)) return 0;
      const n = raw(x);
      if (typeof n === 'number' && !Number.isFinite(n)) return err('NUM', 'not a finite number');
      return x;
    };
    if (isRange(v) && !v.isAdHoc()) {
      const range = v.range;
      const size = known ||
        announced(plugin, ast, state) || { width: v.width(), height: v.height() };
      const h = range.height() === 1 ? 1 : Math.min(size.height, range.height());
      const w = range.width() === 1 ? 1 : Math.min(size.width, range.width());
      const rows = [];
      for (let r = 0; r < h; r++) {
        const line = [];
        for (let c = 0; c < w; c++) {
          const addr = { sheet: range.start.sheet, row: range.start.row + r, col: range.start.col + c };
          let x = plugin.dependencyGraph.getCellValue(addr);
          if (isRange(x)) x = x.rawData()[0][0];
          line.push(zero(x));
        }
        rows.push(line);
      }
      return rows;
    }
    const rows = isRange(v) ? v.data : [[v]];
    return rows.map((row) => row.map(zero));
  }

  /** `rows` fitted to `size` as Excel fills an array formula's range: cropped, a single row
   * (column) repeated, #N/A past the rest. */
  function fitTo(rows, size) {
    const h = rows.length;
    const w = h ? rows[0].length : 0;
    const out = [];
    for (let r = 0; r < size.height; r++) {
      const src = h === 1 ? 0 : r;
      const line = [];
      for (let c = 0; c < size.width; c++) {
        const col = w === 1 ? 0 : c;
        line.push(src < h && col < w ? rows[src][col] : err('NA', 'outside the array result'));
      }
      out.push(line);
    }
    if (size.width === 1 && size.height === 1) return out[0][0];
    return SimpleRangeValue.onlyValues(out);
  }

  /** The recorded array range anchored at `address` ({width, height}), if any. */
  function spillOf(address) {
    const refs = globalThis.__xlimportArrayRefs;
    return refs && refs.get(`${address.sheet}:${address.row}:${address.col}`);
  }

  class ArrayFormulaFix8Plugin extends FunctionPlugin {
    arrayformula(ast, state) {
      // The pipeline's wrapper of a whole formula takes the recorded range (looked up by
      // address: the call may be a copy of the parsed one); a wrapper made inside a function
      // (`__xlInner`, fix8_lookup) keeps its own size.
      const rec = ast.__xlInner ? undefined : recordedSize(state);
      return this.runFunction(ast.args, state, this.metadata('ARRAYFORMULA'), (value) => {
        const rows = rowsOf(this, ast, state, value, rec);
        return rec ? fitTo(rows, rec) : fit(this, ast, state, rows);
      });
    }

    arrayformulaSize(ast, state) {
      if (ast.args.length !== 1) return ArraySize.error();
      if (recordedSize(state)) return announce(this, ast, state, undefined);
      const own = argSize(this, ast.args[0], state);
      return announce(this, ast, state, own || { width: 1, height: 1 });
    }

    anchorarray(ast, state) {
      const target = this.anchorOf(ast, state);
      if (!target) return err('REF', 'not a reference');
      const size = spillOf(target);
      if (!size) return err('REF', 'no array formula is anchored at this cell');
      const rows = [];
      for (let r = 0; r < size.height; r++) {
        const line = [];
        for (let c = 0; c < size.width; c++) {
          const addr = { sheet: target.sheet, row: target.row + r, col: target.col + c };
          let v;
          try {
            v = this.dependencyGraph.getCellValue(addr);
          } catch (e) {
            v = err('REF', 'outside the spill range');
          }
          if (isRange(v)) v = v.rawData()[0][0];
          line.push(isEmpty(v) ? 0 : v);
        }
        rows.push(line);
      }
      return fit(this, ast, state, rows);
    }

    /** Rows or columns of a multi-cell reference argument in an array formula, else undefined. */
    lines(ast, state, byColumn) {
      let arg = ast.args[0];
      while (arg && arg.type === 'PARENTHESIS') arg = arg.expression;
      if (!state.arraysFlag || ast.args.length !== 1 || !arg) return undefined;
      const T2 = byColumn ? 'COLUMN_RANGE' : 'ROW_RANGE';
      if (arg.type !== 'CELL_RANGE' && arg.type !== T2) return undefined;
      let range;
      try {
        range = AbsoluteCellRange.fromAst(arg, state.formulaAddress);
      } catch (e) {
        return undefined;
      }
      const first = byColumn ? range.start.col : range.start.row;
      const n = byColumn ? range.width() : range.height();
      if (!Number.isFinite(n) || n <= 1) return undefined;
      return Array.from({ length: n }, (_, i) => first + i + 1);
    }

    column(ast, state) {
      const cols = this.lines(ast, state, true);
      if (cols) return SimpleRangeValue.onlyValues([cols]);
      return this.runFunctionWithReferenceArgument(ast.args, state, this.metadata('COLUMN'),
        () => state.formulaAddress.col + 1, (reference) => reference.col + 1);
    }

    columnSize(ast, state) {
      const cols = this.lines(ast, state, true);
      return cols ? new ArraySize(cols.length, 1) : ArraySize.scalar();
    }

    row(ast, state) {
      const rows = this.lines(ast, state, false);
      if (rows) return SimpleRangeValue.onlyValues(rows.map((r) => [r]));
      return this.runFunctionWithReferenceArgument(ast.args, state, this.metadata('ROW'),
        () => state.formulaAddress.row + 1, (reference) => reference.row + 1);
    }

    rowSize(ast, state) {
      const rows = this.lines(ast, state, false);
      return rows ? new ArraySize(1, rows.length) : ArraySize.scalar();
    }

    concatenate(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CONCATENATE'), (...args) =>
        ''.concat(...args),
      );
    }

    anchorOf(ast, state) {
      let arg = ast.args[0];
      while (arg && arg.type === 'PARENTHESIS') arg = arg.expression;
      if (!arg || arg.type !== 'CELL_REFERENCE') return undefined;
      try {
        return arg.reference.toSimpleCellAddress(state.formulaAddress);
      } catch (e) {
        return undefined;
      }
    }

    anchorarraySize(ast, state) {
      const target = this.anchorOf(ast, state);
      return announce(this, ast, state, (target && spillOf(target)) || { width: 1, height: 1 });
    }
  }

  const reference = { argumentType: T.NOERROR, optionalArg: true };
  const position = {
    parameters: [reference],
    isDependentOnSheetStructureChange: true,
    doesNotNeedArgumentsToBeComputed: true,
    vectorizationForbidden: true,
  };
  ArrayFormulaFix8Plugin.implementedFunctions = {
    COLUMN: { method: 'column', sizeOfResultArrayMethod: 'columnSize', ...position },
    ROW: { method: 'row', sizeOfResultArrayMethod: 'rowSize', ...position },
    CONCATENATE: {
      method: 'concatenate',
      parameters: [{ argumentType: T.STRING }],
      repeatLastArgs: 1,
    },
    ARRAYFORMULA: {
      method: 'arrayformula',
      sizeOfResultArrayMethod: 'arrayformulaSize',
      enableArrayArithmeticForArguments: true,
      vectorizationForbidden: true,
      parameters: [{ argumentType: T.ANY }],
    },
    ANCHORARRAY: {
      method: 'anchorarray',
      sizeOfResultArrayMethod: 'anchorarraySize',
      enableArrayArithmeticForArguments: true,
      vectorizationForbidden: true,
      parameters: [{ argumentType: T.ANY }],
    },
  };
  return ArrayFormulaFix8Plugin;
}

/** Excel's element-wise broadcasting: an array of one row (column) is repeated down (across);
 * past the end of any other array, the element is #N/A. HyperFormula 3.5.0 passed `undefined`
 * there, which functions read as an empty argument (IF({TRUE,FALSE},{1,2,3,4},{10,11,12,13})
 * gave 12 and 13 in the last two columns instead of #N/A). */
function patchBroadcast(hfModule) {
  const P = hfModule.FunctionPlugin.prototype;
  if (P.__xlBroadcastNA) return;
  const { CellError, ErrorType } = hfModule;
  P.vectorizeAndBroadcastRangeArgument = function vectorizeAndBroadcastRangeArgument(arg, row, col) {
    const r = arg.height() === 1 ? 0 : row;
    const c = arg.width() === 1 ? 0 : col;
    const line = arg.data[r];
    if (line === undefined || c >= line.length) return new CellError(ErrorType.NA, 'outside the array');
    return line[c];
  };
  // A function applied element by element whose result for one element is itself an array
  // (INDEX({2,3;4,5},{1,2}) asks for whole rows): Excel keeps that array's first value;
  // HyperFormula 3.5.0 threw "Function returning array cannot be vectorized.".
  const { SimpleRangeValue } = hfModule;
  const vectorize = P.vectorizeAndBroadcastArgumentsIfNecessary;
  P.vectorizeAndBroadcastArgumentsIfNecessary = function (on, values, metadata, row, col) {
    this.__xlVectorized =
      on &&
      values.some(
        (v, i) =>
          v instanceof SimpleRangeValue &&
          (v.width() > 1 || v.height() > 1) &&
          this.isRangePassedAsAScalarArgument(v, metadata[i]),
      );
    return vectorize.call(this, on, values, metadata, row, col);
  };
  const single = P.calculateSingleCellOfResultArray;
  P.calculateSingleCellOfResultArray = function (...args) {
    const vectorized = this.__xlVectorized;
    const result = single.apply(this, args);
    if (vectorized && result instanceof SimpleRangeValue) {
      const first = result.data[0];
      return first === undefined || first[0] === undefined ? new CellError(ErrorType.VALUE) : first[0];
    }
    return result;
  };
  P.__xlBroadcastNA = true;
}

/** A whole ordinary (non-array) formula that evaluates to a multi-cell block, such as a name
 * for a range (`=Prices`) or INDEX(..., 0, 1): Excel takes the implicit intersection with the
 * formula's row or column (a computed array gives its top-left value); HyperFormula 3.5.0 gives
 * #VALUE!. Named expressions themselves (sheet -1) keep their ranges. */
function patchRootIntersection() {
  const { Evaluator } = hfInternal('Evaluator.js');
  const { ScalarFormulaVertex } = hfInternal('DependencyGraph/FormulaVertex.js');
  const { SimpleRangeValue } = hfInternal('SimpleRangeValue.js');
  // Read at each call: another module may replace the intersection helper in its exports.
  const helper = hfInternal('interpreter/ArithmeticHelper.js');
  const { EmptyValue } = hfInternal('interpreter/InterpreterValue.js');
  const { CellError, ErrorType } = hfInternal('Cell.js');
  const P = Evaluator.prototype;
  if (P.__xlRootIntersection) return;
  const original = P.evaluateAstToCellValue;
  P.evaluateAstToCellValue = function evaluateAstToCellValue(ast, state) {
    const value = original.call(this, ast, state);
    if (
      !(value instanceof SimpleRangeValue) ||
      !(state.formulaVertex instanceof ScalarFormulaVertex) ||
      state.formulaAddress.sheet < 0
    ) {
      return value;
    }
    const v = helper.coerceRangeToScalar(value, state);
    if (v === undefined) return new CellError(ErrorType.VALUE, 'no intersection');
    return v === EmptyValue ? 0 : v;
  };
  P.__xlRootIntersection = true;
}

function register(hfModule) {
  patchBroadcast(hfModule);
  patchRootIntersection();
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
