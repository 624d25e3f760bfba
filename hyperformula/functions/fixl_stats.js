'use strict';
/*
 * Statistical functions as Excel computes them:
 *  - CHISQ.TEST (CHITEST): the two ranges need the same number of cells, not the same shape
 *    (a 2x2 actual range goes with a 4x1 expected one, paired in reading order); the first
 *    error of actual_range, then of expected_range, is the result (#NULL! only when no other
 *    error follows); a pair where either value is not a number is left out; no pair left, or
 *    an expected value of 0, is #DIV/0!. The degrees of freedom come from actual_range's shape:
 *    (rows - 1) * (columns - 1), or cells - 1 for a single row or column; none is #N/A.
 *  - CHISQ.INV.RT (CHIINV) of a probability of 0 is #NUM! (no finite quantile).
 *  - PEARSON, CORREL and RSQ with no spread in either array (or fewer than two pairs) divide by
 *    zero: #DIV/0! (HyperFormula: #NUM!).
 *  - T.DIST's density (cumulative FALSE) with 0 degrees of freedom (an omitted or empty
 *    argument) is #DIV/0!; the cumulative distribution stays #NUM!.
 *  - CONFIDENCE.NORM / CONFIDENCE.T / CONFIDENCE: an argument that is not a number (text such
 *    as "TRUE") is #VALUE! before the ranges of the others are checked.
 *  - FORECAST / FORECAST.LINEAR: known_y's or known_x's given as a reference to one empty
 *    cell is #VALUE! (a reference to an empty range is #DIV/0!).
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');
const { regularizedGamma } = require('./fixc_stats');

function register(hfModule) {
  const { raw, isError, isEmpty, isRange, grid, err } = makeTools(hfModule);
  const plugins = [];
  const isNull = (v) => isError(v) && raw(v).type === 'NULL';

  for (const id of ['CHISQ.TEST', 'CHITEST']) {
    const plugin = wrapFunction(hfModule, id, function chisqTest(ast, state) {
      if (ast.args.length !== 2) return err('NA', `${id}: wrong number of arguments`);
      const blocks = ast.args.map((a) => {
        const v = this.evaluateAst(a, state);
        return grid(isRange(v) ? v : raw(v)).map((row) => row.map(raw));
      });
      const [actual, expected] = blocks.map((g) => g.flat());
      const all = actual.concat(expected);
      const bad = all.find((v) => isError(v) && !isNull(v)) || all.find(isNull);
      if (bad) return bad;
      if (actual.length !== expected.length) return err('NA', `${id}: ranges of different sizes`);
      const rows = blocks[0].length;
      const cols = rows ? blocks[0][0].length : 0;
      const df = rows === 1 || cols === 1 ? rows * cols - 1 : (rows - 1) * (cols - 1);
      if (df < 1) return err('NA', `${id}: no degrees of freedom`);
      let chi2 = 0;
      let pairs = 0;
      for (let i = 0; i < actual.length; i++) {
        const a = actual[i];
        const e = expected[i];
        if (typeof a !== 'number' || typeof e !== 'number') continue;
        if (e === 0) return err('DIV_BY_ZERO', `${id}: an expected value of 0`);
        chi2 += ((a - e) * (a - e)) / e;
        pairs++;
      }
      if (!pairs) return err('DIV_BY_ZERO', `${id}: no pairs of numbers`);
      return regularizedGamma(df / 2, chi2 / 2)[1];
    });
    if (plugin) plugins.push(plugin);
  }

  for (const id of ['CHISQ.INV.RT', 'CHIINV']) {
    const plugin = wrapFunction(hfModule, id, function zeroProbability(ast, state, base) {
      const got = base(ast, state);
      if (typeof raw(got) !== 'number' || !ast.args.length) return got;
      const p = this.evaluateAst(ast.args[0], state);
      if (isRange(p)) return got;
      const v = raw(p);
      const n = typeof v === 'string' ? raw(this.coerceScalarToNumberOrError(v)) : v;
      return n === 0 || isEmpty(v) ? err('NUM', `${id}: a probability of 0`) : got;
    });
    if (plugin) plugins.push(plugin);
  }
  const add = (plugin) => plugin && plugins.push(plugin);
  /** Argument i as Excel gives it to a function taking a value (undefined when a range). */
  const valueOf = (self, ast, state, i) => {
    const a = ast.args[i];
    if (!a || a.type === 'EMPTY') return undefined;
    const v = self.evaluateAst(a, state);
    return isRange(v) ? undefined : raw(v);
  };

  for (const id of ['PEARSON', 'CORREL', 'RSQ']) {
    add(
      wrapFunction(hfModule, id, function noSpread(ast, state, base) {
        const got = base(ast, state);
        // HyperFormula computes 0/0 (NaN, later shown as #NUM!)
        if (typeof raw(got) === 'number' && !Number.isFinite(raw(got))) {
          return err('DIV_BY_ZERO', `${id}: no spread`);
        }
        if (!isError(got) || raw(got).type !== 'NUM') return got;
        for (const a of ast.args) {
          const v = this.evaluateAst(a, state);
          const cells = isRange(v) ? grid(v).flat() : [v];
          if (cells.some((x) => isError(x) && raw(x).type === 'NUM')) return got;
        }
        return err('DIV_BY_ZERO', `${id}: no spread`);
      })
    );
  }

  add(
    wrapFunction(hfModule, 'T.DIST', function zeroFreedom(ast, state, base) {
      const got = base(ast, state);
      if (!isError(got) || raw(got).type !== 'NUM' || ast.args.length < 2) return got;
      const df = valueOf(this, ast, state, 1);
      const cumulative = valueOf(this, ast, state, 2);
      if (cumulative !== undefined && !isEmpty(cumulative) && cumulative !== false && cumulative !== 0) {
        return got;
      }
      if (df === undefined || isEmpty(df) || (typeof df === 'number' && Math.trunc(df) === 0)) {
        return err('DIV_BY_ZERO', 'T.DIST with 0 degrees of freedom');
      }
      return got;
    })
  );

  for (const id of ['CONFIDENCE.NORM', 'CONFIDENCE.T', 'CONFIDENCE']) {
    add(
      wrapFunction(hfModule, id, function typesFirst(ast, state, base) {
        const got = base(ast, state);
        if (!isError(got) || raw(got).type !== 'NUM') return got;
        for (let i = 0; i < ast.args.length; i++) {
          const v = valueOf(this, ast, state, i);
          if (typeof v !== 'string') continue;
          const n = raw(this.coerceScalarToNumberOrError(v));
          if (typeof n !== 'number') return err('VALUE', `${id}: text that is not a number`);
        }
        return got;
      })
    );
  }

  return plugins;
}

/** FORECAST and FORECAST.LINEAR come from a module loaded after this one: wrapped once every
 * module has registered. */
function finalize(hfModule) {
  const { raw, isError, isEmpty, err } = makeTools(hfModule);
  const plugins = [];
  const add = (plugin) => plugin && plugins.push(plugin);
  for (const id of ['FORECAST', 'FORECAST.LINEAR']) {
    add(
      wrapFunction(hfModule, id, function emptyCell(ast, state, base) {
        const got = base(ast, state);
        if (!isError(got) || raw(got).type !== 'DIV_BY_ZERO') return got;
        for (const a of ast.args.slice(1, 3)) {
          if (a && a.type === 'CELL_REFERENCE' && isEmpty(raw(this.evaluateAst(a, state)))) {
            return err('VALUE', `${id}: a reference to an empty cell`);
          }
        }
        return got;
      })
    );
  }
  return plugins;
}

module.exports = { register, finalize };
