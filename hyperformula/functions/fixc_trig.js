'use strict';
/*
 * SIN, COS, TAN, COT, CSC and SEC as Excel computes them. Excel reduces the angle by multiples of
 * pi/2 with a pi that is 1.22514845490862E-16 above the double nearest to pi (3.141592653589793):
 * SIN(PI()) is 1.22514845490862E-16 and TAN(PI()/2) 1.63245522776191E+16 in Excel, where the
 * exact values for that double are 1.2246E-16 and 1.6331E+16. Near the zeros and poles the
 * results follow that reduction; elsewhere they agree with the plain double functions.
 * Microsoft ("COT function", "CSC function", "SEC function"): an angle of 2^27 or more in
 * absolute value is #NUM!, and the same limit holds for SIN, COS and TAN; COT(0) and CSC(0) are
 * #DIV/0!.
 */
const { registerPlugin, makeTools } = require('./info_common');

const LIMIT = 2 ** 27;
// pi/2 in three parts: the first 33 bits, the rest of the double, and Excel's tail beyond it.
const PIO2_1 = 1.57079632673412561417; // exactly representable, 33 significant bits
const PIO2_1T = Math.PI / 2 - PIO2_1; // exact (Sterbenz)
const EXCEL_TAIL = 1.22514845490862e-16 / 2;
// Beyond this quadrant count k * PIO2_1 is no longer exact: plain double functions are used.
const MAX_QUADRANTS = 2 ** 20;

/** [quadrant mod 4, remainder] of x reduced by Excel's pi/2, or undefined when too large. */
function reduce(x) {
  const k = Math.round(x / (Math.PI / 2));
  if (Math.abs(k) >= MAX_QUADRANTS) return undefined;
  const r = x - k * PIO2_1 - k * PIO2_1T - k * EXCEL_TAIL;
  return [((k % 4) + 4) % 4, r];
}

function excelSin(x) {
  const red = reduce(x);
  if (!red) return Math.sin(x);
  const [q, r] = red;
  return [Math.sin(r), Math.cos(r), -Math.sin(r), -Math.cos(r)][q];
}

function excelCos(x) {
  const red = reduce(x);
  if (!red) return Math.cos(x);
  const [q, r] = red;
  return [Math.cos(r), -Math.sin(r), -Math.cos(r), Math.sin(r)][q];
}

function excelTan(x) {
  const red = reduce(x);
  if (!red) return Math.tan(x);
  const [q, r] = red;
  return q % 2 === 0 ? Math.tan(r) : -1 / Math.tan(r);
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  const { err } = makeTools(hf);

  /** `f(x)` for |x| < 2^27, else #NUM!; a zero denominator or an infinite result is #DIV/0!. */
  const guarded = (id, f) => (x) => {
    if (Math.abs(x) >= LIMIT) return err('NUM', `${id}: angle of 2^27 or more`);
    const v = f(x);
    return Number.isFinite(v) ? v : err('DIV_BY_ZERO', `${id}: division by zero`);
  };

  const fns = {
    SIN: excelSin,
    COS: excelCos,
    TAN: excelTan,
    COT: (x) => (x === 0 ? Infinity : 1 / excelTan(x)),
    CSC: (x) => (x === 0 ? Infinity : 1 / excelSin(x)),
    SEC: (x) => 1 / excelCos(x),
  };

  class ExcelTrigFixcPlugin extends FunctionPlugin {}
  ExcelTrigFixcPlugin.implementedFunctions = {};
  for (const [id, f] of Object.entries(fns)) {
    const method = `excel${id}`;
    const fn = guarded(id, f);
    ExcelTrigFixcPlugin.prototype[method] = function trig(ast, state) {
      return this.runFunction(ast.args, state, this.metadata(id), fn);
    };
    ExcelTrigFixcPlugin.implementedFunctions[id] = {
      method,
      parameters: [{ argumentType: T.NUMBER }],
    };
  }
  return ExcelTrigFixcPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, excelSin, excelCos, excelTan };
