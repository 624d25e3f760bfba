'use strict';
/*
 * EDATE and EOMONTH with a logical start_date or months are #VALUE! (Analysis ToolPak functions
 * take no TRUE/FALSE; cached in pycel__date-time.xlsx: EDATE(366,FALSE), EOMONTH(TRUE,0) are
 * #VALUE!), where HyperFormula 3.5.0 read TRUE as 1.
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

function register(hfModule) {
  const { raw, isRange, err } = makeTools(hfModule);
  const plugins = [];
  for (const id of ['EDATE', 'EOMONTH']) {
    const plugin = wrapFunction(hfModule, id, function noLogicals(ast, state, base) {
      for (const a of ast.args) {
        if (!a || a.type === 'EMPTY') continue;
        const v = this.evaluateAst(a, state);
        if (!isRange(v) && typeof raw(v) === 'boolean') return err('VALUE', `${id}: a logical argument`);
      }
      return base(ast, state);
    });
    if (plugin) plugins.push(plugin);
  }
  return plugins;
}

module.exports = { register };
