'use strict';
/*
 * Date rules HyperFormula 3.5.0 gets wrong:
 *  - EDATE and EOMONTH truncate a fractional number of months (Microsoft: "If months is not an
 *    integer, it is truncated"): EDATE(DATE(1987,12,1), -235.5) is 1968-05-01 where HyperFormula
 *    gave #NUM!. Both shift months through DateTimeHelper.offsetMonth, patched here.
 *  - DAYS360 (US method) as Excel computes it: a start date on the last day of February or on
 *    the 31st counts as the 30th; an end date on the 31st counts as the 30th when the start day
 *    (so adjusted) is the 30th; an end date on the last day of February is kept (Excel caches
 *    DAYS360(DATE(2024,2,29), DATE(2025,2,28)) = 358). Serial 0 is 1900-01-00 in the 1900 date
 *    system (DAYS360(10, 0) is -10), and a serial is taken to the nearest second first
 *    (DAYS360(45992.000001, 46000.999999) is 9). The European method is unchanged.
 */
const { registerPlugin, hfInternal } = require('./info_common');

const SECONDS_PER_DAY = 86400;

function patchOffsetMonth() {
  const helper = hfInternal('DateTimeHelper');
  if (helper.offsetMonth.xlTruncates) return;
  const original = helper.offsetMonth;
  const truncating = (date, offset) => original(date, Math.trunc(offset));
  truncating.xlTruncates = true;
  helper.offsetMonth = truncating;
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { toBasisEU } = hfInternal('DateTimeHelper');

  class ExcelDatesFixcPlugin extends FunctionPlugin {
    /** {year, month, day} of a serial taken to the nearest second (1900-01-00 for 0). */
    simpleDate(serial) {
      const day = Math.floor(Math.round(serial * SECONDS_PER_DAY) / SECONDS_PER_DAY);
      const helper = this.dateTimeHelper;
      if (day === 0 && helper.numberToSimpleDate(0).year === 1899) {
        return { year: 1900, month: 1, day: 0 };
      }
      return helper.numberToSimpleDate(day);
    }

    days360(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('DAYS360'), (startDate, endDate, european) => {
        const s = this.simpleDate(startDate);
        const e = this.simpleDate(endDate);
        if (european) {
          const a = toBasisEU(s);
          const b = toBasisEU(e);
          return 360 * (b.year - a.year) + 30 * (b.month - a.month) + b.day - a.day;
        }
        let d1 = s.day;
        let d2 = e.day;
        const lastOfFebruary = s.month === 2 && d1 === this.dateTimeHelper.daysInMonth(s.year, 2);
        if (lastOfFebruary || d1 === 31) d1 = 30;
        if (d2 === 31 && d1 === 30) d2 = 30;
        return 360 * (e.year - s.year) + 30 * (e.month - s.month) + d2 - d1;
      });
    }
  }

  ExcelDatesFixcPlugin.implementedFunctions = {
    DAYS360: {
      method: 'days360',
      parameters: [
        { argumentType: T.NUMBER, minValue: 0 },
        { argumentType: T.NUMBER, minValue: 0 },
        { argumentType: T.BOOLEAN, defaultValue: false },
      ],
    },
  };
  return ExcelDatesFixcPlugin;
}

function register(hfModule) {
  patchOffsetMonth();
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
