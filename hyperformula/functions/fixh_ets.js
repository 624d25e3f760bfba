'use strict';
/*
 * The exponential-smoothing forecast functions (Microsoft: "Forecasting functions (reference)",
 * "FORECAST.ETS function" and its CONFINT, SEASONALITY and STAT siblings): the AAA version of
 * Exponential Triple Smoothing, i.e. additive error, additive trend, additive seasonality:
 *   level  l_t = a (y_t - s_{t-m}) + (1 - a)(l_{t-1} + b_{t-1})
 *   trend  b_t = b (l_t - l_{t-1}) + (1 - b) b_{t-1}
 *   season s_t = g (y_t - l_{t-1} - b_{t-1}) + (1 - g) s_{t-m}
 * with one-step forecasts l_{t-1} + b_{t-1} + s_{t-m}; h steps past the end l + h b + s.
 *
 * Data preparation, as documented:
 *  - the timeline is sorted with its values; it needs a constant step (every gap a multiple of
 *    the smallest step), else #NUM!; values and timeline of different sizes give #N/A;
 *  - duplicate timestamps are aggregated (aggregation 1 AVERAGE (default), 2 COUNT, 3 COUNTA,
 *    4 MAX, 5 MEDIAN, 6 MIN, 7 SUM);
 *  - missing points (up to 30 % of the data) are completed: data_completion 1 (default) with the
 *    average of the neighbouring points, 0 with zeros; anything else is #NUM!;
 *  - seasonality 1 (default) detects the period, 0 means none, 2..8760 is the period.
 * A target before the end of the data reads the (completed) history, interpolated linearly
 * between steps, the slot before the first point counting 0 (as the values Excel cached
 * show: a target 0.7 on a timeline starting at 1 with value 1 gives 0.7); earlier targets
 * give #NUM!. Between future steps the forecast is interpolated the same way.
 * Smoothing parameters minimise the sum of squared one-step errors over [0, 1]^3; the state
 * starts from the first two periods (trend: mean per-step change between periods 1 and 2,
 * level: period 1's mean moved back to the step before the data, seasonal indices: period 1
 * less its trend line), so a series that is exactly linear plus seasonal fits with no error.
 * FORECAST.ETS.STAT: 1 alpha, 2 beta, 3 gamma, 4 MASE, 5 SMAPE, 6 MAE, 7 RMSE, 8 step size.
 */
const { registerPlugin, makeTools, hfInternal } = require('./info_common');

const jstat = hfInternal('interpreter/plugin/3rdparty/jstat/jstat.js');

const MAX_SEASONALITY = 8760;

/** Fitted models by period and series (a small first-in first-out cache). */
const fitCache = new Map();

/** Sorted, aggregated, completed series {ys, step, start} or an error code string. */
function prepareSeries(values, timeline, completion, aggregation) {
  const pairs = [];
  for (let i = 0; i < timeline.length; i++) {
    if (timeline[i] === null) continue;
    pairs.push([timeline[i], values[i]]);
  }
  if (pairs.length < 2) return 'NUM';
  pairs.sort((p, q) => p[0] - q[0]);
  // Aggregate duplicate timestamps.
  const xs = [];
  const groups = [];
  for (const [x, y] of pairs) {
    if (xs.length && xs[xs.length - 1] === x) groups[groups.length - 1].push(y);
    else {
      xs.push(x);
      groups.push([y]);
    }
  }
  const ys = groups.map((g) => aggregate(g, aggregation));
  if (xs.length < 2) return 'NUM';
  let step = Infinity;
  for (let i = 1; i < xs.length; i++) step = Math.min(step, xs[i] - xs[i - 1]);
  // Every gap must be a whole number of steps; missing points (gaps and empty values) are
  // completed with the average of their neighbours or with zeros.
  const out = [ys[0]];
  for (let i = 1; i < xs.length; i++) {
    const k = (xs[i] - xs[i - 1]) / step;
    const whole = Math.round(k);
    if (Math.abs(k - whole) > 1e-9 * Math.max(1, k)) return 'NUM';
    for (let j = 1; j < whole; j++) out.push(null);
    out.push(ys[i]);
  }
  let missing = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== null) continue;
    let j = i;
    while (j < out.length && out[j] === null) j++;
    const before = i > 0 ? out[i - 1] : out[j];
    const after = j < out.length ? out[j] : before;
    if (before === undefined || before === null) return 'NUM';
    const fill = completion ? (before + after) / 2 : 0;
    for (; i < j; i++, missing++) out[i] = fill;
  }
  if (missing > 0.3 * out.length) return 'NUM';
  return { ys: out, step, start: xs[0], end: xs[xs.length - 1] };
}

/** One value of duplicate timestamps' values (null for empty cells, skipped). */
function aggregate(group, aggregation) {
  const nums = group.filter((v) => typeof v === 'number');
  if (!nums.length && aggregation !== 2 && aggregation !== 3) return null;
  switch (aggregation) {
    case 2:
      return nums.length;
    case 3:
      return group.filter((v) => v !== null).length;
    case 4:
      return nums.length ? Math.max(...nums) : 0;
    case 5: {
      if (!nums.length) return 0;
      const s = [...nums].sort((a, b) => a - b);
      const h = s.length >> 1;
      return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
    }
    case 6:
      return nums.length ? Math.min(...nums) : 0;
    case 7:
      return nums.reduce((a, b) => a + b, 0);
    default:
      return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : 0;
  }
}

/** Period detected in `ys` (Microsoft documents only that it is detected): the lag of the
 * highest autocorrelation peak of the detrended series that is significant (above 1.96/sqrt(n),
 * the white-noise bound) with two whole periods in the data; 0 when none is. */
function detectPeriod(ys) {
  const n = ys.length;
  // Autocorrelations of the residuals of the least-squares trend line.
  const tMean = (n - 1) / 2;
  const mean = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t - tMean) * (ys[t] - mean);
    sxx += (t - tMean) ** 2;
  }
  const slope = sxx ? sxy / sxx : 0;
  const d = ys.map((y, t) => y - mean - slope * (t - tMean));
  const c0 = d.reduce((a, b) => a + b * b, 0);
  if (c0 === 0) return 0;
  const maxLag = Math.min(Math.floor(n / 2), MAX_SEASONALITY);
  const acf = [1];
  for (let k = 1; k <= maxLag + 1 && k < n; k++) {
    let s = 0;
    for (let t = k; t < n; t++) s += d[t] * d[t - k];
    acf.push(s / c0);
  }
  const bound = 1.96 / Math.sqrt(n);
  let best = 0;
  let bestValue = bound;
  for (let k = 2; k <= maxLag; k++) {
    const peak = acf[k] > acf[k - 1] && (k + 1 >= acf.length || acf[k] >= acf[k + 1]);
    if (peak && acf[k] > bestValue) {
      best = k;
      bestValue = acf[k];
    }
  }
  return best;
}

/** Run the AAA recursions with parameters (a, b, g) and period m (0: no seasonality). */
function smooth(ys, m, a, b, g) {
  const n = ys.length;
  const p = m || 1;
  let level;
  let trend;
  const season = new Array(p).fill(0);
  if (m) {
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < m; i++) {
      s1 += ys[i];
      s2 += ys[i + m];
    }
    trend = (s2 - s1) / (m * m);
    // The first period's mean is the level at its middle; the indices are corrected for trend.
    for (let i = 0; i < m; i++) season[i] = ys[i] - (s1 / m + trend * (i - (m - 1) / 2));
    level = s1 / m - (trend * (m + 1)) / 2;
  } else {
    trend = ys[1] - ys[0];
    level = ys[0] - trend;
  }
  const fitted = [];
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const s = m ? season[t % m] : 0;
    const f = level + trend + s;
    fitted.push(f);
    const e = ys[t] - f;
    sse += e * e;
    const newLevel = a * (ys[t] - s) + (1 - a) * (level + trend);
    if (m) season[t % m] = g * (ys[t] - level - trend) + (1 - g) * s;
    trend = b * (newLevel - level) + (1 - b) * trend;
    level = newLevel;
  }
  return { fitted, sse, level, trend, season };
}

/** The fitted model of a prepared series with period m: parameters minimising the squared
 * one-step errors (a coarse grid refined around the best point). */
function fitModel(ys, m) {
  let best = null;
  const tryAt = (a, b, g) => {
    const r = smooth(ys, m, a, b, g);
    if (!best || r.sse < best.sse - 1e-12 * Math.abs(best.sse)) best = { ...r, a, b, g };
  };
  const grid = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  for (const a of grid) for (const b of grid) for (const g of m ? grid : [0]) tryAt(a, b, g);
  let width = 0.05;
  for (let round = 0; round < 12 && best.sse > 0; round++) {
    const { a, b, g } = best;
    const clip = (v) => Math.min(1, Math.max(0, v));
    for (const da of [-width, 0, width])
      for (const db of [-width, 0, width])
        for (const dg of m ? [-width, 0, width] : [0]) {
          tryAt(clip(a + da), clip(b + db), clip(g + dg));
        }
    width /= 2;
  }
  return best;
}

/** Forecast k whole steps past the end of the data (k <= 0: the history, 0 before it). */
function stepValue(model, ys, m, k) {
  if (k <= 0) {
    const i = ys.length - 1 + k;
    return i < 0 ? 0 : ys[i];
  }
  const n = ys.length;
  const s = m ? model.season[(n + k - 1) % m] : 0;
  return model.level + k * model.trend + s;
}

/** Accuracy figures of the one-step fit. */
function accuracy(ys, fitted) {
  const n = ys.length;
  let abs = 0;
  let sq = 0;
  let sm = 0;
  for (let t = 0; t < n; t++) {
    const e = ys[t] - fitted[t];
    abs += Math.abs(e);
    sq += e * e;
    const denom = Math.abs(ys[t]) + Math.abs(fitted[t]);
    if (denom !== 0) sm += (2 * Math.abs(e)) / denom;
  }
  let naive = 0;
  for (let t = 1; t < n; t++) naive += Math.abs(ys[t] - ys[t - 1]);
  const mae = abs / n;
  naive /= n - 1;
  return { mae, rmse: Math.sqrt(sq / n), smape: sm / n, mase: mae === 0 ? 0 : mae / naive };
}

/** Inverse of the standard normal distribution (HyperFormula's own, as NORM.S.INV uses). */
function normInv(p) {
  return jstat.normal.inv(p, 0, 1);
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, isEmpty, err, flatten } = makeTools(hf);

  class ExcelEtsPlugin extends FunctionPlugin {
    /** An optional numeric argument: undefined (omitted or an empty cell) gives `dflt`. */
    optionalNumber(v, dflt) {
      if (v === undefined || isEmpty(v)) return dflt;
      return this.coerceScalarToNumberOrError(raw(v));
    }

    /** The prepared model, or a CellError. */
    model(values, timeline, seasonality, completion, aggregation, id) {
      const ys = flatten(values);
      const xs = flatten(timeline);
      for (const v of [...xs, ...ys]) if (isError(v)) return v;
      if (ys.length !== xs.length) return err('NA', `${id}: values and timeline differ in size`);
      const tx = [];
      for (const x of xs) {
        const r = raw(x);
        if (isEmpty(r)) tx.push(null);
        else if (typeof r !== 'number') return err('VALUE', `${id}: timeline not numeric`);
        else tx.push(r);
      }
      const vy = ys.map((y) => (typeof raw(y) === 'number' ? raw(y) : null));
      const season = this.optionalNumber(seasonality, 1);
      const comp = this.optionalNumber(completion, 1);
      const agg = this.optionalNumber(aggregation, 1);
      for (const a of [season, comp, agg]) if (isError(a)) return a;
      const m0 = Math.trunc(season);
      const aggr = Math.trunc(agg);
      if (m0 < 0 || m0 > MAX_SEASONALITY) return err('NUM', `${id}: seasonality out of range`);
      if (comp !== 0 && comp !== 1) return err('NUM', `${id}: data_completion must be 0 or 1`);
      if (aggr < 1 || aggr > 7) return err('NUM', `${id}: aggregation must be 1 to 7`);
      const series = prepareSeries(vy, tx, comp === 1, aggr);
      if (typeof series === 'string') return err(series, `${id}: timeline has no constant step`);
      let m = m0 === 1 ? detectPeriod(series.ys) : m0;
      if (m === 1) m = 0;
      if (m && series.ys.length < 2 * m) return err('NUM', `${id}: fewer than two periods`);
      if (series.ys.length < 2) return err('NUM', `${id}: too few points`);
      // A column of forecasts usually shares its data: keep the last fits.
      const key = `${m}|${series.ys.join(',')}`;
      let fit = fitCache.get(key);
      if (!fit) {
        fit = fitModel(series.ys, m);
        if (fitCache.size >= 32) fitCache.delete(fitCache.keys().next().value);
        fitCache.set(key, fit);
      }
      return { series, m, fit };
    }

    /** Forecast at `target` (interpolated between whole steps), or a CellError. */
    forecastAt(state, target, id) {
      const { series, m, fit } = state;
      const h = (target - series.end) / series.step;
      const k = Math.floor(h);
      const frac = h - k;
      if (series.ys.length - 1 + h <= -1) return err('NUM', `${id}: target before the data`);
      const v0 = stepValue(fit, series.ys, m, k);
      if (frac === 0) return v0;
      const v1 = stepValue(fit, series.ys, m, k + 1);
      return v0 + frac * (v1 - v0);
    }

    forecastEts(ast, state) {
      const id = 'FORECAST.ETS';
      const body = (target, values, timeline, seas, comp, aggr) => {
        const mod = this.model(values, timeline, seas, comp, aggr, id);
        if (isError(mod)) return mod;
        return this.forecastAt(mod, target, id);
      };
      return this.runFunction(ast.args, state, this.metadata(id), body);
    }

    forecastEtsConfint(ast, state) {
      const id = 'FORECAST.ETS.CONFINT';
      const body = (target, values, timeline, level, seas, comp, aggr) => {
        const conf = this.optionalNumber(level, 0.95);
        if (isError(conf)) return conf;
        if (!(conf > 0 && conf < 1)) return err('NUM', `${id}: confidence_level outside (0, 1)`);
        const mod = this.model(values, timeline, seas, comp, aggr, id);
        if (isError(mod)) return mod;
        const { series, m, fit } = mod;
        const h = (target - series.end) / series.step;
        if (h <= 0) return err('NUM', `${id}: target before the end of the data`);
        const { rmse } = accuracy(series.ys, fit.fitted);
        if (rmse === 0) return 0;
        // Variance of the h-step forecast of the AAA model: sigma^2 (1 + sum_{j<h} c_j^2),
        // c_j = a (1 + j b) + g [j a multiple of m].
        let v = 1;
        for (let j = 1; j < Math.ceil(h); j++) {
          const c = fit.a * (1 + j * fit.b) + (m && j % m === 0 ? fit.g : 0);
          v += c * c;
        }
        return normInv((1 + conf) / 2) * rmse * Math.sqrt(v);
      };
      return this.runFunction(ast.args, state, this.metadata(id), body);
    }

    forecastEtsSeasonality(ast, state) {
      const id = 'FORECAST.ETS.SEASONALITY';
      const body = (values, timeline, comp, aggr) => {
        const mod = this.model(values, timeline, undefined, comp, aggr, id);
        if (isError(mod)) return mod;
        return mod.m;
      };
      return this.runFunction(ast.args, state, this.metadata(id), body);
    }

    forecastEtsStat(ast, state) {
      const id = 'FORECAST.ETS.STAT';
      const body = (values, timeline, type, seas, comp, aggr) => {
        const t = Math.trunc(type);
        if (t < 1 || t > 8) return err('NUM', `${id}: statistic_type must be 1 to 8`);
        const mod = this.model(values, timeline, seas, comp, aggr, id);
        if (isError(mod)) return mod;
        const { series, fit } = mod;
        if (t === 8) return series.step;
        if (t <= 3) return [fit.a, fit.b, fit.g][t - 1];
        const acc = accuracy(series.ys, fit.fitted);
        return [acc.mase, acc.smape, acc.mae, acc.rmse][t - 4];
      };
      return this.runFunction(ast.args, state, this.metadata(id), body);
    }
  }

  const opt = { argumentType: T.SCALAR, optionalArg: true };
  const range = { argumentType: T.RANGE };
  ExcelEtsPlugin.implementedFunctions = {
    'FORECAST.ETS': {
      method: 'forecastEts',
      parameters: [{ argumentType: T.NUMBER }, range, range, opt, opt, opt],
    },
    'FORECAST.ETS.CONFINT': {
      method: 'forecastEtsConfint',
      parameters: [{ argumentType: T.NUMBER }, range, range, opt, opt, opt, opt],
    },
    'FORECAST.ETS.SEASONALITY': {
      method: 'forecastEtsSeasonality',
      parameters: [range, range, opt, opt],
    },
    'FORECAST.ETS.STAT': {
      method: 'forecastEtsStat',
      parameters: [range, range, { argumentType: T.NUMBER }, opt, opt, opt],
    },
  };
  return ExcelEtsPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, prepareSeries, detectPeriod, smooth, fitModel };
