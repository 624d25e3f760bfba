'use strict';
/*
 * SUBSTITUTE element by element in an array formula (Microsoft: "SUBSTITUTE function"; values
 * Excel cached for {=SUBSTITUTE(T14:T19,U13:AC13,U12:AC12,U11:AC11)} in formulas__test.xlsx),
 * with the rules fix9_text.js applies to one value: instance_num is truncated (1.9 is the first
 * occurrence), below 1 is #VALUE!, and an empty old_text leaves the text unchanged. An array
 * element that is a logical value or an empty cell is no instance number: #VALUE!.
 * HyperFormula 3.5.0 rounded or rejected a fractional instance and read TRUE as 1 there.
 * Outside array formulas fix9_text.js's implementation is kept.
 */
const { registerPlugin, makeTools } = require('./info_common');
const { overridePlugin } = require('./fix9_stats');

function register(hfModule) {
  const { FunctionArgumentType: T } = hfModule;
  const { raw, isError, isEmpty, err } = makeTools(hfModule);
  const plugin = overridePlugin(hfModule, 'SUBSTITUTE', function substitute(base, ast, state) {
    if (!state.arraysFlag || ast.args.length < 3 || ast.args.length > 4) return base(ast, state);
    const meta = {
      ...this.metadata('SUBSTITUTE'),
      parameters: [
        { argumentType: T.STRING },
        { argumentType: T.STRING },
        { argumentType: T.STRING },
        { argumentType: T.SCALAR, optionalArg: true },
      ],
    };
    return this.runFunction(ast.args, state, meta, (text, old, repl, instance) => {
      let nth;
      if (instance !== undefined) {
        instance = raw(instance);
        if (isError(instance)) return instance;
        if (typeof instance === 'boolean' || isEmpty(instance)) return err('VALUE', 'instance_num is no number');
        const n = raw(this.coerceScalarToNumberOrError(instance));
        if (isError(n)) return n;
        nth = Math.trunc(n);
        if (!(nth >= 1)) return err('VALUE', 'instance_num below 1');
      }
      if (old === '') return text;
      if (nth === undefined) return text.split(old).join(repl);
      let at = -1;
      for (let k = 0; k < nth; k++) {
        at = text.indexOf(old, at + 1);
        if (at < 0) return text;
      }
      return text.slice(0, at) + repl + text.slice(at + old.length);
    });
  });
  return plugin ? registerPlugin(hfModule, plugin) : undefined;
}

module.exports = { register };
