'use strict';
/*
 * SWITCH as Excel computes it (Microsoft: "SWITCH function"): the cases are tried in order; an
 * error in the expression, or in a case reached before a match, is the result
 * (SWITCH(1,#DIV/0!,"a") is #DIV/0!, which HyperFormula 3.5.0 skipped to return #N/A). An empty
 * cell is the number 0 on either side (so it matches 0 but neither FALSE nor ""); otherwise
 * values match only within one type, text without regard to case. No match and no default: #N/A.
 */
const { registerPlugin, makeTools } = require('./info_common');

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { raw, isError, isEmpty, err } = makeTools(hf);
  /** Comparable form of a SWITCH operand: empty is 0, text lower-cased. */
  function switchKey(v) {
    v = raw(v);
    if (isEmpty(v)) return 0;
    if (typeof v === 'string') return 's' + v.toLowerCase();
    return v;
  }

  class ExcelLogical9Plugin extends FunctionPlugin {
    switch(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('SWITCH'), (value, ...rest) => {
        if (isError(value)) return value;
        const key = switchKey(value);
        let i = 0;
        for (; i + 1 < rest.length; i += 2) {
          if (isError(rest[i])) return rest[i];
          if (switchKey(rest[i]) === key) return isEmpty(rest[i + 1]) ? 0 : rest[i + 1];
        }
        if (i < rest.length) return isEmpty(rest[i]) ? 0 : rest[i];
        return err('NA', 'no match');
      });
    }
  }

  ExcelLogical9Plugin.implementedFunctions = {
    SWITCH: {
      method: 'switch',
      parameters: [
        { argumentType: T.SCALAR, passSubtype: true },
        { argumentType: T.SCALAR, passSubtype: true },
        { argumentType: T.SCALAR, passSubtype: true },
      ],
      repeatLastArgs: 1,
    },
  };
  return ExcelLogical9Plugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
