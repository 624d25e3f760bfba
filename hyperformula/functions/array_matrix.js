'use strict';
/*
 * Matrix functions HyperFormula 3.5.0 lacks (its MatrixPlugin has MMULT and TRANSPOSE only):
 * MINVERSE, MDETERM, MUNIT.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { makeArrayTools } = require('./array_common');

/** Numbers of a square block, or an error code ('VALUE' for text/blank, 'DIM' not square). */
function squareNumbers(rows, isError) {
  const n = rows.length;
  if (!n || rows[0].length !== n) return { error: 'VALUE' };
  const out = [];
  for (const row of rows) {
    const line = [];
    for (const v of row) {
      if (isError(v)) return { cellError: v };
      const x = v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v;
      if (typeof x !== 'number') return { error: 'VALUE' };
      line.push(x);
    }
    out.push(line);
  }
  return { matrix: out };
}

/** Determinant by LU decomposition with partial pivoting. */
function determinant(m) {
  const n = m.length;
  const a = m.map((r) => r.slice());
  let det = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    if (a[p][k] === 0) return 0;
    if (p !== k) {
      [a[p], a[k]] = [a[k], a[p]];
      det = -det;
    }
    det *= a[k][k];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j < n; j++) a[i][j] -= f * a[k][j];
    }
  }
  return det;
}

/** Inverse by Gauss-Jordan elimination with partial pivoting; undefined when singular. */
function inverse(m) {
  const n = m.length;
  const a = m.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  let scale = 0;
  for (const r of m) for (const x of r) scale = Math.max(scale, Math.abs(x));
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    if (Math.abs(a[p][k]) <= scale * 1e-15 * n) return undefined;
    [a[p], a[k]] = [a[k], a[p]];
    const piv = a[k][k];
    for (let j = 0; j < 2 * n; j++) a[k][j] /= piv;
    for (let i = 0; i < n; i++) {
      if (i === k || a[i][k] === 0) continue;
      const f = a[i][k];
      for (let j = 0; j < 2 * n; j++) a[i][j] -= f * a[k][j];
    }
  }
  return a.map((r) => r.slice(n));
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { isError, err } = makeTools(hf);
  const { argSize, announce, fit, staticInt } = makeArrayTools(hf);

  class ArrayMatrixPlugin extends FunctionPlugin {
    minverse(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('MINVERSE'), (array) => {
        if (isError(array)) return array;
        const sq = squareNumbers(array.data, isError);
        if (sq.cellError) return sq.cellError;
        if (sq.error) return err('VALUE', 'not a square array of numbers');
        const inv = inverse(sq.matrix);
        if (!inv) return err('NUM', 'singular matrix');
        return fit(this, ast, state, inv);
      });
    }

    minverseSize(ast, state) {
      const a = argSize(this, ast.args[0], state);
      return announce(this, ast, state, a && a.width === a.height ? a : undefined);
    }

    mdeterm(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('MDETERM'), (array) => {
        if (isError(array)) return array;
        const sq = squareNumbers(array.data, isError);
        if (sq.cellError) return sq.cellError;
        if (sq.error) return err('VALUE', 'not a square array of numbers');
        return determinant(sq.matrix);
      });
    }

    munit(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('MUNIT'), (n) => {
        n = Math.trunc(n);
        if (n < 1) return err('VALUE', 'dimension below 1');
        const rows = Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (__, j) => (i === j ? 1 : 0)));
        return fit(this, ast, state, rows);
      });
    }

    munitSize(ast, state) {
      const n = staticInt(this, ast.args[0], state);
      return announce(this, ast, state, n >= 1 ? { width: n, height: n } : undefined);
    }
  }

  const common = { vectorizationForbidden: true, enableArrayArithmeticForArguments: true };
  ArrayMatrixPlugin.implementedFunctions = {
    MINVERSE: {
      method: 'minverse', sizeOfResultArrayMethod: 'minverseSize', ...common,
      parameters: [{ argumentType: T.RANGE }],
    },
    MDETERM: { method: 'mdeterm', ...common, parameters: [{ argumentType: T.RANGE }] },
    MUNIT: {
      method: 'munit', sizeOfResultArrayMethod: 'munitSize', ...common,
      parameters: [{ argumentType: T.NUMBER }],
    },
  };
  return ArrayMatrixPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, inverse, determinant };
