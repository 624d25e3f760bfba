'use strict';
/*
 * TEXTBEFORE and TEXTAFTER: match_mode is 0 (case-sensitive) or 1 (case-insensitive); any other
 * number, or text that is no number, is #VALUE! (cached by Excel: TEXTAFTER(text, {"3","4"},
 * 2.3, 10) and TEXTAFTER(text, {"3","4"}, -1, "1987-08-26") are #VALUE!).
 */
const { makeTools } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');

function register() {
  return [];
}

/** TEXTBEFORE and TEXTAFTER come from a module loaded after this one: wrapped once every
 * module has registered. */
function finalize(hfModule) {
  const { raw, isRange, isError, isEmpty, err } = makeTools(hfModule);
  const plugins = [];
  for (const id of ['TEXTBEFORE', 'TEXTAFTER']) {
    const plugin = wrapFunction(hfModule, id, function matchMode(ast, state, base) {
      const got = base(ast, state);
      if (isError(got) || ast.args.length < 4 || ast.args[3].type === 'EMPTY') return got;
      const v = this.evaluateAst(ast.args[3], state);
      if (isRange(v)) return got;
      const m = raw(v);
      if (isEmpty(m) || typeof m === 'boolean') return got;
      const n = typeof m === 'string' ? raw(this.coerceScalarToNumberOrError(m)) : m;
      if (typeof n !== 'number' || (Math.trunc(n) !== 0 && Math.trunc(n) !== 1)) {
        return err('VALUE', `${id}: match_mode is 0 or 1`);
      }
      return got;
    });
    if (plugin) plugins.push(plugin);
  }
  return plugins;
}

module.exports = { register, finalize };
