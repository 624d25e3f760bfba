'use strict';
/*
 * AREAS(reference), which HyperFormula 3.5.0 lacks (Microsoft's "AREAS function": the number of
 * areas in a reference). HyperFormula's grammar has no reference unions ("(A1:B2,C3)" does not
 * parse), so every reference it can hold is a single area: 1. A value that is not a reference
 * gives #VALUE!; an error from a function that computes the reference passes through.
 */
const { registerPlugin, makeTools } = require('./info_common');

const REFERENCE_NODES = new Set(['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE']);

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { isError, err } = makeTools(hf);

  class Extra2LookupPlugin extends FunctionPlugin {
    areas(ast, state) {
      if (ast.args.length !== 1) return err('NA', 'AREAS takes one reference');
      let arg = ast.args[0];
      while (arg && arg.type === 'PARENTHESES') arg = arg.expression;
      if (!arg || arg.type === 'EMPTY') return err('NA', 'AREAS takes one reference');
      if (REFERENCE_NODES.has(arg.type)) return 1;
      if (arg.type !== 'FUNCTION_CALL' && arg.type !== 'NAMED_EXPRESSION') {
        return err('VALUE', 'AREAS needs a reference');
      }
      const value = this.evaluateAst(arg, state);
      return isError(value) ? value : 1;
    }
  }

  Extra2LookupPlugin.implementedFunctions = {
    AREAS: {
      method: 'areas',
      parameters: [{ argumentType: T.RANGE }],
      isDependentOnSheetStructureChange: true,
      doesNotNeedArgumentsToBeComputed: true,
      vectorizationForbidden: true,
    },
  };
  return Extra2LookupPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
