'use strict';
/*
 * Helpers shared by the function plugins of this folder (lookup_extra, text_extra, engineering,
 * stats_extra, info). Not a plugin itself: it exports no `register`, so the loader skips it.
 *
 * Values inside HyperFormula's plugins: a number (or a rich number object with `.val`), a string,
 * a boolean, EmptyValue (a symbol: an empty cell), a CellError, or a SimpleRangeValue (a 2-D
 * block; `.rawData()` gives its plain values row by row).
 */
const path = require('path');

const hfMain = require.resolve('hyperformula');
const hfDir = path.dirname(hfMain);

/** A module of HyperFormula's own commonjs build (the very instance the engine uses). */
function hfInternal(relative) {
  return require(path.join(hfDir, relative));
}

/** Register `plugin` under its function ids in every language HyperFormula knows (ids the
 * language already translates keep their translation). */
function registerPlugin(hfModule, plugin) {
  const { HyperFormula } = hfModule;
  const translations = {};
  for (const code of HyperFormula.getRegisteredLanguagesCodes()) {
    const known = HyperFormula.getLanguage(code).functions || {};
    const names = {};
    for (const id of Object.keys(plugin.implementedFunctions)) if (!known[id]) names[id] = id;
    translations[code] = names;
  }
  HyperFormula.registerFunctionPlugin(plugin, translations);
  return plugin;
}

/** Regular-expression source of an Excel wildcard pattern: * any run, ? one character, ~ escapes
 * the next * ? or ~; everything else literal. */
function wildcardSource(pattern) {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '~' && i + 1 < pattern.length && '*?~'.includes(pattern[i + 1])) {
      out += '\\' + pattern[++i];
    } else if (ch === '*') out += '[\\s\\S]*';
    else if (ch === '?') out += '[\\s\\S]';
    else out += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return out;
}

/** Case-insensitive whole-text match of an Excel wildcard pattern (`prefix`: the text may go on
 * after the match, as database criteria allow). */
function wildcardRegex(pattern, prefix = false) {
  return new RegExp('^' + wildcardSource(pattern) + (prefix ? '' : '$'), 'i');
}

function makeTools(hf) {
  const { CellError, ErrorType, EmptyValue, SimpleRangeValue } = hf;

  const raw = (v) => (v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v);
  const isError = (v) => v instanceof CellError;
  const isEmpty = (v) => v === EmptyValue || v === null || v === undefined;
  const isRange = (v) => v instanceof SimpleRangeValue;
  const err = (type, message) => new CellError(ErrorType[type], message);

  /** Plain values of a range (or a scalar as a 1x1 block), row by row. */
  function grid(v) {
    if (isRange(v)) return v.rawData();
    return [[raw(v)]];
  }

  /** Values of a block row by row (or column by column). */
  function flatten(v, byColumn = false) {
    const g = grid(v);
    const out = [];
    if (!byColumn) {
      for (const row of g) for (const x of row) out.push(x);
    } else if (g.length) {
      for (let c = 0; c < g[0].length; c++) for (const row of g) out.push(row[c]);
    }
    return out;
  }

  /** A block as a result: 1x1 becomes its scalar. */
  function result(rows) {
    if (rows.length === 1 && rows[0].length === 1) return rows[0][0];
    return SimpleRangeValue.onlyValues(rows);
  }

  /** Excel's text for a number in a formula (CONCAT, &): up to 15 significant digits, exponent
   * notation past them. */
  function numberToText(n) {
    if (!Number.isFinite(n)) return String(n);
    if (n === 0) return '0';
    const m = Number(n.toPrecision(15));
    const exp = Math.floor(Math.log10(Math.abs(m)));
    if (exp >= 15 || exp < -9) {
      let [mant, e] = m.toExponential(14).split('e');
      if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
      const en = Number(e);
      return `${mant}E${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
    }
    let s = m.toFixed(Math.max(0, Math.min(20, 14 - exp)));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return s;
  }

  /** Excel's text for any scalar (empty is ""). */
  function toText(v) {
    v = raw(v);
    if (isEmpty(v)) return '';
    if (typeof v === 'number') return numberToText(v);
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    return String(v);
  }

  /** Error code text of a CellError (#N/A, #DIV/0! ...). */
  function errorText(e) {
    const map = {
      DIV_BY_ZERO: '#DIV/0!', NAME: '#NAME?', VALUE: '#VALUE!', NUM: '#NUM!', NA: '#N/A',
      CYCLE: '#CYCLE!', REF: '#REF!', SPILL: '#SPILL!', LIC: '#LIC!', ERROR: '#ERROR!',
      NULL: '#NULL!',
    };
    return map[e.type] || '#ERROR!';
  }

  /** Numbers of a block, as Excel's statistical functions take them from a range: numbers only
   * (text, booleans and empties skipped); the first error is returned instead. */
  function numbersOf(v) {
    const out = [];
    for (const x of flatten(v)) {
      if (isError(x)) return x;
      if (typeof x === 'number') out.push(x);
    }
    return out;
  }

  /** Compare two scalars as Excel's lookups do: numbers < text < booleans, text without case.
   * Returns undefined when the types differ (a lookup skips such cells). */
  function compareSameType(a, b) {
    const ta = typeof a;
    if (ta !== typeof b || isEmpty(a) || isEmpty(b)) return undefined;
    if (ta === 'number' || ta === 'boolean') return a < b ? -1 : a > b ? 1 : 0;
    if (ta === 'string') {
      const x = a.toLowerCase();
      const y = b.toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return undefined;
  }

  return {
    raw, isError, isEmpty, isRange, err, grid, flatten, result, toText, numberToText,
    errorText, numbersOf, compareSameType, CellError, ErrorType, EmptyValue, SimpleRangeValue,
  };
}

/** A plain value an argument has before evaluation, when it has one: a literal number, string
 * or boolean, a negated literal, or a reference to a constant cell that is already loaded. Used
 * to size array results, which HyperFormula must know before evaluating. */
function staticValue(plugin, ast, state) {
  if (!ast) return undefined;
  switch (ast.type) {
    case 'NUMBER':
    case 'STRING':
      return ast.value;
    case 'MINUS_UNARY_OP': {
      const v = staticValue(plugin, ast.value, state);
      return typeof v === 'number' ? -v : undefined;
    }
    case 'PARENTHESES':
      return staticValue(plugin, ast.expression, state);
    case 'FUNCTION_CALL':
      if (ast.procedureName === 'TRUE' && ast.args.length === 0) return true;
      if (ast.procedureName === 'FALSE' && ast.args.length === 0) return false;
      return undefined;
    case 'CELL_REFERENCE': {
      try {
        const address = ast.reference.toSimpleCellAddress(state.formulaAddress);
        const vertex = plugin.dependencyGraph.getCell(address);
        if (vertex && typeof vertex.getValues === 'function') {
          const v = vertex.getValues().parsedValue;
          return v !== null && typeof v === 'object' && typeof v.val === 'number' ? v.val : v;
        }
      } catch (e) {
        return undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The size Excel gave the spill (or array) range anchored at this formula, when the engine
 * passed it on (`globalThis.__xlimportArrayRefs`: Map "sheetId:row:col" -> {width, height}). */
function recordedSize(state) {
  const refs = globalThis.__xlimportArrayRefs;
  if (!refs || !state || !state.formulaAddress) return undefined;
  const a = state.formulaAddress;
  return refs.get(`${a.sheet}:${a.row}:${a.col}`);
}

module.exports = {
  hfInternal,
  registerPlugin,
  makeTools,
  staticValue,
  recordedSize,
  wildcardSource,
  wildcardRegex,
};
