'use strict';
/*
 * Lookup and array functions' argument rules, wrapped around whichever implementation is final
 * (the wrapping is done once every module has registered):
 *  - INDEX(reference, row_num) with a reference of several rows AND columns and column_num
 *    left out (not just left empty) is #REF!: the reference form needs both indexes there
 *    (Excel's cached =INDEX(C52:E53,2) is #REF!; a row_num below 0 stays #VALUE!). An array
 *    constant still gives its row (=INDEX({2,3;4,5},2) is {4,5}).
 *  - INDEX with an index written as a one-element array constant ({=INDEX({2,3;4,5},{1})}) is
 *    evaluated once per element, keeping the first value of each call's result, as with
 *    longer index arrays: 2, repeated over the formula's range.
 *  - TRIMRANGE(range, [trim_rows], [trim_cols]): a trim mode is one of the whole numbers 0 to 3;
 *    a fraction (2.3, "3.3") or an array ({1,1}) is #VALUE! (Excel's cached values).
 *  - SORT(array, [sort_index], [sort_order]): an index or order that is a reference to a blank
 *    cell is 0, hence #VALUE! (only an omitted argument takes the default).
 *  - UNIQUE lifted over an array of by_col / exactly_once values in an array formula: Excel
 *    shows the first value of the first call only; every other position is 0, or #VALUE! (#N/A
 *    past a smaller array) where its argument is not a logical (cached {=UNIQUE(D140:G142,
 *    H140:K141)}, {=UNIQUE({2,1,2,1},{1,1,1})}, {=UNIQUE({2,1,2,1},{1,1,1},{0,1,1})}).
 *  - AREAS of an error constant (an empty intersection, #NULL!) is that error.
 */
const { wrapFunction } = require('./fix7_atp');

const REFERENCES = new Set(['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE', 'NAMED_EXPRESSION']);

function unparen(ast) {
  while (ast && ast.type === 'PARENTHESES') ast = ast.expression;
  return ast;
}

const given = (ast) => ast !== undefined && ast !== null && ast.type !== 'EMPTY';

const colAbsolute = (a) => a.type === 'CELL_REFERENCE_ABSOLUTE' || a.type === 'CELL_REFERENCE_ABSOLUTE_COL';
const rowAbsolute = (a) => a.type === 'CELL_REFERENCE_ABSOLUTE' || a.type === 'CELL_REFERENCE_ABSOLUTE_ROW';

/** True when `ast` is a cell range whose two ends name the same column or the same row (both
 * ends relative, or both absolute, at the same coordinate), so that it is one column wide or one
 * row high wherever the formula is: INDEX's check below needs several rows AND columns, and
 * need not evaluate such a range to know it has not (performance only: INDEX(A1:A100, MATCH(..))
 * in every row of a big model). */
function singleLine(ast) {
  if (ast.type !== 'CELL_RANGE' || !ast.start || !ast.end) return false;
  const a = ast.start;
  const b = ast.end;
  return (colAbsolute(a) === colAbsolute(b) && a.col === b.col)
    || (rowAbsolute(a) === rowAbsolute(b) && a.row === b.row);
}

/** True when `ast` is an array constant of one element ({1}). */
function isOneElementArray(ast) {
  ast = unparen(ast);
  return !!ast && ast.type === 'ARRAY' && Array.isArray(ast.args) && ast.args.length === 1
    && Array.isArray(ast.args[0]) && ast.args[0].length === 1;
}

function finalize(hfModule) {
  const { SimpleRangeValue, CellError, ErrorType, EmptyValue } = hfModule;
  const isEmpty = (v) => v === EmptyValue || v === null || v === undefined;
  const rawNum = (v) => (v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v);

  wrapFunction(hfModule, 'INDEX', function index(ast, state, base) {
    const args = ast.args || [];
    if (args.length === 2 && given(args[1])) {
      const first = unparen(args[0]);
      if (first && REFERENCES.has(first.type) && !singleLine(first)) {
        const where = this.evaluateAst(first, state);
        if (where instanceof SimpleRangeValue && where.range !== undefined && where.range.start
          && where.width() > 1 && where.height() > 1) {
          const row = this.evaluateAst(args[1], state);
          if (row instanceof CellError) return row;
          if (!(row instanceof SimpleRangeValue)) {
            const n = rawNum(this.arithmeticHelper.coerceScalarToNumberOrError(row));
            if (n instanceof CellError) return n;
            if (typeof n === 'number' && Math.trunc(n) >= 1) {
              return new CellError(ErrorType.REF, 'INDEX of a reference of rows and columns needs column_num');
            }
          }
        }
      }
    }
    const result = base(ast, state);
    if (state.arraysFlag && result instanceof SimpleRangeValue && result.width() * result.height() > 1
      && (isOneElementArray(args[1]) || isOneElementArray(args[2]))) {
      return result.data[0][0];
    }
    return result;
  });

  wrapFunction(hfModule, 'TRIMRANGE', function trimrange(ast, state, base) {
    const args = ast.args || [];
    for (const a of [args[1], args[2]]) {
      if (!given(a)) continue;
      const v = this.evaluateAst(a, state);
      if (v instanceof SimpleRangeValue) {
        if (v.width() * v.height() > 1) return new CellError(ErrorType.VALUE, 'a trim mode is one value');
        continue;
      }
      if (v instanceof CellError) return v;
      if (isEmpty(v) || typeof v === 'boolean') continue;
      const n = rawNum(this.arithmeticHelper.coerceScalarToNumberOrError(v));
      if (n instanceof CellError) return n;
      if (typeof n === 'number' && !Number.isInteger(n)) {
        return new CellError(ErrorType.VALUE, 'a trim mode is a whole number 0 to 3');
      }
    }
    return base(ast, state);
  });

  wrapFunction(hfModule, 'SORT', function sort(ast, state, base) {
    const args = ast.args || [];
    for (const a of [args[1], args[2]]) {
      if (!given(a)) continue;
      const ref = unparen(a);
      if (ref.type !== 'CELL_REFERENCE') continue;
      if (isEmpty(this.evaluateAst(ref, state))) {
        return new CellError(ErrorType.VALUE, 'sort_index / sort_order of a blank cell is 0');
      }
    }
    return base(ast, state);
  });

  wrapFunction(hfModule, 'UNIQUE', function unique(ast, state, base) {
    const result = base(ast, state);
    if (!state.arraysFlag || !(result instanceof SimpleRangeValue)) return result;
    const args = ast.args || [];
    const blocks = [];
    for (const a of [args[1], args[2]]) {
      if (!given(a)) continue;
      const v = this.evaluateAst(a, state);
      if (v instanceof SimpleRangeValue && v.width() * v.height() > 1) blocks.push(v.rawData());
    }
    if (!blocks.length) return result;
    const invalid = (r, c) => blocks.some((b) => {
      const rr = b.length === 1 ? 0 : r;
      const cc = b[0].length === 1 ? 0 : c;
      if (rr >= b.length || cc >= b[0].length) return true;
      const v = b[rr][cc];
      return v instanceof CellError || typeof v === 'string';
    });
    const out = result.rawData().map((line, r) => line.map((v, c) => (
      (r === 0 && c === 0) || invalid(r, c) ? v : 0)));
    return SimpleRangeValue.onlyValues(out);
  });

  wrapFunction(hfModule, 'AREAS', function areas(ast, state, base) {
    const arg = unparen((ast.args || [])[0]);
    if (arg && arg.type === 'ERROR' && arg.error instanceof CellError) return arg.error;
    return base(ast, state);
  });
}

function register() {
  return [];
}

module.exports = { register, finalize };
