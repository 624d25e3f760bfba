'use strict';
/*
 * Complex-number functions where HyperFormula 3.5.0 differs from Excel:
 *  - COMPLEX(re, im, suffix): an empty suffix ("" or an empty cell) means "i"; HF gave #VALUE!,
 *    and every IMxxx of the result with it.
 *  - IMPRODUCT: an empty cell given as an argument counts as 0 (IMPRODUCT(7, blank) is "0"); HF
 *    skipped it.
 */
const { hfInternal } = require('./fix_numbers');

function defineComplexPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, EmptyValue } = hf;
  const { coerceComplexToString } = hfInternal('interpreter/ArithmeticHelper.js');

  class ExcelComplexPlugin extends FunctionPlugin {
    complex(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('COMPLEX'), (re, im, unit) => {
        const suffix = unit === '' ? 'i' : unit;
        if (suffix !== 'i' && suffix !== 'j') return new CellError(ErrorType.VALUE);
        return coerceComplexToString([re, im], suffix);
      });
    }
  }

  // Empty cells count as 0 (the parent skipped them).
  ExcelComplexPlugin.prototype.improduct = function improduct(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('IMPRODUCT'), (...args) => {
      const values = args.map((a) => (a === EmptyValue ? 0 : a));
      const coerced = this.arithmeticHelper.coerceComplexExactRanges(values);
      if (coerced instanceof CellError) return coerced;
      let re = 1;
      let im = 0;
      for (const [a, b] of coerced) {
        const r = re * a - im * b;
        im = re * b + im * a;
        re = r;
      }
      return coerceComplexToString([re, im]);
    });
  };

  ExcelComplexPlugin.implementedFunctions = {
    COMPLEX: {
      method: 'complex',
      parameters: [
        { argumentType: FunctionArgumentType.NUMBER },
        { argumentType: FunctionArgumentType.NUMBER },
        { argumentType: FunctionArgumentType.STRING, defaultValue: 'i' },
      ],
    },
    IMPRODUCT: {
      method: 'improduct',
      parameters: [{ argumentType: FunctionArgumentType.ANY }],
      repeatLastArgs: 1,
    },
  };
  return ExcelComplexPlugin;
}

function register(hfModule) {
  const { HyperFormula } = hfModule;
  const plugin = defineComplexPlugin(hfModule);
  HyperFormula.registerFunctionPlugin(plugin);
  return plugin;
}

module.exports = { register, defineComplexPlugin };
