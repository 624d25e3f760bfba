'use strict';
const { registerPlugin } = require('./info_common');
/*
 * ROMAN and ARABIC as Excel computes them, replacing HyperFormula 3.5.0's built-ins:
 *  - ROMAN(number, [form]): number truncated; below 0 or from 4000 on is #VALUE! (HF: #NUM!);
 *    forms 0 (classic) to 4 (simplified), TRUE is 0, FALSE is 4; ROMAN(0) is "".
 *    ROMAN(499,0) is CDXCIX, ROMAN(499,1) LDVLIV, (499,2) XDIX, (499,3) VDIV, (499,4) ID.
 *  - ARABIC(text): any sequence of I V X L C D M in either case, a letter smaller than the next one
 *    is subtracted (ARABIC("ixix") is 18, ARABIC("CMM") 1900); an optional leading "-"; blanks
 *    around are ignored; "" is 0; other characters are #VALUE! (HF rejected non-canonical forms).
 */
const CHARS = ['M', 'D', 'C', 'L', 'X', 'V', 'I'];
const VALUES = [1000, 500, 100, 50, 10, 5, 1];
const LETTER = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/** Roman numeral of 0 <= value < 4000 in form 0..4 (the algorithm Excel and LibreOffice use). */
function roman(value, form) {
  let v = value;
  let out = '';
  const maxIndex = VALUES.length - 1;
  for (let i = 0; i <= maxIndex / 2; i++) {
    let index = 2 * i;
    const digit = Math.floor(v / VALUES[index]);
    if (digit % 5 === 4) {
      const index2 = digit === 4 ? index - 1 : index - 2;
      let steps = 0;
      while (steps < form && index < maxIndex) {
        steps++;
        if (VALUES[index2] - VALUES[index + 1] <= v) index++;
        else steps = form;
      }
      out += CHARS[index] + CHARS[index2];
      v = v + VALUES[index] - VALUES[index2];
    } else {
      if (digit > 4) out += CHARS[index - 1];
      out += CHARS[index].repeat(digit % 5);
      v %= VALUES[index];
    }
  }
  return out;
}

/** Value of a Roman numeral text, or undefined when it is not one. */
function arabic(text) {
  let s = text.trim().toUpperCase();
  let sign = 1;
  if (s.startsWith('-')) {
    sign = -1;
    s = s.slice(1);
  }
  // Excel reads right to left: a letter smaller than the largest letter to its right is
  // subtracted (ARABIC("IIIIIIV") = -1, ARABIC("IILMIIC") = 1046).
  let total = 0;
  let largest = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const cur = LETTER[s[i]];
    if (cur === undefined) return undefined;
    total += cur < largest ? -cur : cur;
    largest = Math.max(largest, cur);
  }
  return sign * total;
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType } = hf;

  class ExcelRomanPlugin extends FunctionPlugin {
    roman(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ROMAN'), (number, form) => {
        let f = form;
        if (typeof f === 'boolean') f = f ? 0 : 4;
        else if (f === undefined) f = 0;
        else {
          const n = this.arithmeticHelper.coerceScalarToNumberOrError(f);
          if (n instanceof CellError) return n;
          f = Math.trunc(typeof n === 'number' ? n : n.val);
        }
        if (f < 0 || f > 4) return new CellError(ErrorType.VALUE);
        const v = Math.trunc(number);
        if (v < 0 || v >= 4000) return new CellError(ErrorType.VALUE);
        return roman(v, f);
      });
    }

    arabic(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ARABIC'), (text) => {
        if (text.length > 255) return new CellError(ErrorType.VALUE);
        const v = arabic(text);
        return v === undefined ? new CellError(ErrorType.VALUE) : v;
      });
    }
  }

  ExcelRomanPlugin.implementedFunctions = {
    ROMAN: {
      method: 'roman',
      parameters: [
        { argumentType: FunctionArgumentType.NUMBER },
        { argumentType: FunctionArgumentType.NOERROR, optionalArg: true },
      ],
    },
    ARABIC: { method: 'arabic', parameters: [{ argumentType: FunctionArgumentType.STRING }] },
  };
  return ExcelRomanPlugin;
}

function register(hfModule) {
  const plugin = definePlugin(hfModule);
  return registerPlugin(hfModule, plugin);
}

module.exports = { register, roman, arabic };
