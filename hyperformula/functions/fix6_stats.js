'use strict';
/*
 * Statistical functions HyperFormula 3.5.0 lacks:
 *  - KURT (Microsoft: "KURT function"): the sample excess kurtosis
 *    n(n+1)/((n-1)(n-2)(n-3)) * sum(((x-mean)/s)^4) - 3(n-1)^2/((n-2)(n-3)), s the sample
 *    standard deviation; fewer than four values or s = 0 give #DIV/0!. Numbers of ranges and of
 *    single-cell references (text, logicals, empties skipped); values typed in the formula
 *    coerced ("3" is 3, TRUE 1, "x" #VALUE!); the first error is the result.
 *  - PERCENTRANK.INC / PERCENTRANK.EXC (Microsoft: "PERCENTRANK.INC function",
 *    "PERCENTRANK.EXC function"): the rank of x in the numbers of `array` (text, logicals and
 *    empties skipped), interpolated between the two nearest values: with p the (fractional)
 *    0-based position of x in the sorted numbers, INC is p/(n-1) and EXC (p+1)/(n+1), truncated
 *    (not rounded) to `significance` digits (3 when omitted). No numbers or significance < 1
 *    give #NUM!; x below the smallest or above the largest number #N/A.
 *  - PERCENTOF (Microsoft: "PERCENTOF function"): SUM(data_subset) / SUM(data_all), numbers of
 *    ranges only; as the values Excel cached show, an error value in either argument gives
 *    #NUM!; a zero total gives #DIV/0!.
 */
const { registerPlugin, makeTools } = require('./info_common');

/** Sample excess kurtosis of `xs`, or undefined when Excel gives #DIV/0!. */
function kurtosis(xs) {
  const n = xs.length;
  if (n < 4) return undefined;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const ss = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  const s = Math.sqrt(ss / (n - 1));
  if (s === 0) return undefined;
  const m4 = xs.reduce((a, b) => a + ((b - mean) / s) ** 4, 0);
  return (
    ((n * (n + 1)) / ((n - 1) * (n - 2) * (n - 3))) * m4 - (3 * (n - 1) ** 2) / ((n - 2) * (n - 3))
  );
}

/** 0-based fractional position of x in ascending `sorted` (undefined when outside it). */
function rankPosition(sorted, x) {
  const n = sorted.length;
  if (x < sorted[0] || x > sorted[n - 1]) return undefined;
  let i = 0;
  while (i < n && sorted[i] < x) i++;
  if (sorted[i] === x) return i;
  const lo = sorted[i - 1];
  const hi = sorted[i];
  return i - 1 + (x - lo) / (hi - lo);
}

/** `v` truncated to `digits` decimals (15 significant digits first, so 0.83*100 stays 83). */
function truncateDigits(v, digits) {
  const f = 10 ** digits;
  return Math.floor(Number((v * f).toPrecision(15))) / f;
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, err, flatten } = makeTools(hf);

  /** Numbers of a range or scalar argument (text, logicals, empties skipped) or the first error. */
  function rangeNumbers(v) {
    const out = [];
    for (const x of flatten(v)) {
      if (isError(x)) return x;
      const r = raw(x);
      if (typeof r === 'number') out.push(r);
    }
    return out;
  }

  class ExcelStatsFix6Plugin extends FunctionPlugin {
    kurt(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('KURT'), (...args) => {
        // A single-cell reference is read as a range (its text or logical skipped); typed
        // scalars are coerced.
        const asRange = args.map((a, i) => ast.args[i] && ast.args[i].type === 'CELL_REFERENCE');
        const xs = [];
        for (let i = 0; i < args.length; i++) {
          const got = asRange[i]
            ? rangeNumbers(args[i])
            : this.arithmeticHelper.coerceNumbersExactRanges([args[i]]);
          if (isError(got)) return got;
          xs.push(...got);
        }
        const k = kurtosis(xs);
        return k === undefined ? err('DIV_BY_ZERO', 'KURT needs four values and a spread') : k;
      });
    }

    percentrankInc(ast, state) {
      return this.percentrank(ast, state, 'PERCENTRANK.INC', false);
    }

    percentrankExc(ast, state) {
      return this.percentrank(ast, state, 'PERCENTRANK.EXC', true);
    }

    percentrank(ast, state, id, exclusive) {
      return this.runFunction(ast.args, state, this.metadata(id), (array, x, significance) => {
        const xs = rangeNumbers(array);
        if (isError(xs)) return xs;
        const digits = Math.trunc(significance);
        if (xs.length === 0 || digits < 1) return err('NUM', `${id} needs numbers and significance >= 1`);
        xs.sort((a, b) => a - b);
        const p = rankPosition(xs, x);
        if (p === undefined) return err('NA', `${id}: x outside the data`);
        const n = xs.length;
        let rank;
        if (exclusive) rank = (p + 1) / (n + 1);
        else rank = n === 1 ? 1 : p / (n - 1);
        return truncateDigits(rank, digits);
      });
    }

    percentof(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('PERCENTOF'), (subset, all) => {
        const part = rangeNumbers(subset);
        const whole = rangeNumbers(all);
        if (isError(part) || isError(whole)) return err('NUM', 'PERCENTOF of an error');
        const total = whole.reduce((a, b) => a + b, 0);
        if (total === 0) return err('DIV_BY_ZERO', 'PERCENTOF of a zero total');
        return part.reduce((a, b) => a + b, 0) / total;
      });
    }
  }

  const rank = (method) => ({
    method,
    parameters: [
      { argumentType: T.ANY },
      { argumentType: T.NUMBER },
      { argumentType: T.NUMBER, defaultValue: 3 },
    ],
  });
  ExcelStatsFix6Plugin.implementedFunctions = {
    KURT: { method: 'kurt', parameters: [{ argumentType: T.ANY }], repeatLastArgs: 1 },
    PERCENTRANK: rank('percentrankInc'), // the legacy name of PERCENTRANK.INC
    'PERCENTRANK.INC': rank('percentrankInc'),
    'PERCENTRANK.EXC': rank('percentrankExc'),
    PERCENTOF: { method: 'percentof', parameters: [{ argumentType: T.ANY }, { argumentType: T.ANY }] },
  };
  return ExcelStatsFix6Plugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, kurtosis, rankPosition, truncateDigits };
