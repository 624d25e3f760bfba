"""Analysis and evaluation stages of the pipeline: formulas → references and graph → engine
values (with circular groups solved) → per-cell outcome.

Everything here works on the reader's column-wise sheets by index; per-sheet lists hold one
entry per cell, so no per-cell objects are created beyond the values themselves.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._background import Background
from .config import ImportOptions
from .engine.base import (
    EngineErrorValue,
    EngineName,
    EngineSettings,
    EngineSheet,
    FormulaColumns,
)
from .graph import add_dynamic_refs, build_graph
from .references import (
    DYNAMIC,
    EXTERNAL,
    VOLATILE,
    AnalysisContext,
    SheetAnalysis,
    _literal_expression,
    analyze,
    analyze_sheet,
    parse_range,
    qualify_references,
    quote_sheet,
    rewrite_intersections,
    rewrite_reference_errors,
)
from .workbook import DefinedName, WorkbookData

log = logging.getLogger(__name__)

# Functions whose arguments Excel evaluates as arrays even in an ordinary formula.
ARRAY_NATIVE = frozenset({"SUMPRODUCT", "LOOKUP", "AGGREGATE"})

# Defined names HyperFormula reads as cell references and rejects, though Excel accepts them:
# letters then digits with a column past XFD or a row past 1048576 ("Liste2", "TAX2024").
_REF_SHAPED_NAME = re.compile(r"[A-Za-z]+[0-9]+")
# Names HyperFormula's parser reads: a letter or "_", then letters, digits, "_" and "."; Excel
# also allows "\" and "?" after the first character ("_1234\5678").
_ENGINE_READABLE_NAME = re.compile(r"[^\W\d][\w.]*")
# An unquoted sheet prefix in a defined name's formula: Excel writes 工作表1!$A$2 without quotes,
# HyperFormula reads only [A-Za-z_][A-Za-z0-9_]* unquoted.
_UNQUOTED_SHEET = re.compile(r"(?<![\w.'\]])([^\W\d][\w.]*)!")
_PLAIN_SHEET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# FORMULATEXT of a single cell written as a reference
_FORMULATEXT_CALL = re.compile(
    r"(?<![\w.])FORMULATEXT\(\s*(?:('(?:[^']|'')+'|[^\W\d][\w.]*)!)?"
    r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\s*\)",
    re.IGNORECASE,
)
_STORAGE_PREFIX = re.compile(r"_xl(?:fn|ws|pm)\.", re.IGNORECASE)
# Text literals and quoted sheet names, left untouched when names are renamed.
_QUOTED = re.compile(r"""("(?:[^"]|"")*"|'(?:[^']|'')*')""")


# Functions that take a 3-D reference (Microsoft: "Create a 3-D reference to the same cell range
# on multiple worksheets"); HyperFormula has none, so Sheet1:Sheet3!A1 as an argument of one of
# them becomes the list Sheet1!A1,Sheet2!A1,Sheet3!A1 (the sheets between, in workbook order).
_3D_FUNCTIONS = frozenset(
    [
        "SUM",
        "AVERAGE",
        "AVERAGEA",
        "COUNT",
        "COUNTA",
        "MAX",
        "MAXA",
        "MIN",
        "MINA",
        "PRODUCT",
        "STDEV",
        "STDEV.P",
        "STDEV.S",
        "STDEVA",
        "STDEVP",
        "STDEVPA",
        "VAR",
        "VAR.P",
        "VAR.S",
        "VARA",
        "VARP",
        "VARPA",
    ]
)
# A formula can hold a 3-D reference to expand only if it calls one of these (as analysed).
_3D_CALLERS = _3D_FUNCTIONS | {"_XLFN." + name for name in _3D_FUNCTIONS}
# the functions whose callers' engine text is rewritten (3-D references, arrays, FORMULATEXT)
_REWRITING_CALLS = _3D_CALLERS | ARRAY_NATIVE | {"FORMULATEXT"}
_SHEET = r"(?:[A-Za-z_\\][\w.]*)"
_3D_REF = re.compile(
    rf"(?P<open>[(,]\s*)(?:(?P<a>{_SHEET}):(?P<b>{_SHEET})|'(?P<qa>(?:[^':]|'')+):(?P<qb>(?:[^':]|'')+)')"
    r"!(?P<ref>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?=\s*[,)])"
)
_3D_HINT = re.compile(r"[\w.']:'?[A-Za-z_\\][^:!(),]*!")
_CALL = re.compile(r"([A-Za-z_][\w.]*)\($")


def _excel_version(application: str | None, app_version: str | None) -> int | None:
    """Major version of the Excel that saved a workbook ("12.0000" -> 12), None otherwise.
    Excel 2007 (12) wrote the first .xlsx; writers that only claim compatibility are not Excel."""
    app = (application or "").lower()
    if not app.startswith("microsoft") or "excel" not in app or "compatible" in app:
        return None
    major = (app_version or "").split(".", 1)[0]
    return int(major) if major.isdigit() and int(major) >= 12 else None


def _expand_3d(formula: str, sheet_names: list[str]) -> str:
    """`formula` with each 3-D reference argument of a function of _3D_FUNCTIONS expanded."""
    if "!" not in formula or ":" not in formula or not _3D_HINT.search(formula):
        return formula
    order = {n.upper(): i for i, n in enumerate(sheet_names)}
    # Text literals and quoted sheet names blanked (same length): their brackets and quotes
    # are no syntax.
    masked = _QUOTED.sub(lambda q: q.group(0)[0] + " " * (len(q.group(0)) - 1), formula)

    def repl(m: re.Match[str]) -> str:
        first = m.group("a") or m.group("qa").replace("''", "'")
        last = m.group("b") or m.group("qb").replace("''", "'")
        i, j = order.get(first.upper()), order.get(last.upper())
        at = m.start("open")
        if i is None or j is None or masked[at] != formula[at] or not _in_3d_function(masked, at):
            return m.group(0)
        i, j = min(i, j), max(i, j)
        refs = ",".join(
            "'" + n.replace("'", "''") + "'!" + m.group("ref") for n in sheet_names[i : j + 1]
        )
        return m.group("open") + refs

    return _3D_REF.sub(repl, formula)


def _in_3d_function(masked: str, pos: int) -> bool:
    """Whether the argument starting after `pos` (a "(" or ",") belongs to a 3-D function."""
    depth = 0
    for k in range(pos, -1, -1):
        ch = masked[k]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                m = _CALL.search(masked, 0, k + 1)
                name = m.group(1).upper() if m else ""
                return name.removeprefix("_XLFN.") in _3D_FUNCTIONS
            depth -= 1
    return False


class _NameAliases:
    """Engine aliases of the defined names HyperFormula would read as cell references (the
    name with a trailing underscore, more if taken) or cannot read at all (a "\\" or "?"
    written "_"), in the names and in every formula."""

    def __init__(self, names: list[str]) -> None:
        taken = {n.upper() for n in names}
        self.alias: dict[str, str] = {}
        for n in names:
            if n.upper() in self.alias:
                continue
            if _REF_SHAPED_NAME.fullmatch(n):
                a = n + "_"
            elif not _ENGINE_READABLE_NAME.fullmatch(n):
                # "\" and "?" are no name characters for HyperFormula
                a = re.sub(r"[^\w.]", "_", n) + "_"
            else:
                continue
            while a.upper() in taken:
                a += "_"
            taken.add(a.upper())
            self.alias[n.upper()] = a
        self._pattern = (
            re.compile(
                r"(?<![\w.\\$])("
                + "|".join(re.escape(n) for n in sorted(self.alias, key=len, reverse=True))
                + r")(?![\w.(!\\])",
                re.IGNORECASE,
            )
            if self.alias
            else None
        )

    @property
    def plain(self) -> bool:
        """No name needs an alias: formulas go to the engine as they are."""
        return self._pattern is None

    def name(self, name: str) -> str:
        return self.alias.get(name.upper(), name)

    def text(self, formula: str) -> str:
        """`formula` with every aliased name replaced, outside text and quoted sheet names."""
        if self._pattern is None:
            return formula
        parts = _QUOTED.split(formula)
        for j in range(0, len(parts), 2):
            parts[j] = self._pattern.sub(lambda m: self.alias[m.group(1).upper()], parts[j])
        return "".join(parts)


Fraction = Callable[[float, str], None]


@dataclass
class Analysis:
    """The dependencies stage's output."""

    infos: list[SheetAnalysis]  # per sheet: cell index -> info (formula cells only)
    circular: list[list[tuple[int, int]]]  # groups of (sheet index, cell index)
    circular_cells: set[tuple[int, int]]
    volatile_roots: set[tuple[int, int]] = field(default_factory=set)
    external_roots: set[tuple[int, int]] = field(default_factory=set)
    unsupported_roots: set[tuple[int, int]] = field(default_factory=set)
    downstream: dict[tuple[int, int], str] = field(default_factory=dict)  # cell -> cause
    functions: Counter = field(default_factory=Counter)  # function -> cells using it
    unsupported: Counter = field(default_factory=Counter)
    vba_functions: list[Any] = field(default_factory=list)  # translated, for the engine
    dynamic_cells: int = 0
    edges: int = 0
    graph: Any = None
    array_anchor: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # analyze_formulas() leaves the graph stage pending: evaluate_workbook() runs it in a
    # thread while the engine builds the workbook (none of it is needed before), and waits.
    graph_pending: bool = False
    _graph: Background | None = None

    def start_graph(self, wb: WorkbookData) -> None:
        """Run the pending graph stage in a background thread."""
        if self.graph_pending:
            self.graph_pending = False
            self._graph = Background(lambda: _graph_stage(wb, self, None), "xlimport-graph")

    def wait_graph(self, wb: WorkbookData) -> None:
        """The graph stage done: wait for its thread (re-raising its error), or run it now."""
        if self._graph is not None:
            graph, self._graph = self._graph, None
            graph.result()
        if self.graph_pending:
            self.graph_pending = False
            _graph_stage(wb, self, None)


@dataclass
class Evaluation:
    """The evaluation stage's output: one value per cell that was computed."""

    values: list[dict[int, Any]]  # per sheet: cell index -> computed value
    circular: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    engine_seconds: float = 0.0

    def unconverged_cells(self, analysis: Analysis) -> set[tuple[int, int]]:
        """Cells of the circular groups that did not converge."""
        out: set[tuple[int, int]] = set()
        for group, rep in zip(analysis.circular, self.circular, strict=False):
            if not rep.get("converged"):
                out.update(group)
        return out


def analyze_workbook(
    wb: WorkbookData, engine_functions: frozenset[str], report: Fraction
) -> Analysis:
    """Every formula analysed, the dependency graph built and circular groups found."""
    analysis = analyze_formulas(wb, engine_functions, report)
    analysis.graph_pending = False
    _graph_stage(wb, analysis, report)
    return analysis


def _name_text(name: DefinedName, wb: WorkbookData, ctx: AnalysisContext | None) -> str:
    """A defined name's formula for the engine. Table references (``SUM(tblIncome[Amount])``)
    become the ranges they stand for, as in cell formulas; they name the same cells wherever the
    name is used (``[#This Row]`` does not: such a name stays as written)."""
    text = "=" + _quote_sheets(rewrite_intersections(rewrite_reference_errors(name.value)))
    if ctx is None or "[" not in name.value or re.search(r"#this\s*row|\[@", name.value, re.I):
        return text
    sheet = 0
    if name.scope is not None:
        sheet = next((s.index for s in wb.sheets if s.name.lower() == name.scope.lower()), 0)
    info = analyze(name.value.lstrip("="), sheet, 1, 1, ctx)
    return text if info.error else info.engine_text


def _quote_sheets(text: str) -> str:
    """``text`` with unquoted sheet prefixes HyperFormula cannot read (工作表1!$A$2) quoted."""
    if "!" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        return m.group(0) if _PLAIN_SHEET_NAME.fullmatch(name) else quote_sheet(name) + "!"

    parts = _QUOTED.split(text)
    for j in range(0, len(parts), 2):
        parts[j] = _UNQUOTED_SHEET.sub(repl, parts[j])
    return "".join(parts)


class _FormulaTexts:
    """FORMULATEXT(A1) shows the formula as written in A1 (Microsoft: "FORMULATEXT function"),
    not the engine's rewrite of it: a reference to a formula cell of the workbook (not part of
    an array formula) becomes that text, known before evaluation."""

    def __init__(self, wb: WorkbookData) -> None:
        self.wb = wb
        self._cells: dict[int, dict[tuple[int, int], str]] = {}

    def _formula(self, s: int, row: int, col: int) -> str | None:
        cells = self._cells.get(s)
        if cells is None:
            sheet = self.wb.sheets[s]
            members = _array_members(sheet) if sheet.array_ranges else {}
            cells = self._cells[s] = {
                (r, c): f
                for r, c, f in zip(sheet.rows, sheet.cols, sheet.formulas, strict=True)
                if f is not None and (r, c) not in sheet.array_ranges and (r, c) not in members
            }
        return cells.get((row, col))

    def text(self, engine_text: str, s: int) -> str:
        def repl(m: re.Match[str]) -> str:
            target = s
            if m.group(1):
                prefix = m.group(1)
                name = prefix[1:-1].replace("''", "'") if prefix.startswith("'") else prefix
                pos = next(
                    (sh.index for sh in self.wb.sheets if sh.name.lower() == name.lower()), None
                )
                if pos is None:
                    return m.group(0)
                target = pos
            col = 0
            for ch in m.group(2).upper():
                col = col * 26 + ord(ch) - 64
            formula = self._formula(target, int(m.group(3)), col)
            if formula is None:
                return m.group(0)
            parts = _QUOTED.split(formula)  # prefixes outside text literals and sheet names
            for j in range(0, len(parts), 2):
                parts[j] = _STORAGE_PREFIX.sub("", parts[j])
            # as an expression HyperFormula reads (it takes no doubled quote in a constant)
            return _literal_expression('"=' + "".join(parts).replace('"', '""') + '"')

        return _FORMULATEXT_CALL.sub(repl, engine_text)


def analyze_formulas(
    wb: WorkbookData, engine_functions: frozenset[str], report: Fraction, elsewhere: Any = None
) -> Analysis:
    """Every formula analysed (references, engine text, functions, flags); the graph stage
    (circular groups, downstream causes, edges) is left pending for evaluate_workbook().

    ``elsewhere`` (:class:`xlimport._parallel.SheetsElsewhere`): the sheets at its
    ``positions`` are read and analysed by another process; this one analyses its own sheets
    first, then takes those sheets into ``wb`` (``merge()``) and their analysis
    (``analyses()``)."""
    ctx = AnalysisContext(wb)
    remote = elsewhere.positions if elsewhere is not None else frozenset()
    analysed = {s.index: analyze_sheet(s, ctx) for s in wb.sheets if s.index not in remote}
    if remote:
        elsewhere.merge(wb)
        got = elsewhere.analyses() or {}
        for k in sorted(remote):
            per = got.get(k)
            if per is None:
                per = analyze_sheet(wb.sheets[k], ctx)
            per.attach(wb.sheets[k].formulas)
            analysed[k] = per
    total = max(wb.formula_count, 1)
    done = 0
    infos: list[SheetAnalysis] = []
    functions: Counter = Counter()
    unsupported: Counter = Counter()
    volatile: set[tuple[int, int]] = set()
    external: set[tuple[int, int]] = set()
    unsupported_roots: set[tuple[int, int]] = set()
    dynamic = 0
    vba = _usable_vba_functions(wb, engine_functions)
    if vba and engine_functions:
        # the workbook's own (public) VBA functions are known to its cells
        engine_functions = engine_functions | {f.name.upper() for f in vba if f.public}
    for sheet in wb.sheets:
        s = sheet.index
        per = analysed.pop(s)
        # Function counts per distinct tuple (templates share them), then per cell only where
        # an unsupported function is called.
        for names, count in Counter(per.functions).items():
            bad = False
            for name in names:
                functions[name] += count
                if engine_functions and name not in engine_functions:
                    unsupported[name] += count
                    bad = True
            if bad:
                unsupported_roots.update(
                    (s, per.cells[k]) for k, got in enumerate(per.functions) if got == names
                )
        flags = np.frombuffer(per.flags, dtype=np.uint8) if len(per.flags) else np.zeros(0, "u1")
        cells = np.frombuffer(per.cells, dtype=np.int32) if len(per.cells) else np.zeros(0, "i4")
        volatile.update((s, i) for i in cells[(flags & VOLATILE) != 0].tolist())
        external.update((s, i) for i in cells[(flags & EXTERNAL) != 0].tolist())
        dynamic += int(np.count_nonzero(flags & DYNAMIC))
        done += len(per)
        report(0.8 * done / total, f"analysed {done:,} of {total:,} formulas")
        infos.append(per)
    return Analysis(
        infos=infos,
        circular=[],
        circular_cells=set(),
        volatile_roots=volatile,
        external_roots=external,
        unsupported_roots=unsupported_roots,
        functions=functions,
        unsupported=unsupported,
        vba_functions=vba,
        dynamic_cells=dynamic,
        array_anchor=_array_anchors(wb),
        graph_pending=True,
    )


def _usable_vba_functions(wb: WorkbookData, engine_functions: frozenset[str]) -> list[Any]:
    """The workbook's translated VBA functions the engine can run: not named like a worksheet
    function (that one wins in a cell), every worksheet function they call known to the engine,
    every workbook function they call usable too."""
    usable = {
        f.name.upper(): f
        for f in wb.vba_functions
        if f.name.upper() not in engine_functions
        and (not engine_functions or f.worksheet_functions <= engine_functions)
    }
    changed = True
    while changed:
        changed = False
        for key, f in list(usable.items()):
            if not f.calls <= usable.keys():
                del usable[key]
                changed = True
    return list(usable.values())


def _vba_formats(wb: WorkbookData, functions: list[Any]) -> dict[str, list[tuple[int, int, str]]]:
    """Number formats of the cells, for VBA functions reading a Range's NumberFormat."""
    if not any("$.numberFormat(" in f.source for f in functions):
        return {}
    out: dict[str, list[tuple[int, int, str]]] = {}
    for sheet in wb.sheets:
        cells = [
            (r, c, fmt)
            for r, c, fmt in zip(sheet.rows, sheet.cols, sheet.formats, strict=False)
            if fmt
        ]
        if cells:
            out[sheet.name] = cells
    return out


def _graph_stage(wb: WorkbookData, analysis: Analysis, report: Fraction | None) -> None:
    """The dependency graph of the analysed formulas, its circular groups, and the cells
    downstream of a cause (circular with iteration off, external, volatile, unsupported)."""
    infos, dynamic = analysis.infos, analysis.dynamic_cells
    external, volatile = analysis.external_roots, analysis.volatile_roots
    unsupported_roots = analysis.unsupported_roots
    if report is not None:
        report(0.8, "building the dependency graph")
    graph = build_graph(wb, infos, release=not dynamic)
    groups = graph.circular_groups()
    circular_cells = {c for g in groups for c in g}
    downstream: dict[tuple[int, int], str] = {}
    # With iterative calculation off, Excel leaves circular cells and everything downstream
    # of them uncomputed: their cached values are no reference.
    circular_roots = circular_cells if groups and not wb.calc.iterate else set()
    for cause, roots in (
        ("circular", circular_roots),
        ("external", external),
        ("volatile", volatile),
        ("unsupported", unsupported_roots),
    ):
        if roots:
            for cell in graph.dependents(roots):
                downstream.setdefault(cell, cause)
    if report is not None:
        report(1.0, f"{len(groups)} circular groups, {len(circular_cells)} circular cells")
    analysis.edges = graph.edge_count
    if not dynamic:
        # Without INDIRECT/OFFSET the graph is never rebuilt: its arrays and every formula's
        # precedent list can go now (the memory held through the engine stage).
        for per in infos:
            per.drop_refs()
        graph = None
    analysis.circular = groups
    analysis.circular_cells = circular_cells
    analysis.downstream = downstream
    analysis.graph = graph


def _engine_constant(type_: str, value: Any) -> Any:
    if type_ == "e":
        return EngineErrorValue(value)
    if type_ == "":
        return None
    return value


def _array_members(sheet: Any) -> dict[tuple[int, int], tuple[int, int]]:
    """Cells inside an array formula's range other than its anchor (Excel fills them), each
    mapped to its anchor: (row, col) -> (anchor row, anchor col)."""
    members: dict[tuple[int, int], tuple[int, int]] = {}
    for (ar, ac), ref in sheet.array_ranges.items():
        box = parse_range(ref)
        if box is None:
            continue
        r1, c1, r2, c2 = box
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 1_000_000:
            continue
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (ar, ac):
                    members[(r, c)] = (ar, ac)
    return members


def _array_sizes(sheet: Any) -> list[tuple[int, int, int, int]]:
    """(anchor row, anchor col, height, width) of every array formula range of the sheet."""
    out: list[tuple[int, int, int, int]] = []
    for (ar, ac), ref in sheet.array_ranges.items():
        box = parse_range(ref)
        if box is None:
            continue
        r1, c1, r2, c2 = box
        out.append((ar, ac, r2 - r1 + 1, c2 - c1 + 1))
    return out


def _array_anchors(wb: WorkbookData) -> dict[tuple[int, int], tuple[int, int]]:
    """(sheet, member cell index) -> (sheet, anchor cell index) for every array formula."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for sheet in wb.sheets:
        if not sheet.array_ranges:
            continue
        members = _array_members(sheet)
        index = {(r, c): i for i, (r, c) in enumerate(zip(sheet.rows, sheet.cols, strict=True))}
        s = sheet.index
        for rc, anchor in members.items():
            i, a = index.get(rc), index.get(anchor)
            if i is not None and a is not None:
                out[(s, i)] = (s, a)
    return out


def evaluate_workbook(
    wb: WorkbookData,
    analysis: Analysis,
    engine: Any,
    options: ImportOptions,
    report: Fraction,
    timeout: float,
    while_building: Callable[[], Any] | None = None,
) -> Evaluation:
    """Load every sheet into the engine in one bulk build, solve circular groups, read back.

    ``while_building`` is called once the workbook is sent, while the engine builds (where
    work that does not need the engine's values overlaps it: the graph, the store's part)."""
    warnings: list[str] = []
    aliases = _NameAliases([n.name for n in wb.defined_names])
    sheet_names = [sh.name for sh in wb.sheets]
    sheets: list[EngineSheet] = []
    # per sheet: cell indices of the formulas sent, in order (compact: with no object per
    # formula left behind, the memory of the sheets sent goes back once they are released)
    order: list[array] = []
    array_reads: list[tuple[int, int, str, int, int]] = []  # (sheet, cell idx, name, row, col)
    formula_texts = _FormulaTexts(wb) if "FORMULATEXT" in analysis.functions else None

    def rewrite(
        text: str, called: tuple[str, ...], s: int, error: bool = False, array: str | None = None
    ) -> str:
        """A formula's text for the engine (``error``: the analysis could not parse it;
        ``array``: the range of the array formula it anchors)."""
        if not aliases.plain:
            text = aliases.text(text)
        if error or not _3D_CALLERS.isdisjoint(called):
            text = _expand_3d(text, sheet_names)
        if formula_texts is not None and "FORMULATEXT" in called:
            text = formula_texts.text(text, s)
        if array is not None or not ARRAY_NATIVE.isdisjoint(called):
            # An array (CSE or spilled) formula is evaluated as an array over its range, and
            # so are functions that take array expressions by nature (SUMPRODUCT); everywhere
            # else a range where one value is expected takes the implicit intersection, as in
            # Excel.
            text = "=ARRAYFORMULA(" + text[1:] + ")"
            if array is not None and ":" not in array:
                # A one-cell array formula shows the top-left value of its result.
                text = "=INDEX(" + text[1:] + ",1,1)"
        return text

    for sheet, infos in zip(wb.sheets, analysis.infos, strict=True):
        es = EngineSheet(
            name=sheet.name,
            arrays=_array_sizes(sheet),
            hidden_rows=sheet.hidden_rows,
            filtered_rows=sheet.filtered_rows,
        )
        sent = array("i")
        members = _array_members(sheet) if sheet.array_ranges else set()
        rows, cols, types, values = sheet.rows, sheet.cols, sheet.types, sheet.values
        texts, fns, flags, errors = infos.texts, infos.functions, infos.flags, infos.errors
        k = -1  # ordinal of the formula: every formula cell is in infos, in cell order
        add_formula, add_constant, add_sent = es.formulas.append, es.constants.append, sent.append
        arrays = sheet.array_ranges
        plain = aliases.plain
        # most formulas of most sheets go as they are: none of the rewrites below applies
        simple = plain and not arrays and not errors
        whole = _plain_formulas(sheet, infos, rewrite) if simple else None
        if whole is not None:  # every formula of the sheet, built column-wise
            es.formulas, sent = whole
            constant = np.ones(len(rows), dtype=bool)
            constant[np.asarray(sent, dtype=np.int64)] = False
            for i in np.flatnonzero(constant).tolist():
                add_constant((rows[i], cols[i], _engine_constant(types[i], values[i])))
            sheets.append(es)
            order.append(sent)
            continue
        for i, f in enumerate(sheet.formulas):
            if f is not None:
                k += 1
            if f is None or flags[k] & EXTERNAL:  # a value: the cached one for an external link
                if members and (rows[i], cols[i]) in members:
                    array_reads.append((sheet.index, i, sheet.name, rows[i], cols[i]))
                else:
                    add_constant((rows[i], cols[i], _engine_constant(types[i], values[i])))
                continue
            called = fns[k]
            text = texts[k] or "=" + f
            if simple and (not called or _REWRITING_CALLS.isdisjoint(called)):
                add_formula((rows[i], cols[i], text))
                add_sent(i)
                continue
            r, c = rows[i], cols[i]
            array_ref = arrays.get((r, c)) if arrays else None
            add_formula((r, c, rewrite(text, called, sheet.index, k in errors, array_ref)))
            add_sent(i)
        sheets.append(es)
        order.append(sent)
    tables_ctx = AnalysisContext(wb) if wb.tables and wb.defined_names else None
    names = [
        EngineName(aliases.name(n.name), aliases.text(_name_text(n, wb, tables_ctx)), n.scope)
        for n in wb.defined_names
        if not n.value.startswith("[")
    ]
    mac = "macintosh" in (wb.application or "").lower()
    settings = EngineSettings(
        date1904=wb.date1904,
        timeout=timeout,
        charset="mac-roman" if mac else "windows-1252",
        excel_version=_excel_version(wb.application, wb.app_version),
        tables=[
            {
                "name": t.name,
                "sheet": t.sheet,
                "ref": t.ref,
                "columns": t.columns,
                "header_rows": t.header_rows,
                "totals_rows": t.totals_rows,
            }
            for t in wb.tables
        ],
    )
    report(0.02, f"building {sum(len(o) for o in order):,} formulas in the engine")
    t0 = time.perf_counter()
    n_formulas = sum(len(o) for o in order)
    with _Heartbeat(report, 0.02, 0.58, expected=1.0 + n_formulas * 40e-6, what="building"):
        # The graph stage runs while the engine builds; the sheets sent are let go meanwhile.
        extra: dict[str, Any] = {}
        if analysis.vba_functions:
            extra["functions"] = [f.wire() for f in analysis.vba_functions]
            extra["formats"] = _vba_formats(wb, analysis.vba_functions)
        load = engine.load(
            sheets,
            names,
            settings,
            on_sent=lambda: _while_building(analysis, wb, while_building),
            release=True,
            **extra,
        )
        del sheets
        analysis.wait_graph(wb)
    for name, reason in load.rejected_names:
        warnings.append(f"defined name {name!r} skipped by the engine: {reason}")
    warnings.extend(load.warnings)
    report(0.6, "reading values back")
    raw = engine.formula_values()
    values: list[dict[int, Any]] = [
        dict(zip(o, v, strict=True)) for o, v in zip(order, raw, strict=True)
    ]

    circular_report: list[dict[str, Any]] = []
    if options.iterate is not False:
        calc = wb.calc
        max_iter = options.max_iterations or (calc.iterate_count if calc.iterate else 100)
        max_change = options.max_change or (calc.iterate_delta if calc.iterate else 0.001)
        pending = [list(g) for g in analysis.circular]
        if pending and not calc.iterate:
            warnings.append(
                "the workbook has circular references but iterative calculation "
                "is off in its settings; solved iteratively anyway "
                f"({max_iter} iterations, max change {max_change})"
            )
        for attempt in range(2):
            if pending:
                report(0.7, f"solving {len(pending)} circular groups")
                circular_report += _solve(
                    wb,
                    analysis,
                    engine,
                    pending,
                    max_iter,
                    max_change,
                    first=len(circular_report) + 1,
                    warnings=warnings,
                    aliases=aliases,
                )
                raw = engine.formula_values()
                values = [dict(zip(o, v, strict=True)) for o, v in zip(order, raw, strict=True)]
            if attempt:
                break
            # Cycles the engine still sees that the static graph did not find (through
            # references known only at evaluation time): solve them as one more group.
            extra = sorted(
                (s, i)
                for s, per in enumerate(values)
                for i, v in per.items()
                if isinstance(v, EngineErrorValue)
                and v.code == "#CYCLE!"
                and (s, i) not in analysis.circular_cells
            )
            if not extra:
                break
            analysis.circular.append(extra)
            analysis.circular_cells.update(extra)
            warnings.append(
                f"{len(extra)} cells are circular through references resolved only "
                "at evaluation time; solved as one more group"
            )
            pending = [extra]
    # ---- dynamic references (INDIRECT / OFFSET) ----------------------------------------------
    # The engine settles them after every recalculation (build, circular solving); one more check
    # here, and the targets they resolved become precedents in the dependency graph.
    if analysis.dynamic_cells and hasattr(engine, "settle_dynamic"):
        dyn = engine.settle_dynamic(targets=True)
        if dyn.last_rounds:
            raw = engine.formula_values()
            values = [dict(zip(o, v, strict=True)) for o, v in zip(order, raw, strict=True)]
        if dyn.unconverged:
            warnings.append(
                f"INDIRECT/OFFSET references did not settle ({dyn.rounds} recalculation rounds)"
            )
        if add_dynamic_refs(wb, analysis.infos, dyn.targets):
            graph = build_graph(wb, analysis.infos)
            analysis.graph, analysis.edges = graph, graph.edge_count
            for cause, roots in (
                ("external", analysis.external_roots),
                ("volatile", analysis.volatile_roots),
                ("unsupported", analysis.unsupported_roots),
            ):
                for cell in graph.dependents(roots) if roots else ():
                    analysis.downstream.setdefault(cell, cause)
        log.debug("dynamic references: %d cells, %d rounds", dyn.cells, dyn.rounds)
    # ---- end dynamic references ---------------------------------------------------------------
    if array_reads:
        got = engine.set_and_read([], [(name, r, c) for _, _, name, r, c in array_reads])
        for (s, i, _, _, _), v in zip(array_reads, got, strict=True):
            values[s][i] = v
    report(1.0, "evaluated")
    return Evaluation(
        values=values,
        circular=circular_report,
        warnings=warnings,
        engine_seconds=time.perf_counter() - t0,
    )


def _plain_formulas(
    sheet: Any, infos: Any, rewrite: Callable[[str, tuple[str, ...], int], str]
) -> tuple[FormulaColumns, array] | None:
    """The engine's formulas of a sheet without array formulas or errors, as columns, and the
    cell indexes they come from; the few formulas calling a function rewritten in
    evaluate_workbook go through ``rewrite(text, functions, sheet index)``. None when a
    formula links to another workbook (its cached value is sent instead)."""
    cells = infos.cells
    if not len(cells):
        return FormulaColumns([], [], []), array("i")
    flags = np.frombuffer(infos.flags, dtype=np.uint8)
    if np.any(flags & EXTERNAL):
        return None
    at = np.frombuffer(cells, dtype=np.int32)
    where = at.tolist()
    rows = np.asarray(sheet.rows)[at].tolist()
    cols = np.asarray(sheet.cols)[at].tolist()
    texts = list(map(sheet.formulas.__getitem__, where))  # most: the formula as written
    engine_texts = infos.texts
    for k in [k for k, text in enumerate(engine_texts) if text is not None]:
        texts[k] = engine_texts[k][1:]
    # The tuples of functions are shared between formulas (a few distinct objects): the
    # formulas calling a rewritten function are found by the identity of their tuple.
    functions = infos.functions
    ids = np.fromiter(map(id, functions), dtype=np.uint64, count=len(functions))
    by_id = dict(zip(ids.tolist(), functions, strict=True))
    rewritten = [
        key for key, called in by_id.items() if called and not _REWRITING_CALLS.isdisjoint(called)
    ]
    if rewritten:
        for k in np.flatnonzero(np.isin(ids, np.array(rewritten, dtype=np.uint64))).tolist():
            texts[k] = rewrite("=" + texts[k], functions[k], sheet.index)[1:]
    return FormulaColumns(rows, cols, texts), array("i", cells)


def _while_building(analysis: Analysis, wb: WorkbookData, more: Callable[[], Any] | None) -> None:
    analysis.start_graph(wb)
    if more is not None:
        more()


class _Heartbeat:
    """Reports progress every second while a long blocking engine call runs, so a big build
    never looks frozen. The fraction follows the expected duration asymptotically: it keeps
    moving, never reaches the end of its range early, and never goes backwards."""

    def __init__(
        self, report: Fraction, start: float, end: float, *, expected: float, what: str
    ) -> None:
        self._report, self._start, self._end = report, start, end
        self._expected, self._what = max(expected, 0.5), what
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xlimport-heartbeat", daemon=True)

    def _run(self) -> None:
        began = time.monotonic()
        while not self._stop.wait(1.0):
            elapsed = time.monotonic() - began
            done = 1.0 - math.exp(-elapsed / self._expected)
            self._report(
                self._start + (self._end - self._start) * done,
                f"{self._what} in the engine: {elapsed:.0f} s",
            )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _solve(
    wb: WorkbookData,
    analysis: Analysis,
    engine: Any,
    groups: list[list[tuple[int, int]]],
    max_iter: int,
    max_change: float,
    *,
    first: int,
    warnings: list[str],
    aliases: _NameAliases | None = None,
) -> list[dict[str, Any]]:
    from .engine.circular import solve_circular

    members = []
    for group in groups:
        g = []
        for s, i in group:
            sheet = wb.sheets[s]
            info = analysis.infos[s].get(i)
            text = info.engine_text if info else "=" + (sheet.formulas[i] or "0")
            if aliases is not None:
                text = aliases.text(text)
            cached = sheet.values[i]
            start = (
                cached
                if sheet.types[i] in ("n", "d")
                and isinstance(cached, float)
                and math.isfinite(cached)
                else 0.0
            )
            g.append(
                (
                    sheet.name,
                    sheet.rows[i],
                    sheet.cols[i],
                    qualify_references(text, sheet.name),
                    start,
                )
            )
        members.append(g)
    reports = solve_circular(engine, members, max_iterations=max_iter, max_change=max_change)
    out = []
    for n, (group, rep) in enumerate(zip(groups, reports, strict=True), start=first):
        d = _group_dict(rep)
        d["group"] = n
        d["cells"] = [
            f"{wb.sheets[s].name}!{_a1(wb.sheets[s].rows[i], wb.sheets[s].cols[i])}"
            for s, i in group[:10]
        ]
        out.append(d)
        if not d["converged"]:
            warnings.append(
                f"circular group {n} ({d['size']} cells) did not converge in "
                f"{d['iterations']} iterations"
            )
    return out


def _group_dict(rep: Any) -> dict[str, Any]:
    change = rep.max_change
    return {
        "size": rep.size,
        "iterations": rep.iterations,
        "final_change": change if math.isfinite(change) else None,
        "converged": rep.converged,
    }


_LETTERS: dict[int, str] = {}


def col_letter(col: int) -> str:
    s = _LETTERS.get(col)
    if s is None:
        n, s = col, ""
        while n:
            n, rem = divmod(n - 1, 26)
            s = chr(65 + rem) + s
        _LETTERS[col] = s
    return s


def _a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"
