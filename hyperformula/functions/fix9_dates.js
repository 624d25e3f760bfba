'use strict';
/*
 * YEAR, MONTH and DAY of a serial number below 1 in the 1900 date system. Excel counts serial 0
 * as the day "1900-01-00": YEAR(0) is 1900, MONTH(0) 1 and DAY(0) 0 (times of that day alike:
 * DAY(0.5) is 0), where HyperFormula 3.5.0 gave 1899-12-31. The 1904 system's serial 0 is a real
 * day, 1904-01-01, and stays HyperFormula's.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { overridePlugin } = require('./fix9_stats');

const DAY_ZERO = { YEAR: 1900, MONTH: 1, DAY: 0 };

function register(hfModule) {
  const { raw } = makeTools(hfModule);
  const plugins = [];
  for (const [id, part] of Object.entries(DAY_ZERO)) {
    const plugin = overridePlugin(hfModule, id, function dayZero(base, ast, state) {
      if (this.config.leapYear1900 && ast.args.length === 1) {
        const n = raw(this.runFunction(ast.args, state, this.metadata(id), (x) => x));
        if (typeof n === 'number' && n >= 0 && n < 1) return part;
      }
      return base(ast, state);
    });
    if (plugin) plugins.push(registerPlugin(hfModule, plugin));
  }
  return plugins;
}

module.exports = { register };
