#!/usr/bin/env node
'use strict';
/*
 * xlimport formula engine: a long-lived HyperFormula process speaking JSON lines.
 *
 * stdin: one request per line  {"id": <any>, "op": "<name>", ...}
 * stdout: one response per line {"id": <same>, "ok": true, ...} or
 *                               {"id": <same>, "ok": false, "error": "...", "kind": "..."}
 * stdout carries protocol lines only; every diagnostic goes to stderr.
 *
 * Value encoding
 *   to the engine (constants, set_and_read values): number | string (always text) | boolean |
 *     null (empty) | {"e": "#DIV/0!"} (an error constant) | {"f": "=..."} (a formula,
 *     set_and_read only).
 *   from the engine: number | string | boolean | null | ["#CODE!", "message or null"].
 *
 * Ops: ping, load (+ sheet ... build), values, set_and_read, settle_dynamic, add_sheet, sleep
 * (tests), shutdown.
 * See README.md.
 */

const path = require('path');
const readline = require('readline');

// Anything HyperFormula (or we) might print must not corrupt the protocol stream.
console.log = console.error;
console.info = console.error;

const hfMain = require.resolve('hyperformula'); // .../hyperformula/commonjs/index.js
const { HyperFormula, DenseSparseChooseBasedOnThreshold } = require(hfMain);
// Function plugins (functions/*.js: Excel's TEXT number formats, functions HyperFormula lacks,
// corrections of built-ins) are registered before any HyperFormula instance is built.
require('./lib/functions').registerAll(require(hfMain));
// The package's "exports" map blocks deep imports by name; a file path reaches the very module
// instance HyperFormula's own commonjs build loaded (same resolved file, same require cache entry).
const GraphModule = require(path.join(path.dirname(hfMain), 'DependencyGraph', 'Graph.js'));
// A JavaScript exception while evaluating one formula becomes that cell's error (lib/guard.js).
require('./lib/guard').install(hfMain);
// A range already in the graph is not walked again for every formula using it (lib/ranges.js).
require('./lib/ranges').install(hfMain);
// Formulas of one shape share one AST and dependency list instead of a copy each (lib/parsecache.js).
require('./lib/parsecache').install(hfMain);
// Topological sort over typed arrays instead of dictionary-mode arrays (lib/topsort.js).
require('./lib/topsort').install(hfMain);
// Workbook-defined VBA functions, translated by the Python side (lib/udf.js).
const udf = require('./lib/udf');
// ---- dynamic references (INDIRECT / OFFSET) -------------------------------------------------
// functions/dynamic.js installed the patches; lib/dynamic.js settles dynamic targets after every
// evaluation (build, set_and_read) so that their cells and dependents hold Excel's values.
const dynamicRefs = require('./lib/dynamic');
// ---- end dynamic references -------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// THE PATCH: Graph.addEdge in HF 3.5.0 checks `edgesSparseArray[fromId].includes(toId)` before
// pushing, so a cell with N dependents costs O(N^2) to build. Past EDGE_INDEX_THRESHOLD edges a
// node gets a Map (toId -> position in its edges array) beside the array; every method that
// mutates edgesSparseArray keeps it consistent. The arrays themselves are unchanged (TopSort
// reads them directly). A graph keeps the mode it was created under (first call decides).

const patch = (() => {
  const EDGE_INDEX_THRESHOLD = 16;
  let enabled = true;
  let counting = false;
  const counters = { scanSteps: 0, edgesAdded: 0 };
  let orig = null;

  function modeOf(graph) {
    let m = graph.__xlPatched;
    if (m === undefined) {
      m = enabled;
      graph.__xlPatched = m;
      graph.__xlEdgeIndex = [];
      graph.__xlSorted = [];
    }
    return m;
  }

  function buildIndex(edges) {
    const map = new Map();
    for (let i = 0; i < edges.length; i++) {
      const t = edges[i];
      if (t !== undefined) map.set(t, i);
    }
    return map;
  }

  function nodeId(graph, node) {
    return typeof node === 'number' ? node : node.idInGraph;
  }

  function patchedAddEdge(graph, fromNode, toNode) {
    const fromId = nodeId(graph, fromNode);
    const toId = nodeId(graph, toNode);
    if (fromId === undefined) throw graph.missingNodeError(fromNode);
    if (toId === undefined) throw graph.missingNodeError(toNode);
    const edges = graph.edgesSparseArray[fromId];
    let map = graph.__xlEdgeIndex[fromId];
    if (map === undefined) {
      if (edges.length < EDGE_INDEX_THRESHOLD) {
        if (counting) counters.scanSteps += edges.length;
        if (edges.includes(toId)) return;
        edges.push(toId);
        if (counting) counters.edgesAdded++;
        return;
      }
      // A build adds most edges in increasing target order: while a node's list stays
      // strictly increasing, a target above its last entry is new without any lookup, and the
      // list needs no index (memory and time at 1M formulas). The first target out of order
      // (or a removal, or a compaction) switches the node to the index.
      let sorted = graph.__xlSorted[fromId];
      if (sorted === undefined) {
        sorted = true;
        for (let i = 1; i < edges.length; i++) if (!(edges[i] > edges[i - 1])) { sorted = false; break; }
        graph.__xlSorted[fromId] = sorted;
      }
      if (sorted && toId > edges[edges.length - 1]) {
        edges.push(toId);
        if (counting) { counters.scanSteps++; counters.edgesAdded++; }
        return;
      }
      graph.__xlSorted[fromId] = false;
      if (counting) counters.scanSteps += edges.length;
      map = buildIndex(edges);
      graph.__xlEdgeIndex[fromId] = map;
    }
    if (counting) counters.scanSteps++;
    if (map.has(toId)) return;
    map.set(toId, edges.length);
    edges.push(toId);
    if (counting) counters.edgesAdded++;
  }

  function patchedRemove(graph, fromNode, toNode, mustExist) {
    const fromId = nodeId(graph, fromNode);
    const toId = nodeId(graph, toNode);
    if (fromId === undefined) {
      if (mustExist) throw graph.missingNodeError(fromNode);
      return;
    }
    if (toId === undefined) {
      if (mustExist) throw graph.missingNodeError(toNode);
      return;
    }
    const edges = graph.edgesSparseArray[fromId];
    const map = graph.__xlEdgeIndex[fromId];
    const index = map === undefined ? edges.indexOf(toId) : map.get(toId);
    if (index === undefined || index === -1) {
      if (mustExist) throw new Error('Edge does not exist');
      return;
    }
    delete edges[index];
    graph.__xlSorted[fromId] = false;
    if (map !== undefined) map.delete(toId);
  }

  function install(Graph) {
    const P = Graph.prototype;
    orig = {
      existsEdge: P.existsEdge,
      addEdge: P.addEdge,
      removeEdge: P.removeEdge,
      removeEdgeIfExists: P.removeEdgeIfExists,
      removeNode: P.removeNode,
      fixEdgesArrayForNode: P.fixEdgesArrayForNode,
      addNodeIfNotExists: P.addNodeIfNotExists,
    };
    P.addEdge = function addEdge(fromNode, toNode) {
      if (modeOf(this)) return patchedAddEdge(this, fromNode, toNode);
      if (counting) {
        const fromId = nodeId(this, fromNode);
        const edges = fromId === undefined ? undefined : this.edgesSparseArray[fromId];
        if (edges !== undefined) {
          counters.scanSteps += edges.length;
          if (!edges.includes(nodeId(this, toNode))) counters.edgesAdded++;
        }
      }
      return orig.addEdge.call(this, fromNode, toNode);
    };
    P.existsEdge = function existsEdge(fromNode, toNode) {
      if (!modeOf(this)) return orig.existsEdge.call(this, fromNode, toNode);
      const fromId = fromNode.idInGraph;
      const toId = toNode.idInGraph;
      if (fromId === undefined || toId === undefined) return false;
      const map = this.__xlEdgeIndex[fromId];
      return map === undefined ? this.edgesSparseArray[fromId].includes(toId) : map.has(toId);
    };
    P.removeEdge = function removeEdge(fromNode, toNode) {
      if (!modeOf(this)) return orig.removeEdge.call(this, fromNode, toNode);
      return patchedRemove(this, fromNode, toNode, true);
    };
    P.removeEdgeIfExists = function removeEdgeIfExists(fromNode, toNode) {
      if (!modeOf(this)) return orig.removeEdgeIfExists.call(this, fromNode, toNode);
      return patchedRemove(this, fromNode, toNode, false);
    };
    P.removeNode = function removeNode(node) {
      const id = node.idInGraph;
      const result = orig.removeNode.call(this, node); // its edge removals go through the above
      if (modeOf(this) && id !== undefined) { delete this.__xlEdgeIndex[id]; delete this.__xlSorted[id]; }
      return result;
    };
    P.fixEdgesArrayForNode = function fixEdgesArrayForNode(id) {
      // Compacts the array: positions change, so the index is dropped (rebuilt on demand).
      if (modeOf(this)) { delete this.__xlEdgeIndex[id]; delete this.__xlSorted[id]; }
      return orig.fixEdgesArrayForNode.call(this, id);
    };
    P.addNodeIfNotExists = function addNodeIfNotExists(node) {
      const isNew = node.idInGraph === undefined;
      const id = orig.addNodeIfNotExists.call(this, node);
      if (isNew && modeOf(this)) { delete this.__xlEdgeIndex[id]; delete this.__xlSorted[id]; }
      return id;
    };
  }

  return {
    install,
    counters,
    setEnabled(v) {
      enabled = Boolean(v);
    },
    isEnabled() {
      return enabled;
    },
    setCounting(v) {
      counting = Boolean(v);
    },
    resetCounters() {
      counters.scanSteps = 0;
      counters.edgesAdded = 0;
    },
  };
})();

const MESSAGE_LIMIT = 500;
const KNOWN_ERRORS = new Set([
  '#DIV/0!', '#N/A', '#NAME?', '#NULL!', '#NUM!', '#REF!', '#VALUE!', '#CYCLE!', '#ERROR!',
  '#SPILL!', '#GETTING_DATA', '#CALC!', '#FIELD!', '#BLOCKED!', '#CONNECT!', '#UNKNOWN!', '#BUSY!',
]);

const state = {
  hf: null, // the built HyperFormula instance
  sheetNames: [], // in load order
  formulaPos: [], // per sheet: {rows: number[], cols: number[]} (0-based) in the order sent
  sheetIds: new Map(), // lower-cased name -> HF sheet id
  pending: null, // a load in progress: {settings, names, sheets: Map}
  dynamic: { rounds: 0, settles: 0, unconverged: 0 }, // dynamic reference settling, this workbook
};

// ---------------------------------------------------------------------------------------------
// configuration

function buildConfig(settings) {
  const date1904 = Boolean(settings && settings.date1904);
  return {
    licenseKey: 'gpl-v3',
    maxRows: 1048576,
    maxColumns: 16384,
    // Excel 1900 system: serial 0 = "1900-01-00", 1 = 1900-01-01, 60 = the phantom 1900-02-29,
    // 61 = 1900-03-01. With leapYear1900 HF counts the phantom day itself, so the null date is
    // 1899-12-31 (1899-12-30 would put every serial one too high). 1904 system: 0 = 1904-01-01.
    nullDate: date1904 ? { year: 1904, month: 1, day: 1 } : { year: 1899, month: 12, day: 31 },
    leapYear1900: !date1904,
    evaluateNullToZero: true,
    caseSensitive: false,
    // No display rounding of results and no epsilon in comparisons: a double is returned as
    // computed. precisionRounding is only read when smartRounding is on; 15 would match Excel's
    // 15 significant digits if it ever were.
    smartRounding: false,
    precisionRounding: 15,
    useArrayArithmetic: false,
    functionArgSeparator: ',',
    decimalSeparator: '.',
    thousandSeparator: '',
    // Text coerced to a number may carry a currency symbol before or after it ("$100", "€100",
    // "100€"), as VALUE reads it.
    currencySymbol: ['$', '€'],
    arrayColumnSeparator: ',',
    arrayRowSeparator: ';',
    // Text read as a date: month first, then (a text no month-first date can be, such as
    // "29/02/1900" or "13/01/1900") day first, as Excel reads it in day-month locales.
    dateFormats: ['MM/DD/YYYY', 'MM/DD/YY', 'YYYY-MM-DD', 'DD/MM/YYYY', 'DD/MM/YY'],
    timeFormats: ['hh:mm', 'hh:mm:ss.sss'],
    undoLimit: 0, // nothing is ever undone: keep no history
    // Dense address arrays only for sheets that are mostly full: a sheet with a far-away cell
    // (XFD1048576) must not allocate 16K x 1M slots.
    chooseAddressMappingPolicy: new DenseSparseChooseBasedOnThreshold(0.25),
  };
}

// ---------------------------------------------------------------------------------------------
// values

function encodeConstant(v, warnings) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return "'" + v; // HF strips one leading apostrophe: text stays text
  if (typeof v === 'object') {
    if (typeof v.f === 'string') return v.f;
    if (typeof v.e === 'string') {
      const code = v.e.toUpperCase();
      if (KNOWN_ERRORS.has(code)) return code;
      if (warnings) warnings.push(`error constant ${v.e} is unknown to the engine: loaded as #N/A`);
      return '#N/A';
    }
  }
  throw new Error(`cannot encode value ${JSON.stringify(v)}`);
}

function decodeValue(v) {
  if (v === null || v === undefined) return null;
  const t = typeof v;
  if (t === 'number' || t === 'string' || t === 'boolean') return v;
  if (v.value !== undefined && v.type !== undefined) {
    // DetailedCellError
    let message = v.message || null;
    if (message && message.length > MESSAGE_LIMIT) message = message.slice(0, MESSAGE_LIMIT) + '...';
    return [v.value, message];
  }
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// building

function newPendingSheet() {
  return { rows: [], cols: [], values: [], frows: [], fcols: [], ftexts: [], arrays: [], hidden: [], filtered: [] };
}

function addSheetChunk(pending, msg) {
  let sheet = pending.sheets.get(msg.name);
  if (sheet === undefined) {
    sheet = newPendingSheet();
    pending.sheets.set(msg.name, sheet);
  }
  const c = msg.constants;
  if (c) {
    for (let i = 0; i < c.rows.length; i++) {
      sheet.rows.push(c.rows[i]);
      sheet.cols.push(c.cols[i]);
      sheet.values.push(encodeConstant(c.values[i], pending.warnings));
    }
  }
  // ---- array sizes: [anchor row, col, height, width] (1-based) of array formula ranges ----
  if (msg.arrays) for (const a of msg.arrays) sheet.arrays.push(a);
  // ---- hidden rows (1-based) and the filtered ones among them, for SUBTOTAL / AGGREGATE ----
  if (msg.hidden) for (const r of msg.hidden) sheet.hidden.push(r);
  if (msg.filtered) for (const r of msg.filtered) sheet.filtered.push(r);
  const f = msg.formulas;
  if (f) {
    // "bare": the texts come without their leading "=" (cheaper to build on the other side)
    const prefix = f.bare ? "=" : "";
    for (let i = 0; i < f.rows.length; i++) {
      sheet.frows.push(f.rows[i]);
      sheet.fcols.push(f.cols[i]);
      sheet.ftexts.push(prefix + f.texts[i]);
    }
  }
}

const EMPTY_ROW = Object.freeze([]);

/** Row arrays within the sheet's real bounds; missing rows share one frozen empty array and
 * cells inside a row are holes, so a lone cell at XFD1048576 costs one sparse row. */
function toRowArrays(sheet) {
  let maxRow = 0;
  for (const r of sheet.rows) if (r > maxRow) maxRow = r;
  for (const r of sheet.frows) if (r > maxRow) maxRow = r;
  const data = new Array(maxRow).fill(EMPTY_ROW);
  const put = (r, c, v) => {
    let row = data[r - 1];
    if (row === EMPTY_ROW) {
      row = [];
      data[r - 1] = row;
    }
    row[c - 1] = v;
  };
  for (let i = 0; i < sheet.rows.length; i++) put(sheet.rows[i], sheet.cols[i], sheet.values[i]);
  for (let i = 0; i < sheet.frows.length; i++) put(sheet.frows[i], sheet.fcols[i], sheet.ftexts[i]);
  return data;
}

/** Names HF accepts, checked one by one on an empty twin of the workbook (same sheet names), so
 * that a name HF rejects is skipped instead of failing the whole build. */
function screenNames(names, sheetNames, config) {
  const accepted = [];
  const rejected = [];
  if (!names || names.length === 0) return { accepted, rejected };
  const empty = {};
  for (const n of sheetNames) empty[n] = [];
  const twin = HyperFormula.buildFromSheets(empty, config);
  const ids = new Map(Object.keys(empty).map((n) => [n.toLowerCase(), twin.getSheetId(n)]));
  for (const n of names) {
    let scope;
    if (n.scope !== null && n.scope !== undefined) {
      scope = ids.get(String(n.scope).toLowerCase());
      if (scope === undefined) {
        rejected.push([n.name, `scope sheet ${n.scope} does not exist`]);
        continue;
      }
    }
    try {
      twin.addNamedExpression(n.name, n.expression, scope);
      accepted.push({ name: n.name, expression: n.expression, scope });
    } catch (err) {
      rejected.push([n.name, String((err && err.message) || err)]);
    }
  }
  twin.destroy();
  return { accepted, rejected };
}

// ---- array sizes ------------------------------------------------------------------------------
/** The sizes Excel gave array formula ranges, for functions whose result size depends on data
 * (functions/info_common.js `recordedSize`): Map "sheetId:row:col" (0-based) -> {width, height}.
 * HyperFormula numbers sheets in `keys` order. */
function publishArraySizes(pending, keys) {
  const refs = new Map();
  keys.forEach((name, sheetId) => {
    const sheet = pending.sheets.get(name);
    if (!sheet) return;
    for (const [row, col, height, width] of sheet.arrays) {
      refs.set(`${sheetId}:${row - 1}:${col - 1}`, { width, height });
    }
  });
  globalThis.__xlimportArrayRefs = refs;
}
// ---- end array sizes ----------------------------------------------------------------------------

// ---- hidden rows --------------------------------------------------------------------------------
/** Hidden rows per sheet for SUBTOTAL and AGGREGATE (functions/fixd_subtotal.js): Map sheetId ->
 * Map(row, 0-based -> true when a filter hides it, false when hidden by hand). */
function publishHiddenRows(pending, keys) {
  const out = new Map();
  keys.forEach((name, sheetId) => {
    const sheet = pending.sheets.get(name);
    if (!sheet || sheet.hidden.length === 0) return;
    const rows = new Map();
    for (const r of sheet.hidden) rows.set(r - 1, false);
    for (const r of sheet.filtered) rows.set(r - 1, true);
    out.set(sheetId, rows);
  });
  globalThis.__xlimportHiddenRows = out;
}
// ---- end hidden rows ----------------------------------------------------------------------------

function build(pending) {
  const t0 = process.hrtime.bigint();
  patch.setEnabled(pending.settings.patch !== false && process.env.XLIMPORT_HF_PATCH !== '0');
  patch.setCounting(Boolean(pending.settings.count_edge_work));
  patch.resetCounters();
  const config = buildConfig(pending.settings);
  const sheets = {};
  const order = [];
  for (const [name, sheet] of pending.sheets) {
    sheets[name] = toRowArrays(sheet);
    order.push(name);
  }
  // HyperFormula numbers sheets in Object.keys() order (integer-like names first), not ours.
  const warnings = pending.warnings.slice(0, 100);
  // The workbook's own VBA functions (the previous workbook's are unregistered).
  const keys = Object.keys(sheets);
  const vba = udf.install(require(hfMain), pending.functions, { date1904: pending.settings.date1904 });
  warnings.push(...vba.warnings);
  udf.publishFormats(vba.runtime, pending.formats, (name) => {
    const id = keys.indexOf(name);
    return id < 0 ? undefined : id;
  });
  const { accepted, rejected } = screenNames(pending.names, keys, config);
  if (state.hf) {
    state.hf.destroy();
    state.hf = null;
  }
  publishArraySizes(pending, Object.keys(sheets));
  publishHiddenRows(pending, Object.keys(sheets));
  // CHAR/CODE character set of the application that saved the workbook (functions/fix_text.js).
  globalThis.__xlimportCharset = pending.settings.charset === 'mac-roman' ? 'mac-roman' : 'windows-1252';
  // Major version of the Excel that saved the workbook (functions/numfmt.js), null if unknown.
  globalThis.__xlimportExcelVersion = Number(pending.settings.excel_version) || null;
  // The workbook's tables, for structured references built as text (functions/fixf_tables.js).
  globalThis.__xlimportTables = Array.isArray(pending.settings.tables) ? pending.settings.tables : [];
  let hf;
  try {
    hf = HyperFormula.buildFromSheets(sheets, config, accepted);
  } catch (err) {
    if (accepted.length === 0) throw err;
    // A name passed the screening but not the real build: build without names, then add them
    // one by one with evaluation suspended.
    warnings.push(`named expressions added after the build: ${err.message}`);
    hf = HyperFormula.buildFromSheets(sheets, config);
    hf.suspendEvaluation();
    for (const n of accepted) {
      try {
        hf.addNamedExpression(n.name, n.expression, n.scope);
      } catch (e) {
        rejected.push([n.name, String((e && e.message) || e)]);
      }
    }
    hf.resumeEvaluation();
  }
  state.hf = hf;
  // ---- dynamic references: settle targets resolved during the build ------------------------
  const dynamic = dynamicRefs.settle(hf);
  state.dynamic = { rounds: dynamic.rounds, settles: 1, unconverged: dynamic.converged ? 0 : 1 };
  if (!dynamic.converged) warnings.push(`dynamic references did not settle in ${dynamic.rounds} rounds`);
  // ---- end dynamic references --------------------------------------------------------------
  state.sheetNames = order;
  state.sheetIds = new Map();
  for (const name of hf.getSheetNames()) state.sheetIds.set(name.toLowerCase(), hf.getSheetId(name));
  state.formulaPos = order.map((name) => {
    const s = pending.sheets.get(name);
    return { sheet: state.sheetIds.get(name.toLowerCase()), rows: s.frows, cols: s.fcols };
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    seconds,
    rejected_names: rejected,
    warnings,
    stats: {
      patched: patch.isEnabled(),
      edge_scan_steps: patch.counters.scanSteps,
      edges_added: patch.counters.edgesAdded,
      sheets: order.length,
      formulas: state.formulaPos.reduce((a, p) => a + p.rows.length, 0),
      dynamic_cells: dynamic.cells,
      dynamic_rounds: dynamic.rounds,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ops

// ---- dynamic references ----------------------------------------------------------------------
function settleDynamic(hf) {
  const result = dynamicRefs.settle(hf);
  state.dynamic.rounds += result.rounds;
  state.dynamic.settles += 1;
  if (!result.converged) {
    state.dynamic.unconverged += 1;
    console.error(`[engine] dynamic references did not settle in ${result.rounds} rounds`);
  }
  return result;
}
// ---- end dynamic references -------------------------------------------------------------------

function requireWorkbook() {
  if (!state.hf) throw new Error('no workbook loaded');
  return state.hf;
}

function sheetId(name) {
  const id = state.sheetIds.get(String(name).toLowerCase());
  if (id === undefined) throw new Error(`unknown sheet ${name}`);
  return id;
}

const ops = {
  ping() {
    const mem = process.memoryUsage();
    return {
      version: HyperFormula.version,
      node: process.version,
      functions: HyperFormula.getRegisteredFunctionNames('enGB'),
      patched: patch.isEnabled(),
      rss: mem.rss,
      heap_used: mem.heapUsed,
    };
  },

  load(msg) {
    state.pending = {
      settings: msg.settings || {},
      names: msg.names || [],
      functions: msg.functions || [],
      formats: msg.formats || null,
      sheets: new Map(),
      warnings: [],
    };
    for (const s of msg.sheets || []) addSheetChunk(state.pending, s);
    if (msg.build === false) return {};
    return ops.build();
  },

  sheet(msg) {
    if (!state.pending) throw new Error('sheet before load');
    try {
      addSheetChunk(state.pending, msg);
    } catch (err) {
      // the chunks come back to back: the build that follows must not run on a part
      state.pending.failed = state.pending.failed || String((err && err.message) || err);
      throw err;
    }
    return {};
  },

  build() {
    if (!state.pending) throw new Error('build before load');
    const pending = state.pending;
    state.pending = null;
    if (pending.failed) throw new Error(`not built: a part of the workbook failed (${pending.failed})`);
    return build(pending);
  },

  values() {
    const hf = requireWorkbook();
    const out = state.formulaPos.map((p) => {
      const vals = new Array(p.rows.length);
      const addr = { sheet: p.sheet, row: 0, col: 0 };
      for (let i = 0; i < p.rows.length; i++) {
        addr.row = p.rows[i] - 1;
        addr.col = p.cols[i] - 1;
        vals[i] = decodeValue(hf.getCellValue(addr));
      }
      return vals;
    });
    return { values: out };
  },

  set_and_read(msg) {
    const hf = requireWorkbook();
    const updates = msg.updates || [];
    if (updates.length > 0) {
      hf.batch(() => {
        for (const [sheet, row, col, value] of updates) {
          hf.setCellContents({ sheet: sheetId(sheet), row: row - 1, col: col - 1 }, encodeConstant(value));
        }
      });
    }
    settleDynamic(hf); // dynamic references: targets resolved by that recalculation
    const reads = msg.reads || [];
    const values = new Array(reads.length);
    for (let i = 0; i < reads.length; i++) {
      const [sheet, row, col] = reads[i];
      values[i] = decodeValue(hf.getCellValue({ sheet: sheetId(sheet), row: row - 1, col: col - 1 }));
    }
    return { values };
  },

  // ---- dynamic references ------------------------------------------------------------------
  settle_dynamic(msg) {
    const hf = requireWorkbook();
    const now = settleDynamic(hf);
    const out = {
      rounds: state.dynamic.rounds,
      settles: state.dynamic.settles,
      unconverged: state.dynamic.unconverged,
      last_rounds: now.rounds,
      cells: now.cells,
    };
    if (msg.targets) {
      const names = new Map(hf.getSheetNames().map((n) => [hf.getSheetId(n), n]));
      out.targets = dynamicRefs.targets(hf).map(([s, r, c, refs]) => [
        names.get(s), r + 1, c + 1,
        refs.map(([ts, r1, c1, r2, c2]) => [names.get(ts), r1 + 1, c1 + 1, r2 + 1, c2 + 1]),
      ]);
    }
    return out;
  },
  // ---- end dynamic references --------------------------------------------------------------

  add_sheet(msg) {
    const hf = requireWorkbook();
    if (!state.sheetIds.has(String(msg.name).toLowerCase())) {
      const name = hf.addSheet(msg.name);
      state.sheetIds.set(name.toLowerCase(), hf.getSheetId(name));
    }
    return {};
  },

  sleep(msg) {
    // Blocks the process (used by tests of timeouts and crashes).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(msg.ms) || 0);
    return {};
  },

  shutdown() {
    return { bye: true };
  },
};

// ---------------------------------------------------------------------------------------------
// main loop

function respond(obj, then) {
  process.stdout.write(JSON.stringify(obj) + '\n', then);
}

function handle(line) {
  // Any request may change values: caches of function results keyed on it start afresh.
  globalThis.__xlimportEpoch = (globalThis.__xlimportEpoch || 0) + 1;
  if (line.trim() === '') return;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (err) {
    respond({ id: null, ok: false, kind: 'protocol', error: `bad JSON: ${err.message}` });
    return;
  }
  const fn = Object.prototype.hasOwnProperty.call(ops, msg.op) ? ops[msg.op] : undefined;
  if (fn === undefined) {
    respond({ id: msg.id, ok: false, kind: 'protocol', error: `unknown op ${msg.op}` });
    return;
  }
  let result;
  try {
    result = fn(msg);
  } catch (err) {
    console.error(`[engine] ${msg.op} failed: ${(err && err.stack) || err}`);
    respond({ id: msg.id, ok: false, kind: 'failed', error: String((err && err.message) || err) });
    return;
  }
  if (msg.op === 'shutdown') {
    respond({ id: msg.id, ok: true, ...result }, () => process.exit(0));
    return;
  }
  respond({ id: msg.id, ok: true, ...result });
}

patch.install(GraphModule.Graph);
patch.setEnabled(process.env.XLIMPORT_HF_PATCH !== '0');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
rl.on('line', handle);
rl.on('close', () => process.exit(0));
