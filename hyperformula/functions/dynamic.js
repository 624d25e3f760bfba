'use strict';
/*
 * INDIRECT(ref_text, [a1]) and OFFSET(reference, rows, cols, [height], [width]) as Excel
 * evaluates them: the target is resolved at evaluation time (../lib/dynamic.js has the rules, the
 * parser and interpreter patches, and the settle rounds that give dynamic targets their
 * dependency edges).
 *
 * OFFSET stays HyperFormula's when all its arguments are constants (a plain reference at parse
 * time); any other OFFSET is parsed as a call of XL.OFFSET, registered here. HyperFormula keeps
 * OFFSET itself as a protected id, so it cannot be replaced by a plugin.
 */

const dynamic = require('../lib/dynamic');

function definePlugin(hfModule) {
  const { FunctionPlugin, FunctionArgumentType } = hfModule;

  class DynamicReferencePlugin extends FunctionPlugin {
    /** INDIRECT(ref_text, [a1=TRUE]) */
    indirect(ast, state) {
      return dynamic.dynamicValue(this.interpreter, ast, state);
    }

    /** OFFSET(reference, rows, cols, [height], [width]) with computed arguments */
    offset(ast, state) {
      return dynamic.dynamicValue(this.interpreter, ast, state);
    }
  }

  // Arguments are read by lib/dynamic.js itself (a reference is not a value); ANY keeps
  // HyperFormula's array-size prediction at one cell.
  const any = { argumentType: FunctionArgumentType.ANY };
  const optional = { argumentType: FunctionArgumentType.ANY, optionalArg: true };
  DynamicReferencePlugin.implementedFunctions = {
    [dynamic.INDIRECT]: { method: 'indirect', parameters: [any, optional] },
    [dynamic.OFFSET]: { method: 'offset', parameters: [any, any, any, optional, optional] },
  };
  return DynamicReferencePlugin;
}

/** Install the patches and register INDIRECT and XL.OFFSET (before any instance is built). */
function register(hfModule) {
  const { HyperFormula } = hfModule;
  dynamic.install(require.resolve('hyperformula'));
  const plugin = definePlugin(hfModule);
  const translations = {};
  for (const code of HyperFormula.getRegisteredLanguagesCodes()) {
    const known = HyperFormula.getLanguage(code).functions || {};
    const names = {};
    for (const id of Object.keys(plugin.implementedFunctions)) if (!known[id]) names[id] = id;
    translations[code] = names;
  }
  HyperFormula.registerFunctionPlugin(plugin, translations);
  return plugin;
}

module.exports = { register, definePlugin };
