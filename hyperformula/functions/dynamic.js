'use strict';
const { registerPlugin } = require('./info_common');
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
  dynamic.install(require.resolve('hyperformula'));
  const plugin = definePlugin(hfModule);
  return registerPlugin(hfModule, plugin);
}

module.exports = { register, definePlugin };
