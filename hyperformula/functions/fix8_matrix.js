'use strict';
/*
 * Array functions whose HyperFormula 3.5.0 version differs from Excel:
 *  - MMULT(array1, array2) (Microsoft: "MMULT function"): dates and times are numbers (HyperFormula
 *    gave #VALUE! for values computed by DATE or TIME); an error value in either array is the
 *    result (the first one, array1 then array2, row by row); text, logicals or empty cells give
 *    #VALUE!, as do columns of array1 differing from rows of array2.
 *  - SEQUENCE(rows, [columns], [start], [step]) (Microsoft: "SEQUENCE function"): every
 *    argument may be omitted, rows included (SEQUENCE(,12,,2.5) is one row of 12), each missing
 *    one being 1. The size of the result is known before evaluation when rows and columns are
 *    literals or constant cells.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { makeArrayTools } = require('./array_common');

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, err, grid } = makeTools(hf);
  const { argSize, announce, fit, staticInt } = makeArrayTools(hf);

  /** Numbers of a block, or the first error, or undefined when a value is not a number. */
  function matrix(v) {
    const rows = grid(v);
    for (const row of rows) for (const x of row) if (isError(x)) return x;
    const out = [];
    for (const row of rows) {
      const line = [];
      for (const x of row) {
        const n = raw(x);
        if (typeof n !== 'number') return undefined;
        line.push(n);
      }
      out.push(line);
    }
    return out;
  }

  class MatrixFix8Plugin extends FunctionPlugin {
    mmult(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('MMULT'), (left, right) => {
        const a = matrix(left);
        if (isError(a)) return a;
        const b = matrix(right);
        if (isError(b)) return b;
        if (a === undefined || b === undefined) return err('VALUE', 'not a number');
        if (a[0].length !== b.length) return err('VALUE', 'array dimensions do not match');
        const out = a.map((row) =>
          b[0].map((_, c) => row.reduce((sum, x, i) => sum + x * b[i][c], 0)),
        );
        return fit(this, ast, state, out);
      });
    }

    mmultSize(ast, state) {
      const left = argSize(this, ast.args[0], state);
      const right = argSize(this, ast.args[1], state);
      const size = left && right ? { width: right.width, height: left.height } : undefined;
      return announce(this, ast, state, size);
    }

    sequence(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('SEQUENCE'), (rows, cols, start, step) => {
        const h = Math.trunc(rows);
        const w = Math.trunc(cols);
        if (!Number.isFinite(h) || !Number.isFinite(w)) return err('VALUE', 'not a number');
        if (h < 1 || w < 1) return err('VALUE', 'empty array (#CALC! in Excel)');
        if (h > this.config.maxRows || w > this.config.maxColumns) return err('NUM', 'too large');
        const out = [];
        for (let r = 0; r < h; r++) {
          const line = [];
          for (let c = 0; c < w; c++) line.push(start + (r * w + c) * step);
          out.push(line);
        }
        return fit(this, ast, state, out);
      });
    }

    sequenceSize(ast, state) {
      const dim = (i) => {
        const a = ast.args[i];
        if (!a || a.type === 'EMPTY') return 1;
        return staticInt(this, a, state);
      };
      const h = dim(0);
      const w = dim(1);
      const known = h !== undefined && w !== undefined && h >= 1 && w >= 1;
      return announce(this, ast, state, known ? { width: w, height: h } : undefined);
    }
  }

  const num = { argumentType: T.NUMBER, defaultValue: 1, emptyAsDefault: true };
  MatrixFix8Plugin.implementedFunctions = {
    MMULT: {
      method: 'mmult',
      sizeOfResultArrayMethod: 'mmultSize',
      vectorizationForbidden: true,
      parameters: [{ argumentType: T.RANGE }, { argumentType: T.RANGE }],
    },
    SEQUENCE: {
      method: 'sequence',
      sizeOfResultArrayMethod: 'sequenceSize',
      vectorizationForbidden: true,
      parameters: [num, num, num, num],
    },
  };
  return MatrixFix8Plugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
