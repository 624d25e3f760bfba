'use strict';
/*
 * An ordinary (non-array) formula whose whole content is an array constant, `={1,2;3,4}`:
 * Excel takes the implicit intersection of the array, which for a constant is its top-left
 * value (formulas__test.xlsx caches 1, and the array formulas reading the cell see 1).
 * HyperFormula 3.5.0 sized the formula as a 2x2 array and spilled it (#SPILL! when the cells
 * beside it are taken). Array formulas are wrapped by the pipeline (ARRAYFORMULA) and keep
 * their arrays; an array constant inside an expression was already evaluated as one value.
 */
const { hfInternal } = require('./info_common');

function register() {
  const { ArraySizePredictor, ArraySize } = hfInternal('ArraySize.js');
  const P = ArraySizePredictor.prototype;
  if (P.__xlConstantRoot) return;
  const original = P.checkArraySize;
  P.checkArraySize = function checkArraySize(ast, formulaAddress) {
    let root = ast;
    while (root && root.type === 'PARENTHESES') root = root.expression;
    if (!this.config.useArrayArithmetic && root && root.type === 'ARRAY') return ArraySize.scalar();
    return original.call(this, ast, formulaAddress);
  };
  P.__xlConstantRoot = true;
}

module.exports = { register };
