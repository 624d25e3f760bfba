'use strict';
/*
 * Excel 365 array-shaping functions HyperFormula 3.5.0 lacks: CHOOSECOLS, CHOOSEROWS, TOCOL,
 * TOROW, TAKE, DROP, EXPAND, WRAPROWS, WRAPCOLS, SORTBY, and ANCHORARRAY (the `A1#` spill
 * reference: the range Excel recorded for that anchor).
 */
const { registerPlugin, makeTools } = require('./info_common');
const { makeArrayTools } = require('./array_common');

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, isEmpty, err, grid, compareSameType } = makeTools(hf);
  const { argSize, announce, fit, staticInt } = makeArrayTools(hf);

  /** Selected 0-based indexes (1-based, negative from the end in Excel) or an error. */
  function pickIndexes(args, count) {
    const out = [];
    for (const a of args) {
      for (const row of grid(a)) {
        for (let v of row) {
          v = raw(v);
          if (isError(v)) return v;
          if (typeof v === 'boolean') v = v ? 1 : 0;
          if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
          if (typeof v !== 'number') return err('VALUE', 'index is not a number');
          const i = Math.trunc(v);
          if (i === 0 || Math.abs(i) > count) return err('VALUE', 'index out of range');
          out.push(i > 0 ? i - 1 : count + i);
        }
      }
    }
    return out;
  }

  /** Number of values the index arguments give, when their sizes are known. */
  function indexCount(plugin, asts, state) {
    let n = 0;
    for (const a of asts) {
      const s = argSize(plugin, a, state);
      if (!s) return undefined;
      n += s.width * s.height;
    }
    return n;
  }

  function keepValue(v, ignore) {
    if ((ignore === 1 || ignore === 3) && isEmpty(v)) return false;
    if ((ignore === 2 || ignore === 3) && isError(v)) return false;
    return true;
  }

  function vectorOf(rows, ignore, byColumn) {
    const out = [];
    const h = rows.length;
    const w = h ? rows[0].length : 0;
    if (byColumn) {
      for (let c = 0; c < w; c++) for (let r = 0; r < h; r++) out.push(rows[r][c]);
    } else {
      for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out.push(rows[r][c]);
    }
    return out.filter((v) => keepValue(v, ignore)).map((v) => (isEmpty(v) ? 0 : v));
  }

  /** Rows [r0, r1) and columns [c0, c1) of TAKE / DROP. */
  function takeBounds(h, w, rows, cols, drop) {
    const part = (n, count) => {
      if (n === undefined) return drop ? [0, count] : [0, count];
      if (drop) return n >= 0 ? [Math.min(n, count), count] : [0, Math.max(0, count + n)];
      return n >= 0 ? [0, Math.min(n, count)] : [Math.max(0, count + n), count];
    };
    const [r0, r1] = part(rows, h);
    const [c0, c1] = part(cols, w);
    return { r0, r1, c0, c1 };
  }

  /** Sort order of two SORTBY keys: numbers < text < booleans, blanks last, errors last. */
  function compareKeys(a, b) {
    const rank = (v) => (isEmpty(v) ? 4 : isError(v) ? 5 : typeof v === 'number' ? 0
      : typeof v === 'string' ? 1 : 2);
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    if (ra >= 4) return 0;
    return compareSameType(a, b) || 0;
  }

  class ArrayShapePlugin extends FunctionPlugin {
    choosecols(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CHOOSECOLS'), (array, ...idx) => {
        if (isError(array)) return array;
        const rows = array.rawData();
        const picked = pickIndexes(idx, rows[0].length);
        if (isError(picked)) return picked;
        return fit(this, ast, state, rows.map((row) => picked.map((c) => row[c])));
      });
    }

    choosecolsSize(ast, state) {
      const a = argSize(this, ast.args[0], state);
      const n = indexCount(this, ast.args.slice(1), state);
      return announce(this, ast, state, a && n ? { width: n, height: a.height } : undefined);
    }

    chooserows(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CHOOSEROWS'), (array, ...idx) => {
        if (isError(array)) return array;
        const rows = array.rawData();
        const picked = pickIndexes(idx, rows.length);
        if (isError(picked)) return picked;
        return fit(this, ast, state, picked.map((r) => rows[r]));
      });
    }

    chooserowsSize(ast, state) {
      const a = argSize(this, ast.args[0], state);
      const n = indexCount(this, ast.args.slice(1), state);
      return announce(this, ast, state, a && n ? { width: a.width, height: n } : undefined);
    }

    tocol(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('TOCOL'), (array, ignore, scan) => {
        if (isError(array)) return array;
        ignore = Math.trunc(ignore);
        if (ignore < 0 || ignore > 3) return err('VALUE', 'ignore must be 0 to 3');
        const v = vectorOf(array.rawData(), ignore, scan);
        if (!v.length) return err('VALUE', 'empty result');
        return fit(this, ast, state, v.map((x) => [x]));
      });
    }

    tocolSize(ast, state) {
      const a = argSize(this, ast.args[0], state);
      const ignore = ast.args.length > 1 ? staticInt(this, ast.args[1], state) : 0;
      const known = a && (ignore === 0 || (ast.args[1] && ast.args[1].type === 'EMPTY'));
      return announce(this, ast, state, known ? { width: 1, height: a.width * a.height } : undefined);
    }

    torow(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('TOROW'), (array, ignore, scan) => {
        if (isError(array)) return array;
        ignore = Math.trunc(ignore);
        if (ignore < 0 || ignore > 3) return err('VALUE', 'ignore must be 0 to 3');
        const v = vectorOf(array.rawData(), ignore, scan);
        if (!v.length) return err('VALUE', 'empty result');
        return fit(this, ast, state, [v]);
      });
    }

    torowSize(ast, state) {
      const a = argSize(this, ast.args[0], state);
      const ignore = ast.args.length > 1 ? staticInt(this, ast.args[1], state) : 0;
      const known = a && (ignore === 0 || (ast.args[1] && ast.args[1].type === 'EMPTY'));
      return announce(this, ast, state, known ? { width: a.width * a.height, height: 1 } : undefined);
    }

    takeOrDrop(ast, state, name, drop) {
      return this.runFunction(ast.args, state, this.metadata(name), (array, rows, cols) => {
        if (isError(array)) return array;
        const data = array.rawData();
        const skipped = (i) => ast.args.length <= i || ast.args[i].type === 'EMPTY';
        const r = skipped(1) ? undefined : Math.trunc(rows);
        const c = skipped(2) ? undefined : Math.trunc(cols);
        const b = takeBounds(data.length, data[0].length, r, c, drop);
        if (b.r1 <= b.r0 || b.c1 <= b.c0) return err('VALUE', 'empty result');
        return fit(this, ast, state, data.slice(b.r0, b.r1).map((row) => row.slice(b.c0, b.c1)));
      });
    }

    takeOrDropSize(ast, state, drop) {
      const a = argSize(this, ast.args[0], state);
      const given = (i) => ast.args.length > i && ast.args[i].type !== 'EMPTY';
      const rows = given(1) ? staticInt(this, ast.args[1], state) : undefined;
      const cols = given(2) ? staticInt(this, ast.args[2], state) : undefined;
      let size;
      if (a && (!given(1) || rows !== undefined) && (!given(2) || cols !== undefined)) {
        const b = takeBounds(a.height, a.width, rows, cols, drop);
        if (b.r1 > b.r0 && b.c1 > b.c0) size = { width: b.c1 - b.c0, height: b.r1 - b.r0 };
      }
      return announce(this, ast, state, size);
    }

    take(ast, state) {
      return this.takeOrDrop(ast, state, 'TAKE', false);
    }

    takeSize(ast, state) {
      return this.takeOrDropSize(ast, state, false);
    }

    drop(ast, state) {
      return this.takeOrDrop(ast, state, 'DROP', true);
    }

    dropSize(ast, state) {
      return this.takeOrDropSize(ast, state, true);
    }

    expand(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('EXPAND'), (array, rows, cols, pad) => {
        if (isError(array)) return array;
        const data = array.rawData();
        const h = rows === undefined ? data.length : Math.trunc(rows);
        const w = cols === undefined ? data[0].length : Math.trunc(cols);
        if (h < data.length || w < data[0].length) return err('VALUE', 'smaller than the array');
        const fill = pad === undefined ? err('NA', 'padding') : pad;
        const out = [];
        for (let r = 0; r < h; r++) {
          const line = [];
          for (let c = 0; c < w; c++) line.push(r < data.length && c < data[0].length ? data[r][c] : fill);
          out.push(line);
        }
        return fit(this, ast, state, out);
      });
    }

    expandSize(ast, state) {
      const a = argSize(this, ast.args[0], state);
      const given = (i) => ast.args.length > i && ast.args[i].type !== 'EMPTY';
      const rows = given(1) ? staticInt(this, ast.args[1], state) : a && a.height;
      const cols = given(2) ? staticInt(this, ast.args[2], state) : a && a.width;
      const ok = a && rows >= a.height && cols >= a.width;
      return announce(this, ast, state, ok ? { width: cols, height: rows } : undefined);
    }

    wrap(ast, state, name, byRows) {
      return this.runFunction(ast.args, state, this.metadata(name), (vector, count, pad) => {
        if (isError(vector)) return vector;
        const data = vector.rawData();
        if (data.length > 1 && data[0].length > 1) return err('VALUE', 'not a vector');
        const values = data.length === 1 ? data[0] : data.map((row) => row[0]);
        count = Math.trunc(count);
        if (count < 1) return err('NUM', 'wrap count below 1');
        const fill = pad === undefined ? err('NA', 'padding') : pad;
        const lines = Math.ceil(values.length / count);
        const out = [];
        for (let i = 0; i < lines; i++) {
          const line = [];
          for (let j = 0; j < count; j++) {
            const k = i * count + j;
            line.push(k < values.length ? values[k] : fill);
          }
          out.push(line);
        }
        if (byRows) return fit(this, ast, state, out);
        return fit(this, ast, state, out[0].map((_, c) => out.map((row) => row[c])));
      });
    }

    wrapSize(ast, state, byRows) {
      const a = argSize(this, ast.args[0], state);
      const count = staticInt(this, ast.args[1], state);
      let size;
      if (a && count >= 1 && (a.width === 1 || a.height === 1)) {
        const lines = Math.ceil((a.width * a.height) / count);
        size = byRows ? { width: count, height: lines } : { width: lines, height: count };
      }
      return announce(this, ast, state, size);
    }

    wraprows(ast, state) {
      return this.wrap(ast, state, 'WRAPROWS', true);
    }

    wraprowsSize(ast, state) {
      return this.wrapSize(ast, state, true);
    }

    wrapcols(ast, state) {
      return this.wrap(ast, state, 'WRAPCOLS', false);
    }

    wrapcolsSize(ast, state) {
      return this.wrapSize(ast, state, false);
    }

    sortby(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('SORTBY'), (array, ...rest) => {
        if (isError(array)) return array;
        const data = array.rawData();
        const h = data.length;
        const w = data[0].length;
        const keys = [];
        for (let i = 0; i < rest.length; i += 2) {
          const by = rest[i];
          if (isError(by)) return by;
          let order = rest[i + 1] === undefined ? 1 : raw(rest[i + 1]);
          if (isError(order)) return order;
          order = Math.trunc(Number(order));
          if (order !== 1 && order !== -1) return err('VALUE', 'sort order must be 1 or -1');
          const g = by.rawData();
          let vector;
          let byRows;
          if (g[0].length === 1 && g.length === h) {
            vector = g.map((row) => row[0]);
            byRows = true;
          } else if (g.length === 1 && g[0].length === w) {
            vector = g[0];
            byRows = false;
          } else {
            return err('VALUE', 'by_array does not fit the array');
          }
          keys.push({ vector, order, byRows });
        }
        if (!keys.length) return err('VALUE', 'no by_array');
        const byRows = keys[0].byRows;
        if (keys.some((k) => k.byRows !== byRows)) return err('VALUE', 'mixed directions');
        const n = byRows ? h : w;
        const idx = [...Array(n).keys()];
        idx.sort((x, y) => {
          for (const k of keys) {
            const a = k.vector[x];
            const b = k.vector[y];
            const blankOrError = (v) => isEmpty(v) || isError(v);
            let c = compareKeys(a, b);
            if (!blankOrError(a) && !blankOrError(b)) c *= k.order;
            if (c !== 0) return c;
          }
          return x - y;
        });
        const out = byRows ? idx.map((r) => data[r]) : data.map((row) => idx.map((c) => row[c]));
        return fit(this, ast, state, out);
      });
    }

    sortbySize(ast, state) {
      return announce(this, ast, state, argSize(this, ast.args[0], state));
    }

    anchorarray(ast, state) {
      const target = this.anchorOf(ast, state);
      if (!target) return err('REF', 'not a reference');
      const size = this.spillOf(target) || { width: 1, height: 1 };
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
          if (v instanceof hf.SimpleRangeValue) v = v.rawData()[0][0];
          line.push(v);
        }
        rows.push(line);
      }
      return fit(this, ast, state, rows);
    }

    anchorOf(ast, state) {
      const arg = ast.args[0];
      if (!arg || arg.type !== 'CELL_REFERENCE') return undefined;
      try {
        return arg.reference.toSimpleCellAddress(state.formulaAddress);
      } catch (e) {
        return undefined;
      }
    }

    spillOf(address) {
      const refs = globalThis.__xlimportArrayRefs;
      return refs && refs.get(`${address.sheet}:${address.row}:${address.col}`);
    }

    anchorarraySize(ast, state) {
      const target = this.anchorOf(ast, state);
      return announce(this, ast, state, (target && this.spillOf(target)) || { width: 1, height: 1 });
    }
  }

  const range = { argumentType: T.RANGE };
  const num = (optionalArg) => ({ argumentType: T.NUMBER, optionalArg });
  const common = { vectorizationForbidden: true, enableArrayArithmeticForArguments: true };
  ArrayShapePlugin.implementedFunctions = {
    CHOOSECOLS: {
      method: 'choosecols', sizeOfResultArrayMethod: 'choosecolsSize', ...common,
      parameters: [range, { argumentType: T.ANY }], repeatLastArgs: 1,
    },
    CHOOSEROWS: {
      method: 'chooserows', sizeOfResultArrayMethod: 'chooserowsSize', ...common,
      parameters: [range, { argumentType: T.ANY }], repeatLastArgs: 1,
    },
    TOCOL: {
      method: 'tocol', sizeOfResultArrayMethod: 'tocolSize', ...common,
      parameters: [range, { argumentType: T.NUMBER, defaultValue: 0 },
        { argumentType: T.BOOLEAN, defaultValue: false }],
    },
    TOROW: {
      method: 'torow', sizeOfResultArrayMethod: 'torowSize', ...common,
      parameters: [range, { argumentType: T.NUMBER, defaultValue: 0 },
        { argumentType: T.BOOLEAN, defaultValue: false }],
    },
    TAKE: {
      method: 'take', sizeOfResultArrayMethod: 'takeSize', ...common,
      parameters: [range, num(true), num(true)],
    },
    DROP: {
      method: 'drop', sizeOfResultArrayMethod: 'dropSize', ...common,
      parameters: [range, num(true), num(true)],
    },
    EXPAND: {
      method: 'expand', sizeOfResultArrayMethod: 'expandSize', ...common,
      parameters: [range, num(true), num(true), { argumentType: T.SCALAR, optionalArg: true }],
    },
    WRAPROWS: {
      method: 'wraprows', sizeOfResultArrayMethod: 'wraprowsSize', ...common,
      parameters: [range, num(false), { argumentType: T.SCALAR, optionalArg: true }],
    },
    WRAPCOLS: {
      method: 'wrapcols', sizeOfResultArrayMethod: 'wrapcolsSize', ...common,
      parameters: [range, num(false), { argumentType: T.SCALAR, optionalArg: true }],
    },
    SORTBY: {
      method: 'sortby', sizeOfResultArrayMethod: 'sortbySize', ...common,
      parameters: [range, range, { argumentType: T.ANY, optionalArg: true }], repeatLastArgs: 2,
    },
    ANCHORARRAY: {
      method: 'anchorarray', sizeOfResultArrayMethod: 'anchorarraySize', ...common,
      parameters: [{ argumentType: T.ANY }],
    },
  };
  return ArrayShapePlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
