'use strict';
/*
 * Statistical array functions HyperFormula 3.5.0 lacks: LINEST, LOGEST, TREND, GROWTH (least
 * squares as Excel computes them, with the const and stats flags), FREQUENCY, MODE.MULT.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { makeArrayTools } = require('./array_common');
const { inverse } = require('./array_matrix');

/**
 * Least squares fit of y (n values) on the k columns of x (n rows), as Excel's LINEST: with an
 * intercept (`withConst`) the data is centred first; columns that are linear combinations of
 * earlier ones are dropped (coefficient 0, standard error 0).
 */
function leastSquares(x, y, withConst) {
  const n = y.length;
  const k = x[0].length;
  const xbar = new Array(k).fill(0);
  let ybar = 0;
  if (withConst) {
    for (let i = 0; i < n; i++) {
      ybar += y[i];
      for (let j = 0; j < k; j++) xbar[j] += x[i][j];
    }
    ybar /= n;
    for (let j = 0; j < k; j++) xbar[j] /= n;
  }
  const xc = x.map((row) => row.map((v, j) => v - xbar[j]));
  const yc = y.map((v) => v - ybar);
  // keep columns whose part orthogonal to the kept ones is not negligible
  const kept = [];
  const basis = [];
  for (let j = 0; j < k; j++) {
    let col = xc.map((row) => row[j]);
    const norm0 = Math.sqrt(col.reduce((s, v) => s + v * v, 0));
    for (const q of basis) {
      const d = col.reduce((s, v, i) => s + v * q[i], 0);
      col = col.map((v, i) => v - d * q[i]);
    }
    const norm = Math.sqrt(col.reduce((s, v) => s + v * v, 0));
    if (norm0 > 0 && norm > norm0 * 1e-9) {
      kept.push(j);
      basis.push(col.map((v) => v / norm));
    }
  }
  const kk = kept.length;
  const a = kept.map((p) => kept.map((q) => xc.reduce((s, row) => s + row[p] * row[q], 0)));
  const inv = kk ? inverse(a) : [];
  if (kk && !inv) return undefined;
  const rhs = kept.map((p) => xc.reduce((s, row, i) => s + row[p] * yc[i], 0));
  const coef = new Array(k).fill(0);
  kept.forEach((p, i) => {
    coef[p] = inv[i].reduce((s, v, j) => s + v * rhs[j], 0);
  });
  const b = withConst ? ybar - coef.reduce((s, m, j) => s + m * xbar[j], 0) : 0;
  let ssresid = 0;
  let ssreg = 0;
  for (let i = 0; i < n; i++) {
    let fitted = b;
    for (let j = 0; j < k; j++) fitted += coef[j] * x[i][j];
    ssresid += (y[i] - fitted) ** 2;
    ssreg += (fitted - (withConst ? ybar : 0)) ** 2;
  }
  const df = n - kk - (withConst ? 1 : 0);
  const sey = df > 0 ? Math.sqrt(ssresid / df) : NaN;
  const se = new Array(k).fill(0);
  kept.forEach((p, i) => {
    se[p] = sey * Math.sqrt(inv[i][i]);
  });
  let seb;
  if (withConst) {
    let q = 1 / n;
    kept.forEach((p, i) => kept.forEach((r, j) => {
      q += xbar[p] * inv[i][j] * xbar[r];
    }));
    seb = sey * Math.sqrt(q);
  }
  const r2 = ssreg + ssresid === 0 ? 1 : ssreg / (ssreg + ssresid);
  const f = (ssreg / kk) / (ssresid / df);
  return { coef, b, se, seb, r2, sey, f, df, ssreg, ssresid, kept: kk };
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, err, grid, numbersOf } = makeTools(hf);
  const { argSize, announce, fit, staticInt } = makeArrayTools(hf);

  const skipped = (ast, i) => ast.args.length > i && ast.args[i].type === 'EMPTY';

  /** y values and the x matrix (n rows, k columns) of LINEST's arguments, or an error. */
  function regressionData(yArg, xArg, logY) {
    if (isError(yArg)) return yArg;
    if (xArg !== undefined && isError(xArg)) return xArg;
    const yg = grid(yArg);
    const yRow = yg.length === 1 && yg[0].length > 1;
    if (xArg !== undefined) {
      // Excel checks the shapes before the values: known_x that does not fit is #REF! even
      // when known_y holds an empty cell or text
      const cells = yg.length * yg[0].length;
      const xs = grid(xArg);
      const [h, w] = [xs.length, xs[0].length];
      if (!(h * w === cells || (!yRow && h === cells) || (yRow && w === cells))) {
        return err('REF', 'known_x does not fit known_y');
      }
    }
    const y = [];
    for (const row of yg) {
      for (let v of row) {
        v = raw(v);
        if (isError(v)) return v;
        if (typeof v !== 'number') return err('VALUE', 'known_y is not numeric');
        if (logY && v <= 0) return err('NUM', 'known_y must be positive');
        y.push(logY ? Math.log(v) : v);
      }
    }
    const n = y.length;
    let x;
    if (xArg === undefined) {
      x = y.map((_, i) => [i + 1]);
    } else {
      const xg = grid(xArg).map((row) => row.map(raw));
      for (const row of xg) {
        for (const v of row) {
          if (isError(v)) return v;
          if (typeof v !== 'number') return err('VALUE', 'known_x is not numeric');
        }
      }
      const h = xg.length;
      const w = xg[0].length;
      if (h * w === n) {
        x = xg.flat().map((v) => [v]);
      } else if (!yRow && h === n) {
        x = xg;
      } else if (yRow && w === n) {
        x = xg[0].map((_, i) => xg.map((row) => row[i]));
      } else {
        return err('REF', 'known_x does not fit known_y');
      }
    }
    return { y, x, yRow, n };
  }

  /** Number of x variables LINEST will have, known before evaluation. */
  function predictorCount(plugin, ast, state) {
    const ys = argSize(plugin, ast.args[0], state);
    if (!ys) return undefined;
    if (ast.args.length < 2 || ast.args[1].type === 'EMPTY') return 1;
    const xs = argSize(plugin, ast.args[1], state);
    if (!xs) return undefined;
    const n = ys.width * ys.height;
    if (xs.width * xs.height === n) return 1;
    return ys.height === 1 && ys.width > 1 ? xs.height : xs.width;
  }

  function linestBlock(fitResult, withConst, stats, exp) {
    const { coef, b } = fitResult;
    const k = coef.length;
    const first = coef.slice().reverse().concat([withConst ? b : 0]);
    const row1 = exp ? first.map(Math.exp) : first;
    if (!exp && !withConst) row1[k] = 0;
    if (exp && !withConst) row1[k] = 1;
    if (!stats) return [row1];
    const na = () => err('NA', 'LINEST statistics');
    const num = (v) => (Number.isFinite(v) ? v : err('NUM', 'not finite'));
    const row2 = fitResult.se.slice().reverse().map(num).concat([withConst ? num(fitResult.seb) : na()]);
    const pad = (cells) => cells.concat(Array.from({ length: k + 1 - cells.length }, na));
    const divOrNum = (v) => (Number.isFinite(v) ? v : err('NUM', 'not finite'));
    return [
      row1,
      row2,
      pad([fitResult.r2, divOrNum(fitResult.sey)]),
      pad([divOrNum(fitResult.f), fitResult.df]),
      pad([fitResult.ssreg, fitResult.ssresid]),
    ];
  }

  function linestLike(plugin, ast, state, name, exp) {
    return plugin.runFunction(ast.args, state, plugin.metadata(name), (ys, xs, c, stats) => {
      if (skipped(ast, 1)) xs = undefined;
      if (skipped(ast, 2)) c = undefined;
      const d = regressionData(ys, xs, exp);
      if (isError(d)) return d;
      const withConst = c === undefined ? true : Boolean(c);
      const r = leastSquares(d.x, d.y, withConst);
      if (!r) return err('NUM', 'singular');
      return fit(plugin, ast, state, linestBlock(r, withConst, Boolean(stats), exp));
    });
  }

  function linestLikeSize(plugin, ast, state) {
    const k = predictorCount(plugin, ast, state);
    const given = ast.args.length > 3 && ast.args[3].type !== 'EMPTY';
    const stats = given ? staticInt(plugin, ast.args[3], state) : 0;
    const known = k !== undefined && stats !== undefined;
    return announce(plugin, ast, state, known ? { width: k + 1, height: stats ? 5 : 1 } : undefined);
  }

  function trendLike(plugin, ast, state, name, exp) {
    return plugin.runFunction(ast.args, state, plugin.metadata(name), (ys, xs, nx, c) => {
      if (skipped(ast, 1)) xs = undefined;
      if (skipped(ast, 2)) nx = undefined;
      if (skipped(ast, 3)) c = undefined;
      const d = regressionData(ys, xs, exp);
      if (isError(d)) return d;
      const withConst = c === undefined ? true : Boolean(c);
      const r = leastSquares(d.x, d.y, withConst);
      if (!r) return err('NUM', 'singular');
      const k = d.x[0].length;
      let points;
      let shape;
      if (nx === undefined) {
        points = d.x;
        shape = grid(ys).map((row) => row.map(() => 0));
      } else {
        if (isError(nx)) return nx;
        const g = grid(nx).map((row) => row.map(raw));
        for (const row of g) for (const v of row) {
          if (isError(v)) return v;
          if (typeof v !== 'number') return err('VALUE', 'new_x is not numeric');
        }
        if (k === 1) {
          points = g.flat().map((v) => [v]);
          shape = g;
        } else if (!d.yRow && g[0].length === k) {
          points = g;
          shape = g.map(() => [0]);
        } else if (d.yRow && g.length === k) {
          points = g[0].map((_, i) => g.map((row) => row[i]));
          shape = [points.map(() => 0)];
        } else {
          return err('REF', 'new_x does not fit known_x');
        }
      }
      const values = points.map((p) => {
        const v = p.reduce((s, xv, j) => s + r.coef[j] * xv, r.b);
        return exp ? Math.exp(v) : v;
      });
      let i = 0;
      const w = shape[0].length;
      const out = shape.map((row) => row.map(() => values[i++]));
      if (w === 0) return err('VALUE', 'empty');
      return fit(plugin, ast, state, out);
    });
  }

  function trendLikeSize(plugin, ast, state) {
    const k = predictorCount(plugin, ast, state);
    const hasNew = ast.args.length > 2 && ast.args[2].type !== 'EMPTY';
    let size;
    if (!hasNew) {
      size = argSize(plugin, ast.args[0], state);
    } else if (k !== undefined) {
      const ns = argSize(plugin, ast.args[2], state);
      const ys = argSize(plugin, ast.args[0], state);
      if (ns && k === 1) size = ns;
      else if (ns && ys && ys.height === 1 && ys.width > 1) size = { width: ns.width, height: 1 };
      else if (ns) size = { width: 1, height: ns.height };
    }
    return announce(plugin, ast, state, size);
  }

  class ArrayStatsPlugin extends FunctionPlugin {
    linest(ast, state) {
      return linestLike(this, ast, state, 'LINEST', false);
    }

    logest(ast, state) {
      return linestLike(this, ast, state, 'LOGEST', true);
    }

    linestSize(ast, state) {
      return linestLikeSize(this, ast, state);
    }

    trend(ast, state) {
      return trendLike(this, ast, state, 'TREND', false);
    }

    growth(ast, state) {
      return trendLike(this, ast, state, 'GROWTH', true);
    }

    trendSize(ast, state) {
      return trendLikeSize(this, ast, state);
    }

    frequency(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('FREQUENCY'), (data, bins) => {
        const values = numbersOf(data);
        if (isError(values)) return values;
        const edges = numbersOf(bins);
        if (isError(edges)) return edges;
        const order = edges.map((e, i) => [e, i]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
        const counts = new Array(edges.length + 1).fill(0);
        for (const v of values) {
          let slot = edges.length;
          for (const [e, i] of order) {
            if (v <= e) {
              slot = i;
              break;
            }
          }
          counts[slot]++;
        }
        return fit(this, ast, state, counts.map((c) => [c]));
      });
    }

    frequencySize(ast, state) {
      const b = argSize(this, ast.args[1], state);
      return announce(this, ast, state, b ? { width: 1, height: b.width * b.height + 1 } : undefined);
    }

    modemult(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('MODE.MULT'), (...args) => {
        const values = [];
        for (const a of args) {
          const nums = numbersOf(a);
          if (isError(nums)) return nums;
          values.push(...nums);
        }
        const counts = new Map();
        for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
        let best = 1;
        for (const c of counts.values()) best = Math.max(best, c);
        if (best < 2) return err('NA', 'no repeated value');
        const modes = [...counts.entries()].filter(([, c]) => c === best).map(([v]) => [v]);
        return fit(this, ast, state, modes);
      });
    }

    modemultSize(ast, state) {
      return announce(this, ast, state, undefined);
    }
  }

  const range = { argumentType: T.RANGE };
  const optRange = { argumentType: T.RANGE, optionalArg: true };
  const optBool = { argumentType: T.BOOLEAN, optionalArg: true };
  const common = { vectorizationForbidden: true, enableArrayArithmeticForArguments: true };
  ArrayStatsPlugin.implementedFunctions = {
    LINEST: {
      method: 'linest', sizeOfResultArrayMethod: 'linestSize', ...common,
      parameters: [range, optRange, optBool, optBool],
    },
    LOGEST: {
      method: 'logest', sizeOfResultArrayMethod: 'linestSize', ...common,
      parameters: [range, optRange, optBool, optBool],
    },
    TREND: {
      method: 'trend', sizeOfResultArrayMethod: 'trendSize', ...common,
      parameters: [range, optRange, optRange, optBool],
    },
    GROWTH: {
      method: 'growth', sizeOfResultArrayMethod: 'trendSize', ...common,
      parameters: [range, optRange, optRange, optBool],
    },
    FREQUENCY: {
      method: 'frequency', sizeOfResultArrayMethod: 'frequencySize', ...common,
      parameters: [range, range],
    },
    'MODE.MULT': {
      method: 'modemult', sizeOfResultArrayMethod: 'modemultSize', ...common,
      parameters: [range], repeatLastArgs: 1,
    },
  };
  return ArrayStatsPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, leastSquares };
