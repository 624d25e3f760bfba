'use strict';
/*
 * Whole-number arguments that Excel truncates (Microsoft: "REPLACE function", "SUBSTITUTE
 * function", "CHOOSE function"; values Excel cached: REPLACE("ABCDEFG",2.3,3.9,"xx") is
 * "AxxEFG", SUBSTITUTE("teststr","t","T",1.9) "Teststr", CHOOSE(1.9,5,6) 5), where
 * HyperFormula 3.5.0 rounded them, ignored a fractional instance or gave #NUM!:
 *  - REPLACE's start_num and num_chars, SUBSTITUTE's instance_num and CHOOSE's index_num are
 *    truncated toward zero before use;
 *  - CHOOSE with an index below 1 or past the last value is #VALUE! (HyperFormula: #NUM!);
 *  - SUBSTITUTE with an empty old_text returns the text unchanged (HyperFormula inserted
 *    new_text between every character).
 */
const { registerPlugin, makeTools } = require('./info_common');
const { overridePlugin } = require('./fix9_stats');

// Function -> 0-based positions of the arguments Excel truncates.
const TRUNCATED = { REPLACE: [1, 2], SUBSTITUTE: [3], CHOOSE: [0] };

function register(hfModule) {
  const tools = makeTools(hfModule);
  const { raw, isRange, isError } = tools;
  const plugins = [];

  /** `ast` with the listed arguments that evaluate to a fractional number replaced by their
   * truncation (other values are left to the function). */
  function truncated(plugin, ast, state, positions) {
    let args;
    for (const i of positions) {
      if (i >= ast.args.length || ast.args[i].type === 'EMPTY') continue;
      const v = plugin.evaluateAst(ast.args[i], state);
      const n = isRange(v) ? undefined : raw(v);
      if (typeof n === 'number' && !Number.isInteger(n) && Number.isFinite(n)) {
        if (!args) args = ast.args.slice();
        args[i] = { type: 'NUMBER', value: Math.trunc(n) };
      }
    }
    return args ? { ...ast, args } : ast;
  }

  for (const [id, positions] of Object.entries(TRUNCATED)) {
    const plugin = overridePlugin(hfModule, id, function truncating(base, ast, state) {
      if (id === 'SUBSTITUTE' && ast.args.length >= 3 && ast.args.length <= 4) {
        const old = this.evaluateAst(ast.args[1], state);
        if (!isRange(old) && !isError(old) && tools.toText(old) === '') {
          const text = this.evaluateAst(ast.args[0], state);
          if (!isRange(text)) return isError(text) ? text : tools.toText(text);
        }
      }
      const call = truncated(this, ast, state, positions);
      if (id === 'CHOOSE' && call.args.length > 1) {
        const v = call.args[0].type === 'NUMBER' ? call.args[0].value : this.evaluateAst(call.args[0], state);
        const n = isRange(v) ? undefined : raw(v);
        if (typeof n === 'number' && (n < 1 || n >= call.args.length)) {
          return tools.err('VALUE', 'CHOOSE index out of range');
        }
      }
      return base(call, state);
    });
    if (plugin) plugins.push(registerPlugin(hfModule, plugin));
  }
  return plugins;
}

module.exports = { register };
