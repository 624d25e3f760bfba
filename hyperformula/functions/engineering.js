'use strict';
/*
 * Engineering functions HyperFormula 3.5.0 lacks: CONVERT (Excel's unit table, decimal and binary
 * prefixes, temperatures), GESTEP, ERF.PRECISE, ERFC.PRECISE.
 */
const { hfInternal, registerPlugin } = require('./info_common');

// Each unit: [factor to the kind's base unit, whether it takes a prefix, power of the prefix].
const KINDS = {
  mass: {
    g: [1, true], sg: [14593.9029372064], lbm: [453.59237], u: [1.660538782e-24, true],
    ozm: [28.349523125], grain: [0.06479891], cwt: [45359.237], shweight: [45359.237],
    uk_cwt: [50802.34544], lcwt: [50802.34544], hweight: [50802.34544], stone: [6350.29318],
    ton: [907184.74], uk_ton: [1016046.9088], LTON: [1016046.9088], brton: [1016046.9088],
  },
  distance: {
    m: [1, true], mi: [1609.344], Nmi: [1852], in: [0.0254], ft: [0.3048], yd: [0.9144],
    ang: [1e-10, true], ell: [1.143], ly: [9460730472580800, true],
    parsec: [30856775812815500, true], pc: [30856775812815500, true],
    Picapt: [0.0254 / 72], Pica: [0.0254 / 72], pica: [0.0254 / 6],
    survey_mi: [1609.34721869444],
  },
  time: {
    yr: [31557600], day: [86400], d: [86400], hr: [3600], mn: [60], min: [60],
    sec: [1, true], s: [1, true],
  },
  pressure: {
    Pa: [1, true], p: [1, true], atm: [101325, true], at: [101325, true],
    mmHg: [133.322, true], psi: [6894.75729316836], Torr: [133.322368421053],
  },
  force: {
    N: [1, true], dyn: [1e-5, true], dy: [1e-5, true], lbf: [4.4482216152605],
    pond: [0.00980665, true],
  },
  energy: {
    J: [1, true], e: [1e-7, true], c: [4.184, true], cal: [4.1868, true],
    eV: [1.602176487e-19, true], ev: [1.602176487e-19, true],
    HPh: [2684519.53769617], hh: [2684519.53769617], Wh: [3600, true], wh: [3600, true],
    flb: [1.3558179483314], BTU: [1055.05585262], btu: [1055.05585262],
  },
  power: { HP: [745.69987158227], h: [745.69987158227], PS: [735.49875], W: [1, true], w: [1, true] },
  magnetism: { T: [1, true], ga: [1e-4, true] },
  temperature: {
    C: [1], cel: [1], F: [1], fah: [1], K: [1, true], kel: [1, true], Rank: [1], Reau: [1],
  },
  volume: {
    tsp: [4.92892159375e-6], tspm: [5e-6], tbs: [1.478676478125e-5], oz: [2.95735295625e-5],
    cup: [2.365882365e-4], pt: [4.73176473e-4], us_pt: [4.73176473e-4], uk_pt: [5.6826125e-4, true],
    qt: [9.46352946e-4], uk_qt: [1.1365225e-3], gal: [3.785411784e-3], uk_gal: [4.54609e-3],
    l: [1e-3, true], L: [1e-3, true], lt: [1e-3, true],
    ang3: [1e-30, true, 3], 'ang^3': [1e-30, true, 3], barrel: [0.158987294928],
    bushel: [0.03523907016688], ft3: [0.028316846592], 'ft^3': [0.028316846592],
    in3: [1.6387064e-5], 'in^3': [1.6387064e-5], ly3: [8.46786664623715e47],
    'ly^3': [8.46786664623715e47], m3: [1, true, 3], 'm^3': [1, true, 3],
    mi3: [4168181825.44058], 'mi^3': [4168181825.44058], yd3: [0.764554857984],
    'yd^3': [0.764554857984], Nmi3: [6352182208], 'Nmi^3': [6352182208],
    Picapt3: [4.39039566186557e-11], 'Picapt^3': [4.39039566186557e-11],
    Pica3: [4.39039566186557e-11], 'Pica^3': [4.39039566186557e-11],
    GRT: [2.8316846592], regton: [2.8316846592], MTON: [1.13267386368],
  },
  area: {
    uk_acre: [4046.8564224], us_acre: [4046.87260987425], ang2: [1e-20, true, 2],
    'ang^2': [1e-20, true, 2], ar: [100, true], ft2: [0.09290304], 'ft^2': [0.09290304],
    ha: [10000], in2: [0.00064516], 'in^2': [0.00064516], ly2: [8.95054210748189e31],
    'ly^2': [8.95054210748189e31], m2: [1, true, 2], 'm^2': [1, true, 2],
    Morgen: [2500], mi2: [2589988.110336], 'mi^2': [2589988.110336], Nmi2: [3429904],
    'Nmi^2': [3429904], Picapt2: [1.24452160493827e-7], Pica2: [1.24452160493827e-7],
    'Pica^2': [1.24452160493827e-7], 'Picapt^2': [1.24452160493827e-7],
    yd2: [0.83612736], 'yd^2': [0.83612736],
  },
  information: { bit: [1, true], byte: [8, true] },
  speed: {
    admkn: [6080 * 0.3048 / 3600], kn: [1852 / 3600], 'm/h': [1 / 3600, true],
    'm/hr': [1 / 3600, true], 'm/s': [1, true], 'm/sec': [1, true], mph: [0.44704, true],
  },
};

const PREFIXES = {
  Y: 1e24, Z: 1e21, E: 1e18, P: 1e15, T: 1e12, G: 1e9, M: 1e6, k: 1e3, h: 1e2, da: 1e1, e: 1e1,
  d: 1e-1, c: 1e-2, m: 1e-3, u: 1e-6, n: 1e-9, p: 1e-12, f: 1e-15, a: 1e-18, z: 1e-21, y: 1e-24,
};
const BINARY_PREFIXES = {
  Yi: 2 ** 80, Zi: 2 ** 70, Ei: 2 ** 60, Pi: 2 ** 50, Ti: 2 ** 40, Gi: 2 ** 30, Mi: 2 ** 20,
  ki: 2 ** 10,
};

const UNITS = new Map(); // name -> {kind, factor, prefixable, power}
for (const [kind, units] of Object.entries(KINDS)) {
  for (const [name, [factor, prefixable = false, power = 1]] of Object.entries(units)) {
    UNITS.set(name, { kind, name, factor, prefixable, power });
  }
}

/** Every reading of a unit text ("km", "Mibyte", "ft^2", "pc") as {kind, name, factor}: the
 * exact unit first, then prefixed readings ("pc" is a parsec, or a picocalorie beside joules). */
function unitReadings(text) {
  const out = [];
  const exact = UNITS.get(text);
  if (exact) out.push(exact);
  for (const [table, binary] of [[BINARY_PREFIXES, true], [PREFIXES, false]]) {
    for (const len of [2, 1]) {
      const scale = table[text.slice(0, len)];
      if (scale === undefined) continue;
      const unit = UNITS.get(text.slice(len));
      if (!unit || !unit.prefixable) continue;
      if (binary && unit.kind !== 'information') continue;
      out.push({ ...unit, factor: unit.factor * scale ** unit.power });
    }
  }
  return out;
}

/** The readings of two unit texts that share a kind (exact readings preferred), or undefined. */
function unitPair(fromText, toText) {
  const froms = unitReadings(fromText);
  const tos = unitReadings(toText);
  for (const from of froms) for (const to of tos) if (from.kind === to.kind) return [from, to];
  return undefined;
}

function toKelvin(v, name) {
  switch (name) {
    case 'C': case 'cel': return v + 273.15;
    case 'F': case 'fah': return (v - 32) * 5 / 9 + 273.15;
    case 'Rank': return v * 5 / 9;
    case 'Reau': return v * 5 / 4 + 273.15;
    default: return v;
  }
}

function fromKelvin(k, name) {
  switch (name) {
    case 'C': case 'cel': return k - 273.15;
    case 'F': case 'fah': return (k - 273.15) * 9 / 5 + 32;
    case 'Rank': return k * 9 / 5;
    case 'Reau': return (k - 273.15) * 4 / 5;
    default: return k;
  }
}

/** CONVERT(number, from, to) as a plain function: a number, or undefined for #N/A. */
function convert(value, fromText, toText) {
  const pair = unitPair(fromText, toText);
  if (!pair) return undefined;
  const [from, to] = pair;
  if (from.kind === 'temperature') {
    return fromKelvin(toKelvin(value * from.factor, from.name), to.name) / to.factor;
  }
  if (from.factor === to.factor) return value;
  return (value * from.factor) / to.factor;
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, CellError, ErrorType } = hf;
  const jstat = hfInternal('interpreter/plugin/3rdparty/jstat/jstat.js');

  class EngineeringExtraPlugin extends FunctionPlugin {
    convert(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CONVERT'), (value, from, to) => {
        if (typeof value === 'boolean') return new CellError(ErrorType.VALUE, 'a number expected');
        const n = this.coerceScalarToNumberOrError(value);
        if (n instanceof CellError) return n;
        const r = convert(typeof n === 'number' ? n : n.val, from, to);
        return r === undefined ? new CellError(ErrorType.NA, 'unknown or incompatible units') : r;
      });
    }

    gestep(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('GESTEP'), (n, step) => {
        // Excel's engineering functions take numbers and numeric text, not logical values
        if (typeof n === 'boolean' || typeof step === 'boolean') {
          return new CellError(ErrorType.VALUE, 'a number expected');
        }
        const a = this.coerceScalarToNumberOrError(n);
        if (a instanceof CellError) return a;
        const b = this.coerceScalarToNumberOrError(step);
        if (b instanceof CellError) return b;
        return (typeof a === 'number' ? a : a.val) >= (typeof b === 'number' ? b : b.val) ? 1 : 0;
      });
    }

    erfprecise(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ERF.PRECISE'), (x) => jstat.erf(x));
    }

    erfcprecise(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ERFC.PRECISE'), (x) =>
        jstat.erfc(x));
    }
  }

  const num = { argumentType: T.NUMBER };
  EngineeringExtraPlugin.implementedFunctions = {
    CONVERT: {
      method: 'convert',
      parameters: [{ argumentType: T.NOERROR }, { argumentType: T.STRING }, { argumentType: T.STRING }],
    },
    GESTEP: {
      method: 'gestep',
      parameters: [{ argumentType: T.NOERROR }, { argumentType: T.NOERROR, defaultValue: 0 }],
    },
    'ERF.PRECISE': { method: 'erfprecise', parameters: [num] },
    'ERFC.PRECISE': { method: 'erfcprecise', parameters: [num] },
  };
  return EngineeringExtraPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, convert, unitReadings };
