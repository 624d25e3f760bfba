'use strict';
/*
 * #CALC! for an empty array result, as Excel 365 gives it (Excel stores the error in the file as
 * #VALUE! with the real error in a rich value, which the reader now reads). The implementations
 * (array_shape.js, fix4_arrays.js, fix8_lookup.js, fix8_matrix.js) return #VALUE! for an empty
 * result; here, in `finalize`, over whichever implementation is final, that error becomes #CALC!:
 *  - DROP / TAKE leaving no row or no column (Microsoft, "DROP function" / "TAKE function":
 *    "#CALC! to indicate an empty array when rows or columns is 0"): TAKE(A2:A8, 0),
 *    DROP(A2:A8, 7), DROP(A2:A8, -7), DROP(A2:A8, 1200), DROP(A2:A8, 1, 1).
 *  - FILTER with nothing included and no if_empty (Microsoft, "FILTER function": "#CALC! ...
 *    empty arrays", an include of FALSE only). A text include stays #VALUE!.
 *  - UNIQUE with nothing left (exactly_once and every value repeated): an empty array.
 *  - SEQUENCE with 0 rows or columns after truncation (SEQUENCE(0,0), SEQUENCE(0.3); Microsoft,
 *    "How to correct a #CALC! error": empty array); a negative count stays #VALUE! (SEQUENCE(-1)).
 *  - TOCOL / TOROW with every value ignored (blanks and/or errors): an empty array.
 * In an array formula a lifted call (fix7_lift.js, fixj_lookup.js) returns an array of
 * per-element results; each empty-array error in it becomes #CALC! too.
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

/** The messages of the #VALUE! errors the implementations return for an empty result. */
const EMPTY_MESSAGES = new Set([
  'empty result', // array_shape.js: DROP, TAKE, TOCOL, TOROW
  'nothing kept (#CALC! in Excel)', // fix8_lookup.js: FILTER
  'no unique values (#CALC! in Excel)', // fix4_arrays.js: UNIQUE
  'empty array (#CALC! in Excel)', // fix8_matrix.js: SEQUENCE
]);

const FUNCTIONS = ['DROP', 'TAKE', 'FILTER', 'UNIQUE', 'SEQUENCE', 'TOCOL', 'TOROW'];

function register() {
  return [];
}

function finalize(hfModule) {
  const { raw, isError, isRange, err } = makeTools(hfModule);
  const { CellError, ErrorType, SimpleRangeValue } = hfModule;
  if (!ErrorType.CALC) return []; // fixn_functions.js adds the error type

  const isEmptyArray = (v) => v instanceof CellError && v.type === ErrorType.VALUE && EMPTY_MESSAGES.has(v.message);
  const calc = () => err('CALC', 'empty array');

  /** `got` with each empty-array error (the value itself, or an element of an array) as #CALC!. */
  function convert(got) {
    if (isEmptyArray(got)) return calc();
    if (got instanceof SimpleRangeValue && got.data.some((line) => line.some(isEmptyArray))) {
      return SimpleRangeValue.onlyValues(got.data.map((line) => line.map((v) => (isEmptyArray(v) ? calc() : v))));
    }
    return got;
  }

  /** True when SEQUENCE's rows or columns argument is a number below 0 after truncation:
   * Excel gives #VALUE! for a negative count, #CALC! only for 0 (SEQUENCE(-1) is #VALUE!). */
  function negativeCount(plugin, ast, state) {
    const args = ast.args || [];
    for (const i of [0, 1]) {
      const a = args[i];
      if (!a || a.type === 'EMPTY') continue;
      const v = plugin.evaluateAst(a, state);
      if (isRange(v) || isError(v)) continue;
      let n = raw(v);
      if (typeof n === 'boolean') n = Number(n);
      else if (typeof n === 'string') n = raw(plugin.arithmeticHelper.coerceScalarToNumberOrError(n));
      if (typeof n === 'number' && Math.trunc(n) < 0) return true;
    }
    return false;
  }

  const plugins = [];
  for (const id of FUNCTIONS) {
    const p = wrapFunction(hfModule, id, function emptyArray(ast, state, base) {
      const got = base(ast, state);
      if (id === 'SEQUENCE' && isEmptyArray(got) && negativeCount(this, ast, state)) return got;
      return convert(got);
    });
    if (p) plugins.push(p);
  }
  return plugins;
}

module.exports = { register, finalize };
