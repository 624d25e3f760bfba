'use strict';
/*
 * Array functions lifted over an array given where they take one value. Excel evaluates such a
 * call once per element of the array (arrays of several such arguments broadcast against each
 * other, positions past a smaller one #N/A) and, as each call would return an array of its own,
 * keeps its first value: {=TEXTSPLIT(C47:Q47,1)} is the first piece of each text,
 * {=TOCOL(C127:D128,C126:Q126)} the first value for each ignore mode (#VALUE! for a bad one),
 * {=MUNIT(C47:Q47)} 1 or the error of each dimension, {=WRAPROWS({1,...,9},C148:N148,6)} 1 or
 * #NUM! for each count (values Excel cached in formulas__test.xlsx). HyperFormula gave #VALUE!.
 */
const { wrapFunction } = require('./fix7_atp');

// Function -> parameters (0-based) taking one value. (TEXTSPLIT is lifted by
// fixn_functions.js, whose element-wise evaluation keeps each function's scalar rules.)
const LIFTED = {
  TOCOL: [1, 2],
  TOROW: [1, 2],
  WRAPROWS: [1, 2],
  WRAPCOLS: [1, 2],
  MUNIT: [0],
  TAKE: [1, 2],
  DROP: [1, 2],
  EXPAND: [1, 2, 3],
  UNIQUE: [1, 2],
};

function finalize(hfModule) {
  const { SimpleRangeValue, CellError, ErrorType, ArraySize } = hfModule;
  const { hfInternal } = require('./info_common');
  const { InterpreterState } = hfInternal('interpreter/InterpreterState.js');

  /** A literal AST standing for one value. */
  function literal(v) {
    if (v !== null && typeof v === 'object' && typeof v.val === 'number') v = v.val;
    if (typeof v === 'number') return { type: 'NUMBER', value: v };
    if (typeof v === 'string') return { type: 'STRING', value: v };
    if (typeof v === 'boolean') return { type: 'FUNCTION_CALL', procedureName: v ? 'TRUE' : 'FALSE', args: [] };
    if (v instanceof CellError) return { type: 'ERROR', error: v };
    return { type: 'NUMBER', value: 0 }; // an empty cell
  }

  /** Size {width, height} of an argument known before evaluation, or undefined. */
  function sizeOfArg(plugin, ast, state) {
    if (!ast || ast.type === 'EMPTY') return undefined;
    try {
      const s = plugin.arraySizeForAst(ast, new InterpreterState(state.formulaAddress, true));
      return s && Number.isFinite(s.width) && Number.isFinite(s.height) ? s : undefined;
    } catch (e) {
      return undefined;
    }
  }

  for (const [id, positions] of Object.entries(LIFTED)) {
    let baseSize;
    const plugin = wrapFunction(
      hfModule,
      id,
      function lifted(ast, state, base) {
        if (!state.arraysFlag) return base(ast, state);
        const blocks = new Map();
        for (const i of positions) {
          const a = ast.args[i];
          if (!a || a.type === 'EMPTY' || !sizeOfArg(this, a, state)) continue;
          const s = sizeOfArg(this, a, state);
          if (s.width * s.height < 2) continue;
          const v = this.evaluateAst(a, state);
          if (v instanceof SimpleRangeValue && v.width() * v.height() > 1) blocks.set(i, v.rawData());
        }
        if (blocks.size === 0) return base(ast, state);
        const height = Math.max(...[...blocks.values()].map((b) => b.length));
        const width = Math.max(...[...blocks.values()].map((b) => b[0].length));
        const out = [];
        for (let r = 0; r < height; r++) {
          const line = [];
          for (let c = 0; c < width; c++) {
            let outside = false;
            const args = ast.args.map((a, i) => {
              const b = blocks.get(i);
              if (!b) return a;
              const rr = b.length === 1 ? 0 : r;
              const cc = b[0].length === 1 ? 0 : c;
              if (rr >= b.length || cc >= b[0].length) outside = true;
              return outside ? a : literal(b[rr][cc]);
            });
            if (outside) {
              line.push(new CellError(ErrorType.NA, 'outside the array result'));
              continue;
            }
            const v = base({ ...ast, args }, state);
            line.push(v instanceof SimpleRangeValue ? v.data[0][0] : v);
          }
          out.push(line);
        }
        return SimpleRangeValue.onlyValues(out);
      },
      function size(ast, state) {
        if (state.arraysFlag) {
          let width = 0;
          let height = 0;
          for (const i of positions) {
            const s = sizeOfArg(this, ast.args[i], state);
            if (s && s.width * s.height > 1) {
              width = Math.max(width, s.width);
              height = Math.max(height, s.height);
            }
          }
          if (width) return new ArraySize(width, height);
        }
        return baseSize ? baseSize.call(this, ast, state) : ArraySize.scalar();
      },
    );
    if (plugin) {
      // the size of an ordinary call is the base function's
      const Base = Object.getPrototypeOf(plugin);
      const meta = Base.implementedFunctions && Base.implementedFunctions[id];
      const method = meta && meta.sizeOfResultArrayMethod;
      baseSize = method ? Base.prototype[method] : undefined;
    }
  }
}

/*
 * CHOOSECOLS / CHOOSEROWS index arguments: a two-dimensional array of indexes is #VALUE! (Excel's
 * cached {=CHOOSECOLS(...,D6:E7)}), and a text index is read as a number as Excel reads text
 * (the date text "01/01/1900" is 1: {=CHOOSECOLS({1,2,3;4,5,6;7,8,9},I6)} is the first column).
 */
function finalizeChoose(hfModule) {
  const { SimpleRangeValue, CellError, ErrorType } = hfModule;
  for (const id of ['CHOOSECOLS', 'CHOOSEROWS']) {
    wrapFunction(hfModule, id, function choose(ast, state, base) {
      let args = ast.args;
      for (let i = 1; i < ast.args.length; i++) {
        const a = ast.args[i];
        if (!a || a.type === 'EMPTY') continue;
        const v = this.evaluateAst(a, state);
        if (v instanceof SimpleRangeValue && v.width() > 1 && v.height() > 1) {
          return new CellError(ErrorType.VALUE, `${id} indexes in two dimensions`);
        }
        if (typeof v === 'string') {
          const n = this.arithmeticHelper.coerceScalarToNumberOrError(v);
          if (args === ast.args) args = [...ast.args];
          args[i] = n instanceof CellError ? { type: 'ERROR', error: n } : { type: 'NUMBER', value: typeof n === 'number' ? n : n.val };
        }
      }
      return base(args === ast.args ? ast : { ...ast, args }, state);
    });
  }
}

function register() {
  return [];
}

function finalizeAll(hfModule) {
  finalize(hfModule);
  finalizeChoose(hfModule);
}

module.exports = { register, finalize: finalizeAll, LIFTED };
