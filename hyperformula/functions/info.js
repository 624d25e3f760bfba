'use strict';
/*
 * Information functions HyperFormula 3.5.0 lacks: ERROR.TYPE and TYPE.
 */
const { registerPlugin, makeTools } = require('./info_common');

// ERROR.TYPE numbers (Microsoft's table); #GETTING_DATA (8) has no HyperFormula error type
// (#NULL! is added by fix9_null.js).
const ERROR_NUMBERS = { NULL: 1, DIV_BY_ZERO: 2, VALUE: 3, REF: 4, NAME: 5, NUM: 6, NA: 7, SPILL: 9 };

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, isRange, isEmpty, err } = makeTools(hf);

  class InfoExtraPlugin extends FunctionPlugin {
    errortype(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ERROR.TYPE'), (v) => {
        if (!isError(v)) return err('NA', 'not an error');
        return ERROR_NUMBERS[v.type] || err('NA', 'an error without an ERROR.TYPE number');
      });
    }

    type(ast, state) {
      // evaluated here, not through runFunction, which would return an error argument as is
      if (ast.args.length !== 1) return err('NA', 'TYPE takes one argument');
      {
        let v = this.evaluateAst(ast.args[0], state);
        if (isRange(v)) {
          if (v.width() * v.height() > 1) return 64;
          v = v.rawData()[0][0];
        }
        v = raw(v);
        if (isError(v)) return 16;
        if (typeof v === 'boolean') return 4;
        if (typeof v === 'string') return 2;
        if (isEmpty(v) || typeof v === 'number') return 1;
        return 1;
      }
    }
  }

  InfoExtraPlugin.implementedFunctions = {
    'ERROR.TYPE': { method: 'errortype', parameters: [{ argumentType: T.SCALAR }] },
    TYPE: { method: 'type', parameters: [{ argumentType: T.ANY }] },
  };
  return InfoExtraPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
