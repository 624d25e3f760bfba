'use strict';
/*
 * Workbook-defined VBA functions. The Python side parses the workbook's VBA project and
 * translates each simple, pure Function into the body of a JavaScript factory `($, F) => fn`
 * generated from its parsed tree (src/xlimport/vba.py); `$` below implements VBA's semantics
 * (Variant coercion, banker's rounding in CLng/CInt/Round, string concatenation, run-time
 * errors), `F` holds the workbook's other translated functions. They are registered as
 * HyperFormula functions before the workbook is built and unregistered when the next one is
 * (HyperFormula's registry is static; a built instance keeps the functions it was built with).
 *
 * A run-time error in a VBA function called from a cell (type mismatch, division by zero,
 * overflow) makes the cell #VALUE!, as in Excel.
 */
const { formatNumber } = require('../functions/numfmt');

const MAX_LOOP = 1000000; // iterations of one For loop
const MAX_STEPS = 5000000; // loop iterations and calls of one cell's evaluation

class VbaError extends Error {}

function makeRuntime(hf) {
  const { CellError, ErrorType, EmptyValue, SimpleRangeValue } = hf;
  const fail = (message) => {
    throw new VbaError(message);
  };
  const $ = { ctx: null, formats: new Map(), date1904: false };

  /** A plain VBA value: the value of a range argument (its default property), numbers unboxed,
   * an empty cell as Empty (undefined). */
  $.v = (x) => {
    if (x !== null && typeof x === 'object') {
      if (x.$range) x = x.value;
      if (x instanceof SimpleRangeValue) {
        if (x.height() !== 1 || x.width() !== 1) fail('type mismatch (a range of several cells)');
        x = x.data[0][0];
      }
      if (x !== null && typeof x === 'object' && typeof x.val === 'number') return x.val;
    }
    if (x === EmptyValue || x === null) return undefined;
    return x;
  };
  const isErr = (x) => x instanceof CellError;

  function parseNumber(s) {
    const t = s.trim();
    if (t === '') return undefined;
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
    if (/^&h[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
    return undefined;
  }
  $.num = (x) => {
    x = $.v(x);
    if (typeof x === 'number') return x;
    if (typeof x === 'boolean') return x ? -1 : 0; // VBA's True is -1
    if (x === undefined) return 0;
    if (typeof x === 'string') {
      const n = parseNumber(x);
      if (n === undefined) fail('type mismatch');
      return n;
    }
    return fail('type mismatch');
  };
  /** VBA's text of a number: up to 15 significant digits. */
  function numText(n) {
    if (!Number.isFinite(n)) return String(n);
    if (n === 0) return '0';
    const m = Number(n.toPrecision(15));
    const exp = Math.floor(Math.log10(Math.abs(m)));
    if (exp >= 15 || exp < -15) {
      let [mant, e] = m.toExponential(14).split('e');
      if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
      const en = Number(e);
      return `${mant}E${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
    }
    let s = m.toFixed(Math.max(0, Math.min(100, 14 - exp)));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return s;
  }
  $.str = (x) => {
    x = $.v(x);
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return numText(x);
    if (typeof x === 'boolean') return x ? 'True' : 'False';
    if (x === undefined) return '';
    return fail('type mismatch');
  };
  $.bool = (x) => {
    x = $.v(x);
    if (typeof x === 'boolean') return x;
    if (typeof x === 'string') {
      const t = x.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
    }
    return $.num(x) !== 0;
  };
  $.truth = $.bool;

  /** Round half to even (CLng, CInt, Round). */
  function bankers(x) {
    const f = Math.floor(x);
    const d = x - f;
    if (d > 0.5) return f + 1;
    if (d < 0.5) return f;
    return f % 2 === 0 ? f : f + 1;
  }
  function whole(x, lo, hi) {
    const r = bankers($.num(x));
    if (!(r >= lo && r <= hi)) fail('overflow');
    return r;
  }
  $.CLng = (x) => whole(x, -2147483648, 2147483647);
  $.CInt = (x) => whole(x, -32768, 32767);
  $.CByte = (x) => whole(x, 0, 255);
  $.CDbl = (x) => $.num(x);
  $.CCur = (x) => bankers($.num(x) * 10000) / 10000;
  $.CStr = (x) => $.str(x);
  $.CBool = (x) => $.bool(x);
  const CONVERT = {
    Integer: $.CInt, Long: $.CLng, Byte: $.CByte, Double: $.CDbl, Currency: $.CCur,
    String: $.CStr, Boolean: $.CBool,
  };
  /** A value assigned to a variable (or parameter) declared with a type. */
  $.as = (x, type) => {
    x = $.v(x);
    if (isErr(x)) fail('type mismatch');
    const convert = CONVERT[type];
    return convert ? convert(x) : x;
  };

  // ---- operators ----------------------------------------------------------------------------
  const finite = (n) => (Number.isFinite(n) ? n : fail('overflow'));
  $.add = (a, b) => {
    a = $.v(a);
    b = $.v(b);
    // + on two strings (or a string and Empty) concatenates
    if (typeof a === 'string' && (typeof b === 'string' || b === undefined)) return a + (b || '');
    if (typeof b === 'string' && a === undefined) return b;
    return finite($.num(a) + $.num(b));
  };
  $.sub = (a, b) => finite($.num(a) - $.num(b));
  $.mul = (a, b) => finite($.num(a) * $.num(b));
  $.div = (a, b) => {
    const d = $.num(b);
    if (d === 0) fail('division by zero');
    return finite($.num(a) / d);
  };
  $.idiv = (a, b) => {
    const d = $.CLng(b);
    if (d === 0) fail('division by zero');
    return Math.trunc($.CLng(a) / d);
  };
  $.mod = (a, b) => {
    const d = $.CLng(b);
    if (d === 0) fail('division by zero');
    const r = $.CLng(a) % d;
    return r === 0 ? 0 : r; // the sign of the dividend, no -0
  };
  $.pow = (a, b) => {
    const x = $.num(a);
    const y = $.num(b);
    if (x < 0 && !Number.isInteger(y)) fail('invalid procedure call');
    if (x === 0 && y < 0) fail('division by zero');
    return finite(Math.pow(x, y));
  };
  $.neg = (a) => {
    const n = -$.num(a);
    return n === 0 ? 0 : n;
  };
  $.pos = (a) => $.v(a);
  $.cat = (a, b) => {
    const x = $.v(a);
    const y = $.v(b);
    return (x === undefined ? '' : $.str(x)) + (y === undefined ? '' : $.str(y));
  };
  function compare(a, b) {
    a = $.v(a);
    b = $.v(b);
    if (isErr(a) || isErr(b)) fail('type mismatch');
    if (a === undefined) a = typeof b === 'string' ? '' : 0;
    if (b === undefined) b = typeof a === 'string' ? '' : 0;
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === 'string' || typeof b === 'string') {
      // a number and a text: numerically when the text is a number, else the number is less
      const s = typeof a === 'string' ? a : b;
      const n = parseNumber(s);
      if (n === undefined) return typeof a === 'string' ? 1 : -1;
      if (typeof a === 'string') a = n;
      else b = n;
    }
    const x = $.num(a);
    const y = $.num(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  $.eq = (a, b) => compare(a, b) === 0;
  $.ne = (a, b) => compare(a, b) !== 0;
  $.lt = (a, b) => compare(a, b) < 0;
  $.gt = (a, b) => compare(a, b) > 0;
  $.le = (a, b) => compare(a, b) <= 0;
  $.ge = (a, b) => compare(a, b) >= 0;
  // And/Or/Not: logical on two Booleans, bitwise on numbers (True is -1)
  const logic = (f) => (a, b) => {
    a = $.v(a);
    b = $.v(b);
    if (typeof a === 'boolean' && typeof b === 'boolean') return f(a ? -1 : 0, b ? -1 : 0) !== 0;
    return f($.CLng(a), $.CLng(b));
  };
  $.and = logic((x, y) => x & y);
  $.or = logic((x, y) => x | y);
  $.xor = logic((x, y) => x ^ y);
  $.eqv = logic((x, y) => ~(x ^ y));
  $.imp = logic((x, y) => ~x | y);
  $.not = (a) => {
    a = $.v(a);
    return typeof a === 'boolean' ? !a : ~$.CLng(a);
  };

  // ---- built-in functions -----------------------------------------------------------------------
  $.Int = (x) => Math.floor($.num(x));
  $.Fix = (x) => Math.trunc($.num(x));
  $.Abs = (x) => Math.abs($.num(x));
  $.Sgn = (x) => Math.sign($.num(x));
  $.Sqr = (x) => {
    const n = $.num(x);
    return n < 0 ? fail('invalid procedure call') : Math.sqrt(n);
  };
  $.Exp = (x) => finite(Math.exp($.num(x)));
  $.Log = (x) => {
    const n = $.num(x);
    return n <= 0 ? fail('invalid procedure call') : Math.log(n);
  };
  $.Val = (x) => {
    const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec($.str(x).replace(/[ \t\r\n]/g, ''));
    return m ? Number(m[0]) : 0;
  };
  /** VBA's Round: half to even ("banker's rounding"), unlike the worksheet's ROUND. */
  $.Round = (x, n) => {
    const digits = n === undefined ? 0 : $.CLng(n);
    if (digits < 0) fail('invalid procedure call');
    const f = Math.pow(10, digits);
    return bankers($.num(x) * f) / f;
  };
  $.Len = (x) => $.str(x).length;
  const count = (n) => {
    const k = $.CLng(n);
    return k < 0 ? fail('invalid procedure call') : k;
  };
  $.Left = (s, n) => $.str(s).slice(0, count(n));
  $.Right = (s, n) => {
    const t = $.str(s);
    const k = count(n);
    return k === 0 ? '' : t.slice(Math.max(0, t.length - k));
  };
  $.Mid = (s, start, n) => {
    const t = $.str(s);
    const p = $.CLng(start);
    if (p < 1) fail('invalid procedure call');
    return n === undefined ? t.slice(p - 1) : t.substr(p - 1, count(n));
  };
  $.UCase = (s) => $.str(s).toUpperCase();
  $.LCase = (s) => $.str(s).toLowerCase();
  $.Trim = (s) => $.str(s).replace(/^ +| +$/g, '');
  $.LTrim = (s) => $.str(s).replace(/^ +/, '');
  $.RTrim = (s) => $.str(s).replace(/ +$/, '');
  $.Space = (n) => ' '.repeat(count(n));
  $.InStr = (a, b, c) => {
    let start = 1;
    let s1 = a;
    let s2 = b;
    if (c !== undefined) {
      start = $.CLng(a);
      s1 = b;
      s2 = c;
    }
    if (start < 1) fail('invalid procedure call');
    const hay = $.str(s1);
    const needle = $.str(s2);
    if (start > hay.length) return needle === '' && start === hay.length + 1 ? 0 : 0;
    return hay.indexOf(needle, start - 1) + 1;
  };
  $.Replace = (s, find, repl) => {
    const t = $.str(s);
    const f = $.str(find);
    return f === '' ? t : t.split(f).join($.str(repl));
  };
  $.Chr = (n) => {
    const k = $.CLng(n);
    return k < 0 || k > 255 ? fail('invalid procedure call') : String.fromCharCode(k);
  };
  $.Asc = (s) => {
    const t = $.str(s);
    return t === '' ? fail('invalid procedure call') : t.charCodeAt(0);
  };
  $.IIf = (c, a, b) => ($.bool(c) ? a : b); // VBA evaluates both branches, as here
  $.IsNumeric = (x) => {
    x = $.v(x);
    if (typeof x === 'number' || typeof x === 'boolean' || x === undefined) return true;
    return typeof x === 'string' && parseNumber(x) !== undefined;
  };
  $.IsEmpty = (x) => $.v(x) === undefined;
  $.IsMissing = (x) => x === undefined;
  $.IsError = (x) => isErr($.v(x));
  const ERR_CODES = {
    2000: 'NULL', 2007: 'DIV_BY_ZERO', 2015: 'VALUE', 2023: 'REF', 2029: 'NAME', 2036: 'NUM',
    2042: 'NA',
  };
  $.CVErr = (n) => {
    const type = ERR_CODES[$.CLng(n)];
    return type ? new CellError(ErrorType[type]) : fail('type mismatch');
  };
  // VBA's named formats, as the number formats they stand for
  const NAMED = {
    'general number': 'General', currency: '#,##0.00', fixed: '0.00', standard: '#,##0.00',
    percent: '0.00%', scientific: '0.00E+00', 'yes/no': '"Yes";"Yes";"No"',
    'true/false': '"True";"True";"False"', 'on/off': '"On";"On";"Off"',
  };
  $.Format = (x, fmt) => {
    x = $.v(x);
    if (x === undefined) return '';
    const code = fmt === undefined ? '' : $.str(fmt);
    if (code === '') return $.str(x);
    if (typeof x === 'string') {
      const n = parseNumber(x);
      if (n !== undefined) x = n;
    }
    if (typeof x === 'boolean') x = x ? -1 : 0;
    try {
      return formatNumber(x, NAMED[code.toLowerCase()] || code, { date1904: $.date1904 });
    } catch (e) {
      return fail('invalid format');
    }
  };

  // ---- ranges and worksheet functions -----------------------------------------------------------
  /** The number format of a one-cell Range argument ("General" when it has none). */
  $.numberFormat = (x) => {
    if (!(x && x.$range) || !x.address) fail('object required');
    const a = x.address;
    const sheet = $.formats.get(a.sheet);
    const code = (sheet && sheet.get(`${a.row},${a.col}`)) || 'General';
    return displayFormat(code);
  };
  /** Application.X / WorksheetFunction.X: the engine's function X on these arguments (a range
   * argument passes on as the reference it was given). WorksheetFunction raises a run-time error
   * on an error result; Application.X returns it. */
  $.wf = (name, strict, args) => {
    const ctx = $.ctx;
    const nodes = args.map((a) => {
      if (a && a.$range) return a.ast;
      a = $.v(a);
      if (a === undefined) return { type: 'EMPTY' };
      if (typeof a === 'number') return { type: 'NUMBER', value: a };
      if (typeof a === 'string') return { type: 'STRING', value: a };
      if (typeof a === 'boolean') return { type: 'FUNCTION_CALL', procedureName: a ? 'TRUE' : 'FALSE', args: [] };
      if (isErr(a)) return { type: 'ERROR', error: a };
      return fail('type mismatch');
    });
    let r = ctx.interpreter.evaluateAst({ type: 'FUNCTION_CALL', procedureName: name, args: nodes }, ctx.state);
    if (r instanceof SimpleRangeValue) {
      if (r.height() !== 1 || r.width() !== 1) fail('array result');
      r = r.data[0][0];
    }
    r = $.v(r);
    if (isErr(r) && strict) fail(`${name}: ${r.type}`);
    return r;
  };
  $.tick = () => {
    if (++$.ctx.steps > MAX_STEPS) fail('too much work');
  };
  /** A For loop's bounds, evaluated once; more iterations than MAX_LOOP is an error. */
  $.loop = (start, end, step) => {
    const s = $.num(start);
    const e = $.num(end);
    const st = $.num(step);
    const n = st === 0 ? (s <= e ? Infinity : 0) : Math.floor((e - s) / st) + 1;
    if (n > MAX_LOOP) fail('loop too long');
    if (n > 0) {
      $.ctx.steps += n;
      if ($.ctx.steps > MAX_STEPS) fail('too much work');
    }
    return { start: s, step: st, more: (v) => (st >= 0 ? v <= e : v >= e) };
  };
  return { $, VbaError };
}

/** A number format as Excel shows it (Format Cells, Range.NumberFormat): the file escapes
 * literal characters with a backslash that Excel shows without one ($ - + / ( ) : ! ^ & ' ~ { }
 * < > = and space); built-in format 14, "mm-dd-yy" in the file format's list, is the short
 * date "m/d/yy" of an English (United States) Excel. */
function displayFormat(code) {
  if (code === 'mm-dd-yy') return 'm/d/yy';
  let out = '';
  let quoted = false;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '\\' && i + 1 < code.length && "$-+/():!^&'~{}<>= ".includes(code[i + 1])) {
      out += code[++i];
      continue;
    }
    if (!quoted && ch === '\\' && i + 1 < code.length) {
      out += ch + code[++i];
      continue;
    }
    out += ch;
  }
  return out;
}

let installed = []; // function ids registered for the current workbook

/** Register the workbook's translated functions (replacing the previous workbook's).
 * defs: [{name, params: [{name, optional, range}], source, volatile}]; formats: {sheet name:
 * [[row, col, code]]} (1-based) for .NumberFormat; sheetIds: sheet name (lower case) -> id,
 * known after the build (see publishFormats). Returns warnings. */
function install(hfModule, defs, options = {}) {
  const { HyperFormula, FunctionPlugin, FunctionArgumentType, CellError, ErrorType } = hfModule;
  for (const id of installed) {
    try {
      HyperFormula.unregisterFunction(id);
    } catch (e) {
      // already gone
    }
  }
  installed = [];
  const warnings = [];
  if (!defs || defs.length === 0) return { warnings, runtime: null };
  const { $, VbaError: Err } = makeRuntime(hfModule);
  $.date1904 = Boolean(options.date1904);
  const F = {};
  const usable = [];
  const known = new Set(HyperFormula.getRegisteredFunctionNames('enGB'));
  for (const def of defs) {
    if (known.has(def.name)) continue; // a worksheet function of that name wins in cells
    try {
      // The source is generated from the parsed VBA (never the workbook's own text).
      F[def.name] = new Function('$', 'F', def.source)($, F); // eslint-disable-line no-new-func
      usable.push(def);
    } catch (e) {
      warnings.push(`VBA function ${def.name} not loaded: ${e.message}`);
    }
  }
  const REF_TYPES = new Set(['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE']);
  class WorkbookVbaPlugin extends FunctionPlugin {}
  WorkbookVbaPlugin.implementedFunctions = {};
  for (const def of usable) {
    if (def.public === false) continue; // Private: callable from the other functions only
    const method = `vba_${def.name}`;
    const required = def.params.filter((p) => !p.optional).length;
    WorkbookVbaPlugin.implementedFunctions[def.name] = {
      method,
      parameters: def.params.map(() => ({ argumentType: FunctionArgumentType.ANY, optionalArg: true })),
      isVolatile: Boolean(def.volatile),
    };
    WorkbookVbaPlugin.prototype[method] = function vbaCall(ast, state) {
      const args = ast.args;
      if (args.length < required || args.length > def.params.length) {
        return new CellError(ErrorType.VALUE, `${def.name}: wrong number of arguments`);
      }
      const prev = $.ctx;
      $.ctx = { interpreter: this.interpreter, state, steps: 0 };
      try {
        const values = def.params.map((p, i) => {
          const node = args[i];
          if (node === undefined || node.type === 'EMPTY') return undefined;
          const value = this.interpreter.evaluateAst(node, state);
          if (REF_TYPES.has(node.type)) {
            let address = null;
            if (node.type === 'CELL_REFERENCE') address = node.reference.toSimpleCellAddress(state.formulaAddress);
            return { $range: true, ast: node, value, address };
          }
          if (p.range) throw new Err('type mismatch (a Range is expected)');
          return value;
        });
        const r = $.v(F[def.name](...values));
        if (r === undefined) return 0; // an Empty result shows as 0
        if (typeof r === 'number' && !Number.isFinite(r)) return new CellError(ErrorType.NUM);
        return r;
      } catch (e) {
        if (e instanceof Err || e instanceof RangeError) {
          return new CellError(ErrorType.VALUE, `${def.name}: ${e.message}`);
        }
        throw e;
      } finally {
        $.ctx = prev;
      }
    };
  }
  if (Object.keys(WorkbookVbaPlugin.implementedFunctions).length) {
    const translations = {};
    for (const code of HyperFormula.getRegisteredLanguagesCodes()) {
      const names = {};
      for (const def of usable) if (def.public !== false) names[def.name] = def.name;
      translations[code] = names;
    }
    HyperFormula.registerFunctionPlugin(WorkbookVbaPlugin, translations);
    installed = Object.keys(WorkbookVbaPlugin.implementedFunctions);
  }
  return { warnings, runtime: $ };
}

/** The number formats of the cells .NumberFormat reads, by sheet id (once the sheets have ids). */
function publishFormats(runtime, formats, sheetIdOf) {
  if (!runtime || !formats) return;
  const out = new Map();
  for (const [name, cells] of Object.entries(formats)) {
    const id = sheetIdOf(name);
    if (id === undefined) continue;
    const m = new Map();
    for (const [r, c, code] of cells) m.set(`${r - 1},${c - 1}`, code);
    out.set(id, m);
  }
  runtime.formats = out;
}

module.exports = { install, publishFormats, makeRuntime, displayFormat };
