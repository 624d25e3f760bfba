'use strict';
/*
 * IS functions as the whole of an array formula (Microsoft: "IS functions"; values Excel cached
 * in formulas__test.xlsx). Excel evaluates {=ISLOGICAL(M11:Q11)} entered over nine cells at the
 * size of its range: the five-cell argument is extended with #N/A (a single row or column is
 * repeated), and each position is tested, so the four cells past the range show
 * ISLOGICAL(#N/A) = FALSE, ISNA/ISERROR/ISNONTEXT TRUE, ISERR/ISBLANK FALSE. A function
 * that passes #N/A on gives #N/A there anyway, so only these tests show the difference.
 * Elsewhere (an ordinary formula, or an IS call inside a larger expression) fix9_info.js's
 * rules stand: a range intersects the formula's row or column, or is tested cell by cell.
 */
const { registerPlugin, makeTools, recordedSize } = require('./info_common');
const { intersect } = require('./fix9_intersect');
const { wrapFunction } = require('./fix7_atp');
const { isPredicates } = require('./fix9_info');

// The call evaluated as the whole of the pipeline's array formula wrapper, with its range size.
let whole = null;

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const tools = makeTools(hf);
  const { raw, isRange, err, SimpleRangeValue } = tools;
  const PREDICATES = isPredicates(tools);

  /** `rows` extended to `size` as Excel extends an array argument: a single row (column)
   * repeated, #N/A past the rest. */
  function extend(rows, size) {
    const h = rows.length;
    const w = h ? rows[0].length : 0;
    const out = [];
    for (let r = 0; r < Math.max(size.height, h); r++) {
      const sr = h === 1 ? 0 : r;
      const line = [];
      for (let c = 0; c < Math.max(size.width, w); c++) {
        const sc = w === 1 ? 0 : c;
        line.push(sr < h && sc < w ? rows[sr][sc] : err('NA', 'past the array argument'));
      }
      out.push(line);
    }
    return out;
  }

  class ExcelInfoFixePlugin extends FunctionPlugin {
    testWhole(ast, state, id) {
      const pred = PREDICATES[id];
      if (ast.args.length !== 1) return err('NA', `${id} takes one argument`);
      const v = this.evaluateAst(ast.args[0], state);
      if (state.arraysFlag && whole && whole.ast === ast) {
        const rows = extend(isRange(v) ? v.rawData() : [[raw(v)]], whole.size);
        return SimpleRangeValue.onlyValues(rows.map((row) => row.map((x) => pred(x))));
      }
      if (!isRange(v)) return pred(v);
      if (state.arraysFlag) {
        return SimpleRangeValue.onlyValues(v.rawData().map((row) => row.map((x) => pred(x))));
      }
      const x = intersect(v, state);
      return pred(x === undefined ? err('VALUE', 'no intersection') : x);
    }
  }

  const implemented = {};
  for (const id of Object.keys(PREDICATES)) {
    const method = `testWhole${id}`;
    ExcelInfoFixePlugin.prototype[method] = function testOne(ast, state) {
      return this.testWhole(ast, state, id);
    };
    implemented[id] = { method, parameters: [{ argumentType: T.ANY }] };
  }
  ExcelInfoFixePlugin.implementedFunctions = implemented;
  return ExcelInfoFixePlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

/** The pipeline's ARRAYFORMULA wrapper tells the call it wraps (parentheses aside) the size of
 * the array formula's range while it evaluates it. */
function finalize(hfModule) {
  return wrapFunction(hfModule, 'ARRAYFORMULA', function wholeCall(ast, state, base) {
    let inner = ast.args && ast.args.length === 1 ? ast.args[0] : undefined;
    while (inner && inner.type === 'PARENTHESES') inner = inner.expression;
    const size = ast.__xlInner ? undefined : recordedSize(state);
    if (!inner || inner.type !== 'FUNCTION_CALL' || !size) return base(ast, state);
    const saved = whole;
    whole = { ast: inner, size };
    try {
      return base(ast, state);
    } finally {
      whole = saved;
    }
  });
}

module.exports = { register, finalize };
