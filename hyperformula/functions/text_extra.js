'use strict';
/*
 * Text functions HyperFormula 3.5.0 lacks: CONCAT, REGEXTEST, REGEXEXTRACT, REGEXREPLACE,
 * TEXTBEFORE, TEXTAFTER, TEXTSPLIT, VALUETOTEXT, ARRAYTOTEXT, NUMBERVALUE.
 */
const { registerPlugin, makeTools, staticValue, recordedSize } = require('./info_common');

/** Excel's regular expressions (PCRE2) as a JavaScript RegExp: the common PCRE-only spellings
 * are translated (leading (?i), \A, \Z, \z, POSIX classes). Throws on an invalid pattern. */
function excelRegex(pattern, caseInsensitive, global) {
  let flags = global ? 'g' : '';
  let p = pattern;
  if (p.startsWith('(?i)')) {
    p = p.slice(4);
    caseInsensitive = true;
  }
  if (caseInsensitive) flags += 'i';
  const posix = {
    alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z',
    space: '\\s', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w',
  };
  p = p.replace(/\[:(\w+):\]/g, (m, name) => posix[name] || m);
  p = p.replace(/\\A/g, '^').replace(/\\[Zz]/g, '$');
  return new RegExp(p, flags);
}

function definePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, ArraySize } = hf;
  const tools = makeTools(hf);
  const { raw, isError, isEmpty, isRange, err, grid, flatten, result, toText, errorText } = tools;

  function regexOrError(pattern, caseFlag, global) {
    try {
      return excelRegex(pattern, caseFlag === 1, global);
    } catch (e) {
      return err('VALUE', `invalid regular expression: ${e.message}`);
    }
  }

  /** Positions [start, end) of the delimiters in `text`, left to right, non-overlapping; at
   * each position the longest delimiter that matches wins. */
  function delimiterSpans(text, delimiters, ignoreCase) {
    const hay = ignoreCase ? text.toLowerCase() : text;
    const needles = delimiters.map((d) => (ignoreCase ? d.toLowerCase() : d)).filter((d) => d);
    const spans = [];
    let i = 0;
    while (i < hay.length) {
      let best = '';
      for (const d of needles) if (d.length > best.length && hay.startsWith(d, i)) best = d;
      if (best) {
        spans.push([i, i + best.length]);
        i += best.length;
      } else {
        i++;
      }
    }
    return spans;
  }

  function delimiterList(v) {
    const out = [];
    for (const d of flatten(v)) {
      if (isError(d)) return d;
      out.push(toText(d));
    }
    return out;
  }

  /** TEXTBEFORE / TEXTAFTER: the [start, end) span of the instance-th delimiter, with Excel's
   * match_end rule (the text's end, or start for negative instances, counts as a delimiter). */
  function findInstance(text, delims, instance, ignoreCase, matchEnd) {
    if (delims.some((d) => d === '')) {
      // an empty delimiter matches at once: at the start (or at the end, counting backwards)
      return instance > 0 ? [0, 0] : [text.length, text.length];
    }
    const spans = delimiterSpans(text, delims, ignoreCase);
    if (matchEnd) {
      if (instance > 0) spans.push([text.length, text.length]);
      else spans.unshift([0, 0]);
    }
    const idx = instance > 0 ? instance - 1 : spans.length + instance;
    return idx >= 0 && idx < spans.length ? spans[idx] : undefined;
  }

  function instanceGiven(ast) {
    return ast.args.length >= 3 && ast.args[2].type !== 'EMPTY';
  }

  function textBeforeAfter(args, after, instanceIsGiven) {
    const [value, delimiter, instanceArg, matchMode, matchEnd, ifNotFound] = args;
    if (isError(value)) return value;
    const text = toText(value);
    const delims = delimiterList(delimiter);
    if (isError(delims)) return delims;
    // Excel rounds the instance down (-1.2 is -2) and, only when the instance is given, calls a
    // delimiter longer than the whole text a #VALUE! (not a #N/A)
    const instance = Math.floor(instanceArg);
    if (instance === 0 || Math.abs(instance) > Math.max(text.length, 1)) {
      return err('VALUE', 'bad instance number');
    }
    if (matchEnd !== 0 && matchEnd !== 1) return err('VALUE', 'match_end must be 0 or 1');
    const tooLong = delims.length && delims.every((d) => d.length > text.length);
    if (instanceIsGiven && tooLong) {
      return err('VALUE', 'delimiter longer than the text');
    }
    const ignoreCase = flag(matchMode);
    if (isError(ignoreCase)) return ignoreCase;
    const span = findInstance(text, delims, instance, ignoreCase, matchEnd === 1);
    if (!span) {
      if (ifNotFound === undefined) return err('NA', 'delimiter not found');
      return isEmpty(ifNotFound) ? '' : ifNotFound;
    }
    return after ? text.slice(span[1]) : text.slice(0, span[0]);
  }

  /** A 0/1 mode argument as Excel reads it leniently: a number (non-zero is on), a boolean; text
   * counts as off. */
  function flag(v) {
    v = raw(v);
    if (isError(v)) return v;
    if (typeof v === 'number') return Math.trunc(v) !== 0;
    if (typeof v === 'boolean') return v;
    return false;
  }

  function splitText(text, colDelims, rowDelims, ignoreEmpty, ignoreCase, pad) {
    const cut = (s, delims) => {
      if (!delims.length || delims.every((d) => d === '')) return [s];
      const parts = [];
      let last = 0;
      for (const [a, b] of delimiterSpans(s, delims, ignoreCase)) {
        parts.push(s.slice(last, a));
        last = b;
      }
      parts.push(s.slice(last));
      return ignoreEmpty ? parts.filter((p) => p !== '') : parts;
    };
    const rows = cut(text, rowDelims).map((line) => cut(line, colDelims));
    const width = Math.max(1, ...rows.map((r) => r.length));
    return rows.map((r) => {
      const out = r.slice();
      while (out.length < width) out.push(pad);
      return out;
    });
  }

  function valueText(v, strict) {
    v = raw(v);
    if (isError(v)) return errorText(v);
    if (typeof v === 'string') return strict ? `"${v.replace(/"/g, '""')}"` : v;
    return toText(v);
  }

  class TextExtraPlugin extends FunctionPlugin {
    concat(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('CONCAT'), (...args) => {
        let out = '';
        for (const a of args) {
          for (const v of flatten(a)) {
            if (isError(v)) return v;
            out += toText(v);
          }
        }
        if (out.length > 32767) return err('VALUE', 'text longer than 32767 characters');
        return out;
      });
    }

    regextest(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('REGEXTEST'), (text, pattern, cs) => {
        cs = Math.trunc(cs);
        if (cs !== 0 && cs !== 1) return err('VALUE', 'case_sensitivity must be 0 or 1');
        const re = regexOrError(pattern, cs, false);
        return isError(re) ? re : re.test(text);
      });
    }

    regexextract(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('REGEXEXTRACT'),
        (text, pattern, mode, cs) => {
          mode = Math.trunc(mode);
          cs = Math.trunc(cs);
          if (cs !== 0 && cs !== 1) return err('VALUE', 'case_sensitivity must be 0 or 1');
          if (![0, 1, 2].includes(mode)) return err('VALUE', 'bad return mode');
          const re = regexOrError(pattern, cs, mode === 1);
          if (isError(re)) return re;
          if (mode === 1) {
            // all matches as one row (Excel's {=REGEXEXTRACT(text, pattern, 1)} over a row of
            // cells shows one match per cell)
            const all = [...text.matchAll(re)].map((m) => m[0]);
            return all.length ? result(this.fitToSize([all], state)) : err('NA', 'no match');
          }
          const m = re.exec(text);
          if (!m) return err('NA', 'no match');
          if (mode === 0) return m[0];
          const groups = m.slice(1).map((g) => (g === undefined ? '' : g));
          if (!groups.length) return err('VALUE', 'no capture groups');
          return result(this.fitToSize([groups], state));
        });
    }

    regexextractSize(ast, state) {
      const size = this.predictRegexSize(ast, state);
      if (!this.sizeCache) this.sizeCache = new Map();
      this.sizeCache.set(addressKey(state), { width: size.width, height: size.height });
      return size;
    }

    predictRegexSize(ast, state) {
      const mode = staticValue(this, ast.args[2], state);
      if (!mode) return ArraySize.scalar();
      const rec = recordedSize(state);
      if (rec) return new ArraySize(rec.width, rec.height);
      const text = staticValue(this, ast.args[0], state);
      const pattern = staticValue(this, ast.args[1], state);
      if (typeof text !== 'string' || typeof pattern !== 'string') return ArraySize.scalar();
      try {
        const re = excelRegex(pattern, staticValue(this, ast.args[3], state) === 1, mode === 1);
        if (mode === 1) return new ArraySize(Math.max(1, [...text.matchAll(re)].length), 1);
        const m = re.exec(text);
        return new ArraySize(Math.max(1, m ? m.length - 1 : 1), 1);
      } catch (e) {
        return ArraySize.scalar();
      }
    }

    regexreplace(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('REGEXREPLACE'),
        (text, pattern, replacement, occurrence, cs) => {
          occurrence = Math.trunc(occurrence);
          cs = Math.trunc(cs);
          if (cs !== 0 && cs !== 1) return err('VALUE', 'case_sensitivity must be 0 or 1');
          const re = regexOrError(pattern, cs, true);
          if (isError(re)) return re;
          if (occurrence === 0) return text.replace(re, replacement);
          const matches = [...text.matchAll(re)];
          const idx = occurrence > 0 ? occurrence - 1 : matches.length + occurrence;
          if (idx < 0 || idx >= matches.length) return text;
          const m = matches[idx];
          const single = new RegExp(re.source, re.flags.replace('g', ''));
          const replaced = m[0].replace(single, replacement);
          return text.slice(0, m.index) + replaced + text.slice(m.index + m[0].length);
        });
    }

    textbefore(ast, state) {
      const given = instanceGiven(ast);
      return this.runFunction(ast.args, state, this.metadata('TEXTBEFORE'), (...args) =>
        textBeforeAfter(args, false, given));
    }

    textafter(ast, state) {
      const given = instanceGiven(ast);
      return this.runFunction(ast.args, state, this.metadata('TEXTAFTER'), (...args) =>
        textBeforeAfter(args, true, given));
    }

    textsplit(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('TEXTSPLIT'),
        (value, colDelim, rowDelim, ignoreEmpty, matchMode, pad) => {
          if (isError(value)) return value;
          const cols = colDelim === undefined ? [] : delimiterList(colDelim);
          if (isError(cols)) return cols;
          const rows = rowDelim === undefined ? [] : delimiterList(rowDelim);
          if (isError(rows)) return rows;
          if (!cols.some((d) => d !== '') && !rows.some((d) => d !== '')) {
            return err('VALUE', 'no delimiter');
          }
          const padWith = pad === undefined ? err('NA', 'padding') : pad;
          const out = splitText(toText(value), cols, rows, ignoreEmpty, matchMode === 1, padWith);
          return result(this.fitToSize(out, state));
        });
    }

    /** Crop a data-dependent array result to the size announced before evaluation. */
    fitToSize(rows, state) {
      const size = this.sizeCache && this.sizeCache.get(addressKey(state));
      if (!size) return rows;
      const out = rows.slice(0, size.height).map((r) => r.slice(0, size.width));
      return out.length ? out : [['']];
    }

    textsplitSize(ast, state) {
      let size = recordedSize(state);
      if (!size) {
        const text = staticValue(this, ast.args[0], state);
        const colDelim = staticValue(this, ast.args[1], state);
        const rowDelim = staticValue(this, ast.args[2], state);
        const ignoreEmpty = staticValue(this, ast.args[3], state);
        const isText = (v) => v === undefined || typeof v === 'string';
        const known = ast.args.length < 3 || ast.args[2].type === 'EMPTY' || rowDelim !== undefined;
        if (text !== undefined && typeof colDelim === 'string' && isText(rowDelim) && known) {
          const rows = splitText(toText(text), colDelim ? [colDelim] : [],
            rowDelim ? [rowDelim] : [], Boolean(ignoreEmpty), false, '');
          size = { width: rows[0].length, height: rows.length };
        } else {
          size = { width: 1, height: 1 };
        }
      }
      if (!this.sizeCache) this.sizeCache = new Map();
      this.sizeCache.set(addressKey(state), size);
      return new ArraySize(size.width, size.height);
    }

    valuetotext(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('VALUETOTEXT'), (v, format) => {
        format = Math.trunc(format);
        if (format !== 0 && format !== 1) return err('VALUE', 'bad format');
        return valueText(v, format === 1);
      });
    }

    arraytotext(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ARRAYTOTEXT'), (v, format) => {
        format = Math.trunc(format);
        if (format !== 0 && format !== 1) return err('VALUE', 'bad format');
        const g = grid(v);
        if (format === 0) return g.flat().map((x) => valueText(x, false)).join(', ');
        return '{' + g.map((r) => r.map((x) => valueText(x, true)).join(',')).join(';') + '}';
      });
    }

    numbervalue(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('NUMBERVALUE'), (v, dec, group) => {
        if (isError(v)) return v;
        if (typeof v === 'number') return v;
        const d = dec === undefined ? '.' : dec[0];
        // without a group separator, the locale's one (","), or "." when "," is the decimal mark
        const g = group === undefined ? (d === ',' ? '.' : ',') : group[0];
        if (d === undefined || g === undefined || d === g) return err('VALUE', 'bad separators');
        let s = toText(v).replace(/\s+/g, '');
        if (s === '') return 0;
        // A number in brackets is negative; % signs may follow the bracket: "(2,500.27%)%"
        let sign = 1;
        if (s.startsWith('(')) {
          const close = s.indexOf(')');
          const after = close < 0 ? '' : s.slice(close + 1);
          if (close < 0 || !/^%*$/.test(after) || /^[+-]/.test(s.slice(1))) {
            return err('VALUE', 'not a number');
          }
          sign = -1;
          s = s.slice(1, close) + after;
        }
        let percents = 0;
        while (s.endsWith('%')) {
          percents++;
          s = s.slice(0, -1);
        }
        const decAt = s.indexOf(d);
        if (decAt >= 0 && s.indexOf(d, decAt + 1) >= 0) return err('VALUE', 'two decimal marks');
        let intPart = decAt >= 0 ? s.slice(0, decAt) : s;
        const fracPart = decAt >= 0 ? s.slice(decAt + 1) : '';
        if (fracPart.includes(g)) return err('VALUE', 'group separator after the decimal mark');
        intPart = intPart.split(g).join('');
        const text = intPart + (decAt >= 0 ? '.' + fracPart : '');
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
          return err('VALUE', 'not a number');
        }
        return (sign * Number(text)) / 100 ** percents;
      });
    }
  }

  function addressKey(state) {
    const a = state.formulaAddress;
    return `${a.sheet}:${a.row}:${a.col}`;
  }

  const str = { argumentType: T.STRING };
  const int = (d) => ({ argumentType: T.NUMBER, defaultValue: d }); // truncated where used
  // an optional argument that is also its default when left empty (TEXTAFTER(t, d, , , , x))
  const opt = (type, d) => ({ argumentType: type, defaultValue: d, emptyAsDefault: true });
  TextExtraPlugin.implementedFunctions = {
    CONCAT: { method: 'concat', parameters: [{ argumentType: T.ANY }], repeatLastArgs: 1 },
    REGEXTEST: { method: 'regextest', parameters: [str, str, int(0)] },
    REGEXEXTRACT: {
      method: 'regexextract',
      sizeOfResultArrayMethod: 'regexextractSize',
      parameters: [str, str, int(0), int(0)],
    },
    REGEXREPLACE: { method: 'regexreplace', parameters: [str, str, str, int(0), int(0)] },
    TEXTBEFORE: {
      method: 'textbefore',
      parameters: [
        { argumentType: T.SCALAR }, { argumentType: T.ANY }, opt(T.NUMBER, 1), opt(T.SCALAR, 0), opt(T.NUMBER, 0),
        { argumentType: T.SCALAR, optionalArg: true },
      ],
    },
    TEXTAFTER: {
      method: 'textafter',
      parameters: [
        { argumentType: T.SCALAR }, { argumentType: T.ANY }, opt(T.NUMBER, 1), opt(T.SCALAR, 0), opt(T.NUMBER, 0),
        { argumentType: T.SCALAR, optionalArg: true },
      ],
    },
    TEXTSPLIT: {
      method: 'textsplit',
      sizeOfResultArrayMethod: 'textsplitSize',
      vectorizationForbidden: true,
      parameters: [
        { argumentType: T.SCALAR }, { argumentType: T.ANY, optionalArg: true },
        { argumentType: T.ANY, optionalArg: true },
        { argumentType: T.BOOLEAN, defaultValue: false }, int(0),
        { argumentType: T.SCALAR, optionalArg: true },
      ],
    },
    VALUETOTEXT: { method: 'valuetotext', parameters: [{ argumentType: T.SCALAR }, int(0)] },
    ARRAYTOTEXT: { method: 'arraytotext', parameters: [{ argumentType: T.RANGE }, int(0)] },
    NUMBERVALUE: {
      method: 'numbervalue',
      parameters: [
        { argumentType: T.SCALAR },
        { argumentType: T.STRING, optionalArg: true },
        { argumentType: T.STRING, optionalArg: true },
      ],
    },
  };
  return TextExtraPlugin;
}

function register(hfModule) {
  return registerPlugin(hfModule, definePlugin(hfModule));
}

module.exports = { register, excelRegex };
