'use strict';
/*
 * DATEVALUE reads the dates written with a month name that VALUE reads (Microsoft: "DATEVALUE
 * function": "30-Jan-2008", "January 30, 2008"), where HyperFormula 3.5.0 gave #VALUE!:
 * DATEVALUE("1-Mar-1900") is 61, DATEVALUE("29-Feb-1900") is 60 (Excel's phantom leap day).
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');
const { parseMonthNameDate } = require('./fixa_value');

function register(hfModule) {
  const { raw, isRange } = makeTools(hfModule);
  wrapFunction(hfModule, 'DATEVALUE', function datevalue(ast, state, base) {
    if (ast.args.length !== 1 || !ast.args[0] || ast.args[0].type === 'EMPTY') return base(ast, state);
    const v = this.evaluateAst(ast.args[0], state);
    if (isRange(v)) return base(ast, state);
    const x = raw(v);
    const d = typeof x === 'string' ? parseMonthNameDate(x) : undefined;
    if (d) {
      const helper = this.dateTimeHelper;
      if (d.year >= 1900 && d.year <= 9999 && d.day >= 1 && d.day <= helper.daysInMonth(d.year, d.month)) {
        const serial = helper.dateToNumber(d);
        if (serial >= 1) return serial;
      }
    }
    return base(ast, state);
  });
}

module.exports = { register };
