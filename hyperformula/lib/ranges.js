'use strict';
// Range dependencies in linear time.
//
// HyperFormula 3.5.0's DependencyGraph.processCellDependencies, for every formula that refers to
// a range, walks every cell of that range and adds an edge cell -> range vertex, even when the
// range vertex already exists and already has those edges (Graph.addEdge then drops the
// duplicates). A lookup table referenced by N formulas therefore costs N x (cells in the range):
// 3,265 VLOOKUPs over one 3,800 x 14 table took ~30 s to build. This wrapper handles a range whose
// vertex already exists in the graph by adding only the edge range vertex -> formula, which is
// all the original adds that is new; a range seen for the first time goes through the original
// code unchanged. Results are identical (the same set of edges), only the redundant walk is gone.
const path = require('path');

function install(hfMain) {
  const dir = path.dirname(hfMain);
  const { DependencyGraph } = require(path.join(dir, 'DependencyGraph', 'DependencyGraph.js'));
  const { AbsoluteCellRange } = require(path.join(dir, 'AbsoluteCellRange.js'));
  const P = DependencyGraph.prototype;
  if (P.__xlRanges) return;
  const original = P.processCellDependencies;
  P.processCellDependencies = function processCellDependencies(cellDependencies, endVertex) {
    const endVertexId = endVertex.idInGraph;
    if (endVertexId === undefined) return original.call(this, cellDependencies, endVertex);
    let rest = null;
    let i = 0;
    for (const dep of cellDependencies) {
      let known;
      if (dep instanceof AbsoluteCellRange) {
        known = this.getRange(dep.start, dep.end);
        if (known !== undefined && known.idInGraph === undefined) known = undefined;
      }
      if (known !== undefined) {
        if (rest === null) rest = Array.from(cellDependencies).slice(0, i);
        this.graph.addEdge(known.idInGraph, endVertexId);
      } else if (rest !== null) {
        rest.push(dep);
      }
      i++;
    }
    return original.call(this, rest === null ? cellDependencies : rest, endVertex);
  };
  P.__xlRanges = true;
}

module.exports = { install };
