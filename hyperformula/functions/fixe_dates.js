'use strict';
/*
 * YEAR, MONTH and DAY (Microsoft: "YEAR function", "MONTH function", "DAY function"), also
 * element by element in an array formula:
 *  - serial 0 (and any time of that day) is "1900-01-00" in the 1900 date system: YEAR 1900,
 *    MONTH 1, DAY 0; the 1904 system's serial 0 is a real day, 1904-01-01;
 *  - a serial below 0 or past 9999-12-31 is #NUM! (DAY(2958466) is #NUM!, HyperFormula gave 1).
 * fix9_dates.js handled day zero for one value only; {=DAY(C6:Q6)} went to HyperFormula's
 * 1899-12-31 for 0 and 0.7.
 */
const { registerPlugin } = require('./info_common');

const PARTS = { YEAR: 'year', MONTH: 'month', DAY: 'day' };

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, CellError, ErrorType } = hf;

  class ExcelDatePartsPlugin extends FunctionPlugin {
    datePart(ast, state, id) {
      return this.runFunction(ast.args, state, this.metadata(id), (serial) => {
        const helper = this.dateTimeHelper;
        const last = helper.dateToNumber({ year: 9999, month: 12, day: 31 });
        if (serial < 0 || serial >= last + 1) {
          return new CellError(ErrorType.NUM, `${id} of a serial outside 0 to 9999-12-31`);
        }
        const day = Math.floor(serial);
        if (day === 0 && this.config.leapYear1900) return { year: 1900, month: 1, day: 0 }[PARTS[id]];
        return helper.numberToSimpleDate(day)[PARTS[id]];
      });
    }
  }
  const implemented = {};
  for (const id of Object.keys(PARTS)) {
    const method = `part${id}`;
    ExcelDatePartsPlugin.prototype[method] = function part(ast, state) {
      return this.datePart(ast, state, id);
    };
    implemented[id] = { method, parameters: [{ argumentType: T.NUMBER }] };
  }
  ExcelDatePartsPlugin.implementedFunctions = implemented;
  return ExcelDatePartsPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
