'use strict';
/*
 * INDEX(array, [row_num], [column_num], [area_num]) (Microsoft: "INDEX function"), the array
 * form as Excel computes it, replacing HyperFormula's:
 *  - row_num / column_num truncated; below 0 #VALUE!, past the array #REF!; omitted (or empty)
 *    they are 0;
 *  - a single row or column takes a lone index along it (INDEX(A1:D1, 3) is C1); with
 *    column_num omitted, a 2-D array gives the row row_num;
 *  - 0 for row_num (column_num) gives the whole column (row), both 0 the whole array: an array
 *    result that fills an array formula's range, or the referenced cells for a function taking a
 *    range (SUM(INDEX(A1:C3,0,2)) is SUM(B1:B3)); in an ordinary formula Excel intersects it;
 *  - area_num: one area only (a range or an array), so 1 is that area, below 1 #VALUE!, above
 *    #REF!;
 *  - an array argument that is computed, not a reference, is evaluated as an array even in an
 *    ordinary formula (INDEX(ROW(A1:A3), 2) is 2).
 * TRIMRANGE(range, [trim_rows], [trim_cols]) (Microsoft: "TRIMRANGE function"), which
 * HyperFormula lacks: the range without its blank outer rows and columns; 0 trims none, 1 the
 * leading ones, 2 the trailing ones, 3 (default) both. A range is scanned only within the
 * sheet's used area (a whole column costs its filled rows). Its size depends on the data: it is
 * the size of the range Excel gave the formula.
 * FILTER(array, include, [if_empty]) (Microsoft: "FILTER function"), replacing HyperFormula's
 * (which took several include arrays and no if_empty): include is one column as tall as array
 * (rows kept) or one row as wide (columns kept); a number is TRUE unless 0, a logical itself,
 * text #VALUE!, an error that error; any other shape #VALUE!. Nothing kept gives if_empty, or
 * #CALC! (fixo_calc.js turns this module's 'nothing kept' error into it; keep the message). The
 * array formula around it fills its range
 * with the result.
 */
const { registerPlugin, makeTools, hfInternal, recordedSize } = require('./info_common');
const { makeArrayTools } = require('./array_common');

const { AbsoluteCellRange } = hfInternal('AbsoluteCellRange.js');

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, SimpleRangeValue } = hf;
  const { raw, err, isEmpty } = makeTools(hf);
  const { announce, fit } = makeArrayTools(hf);

  /** Cell access to a table argument: size and value at (row, col), without copying a range. */
  function tableOf(plugin, v) {
    if (v instanceof SimpleRangeValue && v.range !== undefined && v.range.start) {
      const range = v.range;
      const graph = plugin.dependencyGraph;
      const { sheet } = range.start;
      return {
        width: range.width(),
        height: range.height(),
        at: (r, c) =>
          raw(graph.getCellValue({ sheet, row: range.start.row + r, col: range.start.col + c })),
        block: (r, c, h, w) =>
          SimpleRangeValue.onlyRange(
            AbsoluteCellRange.spanFrom(
              { sheet, row: range.start.row + r, col: range.start.col + c },
              w,
              h,
            ),
            graph,
          ),
      };
    }
    const g = v instanceof SimpleRangeValue ? v.rawData() : [[v]];
    const h = g.length;
    const w = h ? g[0].length : 0;
    return {
      width: w,
      height: h,
      at: (r, c) => raw(g[r][c]),
      block: (r, c, bh, bw) =>
        SimpleRangeValue.onlyValues(
          g.slice(r, r + bh).map((line) => line.slice(c, c + bw).map((x) => raw(x))),
        ),
    };
  }

  const REFERENCES = new Set(['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE', 'NAMED_EXPRESSION']);
  const arrayArgs = new WeakMap(); // INDEX call -> its arguments, the first one as an array

  /** The arguments with a computed first one wrapped in ARRAYFORMULA (evaluated as an array). */
  function withArrayFirst(ast) {
    let args = arrayArgs.get(ast);
    if (args === undefined) {
      const first = ast.args[0];
      args = ast.args;
      if (first && !REFERENCES.has(first.type) && first.type !== 'EMPTY') {
        const wrapped = {
          type: 'FUNCTION_CALL',
          procedureName: 'ARRAYFORMULA',
          args: [first],
          __xlInner: true, // evaluated as an array, not fitted to the formula's range
        };
        args = [wrapped, ...ast.args.slice(1)];
      }
      arrayArgs.set(ast, args);
    }
    return args;
  }

  class Fix8LookupPlugin extends FunctionPlugin {
    index(ast, state) {
      const args = withArrayFirst(ast);
      return this.runFunction(args, state, this.metadata('INDEX'), (where, row, col, area) => {
        const t = tableOf(this, where);
        if (area !== undefined) {
          const a = Math.trunc(area);
          if (a < 1) return err('VALUE', 'area below 1');
          if (a > 1) return err('REF', 'only one area');
        }
        let r = row === undefined ? 0 : Math.trunc(row);
        let c = col === undefined ? undefined : Math.trunc(col);
        if (c === undefined) {
          if (t.height === 1 && t.width > 1) {
            c = r;
            r = 1;
          } else {
            c = t.width === 1 ? 1 : 0;
          }
        }
        if (r < 0 || c < 0) return err('VALUE', 'index below 0');
        if (r > t.height || c > t.width) return err('REF', 'index past the array');
        if (r === 0 && t.height === 1) r = 1;
        if (c === 0 && t.width === 1) c = 1;
        if (r > 0 && c > 0) return t.at(r - 1, c - 1);
        // A whole row, column or the array itself.
        const top = r === 0 ? 0 : r - 1;
        const left = c === 0 ? 0 : c - 1;
        const h = r === 0 ? t.height : 1;
        const w = c === 0 ? t.width : 1;
        return t.block(top, left, h, w);
      });
    }
  }

  /** [first, last] kept of `n` lines, `blank(i)` telling a blank line, trimmed as `mode` says. */
  function keep(n, blank, mode) {
    let first = 0;
    let last = n - 1;
    if (mode === 1 || mode === 3) while (first <= last && blank(first)) first++;
    if (mode === 2 || mode === 3) while (last >= first && blank(last)) last--;
    return [first, last];
  }

  Fix8LookupPlugin.prototype.trimrange = function trimrange(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('TRIMRANGE'), (where, rowsMode, colsMode) => {
      const rm = Math.trunc(rowsMode);
      const cm = Math.trunc(colsMode);
      if (rm < 0 || rm > 3 || cm < 0 || cm > 3) return err('VALUE', 'trim mode is 0 to 3');
      let height;
      let width;
      let at;
      if (where instanceof SimpleRangeValue && where.range !== undefined && where.range.start) {
        const range = where.range;
        const graph = this.dependencyGraph;
        const { sheet, row, col } = range.start;
        // Cells past the sheet's used area are blank: scan only up to it.
        height = Math.max(0, Math.min(range.height(), graph.getSheetHeight(sheet) - row));
        width = Math.max(0, Math.min(range.width(), graph.getSheetWidth(sheet) - col));
        at = (r, c) => graph.getCellValue({ sheet, row: row + r, col: col + c });
        if (rm === 0 || rm === 1) height = range.height();
        if (cm === 0 || cm === 1) width = range.width();
      } else {
        const g = where instanceof SimpleRangeValue ? where.rawData() : [[where]];
        height = g.length;
        width = height ? g[0].length : 0;
        at = (r, c) => g[r][c];
      }
      const blankRow = (r) => {
        for (let c = 0; c < width; c++) if (!isEmpty(at(r, c))) return false;
        return true;
      };
      const [r1, r2] = keep(height, blankRow, rm);
      const blankCol = (c) => {
        for (let r = r1; r <= r2; r++) if (!isEmpty(at(r, c))) return false;
        return true;
      };
      const [c1, c2] = keep(width, blankCol, cm);
      if (r2 < r1 || c2 < c1) return err('REF', 'nothing left after trimming');
      // No more than the formula's range shows (a whole column untrimmed is a million rows).
      const rec = recordedSize(state);
      const rEnd = rec ? Math.min(r2, r1 + rec.height - 1) : r2;
      const cEnd = rec ? Math.min(c2, c1 + rec.width - 1) : c2;
      const rows = [];
      for (let r = r1; r <= rEnd; r++) {
        const line = [];
        for (let c = c1; c <= cEnd; c++) {
          const v = raw(at(r, c));
          line.push(isEmpty(v) ? 0 : v);
        }
        rows.push(line);
      }
      return fit(this, ast, state, rows);
    });
  };
  Fix8LookupPlugin.prototype.filter = function filter(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('FILTER'), (array, include, ifEmpty) => {
      const g = array instanceof SimpleRangeValue ? array.rawData() : [[raw(array)]];
      const inc = include instanceof SimpleRangeValue ? include.rawData() : [[raw(include)]];
      const h = g.length;
      const w = h ? g[0].length : 0;
      const ih = inc.length;
      const iw = ih ? inc[0].length : 0;
      let byRows;
      if (iw === 1 && ih === h) byRows = true;
      else if (ih === 1 && iw === w) byRows = false;
      else return err('VALUE', 'include does not match the array');
      const flags = [];
      for (const v of byRows ? inc.map((line) => line[0]) : inc[0]) {
        if (v instanceof hf.CellError) return v;
        if (typeof v === 'string') return err('VALUE', 'include is text');
        flags.push(typeof v === 'number' ? v !== 0 : v === true);
      }
      const rows = byRows
        ? g.filter((_, r) => flags[r])
        : g.map((line) => line.filter((_, c) => flags[c]));
      if (rows.length === 0 || rows[0].length === 0) {
        if (ifEmpty !== undefined) return ifEmpty;
        return err('VALUE', 'nothing kept (#CALC! in Excel)');
      }
      const out = rows.map((line) => line.map((x) => (isEmpty(x) ? 0 : x)));
      if (out.length === 1 && out[0].length === 1) return out[0][0];
      return SimpleRangeValue.onlyValues(out);
    });
  };

  Fix8LookupPlugin.prototype.trimrangeSize = function trimrangeSize(ast, state) {
    return announce(this, ast, state, undefined);
  };

  const optionalNumber = { argumentType: T.NUMBER, optionalArg: true, emptyAsDefault: true };
  Fix8LookupPlugin.implementedFunctions = {
    INDEX: {
      method: 'index',
      parameters: [{ argumentType: T.RANGE }, optionalNumber, optionalNumber, optionalNumber],
    },
    FILTER: {
      method: 'filter',
      vectorizationForbidden: true,
      enableArrayArithmeticForArguments: true,
      parameters: [
        { argumentType: T.RANGE },
        { argumentType: T.RANGE },
        { argumentType: T.ANY, optionalArg: true },
      ],
    },
    TRIMRANGE: {
      method: 'trimrange',
      sizeOfResultArrayMethod: 'trimrangeSize',
      vectorizationForbidden: true,
      parameters: [
        { argumentType: T.RANGE },
        { argumentType: T.NUMBER, defaultValue: 3, emptyAsDefault: true },
        { argumentType: T.NUMBER, defaultValue: 3, emptyAsDefault: true },
      ],
    },
  };
  return Fix8LookupPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
