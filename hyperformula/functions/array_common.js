'use strict';
/*
 * Helpers of the array function plugins (array_*.js). Not a plugin itself: it exports no
 * `register`, so the loader skips it.
 *
 * HyperFormula must know the size of an array result before it evaluates the formula
 * (`sizeOfResultArrayMethod`). A size that follows from the arguments' sizes (LINEST, MINVERSE,
 * CHOOSECOLS with literal indexes ...) is computed; a size that depends on the data (MODE.MULT,
 * SORTBY of a filtered array, TAKE with a computed count) is the one Excel gave the formula's
 * range, when the engine recorded it (`recordedSize`), else one cell. The result is then fitted
 * to the announced size as Excel fills an array range: cropped, a single row or column repeated,
 * and #N/A past the rest. Only the formula's result fills the range: a call that is an argument
 * of a function returning one value keeps its whole array (LOOKUP(2, UNIQUE({1;2;2;3})) in an
 * array formula of one cell looks 2 up in {1;2;3}, not in the first value only).
 */
const { hfInternal, recordedSize, staticValue } = require('./info_common');

const { InterpreterState } = hfInternal('interpreter/InterpreterState.js');

// formula root AST -> Map(node -> parent node), built on first need
const PARENTS = new WeakMap();

function makeArrayTools(hf) {
  const { ArraySize, CellError, ErrorType, SimpleRangeValue } = hf;

  /** Size {width, height} of an argument's value as known before evaluation (a range, an array
   * literal, a nested array function), or undefined. */
  function argSize(plugin, ast, state) {
    if (!ast || ast.type === 'EMPTY') return undefined;
    try {
      const s = plugin.arraySizeForAst(ast, new InterpreterState(state.formulaAddress, true));
      if (!s || !Number.isFinite(s.width) || !Number.isFinite(s.height)) return undefined;
      if (s.width <= 0 || s.height <= 0) return undefined;
      return { width: s.width, height: s.height };
    } catch (e) {
      return undefined;
    }
  }

  function key(state) {
    const a = state.formulaAddress;
    return `${a.sheet}:${a.row}:${a.col}`;
  }

  /** Announce the size of this call's result: the recorded size of the formula's range when it
   * covers `computed` ({width, height}, or undefined when the data decides; Excel fills the rest
   * of a larger range with #N/A), else `computed`, else one cell. */
  function announce(plugin, ast, state, computed) {
    const rec = recordedSize(state);
    const covers = rec && (!computed || (rec.width >= computed.width && rec.height >= computed.height));
    const size = (covers ? rec : computed) || { width: 1, height: 1 };
    if (!plugin.__xlSizes) plugin.__xlSizes = new Map();
    let byAst = plugin.__xlSizes.get(key(state));
    if (!byAst) {
      byAst = new Map();
      plugin.__xlSizes.set(key(state), byAst);
    }
    byAst.set(ast, size);
    if (size.width === 1 && size.height === 1) return ArraySize.scalar();
    return new ArraySize(size.width, size.height);
  }

  /** The node whose operand `ast` is, in the formula being evaluated (undefined when `ast` is
   * the formula's root or is not part of it). */
  function parentOf(ast, state) {
    const vertex = state && state.formulaVertex;
    const root = vertex && vertex.formula;
    if (!root || typeof root !== 'object') return undefined;
    let parents = PARENTS.get(root);
    if (!parents) {
      parents = new Map();
      const walk = (node, depth) => {
        if (!node || typeof node !== 'object' || depth > 200) return;
        for (const k of ['args', 'left', 'right', 'value', 'expression']) {
          const c = node[k];
          if (!c || typeof c !== 'object') continue;
          const kids = Array.isArray(c) ? c.flat() : [c];
          for (const kid of kids) {
            if (kid && typeof kid === 'object' && typeof kid.type === 'string') {
              parents.set(kid, node);
              walk(kid, depth + 1);
            }
          }
        }
      };
      walk(root, 0);
      PARENTS.set(root, parents);
    }
    return parents.get(ast);
  }

  /** True when the call `ast` is an argument of a function returning one value (LOOKUP(2,
   * UNIQUE(...)), ROWS(SORT(...))): Excel gives that function the whole array, so the call is not
   * fitted to the formula's range, which only the formula's root result fills. */
  function feedsScalarFunction(plugin, ast, state) {
    let parent = parentOf(ast, state);
    while (parent && (parent.type === 'PARENTHESIS' || parent.type === 'PARENTHESES')) {
      parent = parentOf(parent, state);
    }
    if (!parent || parent.type !== 'FUNCTION_CALL' || parent.procedureName === 'ARRAYFORMULA') {
      return false;
    }
    const s = argSize(plugin, parent, state);
    return !!s && s.width === 1 && s.height === 1;
  }

  /** The result block fitted to the size announced for this call (unchanged when none was, or
   * when the call feeds a function returning one value). */
  function fit(plugin, ast, state, rows) {
    if (rows instanceof CellError) return rows;
    const byAst = plugin.__xlSizes && plugin.__xlSizes.get(key(state));
    let size = byAst && byAst.get(ast);
    if (size && rows.length && (rows.length > size.height || rows[0].length > size.width)
      && feedsScalarFunction(plugin, ast, state)) {
      size = undefined;
    }
    if (!size) {
      if (rows.length === 1 && rows[0].length === 1) return rows[0][0];
      return SimpleRangeValue.onlyValues(rows);
    }
    const h = rows.length;
    const w = h ? rows[0].length : 0;
    const na = () => new CellError(ErrorType.NA, 'outside the array result');
    const out = [];
    for (let r = 0; r < size.height; r++) {
      const src = h === 1 ? 0 : r;
      const line = [];
      for (let c = 0; c < size.width; c++) {
        const col = w === 1 ? 0 : c;
        line.push(src < h && col < w ? rows[src][col] : na());
      }
      out.push(line);
    }
    if (size.width === 1 && size.height === 1) return out[0][0];
    return SimpleRangeValue.onlyValues(out);
  }

  /** A literal or constant-cell number argument, truncated, or undefined. */
  function staticInt(plugin, ast, state) {
    const v = staticValue(plugin, ast, state);
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    return undefined;
  }

  return { argSize, announce, fit, staticInt };
}

module.exports = { makeArrayTools };
