'use strict';
const { wildcardRegex } = require('./info_common');
/*
 * Database functions with Excel's rules, replacing HyperFormula 3.5.0's built-ins:
 * DCOUNT, DCOUNTA, DGET, DPRODUCT, DSUM, DAVERAGE, DMIN, DMAX, DVAR, DVARP, DSTDEV, DSTDEVP.
 *
 * DFUNC(database, field, criteria): the first row of `database` holds the field names; `field` is
 * a name (compared case-insensitively with each header's text: "true" names a TRUE header, "1" a
 * header 1) or a 1-based column number; `criteria` is a range whose first row names fields and
 * whose other rows hold conditions. The conditions of one row must all hold (AND), a record
 * matching any row is selected (OR); an empty condition cell holds for every record. A condition
 * follows COUNTIF's rules, except that plain text without an operator matches values that BEGIN
 * with it ("East" matches "Eastern"; "=East" is exact). A condition under a blank or unknown
 * criteria header matches nothing.
 * A database without records, a field that names no column, or criteria without a condition row is
 * #VALUE!. DCOUNT counts numbers, DCOUNTA non-blank cells; the others use the numbers only: DMIN,
 * DMAX, DSUM and DPRODUCT of none are 0, DAVERAGE and DVARP #DIV/0!, DVAR and DSTDEV of fewer than
 * two #DIV/0!; DGET is #VALUE! without a match, #NUM! with several. An error in the field column
 * of a selected record is the result (except for DCOUNT and DCOUNTA).
 */

function defineDatabasePlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType, CellError, ErrorType, EmptyValue } = hf;

  const ERROR_NAMES = {
    '#N/A': ErrorType.NA,
    '#DIV/0!': ErrorType.DIV_BY_ZERO,
    '#VALUE!': ErrorType.VALUE,
    '#REF!': ErrorType.REF,
    '#NAME?': ErrorType.NAME,
    '#NUM!': ErrorType.NUM,
    '#NULL!': ErrorType.NULL,
  };
  const raw = (v) => (v !== null && typeof v === 'object' && !(v instanceof CellError) && 'val' in v ? v.val : v);
  const isBlank = (v) => v === EmptyValue || v === undefined || v === null;
  const valueError = () => new CellError(ErrorType.VALUE);

  function compare(a, b, op) {
    switch (op) {
      case '<': return a < b;
      case '>': return a > b;
      case '<=': return a <= b;
      case '>=': return a >= b;
      default: return a === b;
    }
  }

  /** A predicate (value) => boolean for one condition cell (not blank). */
  function buildCondition(c, toNumber) {
    if (c instanceof CellError) {
      const t = c.type;
      return (v) => v instanceof CellError && v.type === t;
    }
    if (typeof c === 'number') return (v) => v === c;
    if (typeof c === 'boolean') return (v) => v === c;
    const s = String(c);
    const m = /^(<=|>=|<>|<|>|=)/.exec(s);
    const op = m ? m[1] : '=';
    const operand = m ? s.slice(op.length) : s;
    if (operand === '') {
      if (op === '=') return isBlank;
      if (op === '<>') return (v) => !isBlank(v);
      return () => false;
    }
    let matcher;
    const upper = operand.toUpperCase();
    const n = operand.trim() === '' ? undefined : toNumber(operand);
    if (typeof n === 'number') {
      if (op === '=' || op === '<>') {
        const re = wildcardRegex(operand, false);
        matcher = (v) => v === n || (typeof v === 'string' && re.test(v));
      } else matcher = (v) => typeof v === 'number' && compare(v, n, op);
    } else if (upper === 'TRUE' || upper === 'FALSE') {
      const b = upper === 'TRUE';
      if (op === '=' || op === '<>') matcher = (v) => v === b;
      else matcher = (v) => typeof v === 'boolean' && compare(Number(v), Number(b), op);
    } else if (ERROR_NAMES[upper] !== undefined && (op === '=' || op === '<>')) {
      const t = ERROR_NAMES[upper];
      matcher = (v) => v instanceof CellError && v.type === t;
    } else if (op === '=' || op === '<>') {
      const re = wildcardRegex(operand, !m);
      matcher = (v) => typeof v === 'string' && re.test(v);
    } else {
      const lo = operand.toLowerCase();
      matcher = (v) => typeof v === 'string' && compare(v.toLowerCase(), lo, op);
    }
    if (op === '<>') return (v) => !matcher(v);
    return matcher;
  }

  function grid(arg) {
    if (arg && typeof arg === 'object' && typeof arg.height === 'function' && 'data' in arg) {
      return arg.data.map((row) => row.map(raw));
    }
    return [[raw(arg)]];
  }

  function headerText(v) {
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    if (isBlank(v) || v instanceof CellError) return undefined;
    return String(v).toUpperCase();
  }

  function findColumn(headers, name) {
    if (isBlank(name)) return -1;
    const key = headerText(name);
    return headers.findIndex((h) => headerText(h) === key);
  }

  class ExcelDatabasePlugin extends FunctionPlugin {
    toNumber(v) {
      const n = this.arithmeticHelper.coerceScalarToNumberOrError(v);
      const x = raw(n);
      return typeof x === 'number' ? x : undefined;
    }

    /** The field column's values of the selected records, or a CellError. */
    selected(database, field, criteria, fieldOmitted) {
      const db = grid(database);
      const crit = grid(criteria);
      if (db.length < 2 || crit.length < 2) return valueError();
      const headers = db[0];
      let col = -1;
      if (!fieldOmitted) {
        const f = raw(field);
        if (f instanceof CellError) return f;
        if (typeof f === 'number') {
          col = Math.trunc(f) - 1;
          if (col < 0 || col >= headers.length) return valueError();
        } else {
          col = findColumn(headers, f);
          if (col < 0) return valueError();
        }
      }
      const columns = crit[0].map((h) => findColumn(headers, h));
      const rows = crit.slice(1).map((row) =>
        row
          .map((c, j) => (isBlank(c) ? null : { col: columns[j], test: buildCondition(c, (s) => this.toNumber(s)) }))
          .filter((t) => t !== null));
      const out = [];
      for (const record of db.slice(1)) {
        const hit = rows.some((tests) => tests.every((t) => t.col >= 0 && t.test(record[t.col])));
        if (hit) out.push(fieldOmitted ? record : record[col]);
      }
      return out;
    }

    run(ast, state, name, reduce) {
      const fieldOmitted = ast.args.length > 1 && ast.args[1].type === 'EMPTY';
      return this.runFunction(ast.args, state, this.metadata(name), (database, field, criteria) => {
        const values = this.selected(database, field, criteria, fieldOmitted);
        if (values instanceof CellError) return values;
        return reduce(values);
      });
    }

    numbers(values) {
      const nums = [];
      for (const v of values) {
        if (v instanceof CellError) return v;
        if (typeof v === 'number') nums.push(v);
      }
      return nums;
    }

    dcount(ast, state) {
      return this.run(ast, state, 'DCOUNT', (values) => values.filter((v) => typeof v === 'number').length);
    }

    dcounta(ast, state) {
      return this.run(ast, state, 'DCOUNTA', (values) =>
        values.filter((v) => (Array.isArray(v) ? v.some((x) => !isBlank(x)) : !isBlank(v))).length);
    }

    dget(ast, state) {
      return this.run(ast, state, 'DGET', (values) => {
        if (values.length === 0) return valueError();
        if (values.length > 1) return new CellError(ErrorType.NUM);
        return isBlank(values[0]) ? valueError() : values[0];
      });
    }

    reduceNumbers(ast, state, name, fold) {
      return this.run(ast, state, name, (values) => {
        const nums = this.numbers(values);
        return nums instanceof CellError ? nums : fold(nums);
      });
    }

    dsum(ast, state) {
      return this.reduceNumbers(ast, state, 'DSUM', (n) => n.reduce((a, b) => a + b, 0));
    }

    dproduct(ast, state) {
      return this.reduceNumbers(ast, state, 'DPRODUCT', (n) => (n.length ? n.reduce((a, b) => a * b, 1) : 0));
    }

    dmin(ast, state) {
      return this.reduceNumbers(ast, state, 'DMIN', (n) => (n.length ? Math.min(...n) : 0));
    }

    dmax(ast, state) {
      return this.reduceNumbers(ast, state, 'DMAX', (n) => (n.length ? Math.max(...n) : 0));
    }

    daverage(ast, state) {
      return this.reduceNumbers(ast, state, 'DAVERAGE', (n) =>
        n.length ? n.reduce((a, b) => a + b, 0) / n.length : new CellError(ErrorType.DIV_BY_ZERO));
    }

    dvar(ast, state) {
      return this.reduceNumbers(ast, state, 'DVAR', (n) => variance(n, 1));
    }

    dvarp(ast, state) {
      return this.reduceNumbers(ast, state, 'DVARP', (n) => variance(n, 0));
    }

    dstdev(ast, state) {
      return this.reduceNumbers(ast, state, 'DSTDEV', (n) => root(variance(n, 1)));
    }

    dstdevp(ast, state) {
      return this.reduceNumbers(ast, state, 'DSTDEVP', (n) => root(variance(n, 0)));
    }
  }

  function variance(n, ddof) {
    if (n.length - ddof <= 0) return new CellError(ErrorType.DIV_BY_ZERO);
    const mean = n.reduce((a, b) => a + b, 0) / n.length;
    return n.reduce((a, b) => a + (b - mean) ** 2, 0) / (n.length - ddof);
  }

  function root(v) {
    return v instanceof CellError ? v : Math.sqrt(v);
  }

  const RANGE = { argumentType: FunctionArgumentType.RANGE };
  const FIELD = { argumentType: FunctionArgumentType.SCALAR, optionalArg: true };
  const params = [RANGE, FIELD, RANGE];
  ExcelDatabasePlugin.implementedFunctions = {};
  for (const name of ['DCOUNT', 'DCOUNTA', 'DGET', 'DPRODUCT', 'DSUM', 'DAVERAGE', 'DMIN', 'DMAX',
    'DVAR', 'DVARP', 'DSTDEV', 'DSTDEVP']) {
    ExcelDatabasePlugin.implementedFunctions[name] = { method: name.toLowerCase(), parameters: params };
  }
  return ExcelDatabasePlugin;
}

function register(hfModule) {
  const { HyperFormula } = hfModule;
  const plugin = defineDatabasePlugin(hfModule);
  HyperFormula.registerFunctionPlugin(plugin);
  return plugin;
}

module.exports = { register, defineDatabasePlugin };
