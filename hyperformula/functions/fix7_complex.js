'use strict';
/*
 * The complex-number functions (COMPLEX, IMSUM, IMCOS, IMDIV ...) as Excel writes and reads
 * complex numbers (Microsoft: "COMPLEX function", "IMSUM function" ...), around whichever
 * implementation is final:
 *  - a result's parts are written with 15 significant digits, in plain decimals up to 21
 *    characters, else with an exponent (IMCOS("7+25j") is "27142327967.109-23653126953.379j",
 *    IMPRODUCT("3.1+2j","13+5j") "30.3+41.5j", COMPLEX(1E-18,0) "0.000000000000000001",
 *    COMPLEX(1E-20,0) "1E-20");
 *  - the result keeps the suffix of the arguments: "j" in, "j" out; arguments mixing "i" and "j"
 *    are #VALUE! (IMDIV and IMSUB: #NUM!);
 *  - a logical value is not a complex number: #VALUE!;
 *  - an exponent may be written E or e ("1.2E-45-3i").
 */
const { makeTools, hfInternal } = require('./info_common');
const { wrapFunction, isMultiCellReference, SCALAR_PARAMS } = require('./fix7_atp');

// Functions returning a complex number in text.
const TEXT_RESULT = [
  'COMPLEX', 'IMCONJUGATE', 'IMCOS', 'IMCOSH', 'IMCOT', 'IMCSC', 'IMCSCH', 'IMDIV', 'IMEXP',
  'IMLN', 'IMLOG10', 'IMLOG2', 'IMPOWER', 'IMPRODUCT', 'IMSEC', 'IMSECH', 'IMSIN', 'IMSINH',
  'IMSQRT', 'IMSUB', 'IMSUM', 'IMTAN',
];
// Functions returning a number of a complex number.
const NUMBER_RESULT = ['IMABS', 'IMAGINARY', 'IMARGUMENT', 'IMREAL'];
// Arguments (0-based) that are not complex numbers.
const NOT_COMPLEX = { COMPLEX: [0, 1, 2], IMPOWER: [1] };

const NUMBER = '[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?';
// A complex number as HyperFormula writes it: "re", "re+imi", "imi", "-i" ...
const WRITTEN = new RegExp(`^([+-]?${NUMBER}(?![0-9.eE]*[ij]$))?(?:([+-]?)(${NUMBER})?([ij]))?$`);
const PLAIN = new RegExp(`^[+-]?${NUMBER}$`);
// A complex number in text with its suffix (Excel accepts i or j).
const SUFFIXED = new RegExp(`^[+-]?(?:${NUMBER})?(?:[+-](?:${NUMBER})?)?[ij]$|^[+-]?${NUMBER}[+-](?:${NUMBER})?[ij]$`);

function finalize(hfModule) {
  const { CellError, ErrorType, SimpleRangeValue } = hfModule;
  const { raw, numberToText } = makeTools(hfModule);

  /** The arguments read left to right, as Excel checks them: the suffixes ("i", "j") of the
   * complex numbers, or the first problem: an error value, a text that is no complex number
   * (#NUM!), a logical value given directly (#VALUE!). */
  function scan(plugin, ast, state, skip) {
    const suffixes = new Set();
    for (let i = 0; i < ast.args.length; i++) {
      const a = ast.args[i];
      if (!a || a.type === 'EMPTY' || skip.includes(i)) continue;
      const v = plugin.evaluateAst(a, state);
      const inRange = v instanceof SimpleRangeValue;
      for (const x of inRange ? [].concat(...v.rawData()) : [raw(v)]) {
        if (x instanceof CellError) return { problem: x };
        if (typeof x === 'boolean' && !inRange) {
          return { problem: new CellError(ErrorType.VALUE, 'a logical value is not a complex number') };
        }
        if (typeof x !== 'string') continue;
        const t = x.trim();
        if (SUFFIXED.test(t)) suffixes.add(t.slice(-1));
        else if (t !== '' && !PLAIN.test(t)) {
          return { problem: new CellError(ErrorType.NUM, 'not a complex number') };
        }
      }
    }
    return { suffixes };
  }

  /** A part of a complex number as Excel writes it: 15 significant digits, in plain decimals
   * while they take at most 21 characters ("0.000000000000000001", "0.0000692442674613868",
   * "27142327967.109"), else with an exponent ("1E-20", "1.2E-45"). */
  function partText(x) {
    if (x === 0 || !Number.isFinite(x)) return numberToText(x);
    const m = Number(x.toPrecision(15));
    const exp = Math.floor(Math.log10(Math.abs(m)));
    const decimals = Math.min(100, Math.max(0, 14 - exp));
    let plain = Math.abs(m) < 1e21 ? m.toFixed(decimals) : '';
    if (plain.includes('.')) plain = plain.replace(/0+$/, '').replace(/\.$/, '');
    if (plain && plain.replace('-', '').length <= 21) return plain;
    let [mant, e] = m.toExponential(14).split('e');
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const en = Number(e);
    return `${mant}E${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }

  /** HyperFormula's complex text rewritten with 15 significant digits and `suffix`. */
  function rewrite(text, suffix) {
    const m = WRITTEN.exec(text);
    if (!m) return text;
    const [, re, sign, im, unit] = m;
    const reText = re === undefined ? '' : partText(Number(re));
    if (!unit) return reText;
    const imValue = im === undefined ? 1 : Number(im);
    const imText = imValue === 1 ? '' : partText(imValue);
    const lead = reText === '' || reText === '0' ? '' : reText;
    const s = sign === '-' ? '-' : lead ? '+' : '';
    return `${lead}${s}${imText}${suffix || unit}`;
  }

  for (const id of [...TEXT_RESULT, ...NUMBER_RESULT]) {
    const skip = NOT_COMPLEX[id] || [];
    wrapFunction(hfModule, id, function complexText(ast, state, base) {
      let suffix;
      // a range where one value is expected: fix7_atp's #VALUE!, checked first
      const scalars = SCALAR_PARAMS[id];
      const rangeArgument = id in SCALAR_PARAMS && state.arraysFlag && ast.args.some((a, i) =>
        (scalars === undefined || scalars.includes(i)) && isMultiCellReference(a, state));
      if (id !== 'COMPLEX' && !rangeArgument) {
        const { suffixes, problem } = scan(this, ast, state, skip);
        if (problem) return problem;
        if (suffixes.size > 1) {
          const code = id === 'IMDIV' || id === 'IMSUB' ? ErrorType.NUM : ErrorType.VALUE;
          return new CellError(code, 'mixed suffixes i and j');
        }
        [suffix] = suffixes;
      }
      const out = base(ast, state);
      if (!TEXT_RESULT.includes(id)) return out;
      if (typeof out === 'string') return rewrite(out, suffix);
      if (out instanceof SimpleRangeValue) {
        return SimpleRangeValue.onlyValues(out.rawData().map((row) =>
          row.map((x) => (typeof x === 'string' ? rewrite(x, suffix) : x))));
      }
      return out;
    });
  }
}

/** Excel writes a part's exponent with E ("1.2E-45-3i") and reads either case; HyperFormula's
 * complex-number parser took a lowercase e only. */
function register() {
  const { ArithmeticHelper } = hfInternal('interpreter/ArithmeticHelper.js');
  const parse = ArithmeticHelper.prototype.coerceStringToComplex;
  if (!parse.xlExponentCase) {
    const patched = function coerceStringToComplex(arg) {
      return parse.call(this, typeof arg === 'string' ? arg.replace(/([0-9.])E(?=[+-]?[0-9])/g, '$1e') : arg);
    };
    patched.xlExponentCase = true;
    ArithmeticHelper.prototype.coerceStringToComplex = patched;
  }
  return [];
}

module.exports = { register, finalize };
