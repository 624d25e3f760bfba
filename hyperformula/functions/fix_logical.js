'use strict';
/*
 * AND, OR, XOR as Excel evaluates them (HyperFormula 3.5.0 read empty cells and text as FALSE):
 *  - in a reference or an array, only logical values and numbers count (a number is TRUE unless
 *    0); text and empty cells are skipped;
 *  - a text given directly counts when it is "TRUE" or "FALSE" (any case); "" is skipped; any
 *    other text is skipped too by Excel 2016 and later (AND(TRUE,"0") is TRUE: Excel 16's cached
 *    values in formulas__test.xlsx; AND("0") and AND("",TRUE) in ironcalc's tests agree), and
 *    is #VALUE! in a workbook Excel 2013 or earlier saved (AND("1",1) is #VALUE! in Apache POI's
 *    FormulaEvalTestData, Excel 15); the version is the saving Excel's (numfmt.js);
 *  - an omitted argument, AND(,TRUE), counts as FALSE;
 *  - nothing left to count: #VALUE!; the first error value met is the result, before the
 *    #VALUE! of a text argument (AND(TRUE,"ciao",#REF!) is #REF!).
 */

function defineLogicalPlugin(hf) {
  const { FunctionPlugin, CellError, ErrorType, EmptyValue, SimpleRangeValue } = hf;
  const REFERENCE_NODES = new Set(['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE']);

  function referenceValue(v) {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    if (v !== null && typeof v === 'object' && typeof v.val === 'number') return v.val !== 0;
    return undefined; // text, empty
  }

  function directValue(v) {
    if (v === EmptyValue) return false;
    if (typeof v === 'string') {
      const upper = v.toUpperCase();
      if (upper === 'TRUE') return true;
      if (upper === 'FALSE') return false;
      if (v === '') return undefined;
      const version = globalThis.__xlimportExcelVersion;
      return version && version < 16 ? new CellError(ErrorType.VALUE) : undefined;
    }
    return referenceValue(v);
  }

  class ExcelLogicalPlugin extends FunctionPlugin {
    /** The truth values of the arguments, or the first error. */
    truths(ast, state) {
      const out = [];
      let textError; // a text argument's #VALUE! yields to an error value of a later argument
      for (const arg of ast.args) {
        const value = this.evaluateAst(arg, state);
        if (value instanceof CellError) return value;
        if (value instanceof SimpleRangeValue) {
          for (const v of value.valuesFromTopLeftCorner()) {
            if (v instanceof CellError) return v;
            const t = referenceValue(v);
            if (t !== undefined) out.push(t);
          }
          continue;
        }
        if (REFERENCE_NODES.has(arg.type)) {
          const t = referenceValue(value);
          if (t !== undefined) out.push(t);
          continue;
        }
        const t = directValue(value);
        if (t instanceof CellError) textError = textError || t;
        else if (t !== undefined) out.push(t);
      }
      return textError || out;
    }

    logical(ast, state, name, combine) {
      if (ast.args.length === 0) return new CellError(ErrorType.NA);
      const values = this.truths(ast, state);
      if (values instanceof CellError) return values;
      if (values.length === 0) return new CellError(ErrorType.VALUE);
      return combine(values);
    }

    and(ast, state) {
      return this.logical(ast, state, 'AND', (vs) => vs.every(Boolean));
    }

    or(ast, state) {
      return this.logical(ast, state, 'OR', (vs) => vs.some(Boolean));
    }

    xor(ast, state) {
      return this.logical(ast, state, 'XOR', (vs) => vs.filter(Boolean).length % 2 === 1);
    }
  }

  const variadic = (method) => ({
    method,
    parameters: [{ argumentType: 'ANY' }],
    repeatLastArgs: 1,
    expandRanges: false,
  });
  ExcelLogicalPlugin.implementedFunctions = {
    AND: variadic('and'),
    OR: variadic('or'),
    XOR: variadic('xor'),
  };
  return ExcelLogicalPlugin;
}

function register(hfModule) {
  const plugin = defineLogicalPlugin(hfModule);
  hfModule.HyperFormula.registerFunctionPlugin(plugin);
  return plugin;
}

module.exports = { register, defineLogicalPlugin };
