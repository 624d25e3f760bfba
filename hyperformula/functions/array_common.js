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
 * and #N/A past the rest.
 */
const { hfInternal, recordedSize, staticValue } = require('./info_common');

const { InterpreterState } = hfInternal('interpreter/InterpreterState.js');

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

  /** The result block fitted to the size announced for this call (unchanged when none was). */
  function fit(plugin, ast, state, rows) {
    if (rows instanceof CellError) return rows;
    const byAst = plugin.__xlSizes && plugin.__xlSizes.get(key(state));
    const size = byAst && byAst.get(ast);
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
