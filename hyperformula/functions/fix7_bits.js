'use strict';
/*
 * BITAND, BITOR, BITXOR, BITLSHIFT and BITRSHIFT as Excel computes them (Microsoft: "BITAND
 * function", "BITLSHIFT function" ...): a number must be a whole number from 0 to 2^48-1, else
 * #NUM! (BITAND(2^48, 25) is #NUM!; HyperFormula used JavaScript's 32-bit operators, which gave 0
 * there and wrong bits from 2^31 on); the shift amount is truncated (BITLSHIFT(25, 2.3) is 100,
 * BITRSHIFT(blank, "3.5") 0, where HyperFormula gave #NUM!), beyond 53 places either way #NUM!,
 * and a shifted result past 2^48-1 #NUM!. A negative shift shifts the other way.
 */
const { registerPlugin } = require('./info_common');

const LIMIT = 2 ** 48;
const HALF = 2 ** 24;

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, CellError, ErrorType } = hf;
  const num = () => new CellError(ErrorType.NUM, 'outside 0 to 2^48-1 or not a whole number');
  const valid = (n) => Number.isInteger(n) && n >= 0 && n < LIMIT;

  /** A bitwise operation on two 48-bit numbers, done on their 24-bit halves. */
  const bitwise = (op) => (a, b) => {
    if (!valid(a) || !valid(b)) return num();
    const hi = op(Math.floor(a / HALF), Math.floor(b / HALF)) >>> 0;
    const lo = op(a % HALF, b % HALF) >>> 0;
    return hi * HALF + lo;
  };

  const shift = (n, places) => {
    if (!valid(n)) return num();
    const s = Math.trunc(places);
    if (Math.abs(s) > 53) return num();
    const out = s >= 0 ? n * 2 ** s : Math.floor(n / 2 ** -s);
    return out < LIMIT ? out : num();
  };

  class Fix7BitsPlugin extends FunctionPlugin {
    bitand(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BITAND'), bitwise((x, y) => x & y));
    }

    bitor(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BITOR'), bitwise((x, y) => x | y));
    }

    bitxor(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BITXOR'), bitwise((x, y) => x ^ y));
    }

    bitlshift(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BITLSHIFT'), (n, s) => shift(n, s));
    }

    bitrshift(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('BITRSHIFT'), (n, s) => shift(n, -Math.trunc(s)));
    }
  }
  const two = [{ argumentType: T.NUMBER }, { argumentType: T.NUMBER }];
  Fix7BitsPlugin.implementedFunctions = {
    BITAND: { method: 'bitand', parameters: two },
    BITOR: { method: 'bitor', parameters: two },
    BITXOR: { method: 'bitxor', parameters: two },
    BITLSHIFT: { method: 'bitlshift', parameters: two },
    BITRSHIFT: { method: 'bitrshift', parameters: two },
  };
  return Fix7BitsPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register };
