'use strict';
// Topological sort with flat typed arrays (same algorithm, same order as HyperFormula 3.5.0).
//
// HyperFormula's TopSort (commonjs/DependencyGraph/TopSort.js, an iterative Tarjan) keeps its
// per-node state (entranceTime, low, parent, nodeStatus, inSCC, sccNonSingletons) in plain
// arrays that start empty and are written at node ids in DFS order, which begins at the highest
// id: V8 turns them into dictionaries (hash tables), and every node's adjacency list is copied by
// `filter` three times (entering, leaving, postprocessing). At 1M formulas the sort took ~1.3 s
// and a good share of the garbage collector's time.
//
// This module replaces `TopSort.prototype.getTopSortedWithSccSubgraphFrom` with the same
// algorithm over typed arrays sized to the graph: `undefined` of the original arrays is NaN in
// Float64Arrays (entranceTime, low, parent: `Math.min(x, NaN)` is NaN as `Math.min(x, undefined)`
// is, and NaN equals no node id as undefined does) and 0 in Uint8Arrays (status, flags).
// Adjacency is read in place with the original filter (`id !== undefined &&
// nodesSparseArray[id]`), in the original order. The DFS stack, the SCC stack, the order of
// nodes, which nodes are cycled, and the calls of `operatingFunction` / `onCycle` (in postprocess,
// where recomputation may in principle add nodes: ids past the arrays' size fall back to a Set)
// are those of HyperFormula's code. XLIMPORT_HF_TOPSORT=0 leaves HyperFormula's TopSort alone.
const path = require('path');

const ON_STACK = 1; // HyperFormula's NodeVisitStatus + 1 (0 = undefined)
const PROCESSED = 2;
const POPPED = 3;

function topSorted(nodes, edges, modifiedNodeIds, operatingFunction, onCycle) {
  const n = nodes.length;
  const entrance = new Float64Array(n).fill(NaN);
  const low = new Float64Array(n).fill(NaN);
  const parent = new Float64Array(n).fill(NaN);
  const status = new Uint8Array(n);
  const inSCC = new Uint8Array(n);
  const nonSingleton = new Uint8Array(n);
  const order = [];
  let time = 0;

  const modifiedReversed = modifiedNodeIds.reverse();
  const DFSstack = [];
  const SCCstack = [];
  for (let m = 0; m < modifiedReversed.length; m++) {
    const v = modifiedReversed[m];
    if (status[v] !== 0) continue;
    status[v] = ON_STACK;
    DFSstack.length = 0;
    SCCstack.length = 0;
    DFSstack.push(v);
    while (DFSstack.length > 0) {
      const u = DFSstack[DFSstack.length - 1];
      const s = status[u];
      if (s === ON_STACK) {
        entrance[u] = time;
        low[u] = time;
        time++;
        SCCstack.push(u);
        const adj = edges[u];
        for (let i = 0; i < adj.length; i++) {
          const t = adj[i];
          if (t === undefined || !nodes[t]) continue;
          if (entrance[t] !== entrance[t]) { // undefined
            DFSstack.push(t);
            parent[t] = u;
            status[t] = ON_STACK;
          }
        }
        status[u] = PROCESSED;
      } else if (s === PROCESSED) {
        let uLow = entrance[u];
        const adj = edges[u];
        for (let i = 0; i < adj.length; i++) {
          const t = adj[i];
          if (t === undefined || !nodes[t]) continue;
          if (inSCC[t]) continue;
          uLow = parent[t] === u ? Math.min(uLow, low[t]) : Math.min(uLow, entrance[t]);
        }
        low[u] = uLow;
        if (uLow === entrance[u]) {
          const start = order.length;
          let top;
          do {
            top = SCCstack.pop();
            order.push(top);
          } while (top !== u);
          for (let i = start; i < order.length; i++) inSCC[order[i]] = 1;
          if (order.length - start > 1) for (let i = start; i < order.length; i++) nonSingleton[order[i]] = 1;
        }
        DFSstack.pop();
        status[u] = POPPED;
      } else if (s === POPPED) {
        DFSstack.pop();
      }
    }
  }

  // postprocess
  const update = new Uint8Array(n);
  let overflow = null; // ids added while recomputing (past n)
  const mark = (s) => {
    if (s < n) update[s] = 1;
    else (overflow || (overflow = new Set())).add(s);
  };
  const marked = (t) => (t < n ? update[t] === 1 : overflow !== null && overflow.has(t));
  for (let i = 0; i < modifiedReversed.length; i++) mark(modifiedReversed[i]);
  const sorted = [];
  const cycled = [];
  // The adjacency of a node is taken before its recomputation (as HyperFormula does), into a
  // buffer reused from node to node.
  const adjacent = [];
  order.reverse();
  for (let k = 0; k < order.length; k++) {
    const t = order[k];
    const adj = edges[t];
    let count = 0;
    let selfLoop = false;
    for (let i = 0; i < adj.length; i++) {
      const s = adj[i];
      if (s === undefined || !nodes[s]) continue;
      if (s === t) selfLoop = true;
      adjacent[count++] = s;
    }
    if (nonSingleton[t] || selfLoop) {
      cycled.push(nodes[t]);
      onCycle(nodes[t]);
      for (let i = 0; i < count; i++) mark(adjacent[i]);
    } else {
      sorted.push(nodes[t]);
      if (marked(t) && operatingFunction(nodes[t])) {
        for (let i = 0; i < count; i++) mark(adjacent[i]);
      }
    }
  }
  return { sorted, cycled };
}

function install(hfMain) {
  if (process.env.XLIMPORT_HF_TOPSORT === '0') return false;
  const { TopSort } = require(path.join(path.dirname(hfMain), 'DependencyGraph', 'TopSort.js'));
  const P = TopSort.prototype;
  if (P.__xlTyped) return true;
  const original = P.getTopSortedWithSccSubgraphFrom;
  P.getTopSortedWithSccSubgraphFrom = function getTopSortedWithSccSubgraphFrom(modifiedNodeIds, operatingFunction, onCycle) {
    const n = this.nodesSparseArray.length;
    for (let i = 0; i < modifiedNodeIds.length; i++) {
      if (!(modifiedNodeIds[i] < n)) return original.call(this, modifiedNodeIds, operatingFunction, onCycle);
    }
    return topSorted(this.nodesSparseArray, this.edgesSparseArray, modifiedNodeIds, operatingFunction, onCycle);
  };
  P.__xlTyped = true;
  return true;
}

module.exports = { install, topSorted };
