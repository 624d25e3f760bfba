'use strict';
/*
 * FORMULATEXT gives the formula as Excel writes it: the logical constants TRUE and FALSE, which
 * the engine reads as the functions TRUE() and FALSE(), are written back without parentheses
 * (FORMULATEXT of =PV(0.0042,12,-1000,20000,FALSE) is "=PV(0.0042,12,-1000,20000,FALSE)").
 */
const { wrapFunction } = require('./fix7_atp');

/** `text` with TRUE() / FALSE() outside string literals written as TRUE / FALSE. */
function logicalConstants(text) {
  return text.replace(/("(?:[^"]|"")*")|(?<![\w.])(TRUE|FALSE)\(\s*\)/gi, (m, str, word) =>
    str !== undefined ? str : word.toUpperCase());
}

function register(hfModule) {
  wrapFunction(hfModule, 'FORMULATEXT', function formulatext(ast, state, base) {
    const v = base(ast, state);
    return typeof v === 'string' ? logicalConstants(v) : v;
  });
}

module.exports = { register, logicalConstants };
