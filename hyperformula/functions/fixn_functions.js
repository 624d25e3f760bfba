'use strict';
/*
 * Excel behaviours found missing on the shared corpus (all wraps are applied in `finalize`, over
 * whichever implementation is final):
 *  - Element-wise lifting that keeps every Excel rule of the function. In an array formula,
 *    an array given where a function takes one value makes Excel call the function once per
 *    element (arrays of several such arguments broadcast against each other, positions past a
 *    smaller one #N/A; a call that returns an array of its own keeps its first value).
 *    HyperFormula's own vectorization runs the bare implementation per element, past the
 *    corrections other modules wrap around it (QUARTILE's quart below 0 is #NUM!, XMATCH's ß,
 *    VALUE of an empty cell is 0, ...). Here each element is one full call of the final function,
 *    with the element as a literal argument (an empty cell stays an empty value); when the other
 *    arguments are literals or references, the call is evaluated as in an ordinary formula, so
 *    the corrections made only outside array formulas apply too, and a range is read once. Lookup
 *    functions lift the lookup value only: their column/row index may be an array (Excel returns
 *    the columns it names), so {=HLOOKUP(C44:Q44, t, {2,1}, 0)} gives, per lookup value, the
 *    first of {row 2, row 1}: row 2 (cached in formulas__test.xlsx).
 *  - MID / MIDB: start_num and num_chars are truncated each on its own (MID("bau", 1.9, 2.3) is
 *    "ba": start 1, 2 characters), not the end position start + num_chars.
 *  - LARGE: k below 1 is #NUM! and a fractional k counts up to the next whole rank (LARGE of
 *    {2.2,0.9,0.1,-0.1,-10} with k = 2.2 is 0.1, with k = 0.9 #NUM!: cached in formulas__test.xlsx,
 *    where SMALL with k = 2.2 takes the 2nd smallest, as LARGE(k) = SMALL(n + 1 - k) rounds down).
 *  - TEXTSPLIT: an empty text is #VALUE! (cached for the empty cell of {=TEXTSPLIT(C47:Q47,1)}),
 *    and a match_mode other than 0 or 1 is #VALUE! (Microsoft, "TEXTSPLIT function": match_mode
 *    0 or 1; cached in {=TEXTSPLIT(H28:H28,TEXT!F46," ",{1,2},{1,2},1)}).
 *  - REGEXEXTRACT with return_mode 2: a capturing group that took no part in the match is #N/A
 *    (REGEXEXTRACT("1a2b3c", "((\d)[bc]+|(3c))", 2) is {"2b", "2", #N/A}).
 *  - SHEET of a defined name is the sheet number of the reference the name stands for
 *    (SHEET(Fancy), Fancy = Sheet2!$B$11, is 2); HyperFormula read the name's value instead.
 *  - TYPE of a function given as a value (_xleta.SUM, Excel's eta-reduced lambda) is 128, the
 *    TYPE of a lambda (cached: TYPE(_xleta.SUM) is 128 in formulas__test.xlsx).
 *  - #GETTING_DATA parses as an error literal and ERROR.TYPE gives it 8 (Microsoft, "ERROR.TYPE
 *    function": #GETTING_DATA is 8).
 */
const { makeTools, hfInternal } = require('./info_common');
const { wrapFunction } = require('./fix7_atp');
const { excelRegex } = require('./text_extra');

const { InterpreterState } = hfInternal('interpreter/InterpreterState.js');

/** AST node type of a value fixed in advance (an element of a lifted argument). */
const CONST = 'XL_CONST';

/** Teach the interpreter the XL_CONST node: its value, as a cell holding it would give. */
function patchInterpreter() {
  const { Interpreter } = hfInternal('interpreter/Interpreter.js');
  const P = Interpreter.prototype;
  if (P.__xlConst) return;
  const original = P.evaluateAstWithoutPostprocessing;
  P.evaluateAstWithoutPostprocessing = function evaluateAstWithoutPostprocessing(ast, state) {
    if (ast && ast.type === CONST) return ast.value;
    return original.call(this, ast, state);
  };
  P.__xlConst = true;
}

// Function -> parameters (0-based) Excel lifts over an array (each takes one value).
const LIFTED = {
  QUARTILE: [1],
  'QUARTILE.INC': [1],
  'QUARTILE.EXC': [1],
  PERCENTILE: [1],
  'PERCENTILE.INC': [1],
  'PERCENTILE.EXC': [1],
  LARGE: [1],
  SMALL: [1],
  VLOOKUP: [0],
  HLOOKUP: [0],
  MID: [0, 1, 2],
  MIDB: [0, 1, 2],
  VALUE: [0],
  XMATCH: [0, 2, 3],
  TEXTSPLIT: [0, 3, 4, 5],
};

/** The #GETTING_DATA error (ERROR.TYPE 8: a value not yet received from a data source) as an
 * error literal: HyperFormula 3.5.0 has no such error type, and its error-literal token does not
 * admit the underscore, so ERROR.TYPE(#GETTING_DATA) did not parse. As fix9_null.js does for
 * #NULL!, the type and its text are added before any workbook is built. */
// Excel's errors HyperFormula 3.5.0 lacks (cached values of Excel 365 workbooks, read from their
// rich values by src/xlimport/_richerrors.py), with their ERROR.TYPE numbers (Microsoft,
// "ERROR.TYPE function"; #BUSY! has none).
const NEW_ERRORS = {
  GETTING_DATA: ['#GETTING_DATA', 8],
  CONNECT: ['#CONNECT!', 10],
  BLOCKED: ['#BLOCKED!', 11],
  UNKNOWN: ['#UNKNOWN!', 12],
  FIELD: ['#FIELD!', 13],
  CALC: ['#CALC!', 14],
  BUSY: ['#BUSY!', undefined],
};

function addGettingData(hfModule) {
  const { HyperFormula, ErrorType } = hfModule;
  for (const [type, [text]] of Object.entries(NEW_ERRORS)) {
    if (!ErrorType[type]) ErrorType[type] = type;
    for (const code of HyperFormula.getRegisteredLanguagesCodes()) {
      const errors = HyperFormula.getLanguage(code).errors;
      if (errors && !errors[type]) errors[type] = text;
    }
  }
  const { ErrorLiteral } = hfInternal('parser/LexerConfig.js');
  if (ErrorLiteral && ErrorLiteral.PATTERN instanceof RegExp && !ErrorLiteral.PATTERN.source.includes('_')) {
    ErrorLiteral.PATTERN = /#[A-Za-z0-9/_]+[?!]?/;
  }
}

function register(hfModule) {
  addGettingData(hfModule);
  return [];
}

function finalize(hfModule) {
  patchInterpreter();
  const { raw, isError, isEmpty, isRange, err } = makeTools(hfModule);
  const { SimpleRangeValue, CellError, ErrorType, ArraySize, EmptyValue } = hfModule;
  const plugins = [];
  const add = (p) => p && plugins.push(p);
  const given = (a) => a !== undefined && a.type !== 'EMPTY';
  const num = (v) => ({ type: 'NUMBER', value: v });

  // ---- MID / MIDB: each number truncated on its own ------------------------------------------
  for (const id of ['MID', 'MIDB']) {
    add(wrapFunction(hfModule, id, function truncated(ast, state, base) {
      const args = ast.args || [];
      if (args.length !== 3) return base(ast, state);
      let changed = false;
      const out = args.slice();
      for (const i of [1, 2]) {
        if (!given(args[i])) continue;
        const v = this.evaluateAst(args[i], state);
        if (isRange(v)) return base(ast, state);
        const n = raw(v);
        if (typeof n === 'number' && !Number.isInteger(n)) {
          out[i] = num(Math.trunc(n));
          changed = true;
        }
      }
      return base(changed ? { ...ast, args: out } : ast, state);
    }));
  }

  // ---- LARGE: k below 1 is #NUM!, a fractional k is the next whole rank ----------------------
  add(wrapFunction(hfModule, 'LARGE', function fractionalK(ast, state, base) {
    const args = ast.args || [];
    if (args.length !== 2 || !given(args[1])) return base(ast, state);
    const v = this.evaluateAst(args[1], state);
    if (isRange(v)) return base(ast, state);
    let k = raw(v);
    if (typeof k === 'boolean') k = Number(k);
    else if (typeof k === 'string') k = raw(this.arithmeticHelper.coerceToMaybeNumber(k));
    if (typeof k !== 'number' || Number.isInteger(k)) return base(ast, state);
    const data = this.evaluateAst(args[0], state);
    if (isError(data)) return data;
    if (k < 1) {
      const bad = isRange(data) ? data.valuesFromTopLeftCorner().find(isError) : undefined;
      return bad || err('NUM', 'LARGE: k below 1');
    }
    return base({ ...ast, args: [args[0], num(Math.ceil(k))] }, state);
  }));

  // ---- TEXTSPLIT: empty text and a bad match_mode are #VALUE! --------------------------------
  add(wrapFunction(hfModule, 'TEXTSPLIT', function emptyText(ast, state, base) {
    const args = ast.args || [];
    if (state.arraysFlag && args.some((a, i) => (i === 0 || i >= 3) && multiCell(this, a, state))) {
      return base(ast, state);
    }
    if (args.length >= 1 && given(args[0])) {
      const t = this.evaluateAst(args[0], state);
      if (!isRange(t) && (isEmpty(t) || t === '')) return err('VALUE', 'TEXTSPLIT: empty text');
    }
    if (args.length >= 5 && given(args[4])) {
      const m = this.evaluateAst(args[4], state);
      if (!isRange(m) && !isError(m)) {
        const n = raw(typeof m === 'boolean' ? Number(m) : this.arithmeticHelper.coerceScalarToNumberOrError(m));
        if (typeof n === 'number' && Math.trunc(n) !== 0 && Math.trunc(n) !== 1) {
          return err('VALUE', 'TEXTSPLIT: match_mode must be 0 or 1');
        }
      }
    }
    return base(ast, state);
  }));

  // ---- REGEXEXTRACT: a group outside the match is #N/A ---------------------------------------
  add(wrapFunction(hfModule, 'REGEXEXTRACT', function unmatchedGroups(ast, state, base) {
    const got = base(ast, state);
    const args = ast.args || [];
    if (isError(got) || args.length < 3 || !given(args[2])) return got;
    const vals = args.slice(0, 4).map((a) => (given(a) ? this.evaluateAst(a, state) : undefined));
    if (vals.some((v) => isRange(v) || isError(v))) return got;
    const [text, pattern, mode, cs] = vals.map(raw);
    if (typeof text !== 'string' || typeof pattern !== 'string' || Math.trunc(Number(mode)) !== 2) return got;
    let m;
    try {
      m = excelRegex(pattern, Math.trunc(Number(cs || 0)) === 1, false).exec(text);
    } catch (e) {
      return got;
    }
    if (!m || !m.slice(1).some((g) => g === undefined)) return got;
    const groups = m.slice(1);
    const rows = isRange(got) ? got.data.map((r) => r.slice()) : [[got]];
    for (let c = 0; c < rows[0].length && c < groups.length; c++) {
      if (groups[c] === undefined) rows[0][c] = err('NA', 'the group took no part in the match');
    }
    if (!isRange(got)) return rows[0][0];
    return SimpleRangeValue.onlyValues(rows);
  }));

  // ---- ERROR.TYPE(#GETTING_DATA) is 8 --------------------------------------------------------
  add(wrapFunction(hfModule, 'ERROR.TYPE', function gettingData(ast, state, base) {
    const args = ast.args || [];
    if (args.length === 1 && given(args[0])) {
      const v = this.evaluateAst(args[0], state);
      const known = isError(v) ? NEW_ERRORS[v.type] : undefined;
      if (known && known[1] !== undefined) return known[1];
    }
    return base(ast, state);
  }));

  // ---- TYPE of a function value (_xleta.SUM, an eta-reduced lambda) is 128 -------------------
  add(wrapFunction(hfModule, 'TYPE', function functionValue(ast, state, base) {
    const args = ast.args || [];
    let a = args[0];
    while (a && (a.type === 'PARENTHESIS' || a.type === 'PARENTHESES')) a = a.expression;
    if (args.length === 1 && a && a.type === 'NAMED_EXPRESSION' && /^_xleta\.[A-Za-z]/i.test(a.expressionName)) {
      return 128;
    }
    return base(ast, state);
  }));

  // ---- SHEET of a defined name: the sheet of the reference it stands for ---------------------
  add(wrapFunction(hfModule, 'SHEET', function definedName(ast, state, base) {
    const args = ast.args || [];
    let a = args[0];
    while (a && (a.type === 'PARENTHESIS' || a.type === 'PARENTHESES')) a = a.expression;
    if (args.length !== 1 || !a || a.type !== 'NAMED_EXPRESSION') return base(ast, state);
    const ref = nameReference(this, a.expressionName, state);
    return ref ? base({ ...ast, args: [ref] }, state) : base(ast, state);
  }));

  /** The reference AST a defined name stands for (a cell or a range), else undefined. */
  function nameReference(plugin, name, state) {
    try {
      const ne = plugin.interpreter.namedExpressions.nearestNamedExpression(name, state.formulaAddress.sheet);
      if (!ne) return undefined;
      const vertex = plugin.dependencyGraph.getCell(ne.address);
      if (!vertex || typeof vertex.getFormula !== 'function') return undefined;
      let f = vertex.getFormula(plugin.dependencyGraph.lazilyTransformingAstService);
      while (f && (f.type === 'PARENTHESIS' || f.type === 'PARENTHESES')) f = f.expression;
      if (!f || !['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE'].includes(f.type)) return undefined;
      const absolute = (r) => r && r.sheet !== undefined && r.sheet !== null;
      if (f.type === 'CELL_REFERENCE' ? !absolute(f.reference) : !absolute(f.start)) return undefined;
      return f;
    } catch (e) {
      return undefined;
    }
  }

  // ---- element-wise lifting through the whole function ---------------------------------------
  /** Size {width, height} of an argument known before evaluation, or undefined. */
  function sizeOfArg(plugin, ast, state) {
    if (!ast || ast.type === 'EMPTY' || ast.type === CONST) return undefined;
    try {
      const s = plugin.arraySizeForAst(ast, new InterpreterState(state.formulaAddress, true));
      return s && Number.isFinite(s.width) && Number.isFinite(s.height) ? s : undefined;
    } catch (e) {
      return undefined;
    }
  }
  function multiCell(plugin, ast, state) {
    const s = sizeOfArg(plugin, ast, state);
    return !!s && s.width * s.height > 1;
  }

  /** A literal AST standing for one value. */
  function literal(v) {
    if (v !== null && typeof v === 'object' && typeof v.val === 'number') v = v.val;
    if (typeof v === 'number') return num(v);
    if (typeof v === 'string') return { type: 'STRING', value: v };
    if (typeof v === 'boolean') return { type: 'FUNCTION_CALL', procedureName: v ? 'TRUE' : 'FALSE', args: [] };
    if (v instanceof CellError) return { type: 'ERROR', error: v };
    return { type: CONST, value: EmptyValue };
  }

  /** HyperFormula's size of a function call without a size method of its own: one cell, or in
   * an array formula the largest argument given where one value is expected (ArraySize.js). */
  function defaultSize(plugin, meta, ast, state) {
    if (!meta || meta.expandRanges || !state.arraysFlag || meta.vectorizationForbidden || !meta.parameters) {
      return ArraySize.scalar();
    }
    const params = [...meta.parameters];
    const args = ast.args || [];
    while (params.length < args.length) {
      if (!meta.repeatLastArgs) return ArraySize.error();
      params.push(...params.slice(params.length - meta.repeatLastArgs));
    }
    let width = 1;
    let height = 1;
    args.forEach((a, i) => {
      const t = params[i].argumentType;
      if (t === 'RANGE' || t === 'ANY') return;
      const s = plugin.arraySizeForAst(a, new InterpreterState(state.formulaAddress, true));
      width = Math.max(width, s.width);
      height = Math.max(height, s.height);
    });
    return new ArraySize(width, height);
  }

  /** True when the arguments that are not lifted read the same in an ordinary formula: scalar
   * literals, cell references, references given for a range parameter. Each element is then
   * computed as an ordinary formula computes that call (the corrections made outside array
   * formulas included); otherwise it stays in the array formula's state. */
  function neutral(args, positions, meta) {
    const params = (meta && meta.parameters) || [];
    return args.every((a, i) => {
      if (positions.includes(i) || !a) return true;
      switch (a.type) {
        case 'EMPTY':
        case 'NUMBER':
        case 'STRING':
        case 'ERROR':
        case 'CELL_REFERENCE':
          return true;
        case 'FUNCTION_CALL':
          return (a.procedureName === 'TRUE' || a.procedureName === 'FALSE') && !(a.args || []).length;
        case 'CELL_RANGE':
        case 'COLUMN_RANGE':
        case 'ROW_RANGE': {
          const p = params[Math.min(i, params.length - 1)];
          return !!p && p.argumentType === 'RANGE';
        }
        default:
          return false;
      }
    });
  }

  for (const [id, positions] of Object.entries(LIFTED)) {
    let baseSize;
    let baseMeta;
    const plugin = wrapFunction(
      hfModule,
      id,
      function lifted(ast, state, base) {
        if (!state.arraysFlag || !Array.isArray(ast.args)) return base(ast, state);
        const blocks = new Map();
        for (const i of positions) {
          const a = ast.args[i];
          if (!multiCell(this, a, state)) continue;
          const v = this.evaluateAst(a, state);
          if (v instanceof SimpleRangeValue && v.width() * v.height() > 1) blocks.set(i, v.data);
        }
        if (blocks.size === 0) return base(ast, state);
        const scalarState = neutral(ast.args, positions, baseMeta);
        const one = scalarState ? new InterpreterState(state.formulaAddress, false, state.formulaVertex) : state;
        // a reference given for a range parameter is read once, not once per element
        const fixed = scalarState ? ast.args.map((a, i) => {
          if (blocks.has(i) || !a || !['CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE'].includes(a.type)) return a;
          const v = this.evaluateAst(a, state);
          return v instanceof SimpleRangeValue ? { type: CONST, value: v } : a;
        }) : ast.args;
        const height = Math.max(...[...blocks.values()].map((b) => b.length));
        const width = Math.max(...[...blocks.values()].map((b) => b[0].length));
        const out = [];
        for (let r = 0; r < height; r++) {
          const line = [];
          for (let c = 0; c < width; c++) {
            let outside = false;
            const args = fixed.map((a, i) => {
              const b = blocks.get(i);
              if (!b) return a;
              const rr = b.length === 1 ? 0 : r;
              const cc = b[0].length === 1 ? 0 : c;
              if (rr >= b.length || cc >= b[0].length) {
                outside = true;
                return a;
              }
              return literal(b[rr][cc]);
            });
            if (outside) {
              line.push(new CellError(ErrorType.NA, 'outside the array result'));
              continue;
            }
            const v = base({ ...ast, args }, one);
            line.push(v instanceof SimpleRangeValue ? v.data[0][0] : v);
          }
          out.push(line);
        }
        if (height === 1 && width === 1) return out[0][0];
        return SimpleRangeValue.onlyValues(out);
      },
      function size(ast, state) {
        if (state.arraysFlag && Array.isArray(ast.args)) {
          let width = 0;
          let height = 0;
          for (const i of positions) {
            const s = sizeOfArg(this, ast.args[i], state);
            if (s && s.width * s.height > 1) {
              width = Math.max(width, s.width);
              height = Math.max(height, s.height);
            }
          }
          if (width) return new ArraySize(width, height);
        }
        if (baseSize) return baseSize.call(this, ast, state);
        return defaultSize(this, baseMeta, ast, state);
      },
    );
    if (plugin) {
      // the size of a call that is not lifted is the base function's
      const Base = Object.getPrototypeOf(plugin);
      const target = (Base.aliases && Base.aliases[id]) || id;
      baseMeta = Base.implementedFunctions && Base.implementedFunctions[target];
      const method = baseMeta && baseMeta.sizeOfResultArrayMethod;
      baseSize = method ? Base.prototype[method] : undefined;
    }
    add(plugin);
  }

  return plugins;
}

module.exports = { register, finalize, LIFTED };
