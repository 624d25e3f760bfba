'use strict';
/*
 * IMTAN and IMCOT as Excel computes them: from the double angle, not as sin(z)/cos(z), so the
 * tiny real part of a number with a large imaginary part survives
 * (IMTAN("7+25j") is "3.82126757337684E-22+j", not "j"):
 *   tan(x+iy) = (sin 2x + i sinh 2y) / (cos 2x + cosh 2y)
 *   cot(x+iy) = (sin 2x - i sinh 2y) / (cosh 2y - cos 2x)
 * Where cosh 2y overflows, HyperFormula's own result stands. fix7_complex.js writes the text.
 */
const { registerPlugin, hfInternal } = require('./info_common');
const { overridePlugin } = require('./fix9_stats');

const FORMULAS = {
  IMTAN: (x, y) => {
    const d = Math.cos(2 * x) + Math.cosh(2 * y);
    return [Math.sin(2 * x) / d, Math.sinh(2 * y) / d];
  },
  IMCOT: (x, y) => {
    const d = Math.cosh(2 * y) - Math.cos(2 * x);
    return [Math.sin(2 * x) / d, -Math.sinh(2 * y) / d];
  },
};

function register(hfModule) {
  const { coerceComplexToString } = hfInternal('interpreter/ArithmeticHelper.js');
  const plugins = [];
  for (const [id, formula] of Object.entries(FORMULAS)) {
    const plugin = overridePlugin(hfModule, id, function doubleAngle(base, ast, state) {
      let fallback = false;
      const out = this.runFunction(ast.args, state, this.metadata(id), ([x, y]) => {
        const z = formula(x, y);
        if (!z.every(Number.isFinite)) {
          fallback = true;
          return '';
        }
        return coerceComplexToString(z);
      });
      return fallback ? base(ast, state) : out;
    });
    if (plugin) plugins.push(registerPlugin(hfModule, plugin));
  }
  return plugins;
}

module.exports = { register };
