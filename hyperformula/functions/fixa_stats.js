'use strict';
/*
 * BINOM.DIST, BINOM.INV and NEGBINOM.DIST as Excel computes them (Microsoft: "BINOM.DIST
 * function", "BINOM.INV function", "NEGBINOM.DIST function"; cached in
 * ironcalc__statistical_binom.xlsx):
 *  - an error in any argument is the result, before any check of the other arguments
 *    (BINOM.DIST(3,2,3,#DIV/0!) is #DIV/0!, where HyperFormula 3.5.0 rejected p = 3 first);
 *  - BINOM.INV: probability_s must be below 1 (BINOM.INV(10,1,0.8) is #NUM!);
 *  - NEGBINOM.DIST: probability_s must lie strictly between 0 and 1 (#NUM! at 0 and at 1);
 *    number_f and number_s are truncated, number_f < 0 or number_s < 1 is #NUM!. Large
 *    arguments, where HyperFormula's direct formula overflows, are computed in logarithms:
 *    NEGBINOM.DIST(3000,3000,0.0001,TRUE) is 0, NEGBINOM.DIST(9999,10000,0.999,TRUE) is 1.
 *  - LARGE and SMALL of one value typed in the formula take it as a number (TRUE is 1, "2.3" is
 *    2.3; other text #VALUE!), as a one-value array: LARGE(TRUE,1) is 1 (HyperFormula: #NUM!).
 */
const { makeTools, hfInternal } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

const jstat = hfInternal('interpreter/plugin/3rdparty/jstat/jstat.js');

/** ln of the negative binomial probability of f failures before the s-th success. */
function negbinLogPdf(f, s, p) {
  return (
    jstat.gammaln(f + s) - jstat.gammaln(f + 1) - jstat.gammaln(s) + s * Math.log(p) +
    f * Math.log1p(-p)
  );
}

/** P(failures <= f), summed term by term; past the mode the terms only shrink, so the sum stops
 * once they no longer count. NaN when that would take too long. */
function negbinCdf(f, s, p) {
  const mode = ((s - 1) * (1 - p)) / p;
  let total = 0;
  for (let k = 0; k <= f; k++) {
    if (k > 1e7) return NaN;
    const term = Math.exp(negbinLogPdf(k, s, p));
    total += term;
    if (k > mode && term <= total * 1e-17) break;
  }
  return Math.min(total, 1);
}

/** The same metadata without HyperFormula's bounds on the arguments (checked by the caller). */
function unbounded(meta) {
  return {
    ...meta,
    parameters: meta.parameters.map((p) => {
      const { minValue, maxValue, greaterThan, lessThan, ...rest } = p;
      return rest;
    }),
  };
}

function register(hfModule) {
  const { HyperFormula } = hfModule;
  const { raw, isError, isRange, err } = makeTools(hfModule);

  /** The first error among the arguments' values (ranges are left to the implementation). */
  function firstError(plugin, ast, state) {
    for (const arg of ast.args) {
      if (!arg || arg.type === 'EMPTY') continue;
      const v = plugin.evaluateAst(arg, state);
      if (isRange(v)) continue;
      if (isError(raw(v))) return raw(v);
    }
    return undefined;
  }

  const plugins = [];
  const add = (p) => p && plugins.push(p);

  add(
    wrapFunction(hfModule, 'BINOM.DIST', function binomDist(ast, state, base) {
      return firstError(this, ast, state) || base(ast, state);
    })
  );

  const invBase = HyperFormula.getFunctionPlugin('BINOM.INV');
  const invMeta = invBase && unbounded(invBase.implementedFunctions['BINOM.INV']);
  add(
    wrapFunction(hfModule, 'BINOM.INV', function binomInv(ast, state, base) {
      const e = firstError(this, ast, state);
      if (e) return e;
      const p = this.runFunction(ast.args, state, invMeta, (n, prob) => prob);
      if (typeof raw(p) === 'number' && raw(p) >= 1) return err('NUM', 'BINOM.INV: probability_s >= 1');
      return base(ast, state);
    })
  );

  const nbBase = HyperFormula.getFunctionPlugin('NEGBINOM.DIST');
  const nbMeta = nbBase && unbounded(nbBase.implementedFunctions['NEGBINOM.DIST']);
  add(
    wrapFunction(hfModule, 'NEGBINOM.DIST', function negbinomDist(ast, state) {
      const e = firstError(this, ast, state);
      if (e) return e;
      return this.runFunction(ast.args, state, nbMeta, (nf, ns, p, cumulative) => {
        const f = Math.trunc(nf);
        const s = Math.trunc(ns);
        if (f < 0 || s < 1 || !(p > 0 && p < 1)) return err('NUM', 'NEGBINOM.DIST: argument out of range');
        let v = cumulative ? jstat.negbin.cdf(f, s, p) : jstat.negbin.pdf(f, s, p);
        if (!Number.isFinite(v) || v < 0 || v > 1) {
          v = cumulative ? negbinCdf(f, s, p) : Math.exp(negbinLogPdf(f, s, p));
        }
        return Number.isFinite(v) ? v : err('NUM', 'NEGBINOM.DIST: out of reach');
      });
    })
  );

  // --- LARGE, SMALL of a value typed in the formula ---
  for (const id of ['LARGE', 'SMALL']) {
    add(
      wrapFunction(hfModule, id, function typedValue(ast, state, base) {
        const lit = literalOf(ast.args[0]);
        if (lit === undefined || ast.args.length !== 2) return base(ast, state);
        let x = lit;
        if (typeof x === 'boolean') x = Number(x);
        else if (typeof x === 'string') {
          x = raw(this.arithmeticHelper.coerceToMaybeNumber(x));
          if (typeof x !== 'number') return err('VALUE', `${id}: text is not a number`);
        }
        const k = raw(this.evaluateAst(ast.args[1], state));
        if (isError(k)) return k;
        const kn = typeof k === 'number' ? k : raw(this.arithmeticHelper.coerceToMaybeNumber(k));
        if (typeof kn !== 'number') return err('VALUE', `${id}: k is not a number`);
        // k below 1 is #NUM! (a fractional k above it rounds up: only k = 1 picks the value)
        return kn === 1 ? x : err('NUM', `${id}: k out of range`);
      })
    );
  }

  return plugins;
}

/** The value of a literal argument (a number, a string, TRUE(), FALSE(), a negated number),
 * else undefined. */
function literalOf(ast) {
  if (!ast) return undefined;
  switch (ast.type) {
    case 'NUMBER':
    case 'STRING':
      return ast.value;
    case 'PARENTHESES':
      return literalOf(ast.expression);
    case 'MINUS_UNARY_OP': {
      const v = literalOf(ast.value);
      return typeof v === 'number' ? -v : undefined;
    }
    case 'FUNCTION_CALL':
      if (ast.args.length === 0 && ast.procedureName === 'TRUE') return true;
      if (ast.args.length === 0 && ast.procedureName === 'FALSE') return false;
      return undefined;
    default:
      return undefined;
  }
}

module.exports = { register, literalOf };
