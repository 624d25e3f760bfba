'use strict';
const { registerPlugin, wildcardRegex } = require('./info_common');
/*
 * Criteria functions with Excel's matching rules, replacing HyperFormula 3.5.0's built-ins:
 * COUNTIF, COUNTIFS, SUMIF, SUMIFS, AVERAGEIF, AVERAGEIFS, MAXIFS, MINIFS.
 *
 * A criterion is a number, boolean, error, or text "<op>operand" (op one of = <> < > <= >=):
 *  - a number matches numbers equal to it and texts that read as it (23 matches "23"); a text
 *    operand that reads as a number or date matches those numbers and, for =, the same text ("<>23"
 *    excludes the number 23 only); < > <= >= compare numbers only; an empty operand after
 *    < > <= >= matches nothing;
 *  - "TRUE"/"FALSE" and booleans match booleans; "#N/A" etc. and error values match that error;
 *  - other text matches text cells case-insensitively, with wildcards * and ? (~ escapes) for =
 *    and <>; < > <= >= compare texts only, case-insensitively;
 *  - "<>x" matches every cell that "=x" does not match, blanks included; "<>" matches non-blank
 *    cells; "=" matches blank cells; "" matches blank cells and empty texts; a blank criterion
 *    cell is 0.
 * HF answered #VALUE! for error or boolean criteria and mishandled "<>" against blanks.
 * Errors in the range a criterion tests never match (unless the criterion is that error); an
 * error in the summed/averaged cells of a matching row is the result. MAXIFS/MINIFS with no
 * matching number give 0, AVERAGEIF(S) #DIV/0!. A whole-column (A:A) or whole-row criteria range
 * counts Excel's blank cells beyond the used area (1,048,576 rows, 16,384 columns).
 */

const MAX_ROWS = 1048576;
const MAX_COLS = 16384;

function defineCriteriaPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, EmptyValue } = hf;
  const ANY = { argumentType: FunctionArgumentType.ANY };
  const SCALAR = { argumentType: FunctionArgumentType.SCALAR };

  const ERROR_NAMES = {
    '#N/A': ErrorType.NA,
    '#DIV/0!': ErrorType.DIV_BY_ZERO,
    '#VALUE!': ErrorType.VALUE,
    '#REF!': ErrorType.REF,
    '#NAME?': ErrorType.NAME,
    '#NUM!': ErrorType.NUM,
    '#NULL!': ErrorType.NULL,
    '#ERROR!': ErrorType.ERROR,
  };

  const raw = (v) => (v !== null && typeof v === 'object' && !(v instanceof CellError) && 'val' in v ? v.val : v);
  const isBlank = (v) => v === EmptyValue || v === undefined || v === null;

  /** Returns a predicate (value) => boolean for one criterion. */
  function buildCriterion(criterion, toNumber) {
    let c = raw(criterion);
    if (isBlank(c)) c = 0;
    if (c instanceof CellError) {
      const t = c.type;
      return (v) => v instanceof CellError && v.type === t;
    }
    if (typeof c === 'number') {
      return (v) => v === c || (typeof v === 'string' && v.trim() !== '' && toNumber(v) === c);
    }
    if (typeof c === 'boolean') return (v) => v === c;
    const s = String(c);
    let op = '=';
    let operand = s;
    const m = /^(<=|>=|<>|<|>|=)/.exec(s);
    if (m) {
      op = m[1];
      operand = s.slice(op.length);
    }
    if (!m && operand === '') return (v) => isBlank(v) || v === '';
    if (operand === '') {
      if (op === '=') return isBlank;
      if (op === '<>') return (v) => !isBlank(v);
    }
    let matcher;
    const upper = operand.toUpperCase();
    const n = operand.trim() === '' ? undefined : toNumber(operand);
    if (operand === '') {
      return () => false;
    } else if (typeof n === 'number') {
      if (op === '=') {
        const re = wildcardRegex(operand);
        matcher = (v) => v === n || (typeof v === 'string' && re.test(v));
      } else if (op === '<>') {
        matcher = (v) => v === n;
      } else matcher = (v) => typeof v === 'number' && compare(v, n, op);
    } else if (upper === 'TRUE' || upper === 'FALSE') {
      const b = upper === 'TRUE';
      if (op === '=' || op === '<>') matcher = (v) => v === b;
      else matcher = (v) => typeof v === 'boolean' && compare(Number(v), Number(b), op);
    } else if (ERROR_NAMES[upper] !== undefined && (op === '=' || op === '<>')) {
      const t = ERROR_NAMES[upper];
      matcher = (v) => v instanceof CellError && v.type === t;
    } else if (op === '=' || op === '<>') {
      const re = wildcardRegex(operand);
      matcher = (v) => typeof v === 'string' && re.test(v);
    } else {
      const lo = operand.toLowerCase();
      matcher = (v) => typeof v === 'string' && compare(v.toLowerCase(), lo, op);
    }
    if (op === '<>') return (v) => !matcher(v);
    return matcher;
  }

  function compare(a, b, op) {
    switch (op) {
      case '<': return a < b;
      case '>': return a > b;
      case '<=': return a <= b;
      case '>=': return a >= b;
      default: return a === b;
    }
  }

  /** A 2-D array of raw values for a range or scalar argument. */
  function grid(arg) {
    if (arg && typeof arg === 'object' && typeof arg.height === 'function' && 'data' in arg) {
      return arg.data.map((row) => row.map(raw));
    }
    return [[raw(arg)]];
  }

  /** Blank cells Excel sees beyond the used part of a whole-column / whole-row reference. */
  function extraBlanks(astArg, g) {
    if (!astArg) return 0;
    const h = g.length;
    const w = h ? g[0].length : 0;
    if (astArg.type === 'COLUMN_RANGE') return Math.max(0, MAX_ROWS - h) * w;
    if (astArg.type === 'ROW_RANGE') return Math.max(0, MAX_COLS - w) * h;
    return 0;
  }

  /**
   * Results of identical calls (same function, same ranges, same criteria) are reused while no
   * value in the workbook can have changed: the engine bumps globalThis.__xlimportEpoch before
   * every request and every recalculation round, which empties the cache. A model with thousands
   * of SUMIFS over one table and a few distinct criteria then scans the table once per criterion,
   * not once per formula. Calls with an argument that is not a plain range or scalar (an array
   * computed inline) are not cached.
   */
  const memo = { epoch: -1, map: new Map() };
  function argKey(v) {
    if (v && typeof v === 'object' && typeof v.height === 'function') {
      const r = v.range;
      if (!r || !r.start || !r.end) return undefined;
      return `R${r.start.sheet}:${r.start.row}:${r.start.col}:${r.end.row}:${r.end.col}`;
    }
    if (v instanceof CellError) return `E${v.type}`;
    if (v === EmptyValue || v === undefined) return 'B';
    const x = raw(v);
    return `${typeof x}:${String(x)}`;
  }
  function cached(name, args, compute) {
    const epoch = globalThis.__xlimportEpoch || 0;
    if (memo.epoch !== epoch) {
      memo.epoch = epoch;
      memo.map = new Map();
    }
    let key = name;
    for (const a of args) {
      const k = argKey(a);
      if (k === undefined) return compute();
      key += '|' + k;
    }
    if (memo.map.has(key)) return memo.map.get(key);
    const result = compute();
    memo.map.set(key, result);
    return result;
  }

  class ExcelCriteriaPlugin extends FunctionPlugin {
    toNumberOrUndefined(s) {
      const n = this.arithmeticHelper.coerceToMaybeNumber(s);
      return n === undefined ? undefined : raw(n);
    }

    /**
     * Evaluates pairs (range, criterion); calls visit(row, col) for every matching cell of the
     * first range. Returns an error, or the number of matching blank cells beyond the used area.
     */
    scan(pairs, astPairs, visit) {
      const toNumber = (s) => this.toNumberOrUndefined(s);
      const conds = [];
      let h = -1;
      let w = -1;
      for (let i = 0; i < pairs.length; i += 2) {
        const g = grid(pairs[i]);
        const gh = g.length;
        const gw = gh ? g[0].length : 0;
        if (h < 0) {
          h = gh;
          w = gw;
        } else if (gh !== h || gw !== w) {
          return new CellError(ErrorType.VALUE);
        }
        const crit = pairs[i + 1];
        if (crit && typeof crit === 'object' && typeof crit.height === 'function') {
          return new CellError(ErrorType.VALUE);
        }
        conds.push({ g, pred: buildCriterion(crit, toNumber), extra: extraBlanks(astPairs[i], g) });
      }
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          let ok = true;
          for (const cond of conds) {
            if (!cond.pred(cond.g[r][c])) {
              ok = false;
              break;
            }
          }
          if (ok) {
            const stop = visit(r, c);
            if (stop !== undefined) return stop;
          }
        }
      }
      if (conds.every((cond) => cond.extra > 0 && cond.pred(EmptyValue))) {
        return Math.min(...conds.map((cond) => cond.extra));
      }
      return 0;
    }

    /** Aggregates values[r][c] of matching cells: {error} or {sum, count, min, max}. */
    aggregate(values, pairs, astPairs) {
      const vg = values === null ? null : grid(values);
      const acc = { sum: 0, count: 0, min: Infinity, max: -Infinity };
      const res = this.scan(pairs, astPairs, (r, c) => {
        const v = vg && r < vg.length && c < vg[r].length ? vg[r][c] : EmptyValue;
        if (v instanceof CellError) return v;
        if (typeof v === 'number') {
          acc.sum += v;
          acc.count += 1;
          if (v < acc.min) acc.min = v;
          if (v > acc.max) acc.max = v;
        }
        return undefined;
      });
      if (res instanceof CellError) return { error: res };
      return acc;
    }

    countif(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('COUNTIF'), (range, crit) =>
        cached('COUNTIF', [range, crit], () => this.count([range, crit], ast.args)));
    }

    countifs(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('COUNTIFS'), (...args) => {
        if (args.length % 2 !== 0) return new CellError(ErrorType.NA);
        return cached('COUNTIFS', args, () => this.count(args, ast.args));
      });
    }

    count(pairs, astPairs) {
      let n = 0;
      const extra = this.scan(pairs, astPairs, () => {
        n += 1;
        return undefined;
      });
      return extra instanceof CellError ? extra : n + extra;
    }

    sumif(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('SUMIF'), (range, crit, values) =>
        cached('SUMIF', [range, crit, values], () => {
          const a = this.aggregate(values === undefined ? range : values, [range, crit], [ast.args[0]]);
          return a.error || a.sum;
        }));
    }

    averageif(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('AVERAGEIF'), (range, crit, values) => {
        const a = this.aggregate(values === undefined ? range : values, [range, crit], [ast.args[0]]);
        if (a.error) return a.error;
        return a.count ? a.sum / a.count : new CellError(ErrorType.DIV_BY_ZERO);
      });
    }

    multi(ast, state, name, finish) {
      return this.runFunction(ast.args, state, this.metadata(name), (values, ...pairs) =>
        cached(name, [values, ...pairs], () => {
        if (pairs.length === 0 || pairs.length % 2 !== 0) return new CellError(ErrorType.NA);
        const vg = grid(values);
        const g0 = grid(pairs[0]);
        if (vg.length !== g0.length || (vg[0] || []).length !== (g0[0] || []).length) {
          return new CellError(ErrorType.VALUE);
        }
        const a = this.aggregate(values, pairs, ast.args.slice(1));
        return a.error || finish(a);
        }));
    }

    sumifs(ast, state) {
      return this.multi(ast, state, 'SUMIFS', (a) => a.sum);
    }

    averageifs(ast, state) {
      return this.multi(ast, state, 'AVERAGEIFS', (a) =>
        a.count ? a.sum / a.count : new CellError(ErrorType.DIV_BY_ZERO));
    }

    maxifs(ast, state) {
      return this.multi(ast, state, 'MAXIFS', (a) => (a.count ? a.max : 0));
    }

    minifs(ast, state) {
      return this.multi(ast, state, 'MINIFS', (a) => (a.count ? a.min : 0));
    }
  }

  const OPT = { argumentType: FunctionArgumentType.ANY, optionalArg: true };
  ExcelCriteriaPlugin.implementedFunctions = {
    COUNTIF: { method: 'countif', parameters: [ANY, SCALAR] },
    COUNTIFS: { method: 'countifs', parameters: [ANY, SCALAR], repeatLastArgs: 2 },
    SUMIF: { method: 'sumif', parameters: [ANY, SCALAR, OPT] },
    AVERAGEIF: { method: 'averageif', parameters: [ANY, SCALAR, OPT] },
    SUMIFS: { method: 'sumifs', parameters: [ANY, ANY, SCALAR], repeatLastArgs: 2 },
    AVERAGEIFS: { method: 'averageifs', parameters: [ANY, ANY, SCALAR], repeatLastArgs: 2 },
    MAXIFS: { method: 'maxifs', parameters: [ANY, ANY, SCALAR], repeatLastArgs: 2 },
    MINIFS: { method: 'minifs', parameters: [ANY, ANY, SCALAR], repeatLastArgs: 2 },
  };
  return ExcelCriteriaPlugin;
}

function register(hfModule) {
  const plugin = defineCriteriaPlugin(hfModule);
  return registerPlugin(hfModule, plugin);
}

module.exports = { register, defineCriteriaPlugin };
