'use strict';
/*
 * Information functions as Excel computes them (Microsoft: "IS functions", "ISODD function", "ISEVEN function"):
 *  - ISBLANK, ISERR, ISERROR, ISLOGICAL, ISNA, ISNONTEXT, ISNUMBER, ISTEXT test the value they
 *    are given. A range in an ordinary formula is first intersected with the formula's row or
 *    column; when that fails the value is #VALUE!, which the function then tests
 *    (ISERROR(A1:A3) in row 10 is TRUE, ISNUMBER(A1:A3) FALSE). HyperFormula 3.5.0 returned
 *    #VALUE! itself. In an array formula each cell of the range is tested.
 *  - ISREF is TRUE when its argument is a reference: a cell, a range, or INDIRECT, OFFSET or
 *    INDEX giving one (not an error); any other value is FALSE. HyperFormula tested for #REF!.
 *  - ISODD / ISEVEN truncate the number toward zero (ISEVEN(2.3) is TRUE, ISODD(-3) TRUE);
 *    text is converted ("12"), a logical value is #VALUE!. fix7_atp.js wraps these two (a
 *    range in an array formula), so the method its wrapper calls is replaced, not the wrapper.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { intersect } = require('./fix9_intersect');

const REFERENCE_NODES = new Set(['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE']);
const REFERENCE_FUNCTIONS = new Set(['INDIRECT', 'OFFSET', 'INDEX']);

/** The IS functions' tests of one value (Microsoft: "IS functions"), by function name. */
function isPredicates({ raw, isError, isEmpty }) {
  return {
    ISBLANK: (v) => isEmpty(v),
    ISERR: (v) => isError(v) && v.type !== 'NA',
    ISERROR: (v) => isError(v),
    ISLOGICAL: (v) => typeof v === 'boolean',
    ISNA: (v) => isError(v) && v.type === 'NA',
    ISNONTEXT: (v) => typeof v !== 'string',
    ISNUMBER: (v) => typeof raw(v) === 'number',
    ISTEXT: (v) => typeof v === 'string',
  };
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const tools = makeTools(hf);
  const { raw, isError, isRange, isEmpty, err, SimpleRangeValue } = tools;
  const PREDICATES = isPredicates(tools);

  class ExcelInfoPlugin extends FunctionPlugin {
    test(ast, state, id) {
      const pred = PREDICATES[id];
      if (ast.args.length !== 1) return err('NA', `${id} takes one argument`);
      const v = this.evaluateAst(ast.args[0], state);
      if (!isRange(v)) return pred(v);
      if (state.arraysFlag) {
        return SimpleRangeValue.onlyValues(v.rawData().map((row) => row.map((x) => pred(x))));
      }
      const x = intersect(v, state);
      return pred(x === undefined ? err('VALUE', 'no intersection') : x);
    }

    isref(ast, state) {
      if (ast.args.length !== 1) return err('NA', 'ISREF takes one argument');
      let arg = ast.args[0];
      while (arg.type === 'PARENTHESIS') arg = arg.expression;
      if (REFERENCE_NODES.has(arg.type)) return true;
      if (arg.type === 'FUNCTION_CALL' && REFERENCE_FUNCTIONS.has(arg.procedureName)) {
        return !isError(this.evaluateAst(arg, state));
      }
      return false;
    }

    static parity(plugin, ast, state, id, odd) {
      return plugin.runFunction(ast.args, state, plugin.metadata(id), (v) => {
        v = raw(v);
        if (isError(v)) return v;
        if (typeof v === 'boolean') return err('VALUE', `${id} of a logical value`);
        const n = isEmpty(v) ? 0 : plugin.coerceScalarToNumberOrError(v);
        if (isError(n)) return n;
        return Math.abs(Math.trunc(raw(n)) % 2) === (odd ? 1 : 0);
      });
    }


  }

  const implemented = {
    ISREF: { method: 'isref', parameters: [{ argumentType: T.ANY }] },
  };
  for (const id of Object.keys(PREDICATES)) {
    const method = `test${id}`;
    ExcelInfoPlugin.prototype[method] = function testOne(ast, state) {
      return this.test(ast, state, id);
    };
    implemented[id] = { method, parameters: [{ argumentType: T.ANY }] };
  }
  ExcelInfoPlugin.implementedFunctions = implemented;
  return ExcelInfoPlugin;
}

/** Replace the implementation of `id` where it is defined: on the deepest class of the
 * registered plugin's chain that owns the method, so wrappers around it stay in place
 * (`parameters`: its new argument types). */
function replaceImplementation(hfModule, id, impl, parameters) {
  const Plugin = hfModule.HyperFormula.getFunctionPlugin(id);
  if (!Plugin) return;
  const meta = Plugin.implementedFunctions[id];
  if (!meta) return;
  let owner;
  for (let C = Plugin; C && C.prototype; C = Object.getPrototypeOf(C)) {
    if (Object.prototype.hasOwnProperty.call(C.prototype, meta.method)) owner = C;
  }
  if (!owner) return;
  owner.prototype[meta.method] = impl;
  if (parameters) {
    meta.parameters = parameters;
    const own = owner.implementedFunctions && owner.implementedFunctions[id];
    if (own) own.parameters = parameters;
  }
}

function register(hfModule) {
  const Plugin = registerPlugin(hfModule, definePlugin(hfModule));
  replaceImplementation(hfModule, 'ISODD', function isodd(ast, state) {
    return Plugin.parity(this, ast, state, 'ISODD', true);
  }, [{ argumentType: 'SCALAR' }]);
  replaceImplementation(hfModule, 'ISEVEN', function iseven(ast, state) {
    return Plugin.parity(this, ast, state, 'ISEVEN', false);
  }, [{ argumentType: 'SCALAR' }]);
  return Plugin;
}

module.exports = { register, replaceImplementation, isPredicates };
