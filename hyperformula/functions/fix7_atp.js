'use strict';
/*
 * The Analysis ToolPak functions (EDATE, EOMONTH, WEEKNUM, YEARFRAC, the BESSEL, IM*, base
 * conversion, ERF and bond functions, MROUND, ISEVEN ...) take a multi-cell reference in a
 * parameter that wants one value as an error: the whole call is #VALUE!, also in an array
 * formula, where Excel's own functions are applied cell by cell. Excel gives
 * {=EDATE(E9:I9,C9:G9)}, {=IMCOS(C33:E33)}, {=ISEVEN(C9:G9)} and {=CUMIPMT(C13:G13,...)} as one
 * #VALUE! over the whole array range. An array (a constant, or a computed one such as +A1:A5,
 * the usual work-around) is still taken element by element; parameters made for ranges (the
 * numbers of IMSUM, the cash flows and dates of XIRR/XNPV, holidays) keep accepting them.
 *
 * Outside array formulas HyperFormula already reduces a range to one cell or #VALUE!, so the
 * check is made only where arrays are evaluated. Each listed function keeps whichever
 * implementation is final (the wrapping is done once every module has registered).
 */
const { registerPlugin } = require('./info_common');

// Function -> parameters (0-based) that take one value; undefined: all of them.
const SCALAR_PARAMS = {
  // engineering
  BESSELI: undefined, BESSELJ: undefined, BESSELK: undefined, BESSELY: undefined,
  BIN2DEC: undefined, BIN2HEX: undefined, BIN2OCT: undefined,
  DEC2BIN: undefined, DEC2HEX: undefined, DEC2OCT: undefined,
  HEX2BIN: undefined, HEX2DEC: undefined, HEX2OCT: undefined,
  OCT2BIN: undefined, OCT2DEC: undefined, OCT2HEX: undefined,
  COMPLEX: undefined, CONVERT: undefined, DELTA: undefined, GESTEP: undefined,
  ERF: undefined, ERFC: undefined, 'ERF.PRECISE': undefined, 'ERFC.PRECISE': undefined,
  IMABS: undefined, IMAGINARY: undefined, IMARGUMENT: undefined, IMCONJUGATE: undefined,
  IMCOS: undefined, IMCOSH: undefined, IMCOT: undefined, IMCSC: undefined, IMCSCH: undefined,
  IMDIV: undefined, IMEXP: undefined, IMLN: undefined, IMLOG10: undefined, IMLOG2: undefined,
  IMPOWER: undefined, IMREAL: undefined, IMSEC: undefined, IMSECH: undefined, IMSIN: undefined,
  IMSINH: undefined, IMSQRT: undefined, IMSUB: undefined, IMTAN: undefined,
  // math
  FACTDOUBLE: undefined, MROUND: undefined, QUOTIENT: undefined, SQRTPI: undefined,
  ISEVEN: undefined, ISODD: undefined, SERIESSUM: [0, 1, 2],
  // dates
  EDATE: undefined, EOMONTH: undefined, WEEKNUM: undefined, YEARFRAC: undefined,
  NETWORKDAYS: [0, 1], WORKDAY: [0, 1],
  // financial
  CUMIPMT: undefined, CUMPRINC: undefined, DOLLARDE: undefined, DOLLARFR: undefined,
  EFFECT: undefined, NOMINAL: undefined, FVSCHEDULE: [0], XIRR: [2], XNPV: [0],
  ACCRINT: undefined, ACCRINTM: undefined, AMORDEGRC: undefined, AMORLINC: undefined,
  COUPDAYBS: undefined, COUPDAYS: undefined, COUPDAYSNC: undefined, COUPNCD: undefined,
  COUPNUM: undefined, COUPPCD: undefined, DISC: undefined, DURATION: undefined,
  INTRATE: undefined, MDURATION: undefined, ODDFPRICE: undefined, ODDFYIELD: undefined,
  ODDLPRICE: undefined, ODDLYIELD: undefined, PRICE: undefined, PRICEDISC: undefined,
  PRICEMAT: undefined, RECEIVED: undefined, TBILLEQ: undefined, TBILLPRICE: undefined,
  TBILLYIELD: undefined, YIELD: undefined, YIELDDISC: undefined, YIELDMAT: undefined,
};

/** True when `ast` is a reference to more than one cell (A1:B2, A:A, 1:1, parenthesised). */
function isMultiCellReference(ast, state) {
  while (ast && ast.type === 'PARENTHESES') ast = ast.expression;
  if (!ast) return false;
  if (ast.type === 'COLUMN_RANGE' || ast.type === 'ROW_RANGE') return true;
  if (ast.type !== 'CELL_RANGE') return false;
  try {
    const a = ast.start.toSimpleCellAddress(state.formulaAddress);
    const b = ast.end.toSimpleCellAddress(state.formulaAddress);
    return a.row !== b.row || a.col !== b.col;
  } catch (e) {
    return false;
  }
}

/** Replace the function `id` with `wrapper(ast, state, base)`, where `base(ast, state)` runs
 * the implementation registered now (HyperFormula's or a module's); `sizeOf(ast, state)`, when
 * given, is the size of the result (an ArraySize) HyperFormula asks before evaluating. Returns
 * the plugin registered, or undefined when no plugin implements `id`. */
function wrapFunction(hfModule, id, wrapper, sizeOf) {
  const { HyperFormula } = hfModule;
  const Base = HyperFormula.getFunctionPlugin(id);
  const target = Base && ((Base.aliases && Base.aliases[id]) || id);
  const meta = Base && Base.implementedFunctions && Base.implementedFunctions[target];
  if (!meta) return undefined;
  class Wrapped extends Base {
    metadata(name) {
      // HyperFormula may run Base's other functions on this instance (it reuses any instance
      // of the plugin's class): their metadata is Base's.
      const own = Wrapped.implementedFunctions[name === target ? id : name];
      return own || Base.implementedFunctions[name] || super.metadata(name);
    }
  }
  const base = Base.prototype[meta.method];
  Wrapped.prototype[meta.method] = function wrapped(ast, state) {
    return wrapper.call(this, ast, state, (a, s) => base.call(this, a, s));
  };
  Wrapped.implementedFunctions = { [id]: { ...meta } };
  if (sizeOf) {
    Wrapped.prototype.xlWrappedSize = function xlWrappedSize(ast, state) {
      return sizeOf.call(this, ast, state);
    };
    Wrapped.implementedFunctions[id].sizeOfResultArrayMethod = 'xlWrappedSize';
  }
  Wrapped.aliases = {}; // HyperFormula checks every alias against implementedFunctions
  Object.defineProperty(Wrapped, 'name', { value: `Wrapped${id.replace(/\W/g, '')}Plugin` });
  return registerPlugin(hfModule, Wrapped);
}

/** Run once every function module has registered (lib/functions.js), so that the wrapped
 * implementation is the final one whichever module provides it. */
function finalize(hfModule) {
  const { CellError, ErrorType } = hfModule;
  const plugins = [];
  for (const [id, positions] of Object.entries(SCALAR_PARAMS)) {
    const plugin = wrapFunction(hfModule, id, (ast, state, base) => {
      if (state && state.arraysFlag && ast && Array.isArray(ast.args)) {
        for (let i = 0; i < ast.args.length; i++) {
          if ((positions === undefined || positions.includes(i)) && isMultiCellReference(ast.args[i], state)) {
            return new CellError(ErrorType.VALUE, `${id} takes one value, not a range`);
          }
        }
      }
      return base(ast, state);
    });
    if (plugin) plugins.push(plugin);
  }
  return plugins;
}

function register() {
  return [];
}

module.exports = { register, finalize, wrapFunction, isMultiCellReference, SCALAR_PARAMS };
