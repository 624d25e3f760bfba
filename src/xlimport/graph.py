"""The dependency graph of a workbook's formula cells, built with arrays, never per-cell objects.

Nodes: formula cells first (ids 0..F-1, in input order), then auxiliary nodes. Edges point from
a precedent to its dependent (value flow). A range never becomes one edge per cell:

- only formula cells can be in a cycle or be a dependent, so a range only needs to reach the
  *formula* cells inside it;
- all formula cells sit in two orders, column-major (sheet, col, row) and row-major (sheet, row,
  col), each covered by one iterative segment tree whose internal nodes are auxiliary graph nodes
  (child -> parent edges);
- a range becomes one interval per formula column it spans (or per formula row, whichever is
  fewer), and each interval is covered by O(log n) tree nodes;
- identical ranges used by several formulas get one shared *range node*.

So ``SUM(A1:A100000)`` copied down a column, or the cumulative ``SUM($A$1:A5)`` pattern, builds
O(n log n) edges. Cells of an array formula's range (and of a data table) map to its anchor.
Strongly connected components come from ``scipy.sparse.csgraph`` on a CSR matrix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import WorkbookLimitError
from .references import FormulaInfo, SheetAnalysis, parse_range
from .workbook import MAX_COLS, WorkbookData

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

log = logging.getLogger(__name__)

Cell = tuple[int, int]  # (sheet_index, cell_index in SheetData)

# Infos per sheet: a sequence indexed by sheet position (as evaluate.analyze_workbook builds it)
# or a mapping sheet_index -> ..., where each sheet's entry is a mapping cell_index -> FormulaInfo
# or a sequence of (cell_index, FormulaInfo) pairs, or a compact references.SheetAnalysis (read
# through its arrays, no FormulaInfo built). Only formula cells are listed.
SheetInfos = SheetAnalysis | Mapping[int, FormulaInfo] | Sequence[tuple[int, FormulaInfo]]
Infos = Sequence[SheetInfos] | Mapping[int, SheetInfos]

_SHEET_SHIFT = 34  # key = sheet << 34 | major << 20 | minor (rows need 20 bits, cols 14)
_CHUNK = 1 << 20  # refs per chunk where int64 temporaries per ref are needed


def _col_key(s: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    s, r, c = (x.astype(np.int64, copy=False) for x in (s, r, c))  # refs may be int32
    return (s << _SHEET_SHIFT) | ((c - 1) << 20) | (r - 1)


def _row_key(s: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    s, r, c = (x.astype(np.int64, copy=False) for x in (s, r, c))
    return (s << _SHEET_SHIFT) | ((r - 1) << 14) | (c - 1)


class _Order:
    """Leaves sorted by one key order, plus the segment tree over them."""

    def __init__(self, keys: np.ndarray, nodes: np.ndarray, line_shift: int) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.nodes = nodes[order]  # graph node of each leaf
        self.n = len(self.keys)
        # distinct lines holding formula cells: (sheet, col) or (sheet, row)
        self.lines = _distinct_sorted(self.keys >> line_shift)
        self.line_shift = line_shift
        self.base = -1  # first graph id of the internal nodes, once allocated

    def position_ids(self, pos: np.ndarray) -> np.ndarray:
        """Graph node of tree positions (leaves at n..2n-1, internal nodes 1..n-1)."""
        leaf = pos >= self.n
        return np.where(leaf, self.nodes[np.minimum(pos - self.n, self.n - 1)], self.base + pos)

    def tree_edges(self) -> tuple[np.ndarray, np.ndarray]:
        child = np.arange(2, 2 * self.n, dtype=np.int64)
        return (
            self.position_ids(child).astype(np.int32),
            self.position_ids(child >> 1).astype(np.int32),
        )

    def cover(self, lo: np.ndarray, hi: np.ndarray, target: np.ndarray) -> tuple[list, list]:
        """Edges (tree node -> target) covering leaf intervals [lo, hi)."""
        srcs: list[np.ndarray] = []
        dsts: list[np.ndarray] = []
        keep = lo < hi
        left, right, target = lo[keep] + self.n, hi[keep] + self.n, target[keep]
        while left.size:
            odd = (left & 1).astype(bool)
            srcs.append(left[odd])
            dsts.append(target[odd])
            left = left + odd
            odd = (right & 1).astype(bool)
            right = right - odd
            srcs.append(right[odd])
            dsts.append(target[odd])
            left >>= 1
            right >>= 1
            keep = left < right
            left, right, target = left[keep], right[keep], target[keep]
        return [self.position_ids(s).astype(np.int32) for s in srcs], [
            d.astype(np.int32) for d in dsts
        ]


class DependencyGraph:
    """Formula cells and their dependencies; see the module docstring for the layout."""

    def __init__(
        self,
        cells: np.ndarray,
        positions: np.ndarray,
        n_nodes: int,
        src: np.ndarray,
        dst: np.ndarray,
    ) -> None:
        self._cells = cells  # (F, 2) sheet_index, cell_index
        self._positions = positions  # (F, 2) row, col: for row-major ordering
        self.formula_count = len(cells)
        self.node_count = n_nodes
        self.self_loops = _distinct(src[src == dst])
        # scipy's COO -> CSR conversion is a counting sort in C++; duplicates merge (bool OR).
        # (scipy is imported here, not with the module: a third of a second off a cold start,
        # the graph being built while the engine computes)
        from scipy.sparse import coo_matrix

        csr = coo_matrix(
            (np.ones(len(src), dtype=bool), (src, dst)), shape=(n_nodes, n_nodes)
        ).tocsr()
        csr.sum_duplicates()
        self._csr = csr
        self.edge_count = int(csr.nnz)
        self._csc: csr_matrix | None = None
        cell_key = (cells[:, 0].astype(np.int64) << 32) | cells[:, 1]
        self._key_order = np.argsort(cell_key, kind="stable")
        self._sorted_keys = cell_key[self._key_order]

    # ---- lookups -------------------------------------------------------------------------
    def node_of(self, cells: Iterable[Cell]) -> np.ndarray:
        """Graph nodes of the formula cells among ``cells`` (others are left out)."""
        arr = np.array(list(cells), dtype=np.int64).reshape(-1, 2)
        if not len(arr) or not len(self._sorted_keys):
            return np.zeros(0, dtype=np.int64)
        keys = (arr[:, 0] << 32) | arr[:, 1]
        pos = np.searchsorted(self._sorted_keys, keys)
        pos = np.minimum(pos, len(self._sorted_keys) - 1)
        found = self._sorted_keys[pos] == keys
        return self._key_order[pos[found]]

    def _cells_of(self, nodes: np.ndarray) -> set[Cell]:
        nodes = nodes[nodes < self.formula_count]
        return set(zip(*(self._cells[nodes].T.tolist()), strict=True)) if len(nodes) else set()

    # ---- queries -------------------------------------------------------------------------
    def circular_groups(self) -> list[list[Cell]]:
        """Strongly connected formula cells that form cycles (self-references included), each
        group in row-major order, groups ordered by their first member."""
        if not self.formula_count:
            return []
        from scipy.sparse.csgraph import connected_components

        _, labels = connected_components(self._csr, directed=True, connection="strong")
        size = np.bincount(labels)
        f_labels = labels[: self.formula_count]
        cyclic = size[f_labels] > 1
        cyclic[self.self_loops[self.self_loops < self.formula_count]] = True
        members = np.flatnonzero(cyclic)
        if not len(members):
            return []
        cells, pos = self._cells[members], self._positions[members]
        order = np.lexsort((pos[:, 1], pos[:, 0], cells[:, 0], f_labels[members]))
        members, cells = members[order], cells[order]
        groups: dict[int, list[Cell]] = {}
        for label, (s, i) in zip(f_labels[members].tolist(), cells.tolist(), strict=True):
            groups.setdefault(label, []).append((s, i))
        first = {label: self._sort_key(g[0]) for label, g in groups.items()}
        return [groups[label] for label in sorted(groups, key=first.__getitem__)]

    def _sort_key(self, cell: Cell) -> tuple[int, int, int]:
        node = int(self.node_of([cell])[0])
        row, col = self._positions[node].tolist()
        return (cell[0], row, col)

    def dependents(self, cells: Iterable[Cell]) -> set[Cell]:
        """Every formula cell that depends on ``cells``, transitively (a cell is in the answer
        only if it depends on one of them, e.g. through a cycle). Cells that are not formula
        cells are ignored."""
        reached = self._reach(self._csr, self.node_of(cells), through_all=True)
        return self._cells_of(np.flatnonzero(reached))

    def precedents(self, cell: Cell) -> set[Cell]:
        """The formula cells ``cell`` refers to directly (through ranges and names)."""
        if self._csc is None:
            self._csc = self._csr.T.tocsr()
        reached = self._reach(self._csc, self.node_of([cell]), through_all=False)
        return self._cells_of(np.flatnonzero(reached))

    def _reach(self, adj: csr_matrix, start: np.ndarray, through_all: bool) -> np.ndarray:
        """Nodes reached from ``start`` by at least one edge (array BFS). With ``through_all``
        False, the search goes on only through auxiliary nodes (direct formula neighbours)."""
        visited = np.zeros(self.node_count, dtype=bool)
        indptr, indices = adj.indptr, adj.indices
        frontier = _distinct(start)
        while frontier.size:
            begin, end = indptr[frontier], indptr[frontier + 1]
            lengths = end - begin
            total = int(lengths.sum())
            if not total:
                break
            offsets = np.repeat(begin - np.cumsum(lengths) + lengths, lengths)
            nxt = indices[offsets + np.arange(total)]
            nxt = _distinct(nxt[~visited[nxt]])
            visited[nxt] = True
            frontier = nxt if through_all else nxt[nxt >= self.formula_count]
        return visited

    def subgraph(self, cells: Iterable[Cell]) -> Any:
        """A small networkx DiGraph of the direct dependencies among ``cells`` (e.g. one
        circular group), for explaining a cycle; edges go precedent -> dependent."""
        import networkx as nx

        members = list(cells)
        g = nx.DiGraph()
        g.add_nodes_from(members)
        wanted = set(members)
        for cell in members:
            for p in self.precedents(cell):
                if p in wanted:
                    g.add_edge(p, cell)
        return g


def build_graph(workbook: WorkbookData, infos: Infos, *, release: bool = False) -> DependencyGraph:
    """Build the graph of ``infos`` (see :data:`Infos`) over the cells of ``workbook``. With
    ``release``, compact sheet analyses (:class:`~xlimport.references.SheetAnalysis`) drop their
    precedents as soon as they are read, for a lower peak when the graph is never rebuilt."""
    cells, refs, owners = _flatten(workbook, infos, release)
    f = len(cells)
    positions = np.zeros((f, 2), dtype=np.int64)
    for s in _distinct(cells[:, 0]).tolist():
        sheet = workbook.sheets[s]
        mask = cells[:, 0] == s
        idx = cells[mask, 1]
        positions[mask, 0] = np.frombuffer(sheet.rows, dtype=np.int32)[idx]
        positions[mask, 1] = np.frombuffer(sheet.cols, dtype=np.int32)[idx]
    leaf_s, leaf_r, leaf_c, leaf_node = _leaves(workbook, cells, positions)
    n_nodes = f
    srcs: list[np.ndarray] = []
    dsts: list[np.ndarray] = []
    if not len(refs) or not f:
        empty = np.zeros(0, dtype=np.int64)
        return DependencyGraph(cells, positions, n_nodes, empty, empty)
    by_col = _Order(_col_key(leaf_s, leaf_r, leaf_c), leaf_node, 20)

    single = (refs[:, 1] == refs[:, 3]) & (refs[:, 2] == refs[:, 4])
    # Single cells: a direct edge from the formula there, if any (in chunks: the int64 keys of
    # millions of refs at once would double the peak memory of the whole build).
    for start in range(0, len(refs), _CHUNK):
        part = slice(start, start + _CHUNK)
        one = single[part]
        chunk = refs[part][one]
        keys = _col_key(chunk[:, 0], chunk[:, 1], chunk[:, 2])
        del chunk
        pos = np.minimum(np.searchsorted(by_col.keys, keys), by_col.n - 1)
        hit = by_col.keys[pos] == keys
        srcs.append(by_col.nodes[pos[hit]].astype(np.int32))
        dsts.append(owners[part][one][hit].astype(np.int32))
        del keys, pos, hit
    # Ranges: unique ranges, each reaching the formula cells inside it through the trees.
    m_refs, m_owner = refs[~single], owners[~single]
    del refs, owners, single
    if len(m_refs):
        uniq, inverse, counts = _distinct_ranges(m_refs)
        del m_refs
        uniq = uniq.astype(np.int64)  # keys below are built by shifting these
        by_row = _Order(_row_key(leaf_s, leaf_r, leaf_c), leaf_node, 14)
        intervals = _range_intervals(uniq, by_col, by_row)
        holds_formulas = np.zeros(len(uniq), dtype=bool)
        for _, lo, hi, which in intervals:
            holds_formulas[which[lo < hi]] = True
        # A range used by several formulas gets one node feeding them all; a range used once
        # feeds its only user directly; a range without formula cells needs no edge at all.
        shared = (counts > 1) & holds_formulas
        target = np.full(len(uniq), -1, dtype=np.int64)
        target[inverse] = m_owner  # the (only) user of ranges used once
        target[shared] = n_nodes + np.arange(int(shared.sum()))
        n_nodes += int(shared.sum())
        use_shared = shared[inverse]
        srcs.append(target[inverse[use_shared]].astype(np.int32))
        dsts.append(m_owner[use_shared])
        for order, lo, hi, which in intervals:
            used = lo < hi
            if not used.any():
                continue
            order.base = n_nodes
            n_nodes += order.n
            tree_src, tree_dst = order.tree_edges()
            srcs.append(tree_src)
            dsts.append(tree_dst)
            e_src, e_dst = order.cover(lo[used], hi[used], target[which[used]])
            srcs.extend(e_src)
            dsts.extend(e_dst)
    if n_nodes >= 2**31:
        raise WorkbookLimitError("the dependency graph is too large")
    src = np.concatenate(srcs, dtype=np.int32)
    srcs.clear()
    dst = np.concatenate(dsts, dtype=np.int32)
    dsts.clear()
    log.debug("graph: %d formula cells, %d nodes, %d edges", f, n_nodes, len(src))
    return DependencyGraph(cells, positions, n_nodes, src, dst)


# ---- dynamic references ----------------------------------------------------------------------
DynamicTarget = tuple[str, int, int, list[tuple[str, int, int, int, int]]]


def add_dynamic_refs(workbook: WorkbookData, infos: Infos, targets: Iterable[DynamicTarget]) -> int:
    """Add to the formula infos the references that INDIRECT / OFFSET cells resolved to at
    evaluation time (``(sheet, row, col, [(sheet, r1, c1, r2, c2), ...])``, 1-based, as the
    engine reports them), so that a graph built afterwards knows these precedents too. Returns
    how many references were new."""
    by_name = {sheet.name.lower(): sheet.index for sheet in workbook.sheets}
    lookups: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    added = 0
    for sheet_name, row, col, refs in targets:
        s = by_name.get(sheet_name.lower())
        if s is None:
            continue
        lookup = lookups.get(s)
        if lookup is None:
            sheet = workbook.sheets[s]
            rows = np.frombuffer(sheet.rows, dtype=np.int32).astype(np.int64)
            keys = (rows << 14) | (np.frombuffer(sheet.cols, dtype=np.int32) - 1)
            order = np.argsort(keys, kind="stable")
            lookup = lookups[s] = (keys[order], order)
        keys, order = lookup
        key = (row << 14) | (col - 1)
        pos = int(np.searchsorted(keys, key))
        if pos >= len(keys) or keys[pos] != key:
            continue
        sheet_infos = infos[s]
        if isinstance(sheet_infos, SheetAnalysis):
            wanted = []
            for target, r1, c1, r2, c2 in refs:
                t = by_name.get(target.lower())
                if t is not None:
                    wanted.append((t, r1, c1, r2, min(c2, MAX_COLS)))
            added += sheet_infos.add_refs(int(order[pos]), wanted)
            continue
        info = sheet_infos.get(int(order[pos]))
        if info is None:
            continue
        known = set(info.refs)
        new = []
        for target, r1, c1, r2, c2 in refs:
            t = by_name.get(target.lower())
            ref = (t, r1, c1, r2, min(c2, MAX_COLS)) if t is not None else None
            if ref is not None and ref not in known:
                known.add(ref)
                new.append(ref)
        if new:
            info.refs = [*info.refs, *new]  # a new list: templates may share the old one
            added += len(new)
    return added


def _range_intervals(uniq: np.ndarray, by_col: _Order, by_row: _Order) -> list[tuple]:
    """Split each range into leaf intervals: one per formula column it spans in the
    column-major order, or one per formula row in the row-major order, whichever is fewer.
    Returns (order, lo, hi, range index) per order."""
    s, r1, c1, r2, c2 = (uniq[:, k] for k in range(5))
    width = _count_lines(by_col, s, c1, c2, 20)
    height = _count_lines(by_row, s, r1, r2, 14)
    use_cols = width <= height
    out = []
    for order, mask, lines_per, a, lo_minor, hi_minor, shift in (
        (by_col, use_cols, width, c1, r1, r2, 20),
        (by_row, ~use_cols, height, r1, c1, c2, 14),
    ):
        which = np.flatnonzero(mask)
        lines_per = lines_per[which]
        total = int(lines_per.sum())
        if not total:
            continue
        first_line = np.searchsorted(
            order.lines, (s[which] << (_SHEET_SHIFT - shift)) | (a[which] - 1)
        )
        rep = np.repeat(np.arange(len(which)), lines_per)
        within = np.arange(total) - np.repeat(np.cumsum(lines_per) - lines_per, lines_per)
        line = order.lines[first_line[rep] + within]
        lo = np.searchsorted(order.keys, (line << shift) | (lo_minor[which][rep] - 1))
        hi = np.searchsorted(order.keys, (line << shift) | (hi_minor[which][rep] - 1), "right")
        out.append((order, lo, hi, which[rep]))
    return out


def _distinct_sorted(keys: np.ndarray) -> np.ndarray:
    """Distinct values of an already sorted array."""
    if not len(keys):
        return keys
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique without its slower hashing path for big arrays)."""
    return _distinct_sorted(np.sort(keys))


def _distinct_ranges(refs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of an (R, 5) range array, with each row's index among them (inverse) and
    how often each occurs."""
    s, r1, c1, r2, c2 = (refs[:, k].astype(np.int64) for k in range(5))
    major = (s << 40) | ((r1 - 1) << 20) | (r2 - 1)
    del s, r1, r2
    minor = ((c1 - 1) << 14) | (c2 - 1)
    del c1, c2
    order = np.lexsort((minor, major))
    major, minor = major[order], minor[order]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    new[1:] = (major[1:] != major[:-1]) | (minor[1:] != minor[:-1])
    del major, minor
    group = np.cumsum(new, dtype=np.int32) - 1
    inverse = np.empty(len(order), dtype=np.int32)
    inverse[order] = group
    first = np.flatnonzero(new)
    counts = np.diff(np.append(first, len(order)))
    return refs[order[first]], inverse, counts


def _count_lines(order: _Order, s: np.ndarray, a: np.ndarray, b: np.ndarray, shift: int):
    """How many lines (formula columns or rows) of sheet ``s`` lie in [a, b]."""
    base = s << (_SHEET_SHIFT - shift)
    return np.searchsorted(order.lines, base | (b - 1), "right") - np.searchsorted(
        order.lines, base | (a - 1)
    )


def _flatten(
    workbook: WorkbookData, infos: Infos, release: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Formula cells (F, 2), all refs (R, 5) and the formula node owning each ref (R,). With
    ``release``, each compact sheet analysis forgets its refs once they are copied."""
    per_sheet = list(infos.items() if isinstance(infos, Mapping) else enumerate(infos))
    cell_parts: list[np.ndarray] = []
    owner_parts: list[np.ndarray] = []
    ref_parts: list[tuple[Any, np.ndarray]] = []  # (sheet analysis or None, refs)
    n = 0
    refs = extra_refs = None
    for s, sheet_infos in per_sheet:
        if isinstance(sheet_infos, SheetAnalysis):
            idx, refs, lengths, extra_owner, extra_refs = _sheet_arrays(sheet_infos)
            ref_parts.append((sheet_infos, refs))
        else:
            idx, refs, lengths = _info_arrays(sheet_infos)
            extra_owner = extra_refs = None
            ref_parts.append((None, refs))
        sheet_cells = np.empty((len(idx), 2), dtype=np.int64)
        sheet_cells[:, 0] = s
        sheet_cells[:, 1] = idx
        cell_parts.append(sheet_cells)
        owner_parts.append(np.repeat(np.arange(n, n + len(idx), dtype=np.int32), lengths))
        if extra_refs is not None and len(extra_refs):
            ref_parts.append((None, extra_refs))
            owner_parts.append((extra_owner + n).astype(np.int32))
        n += len(idx)
    del refs, extra_refs
    cells = np.concatenate(cell_parts) if cell_parts else np.zeros((0, 2), np.int64)
    owners = np.concatenate(owner_parts) if owner_parts else np.zeros(0, np.int32)
    del cell_parts, owner_parts
    out = np.empty((sum(len(r) for _, r in ref_parts), 5), dtype=np.int32)
    at = 0
    for k, (sa, refs) in enumerate(ref_parts):
        out[at : at + len(refs)] = refs  # rows, columns and sheet indexes fit in int32
        at += len(refs)
        ref_parts[k] = (None, refs[:0])
        del refs
        if release and sa is not None:
            sa.drop_refs()
    return cells, out, owners


def _sheet_arrays(sa: SheetAnalysis) -> tuple:
    """Cell indexes, refs (R, 5), refs per formula and the dynamically added (owner, ref)
    pairs of a compact sheet analysis, as arrays over its buffers."""
    idx = np.frombuffer(sa.cells, dtype=np.int32) if len(sa.cells) else np.zeros(0, np.int32)
    refs = np.frombuffer(sa.refs, dtype=np.int32) if len(sa.refs) else np.zeros(0, np.int32)
    lengths = np.diff(np.frombuffer(sa.offsets, dtype=np.int64))
    if not len(refs):
        lengths = np.zeros(len(idx), dtype=np.int64)
    extra_owner = np.array(
        [k for k, more in sa.extra.items() for _ in more], dtype=np.int64
    ).reshape(-1)
    extra_refs = np.array([r for more in sa.extra.values() for r in more], dtype=np.int64).reshape(
        -1, 5
    )
    return idx, refs.reshape(-1, 5), lengths, extra_owner, extra_refs


def _info_arrays(sheet_infos: SheetInfos) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell indexes, refs (R, 5) and refs per formula of a mapping or list of FormulaInfo."""
    pairs = list(sheet_infos.items() if isinstance(sheet_infos, Mapping) else sheet_infos)
    idx = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
    ref_lists = [info.refs for _, info in pairs]
    lengths = np.fromiter(map(len, ref_lists), dtype=np.int64, count=len(ref_lists))
    values = chain.from_iterable(chain.from_iterable(ref_lists))  # C iterators, no Python frames
    flat = np.fromiter(values, dtype=np.int64, count=int(lengths.sum()) * 5)
    return idx, flat.reshape(-1, 5), lengths


def _leaves(workbook: WorkbookData, cells: np.ndarray, positions: np.ndarray):
    """Leaf cells (sheet, row, col, node): every formula cell, plus each cell of an array
    formula's (or data table's) range, mapped to its anchor's node."""
    leaf_s = [cells[:, 0]]
    leaf_r = [positions[:, 0]]
    leaf_c = [positions[:, 1]]
    leaf_n = [np.arange(len(cells), dtype=np.int64)]
    anchors: dict[tuple[int, int, int], int] = {}
    for s in {int(x) for x in cells[:, 0].tolist()} if len(cells) else ():
        sheet = workbook.sheets[s]
        if not (sheet.array_ranges or sheet.data_tables):
            continue
        mask = np.flatnonzero(cells[:, 0] == s)
        for node, (r, c) in zip(mask.tolist(), positions[mask].tolist(), strict=True):
            anchors[(s, r, c)] = node
        for (r, c), text in [*sheet.array_ranges.items(), *sheet.data_tables.items()]:
            node = anchors.get((s, r, c))
            box = parse_range(text)
            if node is None or box is None:
                continue
            rr, cc = np.mgrid[box[0] : box[2] + 1, box[1] : min(box[3], MAX_COLS) + 1]
            keep = (rr != r) | (cc != c)
            leaf_r.append(rr[keep].ravel())
            leaf_c.append(cc[keep].ravel())
            leaf_s.append(np.full(int(keep.sum()), s, dtype=np.int64))
            leaf_n.append(np.full(int(keep.sum()), node, dtype=np.int64))
    return (
        np.concatenate(leaf_s).astype(np.int64),
        np.concatenate(leaf_r).astype(np.int64),
        np.concatenate(leaf_c).astype(np.int64),
        np.concatenate(leaf_n).astype(np.int64),
    )
