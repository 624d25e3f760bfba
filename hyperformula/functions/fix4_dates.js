'use strict';
/*
 * YEARFRAC(start_date, end_date, [basis]) as Excel checks its arguments (Microsoft: "YEARFRAC
 * function"; the order of the checks from Excel-saved workbooks): the basis first (an error
 * argument gives that error, text or a logical gives #VALUE!, a number outside 0-4 after
 * truncation gives #NUM!; blank is 0), then the dates (errors, #VALUE! for text that is no date,
 * #NUM! outside serials 0-2958465). The fraction itself is `financial_dates.js` yearFrac (basis 1
 * actual/actual as Excel computes it).
 */
const { registerPlugin, makeTools } = require('./info_common');
const dates = require('./financial_dates');

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, isEmpty, err } = makeTools(hf);

  class Fix4DatesPlugin extends FunctionPlugin {
    date1904() {
      const d = this.config && this.config.nullDate;
      return Boolean(d && d.year === 1904);
    }

    /** A date argument as a truncated serial number, or an error. */
    serialOf(v) {
      v = raw(v);
      if (isError(v)) return v;
      if (isEmpty(v)) return 0;
      if (typeof v === 'boolean') return err('VALUE', 'a logical is not a date');
      if (typeof v === 'string') {
        const n = this.coerceScalarToNumberOrError(v);
        if (isError(n)) return n;
        v = raw(n); // a date-time text coerces to a typed number
      }
      if (typeof v !== 'number') v = Number(v);
      if (!Number.isFinite(v)) return err('VALUE', 'not a date');
      v = Math.trunc(v);
      if (v < 0 || v > dates.MAX_SERIAL) return err('NUM', 'date out of range');
      return v;
    }

    yearfrac(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('YEARFRAC'), (start, end, basis) => {
        let b = basis === undefined ? 0 : raw(basis);
        if (isError(b)) return b;
        if (isEmpty(b)) b = 0;
        if (typeof b === 'string') {
          const n = this.coerceScalarToNumberOrError(b);
          if (isError(n)) return n;
          b = raw(n); // a date-time text coerces to a typed number
        }
        if (typeof b !== 'number') return err('VALUE', 'basis is not a number');
        b = Math.trunc(b);
        if (b < 0 || b > 4) return err('NUM', 'basis must be 0 to 4');
        const s = this.serialOf(start);
        if (isError(s)) return s;
        const e = this.serialOf(end);
        if (isError(e)) return e;
        const [lo, hi] = s <= e ? [s, e] : [e, s];
        // Actual/360 and actual/365 count serial days (1900-02-29 included, as Excel has it).
        if (b === 2 || b === 3) return (hi - lo) / (b === 2 ? 360 : 365);
        const d1904 = this.date1904();
        return dates.yearFrac(dates.fromSerial(lo, d1904), dates.fromSerial(hi, d1904), b);
      });
    }
  }

  // SCALAR: error arguments reach the function, which checks them in Excel's order
  const scalar = (optionalArg) => ({ argumentType: T.SCALAR, optionalArg });
  Fix4DatesPlugin.implementedFunctions = {
    YEARFRAC: { method: 'yearfrac', parameters: [scalar(false), scalar(false), scalar(true)] },
  };
  return Fix4DatesPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
