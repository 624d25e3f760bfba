'use strict';
/*
 * BESSELI, BESSELJ, BESSELK and BESSELY as Excel computes them (cached in
 * ironcalc__engineering_bessel.xlsx):
 *  - a logical x or n is #VALUE! (Analysis ToolPak functions take no TRUE/FALSE);
 *  - BESSELI of a negative x is (-1)^n × BESSELI(|x|, n), the symmetry of I_n: HyperFormula
 *    3.5.0's large-argument series went wrong below -8 (BESSELI(-10,0) gave 2544.73 for
 *    2815.72).
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

function register(hfModule) {
  const { raw, isRange, err } = makeTools(hfModule);
  const plugins = [];
  for (const id of ['BESSELI', 'BESSELJ', 'BESSELK', 'BESSELY']) {
    const plugin = wrapFunction(hfModule, id, function bessel(ast, state, base) {
      if (ast.args.length !== 2) return base(ast, state);
      const values = ast.args.map((a) => {
        const v = this.evaluateAst(a, state);
        return isRange(v) ? undefined : raw(v);
      });
      if (values.some((v) => typeof v === 'boolean')) return err('VALUE', `${id}: a logical argument`);
      const [x, n] = values;
      if (id === 'BESSELI' && typeof x === 'number' && x < 0 && typeof n === 'number' && n >= 0) {
        const args = [{ type: 'NUMBER', value: -x }, ast.args[1]];
        const v = base({ ...ast, args }, state);
        return typeof raw(v) === 'number' && Math.trunc(n) % 2 === 1 ? -raw(v) : v;
      }
      return base(ast, state);
    });
    if (plugin) plugins.push(plugin);
  }
  return plugins;
}

module.exports = { register };
