"""The HyperFormula engine: a real Node.js process running the real HyperFormula 3.5.0."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import openpyxl
import pytest

from xlimport.engine import (
    EngineErrorValue,
    EngineName,
    EngineSettings,
    EngineSheet,
    FormulaColumns,
    HyperFormulaEngine,
    check_node,
    ensure_engine_installed,
)
from xlimport.engine import install as install_mod
from xlimport.engine.hyperformula import heap_mb_for
from xlimport.errors import EngineError, EngineNotAvailableError, EngineTimeoutError

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def load(engine, sheets, names=(), **settings):
    return engine.load(list(sheets), list(names), EngineSettings(**settings))


def test_values_of_every_kind(engine):
    consts = [(1, 1, 2.5), (1, 2, "hello"), (1, 3, True), (1, 4, EngineErrorValue("#N/A"))]
    formulas = [
        (2, 1, "=A1*2"),
        (2, 2, '=B1&" world"'),
        (2, 3, "=NOT(C1)"),
        (2, 4, "=1/0"),
        (2, 5, "=D1"),
        (2, 6, "=Z99+1"),  # an empty cell counts as 0, as in Excel
        (2, 7, "=Z99"),
        (2, 8, "=0.1+0.2"),  # full double precision, no display rounding
    ]
    report = load(engine, [EngineSheet("Data", consts, formulas)])
    assert report.rejected_names == []
    assert report.stats["formulas"] == len(formulas)
    [values] = engine.formula_values()
    assert values[:3] == [5.0, "hello world", False]
    assert isinstance(values[0], float)
    assert values[3].code == "#DIV/0!"
    assert values[4].code == "#N/A"
    assert values[5:7] == [1.0, 0.0]
    assert values[7] == 0.1 + 0.2 != 0.3


def test_text_that_looks_like_something_else_stays_text(engine):
    texts = ["123", "TRUE", "=x", "01/02/2020", "'quoted", "12%", "", "#DIV/0!"]
    consts = [(1, c, t) for c, t in enumerate(texts, start=1)]
    formulas = [(2, c, f"=ISTEXT({openpyxl.utils.get_column_letter(c)}1)") for c in range(1, 9)]
    formulas += [(3, c, f"={openpyxl.utils.get_column_letter(c)}1") for c in range(1, 9)]
    load(engine, [EngineSheet("T", consts, formulas)])
    [values] = engine.formula_values()
    assert values[:8] == [True] * 8
    assert values[8:] == texts


def test_date_systems(engine):
    formulas = [(1, 1, "=DATE(2020,1,1)"), (1, 2, "=DATE(1900,3,1)"), (1, 3, "=DATE(1900,1,1)")]
    load(engine, [EngineSheet("D", formulas=formulas)])
    assert engine.formula_values() == [[43831.0, 61.0, 1.0]]
    load(engine, [EngineSheet("D", formulas=formulas[:1])], date1904=True)
    assert engine.formula_values() == [[42369.0]]


def test_unknown_function_and_parse_error_are_cell_errors(engine):
    formulas = [(1, 1, "=NOSUCHFUNC(1)"), (1, 2, "=1+"), (1, 3, "=SUM(1,2)"), (1, 4, "=A1")]
    report = load(engine, [EngineSheet("S", formulas=formulas)])
    assert report.rejected_names == []
    [values] = engine.formula_values()
    assert values[0].code == "#NAME?"
    assert "NOSUCHFUNC" in values[0].message
    assert values[1].code == "#ERROR!"
    assert values[1].message
    assert values[2] == 3.0
    assert values[3].code == "#NAME?"


def test_workbook_and_sheet_scoped_names(engine):
    sheets = [
        EngineSheet("Inputs", [(2, 2, 0.25)], [(1, 1, "=Rate*4"), (1, 2, "=Local")]),
        EngineSheet("Other", formulas=[(1, 1, "=Local"), (1, 2, "=Rate")]),
    ]
    names = [
        EngineName("Rate", "=Inputs!$B$2"),
        EngineName("Local", "=10", scope="Inputs"),
        EngineName("Local", "=20", scope="Other"),
        EngineName("not a name", "=1"),  # HyperFormula rejects it: skipped, reported
        EngineName("Elsewhere", "=3", scope="NoSuchSheet"),
    ]
    report = load(engine, sheets, names)
    assert {n for n, _ in report.rejected_names} == {"not a name", "Elsewhere"}
    assert all(reason for _, reason in report.rejected_names)
    assert engine.formula_values() == [[1.0, 10.0], [20.0, 0.25]]


def test_sparse_far_cell_loads_without_a_dense_sheet(engine):
    sheet = EngineSheet("Far", [(1, 1, 7.0)], [(1_048_576, 16_384, "=A1*6"), (5, 5, "=XFD1048576")])
    load(engine, [sheet])
    assert engine.formula_values() == [[42.0, 42.0]]
    # a dense 16K x 1M grid would need gigabytes
    assert engine.memory_usage()["rss"] < 600 * 2**20


def test_set_and_read_recalculates_dependents(engine):
    load(engine, [EngineSheet("S", [(1, 1, 1.0)], [(1, 2, "=A1*10"), (1, 3, "=B1+1")])])
    assert engine.set_and_read([("S", 1, 1, 2.0)], [("S", 1, 2), ("S", 1, 3)]) == [20.0, 21.0]
    # a string starting with "=" is a formula, any other string is text
    got = engine.set_and_read(
        [("S", 2, 1, "=A1+0.5"), ("S", 2, 2, "5")], [("S", 2, 1), ("S", 2, 2)]
    )
    assert got == [2.5, "5"]
    engine.add_sheet("Extra")
    assert engine.set_and_read([("Extra", 1, 1, "=S!C1")], [("Extra", 1, 1)]) == [21.0]


def test_second_load_replaces_the_first(engine):
    load(engine, [EngineSheet("First", [(1, 1, 1.0)], [(1, 2, "=A1")])])
    load(engine, [EngineSheet("Second", [(1, 1, 2.0)], [(1, 2, "=A1"), (1, 3, "=A1*3")])])
    assert engine.formula_values() == [[2.0, 6.0]]
    with pytest.raises(EngineError):
        engine.set_and_read([], [("First", 1, 1)])


def test_function_names(engine):
    names = engine.function_names()
    assert {"SUM", "VLOOKUP", "INDEX", "IFERROR"} <= names
    assert "NOSUCHFUNC" not in names


def test_restart_after_the_process_is_killed():
    eng = HyperFormulaEngine(timeout=60)
    try:
        load(eng, [EngineSheet("S", [(1, 1, 1.0)], [(1, 2, "=A1+1")])])
        pid = eng.pid
        killer = threading.Timer(0.3, os.kill, args=(pid, signal.SIGKILL))
        killer.start()
        with pytest.raises(EngineError) as info:
            eng.request("sleep", ms=30_000)
        killer.join()
        assert not isinstance(info.value, EngineTimeoutError)
        load(eng, [EngineSheet("S", [(1, 1, 2.0)], [(1, 2, "=A1+1")])])
        assert eng.formula_values() == [[3.0]]
        assert eng.pid != pid
    finally:
        eng.close()


def test_timeout_kills_and_next_call_works():
    eng = HyperFormulaEngine(timeout=60)
    try:
        eng.start()
        pid = eng.pid
        with pytest.raises(EngineTimeoutError):
            eng.request("sleep", ms=30_000, timeout=0.5)
        assert eng.pid is None
        load(eng, [EngineSheet("S", formulas=[(1, 1, "=2*3")])])
        assert eng.formula_values() == [[6.0]]
        assert eng.pid != pid
    finally:
        eng.close()


def test_large_workbook_is_sent_in_chunks(engine, monkeypatch):
    from xlimport.engine import hyperformula as hf_mod

    monkeypatch.setattr(hf_mod, "CHUNK_CELLS", 1000)
    consts = [(r, 1, float(r)) for r in range(1, 2501)]
    formulas = [(r, 2, f"=A{r}*2") for r in range(1, 2501)]
    sheets = [EngineSheet("Big", consts, formulas), EngineSheet("Small", [(1, 1, "x")])]
    sheets.append(EngineSheet("Empty"))
    load(engine, sheets)
    [big, small, empty] = engine.formula_values()
    assert big == [2.0 * r for r in range(1, 2501)]
    assert small == empty == []


@pytest.mark.parametrize("chunk", [1000, 100_000])
def test_formulas_sent_as_columns_compute_as_a_list(engine, monkeypatch, chunk):
    """Formulas as columns (texts without their "="), sent whole or in chunks, give what the
    same formulas as a list of (row, col, "=...") give, text constants included."""
    from xlimport.engine import hyperformula as hf_mod

    monkeypatch.setattr(hf_mod, "CHUNK_CELLS", chunk)
    consts = [(r, 1, float(r)) for r in range(1, 2501)]
    rows = list(range(1, 2501))
    texts = [f'IF(A{r}>3,A{r}*2,"=x")&""' if r % 7 else f"A{r}+1" for r in rows]
    columns = FormulaColumns(rows, [2] * len(rows), texts)
    assert columns[0] == (1, 2, "=" + texts[0])
    assert list(columns)[:2] == columns[:2] and len(columns) == 2500
    load(engine, [EngineSheet("S", consts, columns)])
    as_columns = engine.formula_values()
    load(engine, [EngineSheet("S", consts, list(columns))])
    assert engine.formula_values() == as_columns
    assert as_columns[0][6] == 8.0 and as_columns[0][0] == "=x" and as_columns[0][1] == "=x"
    with pytest.raises(ValueError):
        FormulaColumns([1], [], ["A1"])


def test_a_failed_chunk_stops_the_build_and_the_engine_stays_usable(engine, monkeypatch):
    """Chunks go back to back without waiting for each answer: one the engine cannot take
    fails the load with its own reason, and the build queued behind it does not run."""
    from xlimport.engine import hyperformula as hf_mod

    monkeypatch.setattr(hf_mod, "CHUNK_CELLS", 1000)
    consts = [(r, 1, float(r)) for r in range(1, 2501)]
    consts[1500] = (1501, 1, EngineErrorValue(5))  # in the second chunk; not an error code
    formulas = [(r, 2, f"=A{r}*2") for r in range(1, 2501)]
    with pytest.raises(EngineError, match="failed on 'sheet'.*cannot encode"):
        load(engine, [EngineSheet("Big", consts, formulas)])
    assert "not built: a part of the workbook failed" in engine.stderr_tail()
    load(engine, [EngineSheet("S", formulas=[(1, 1, "=2*3")])])
    assert engine.formula_values() == [[6.0]]
    # a value the wire cannot carry, found while the chunks are sent: its own error, and the
    # engine (holding part of a load) is replaced before the next request
    consts[1500] = (1501, 1, object())
    with pytest.raises(TypeError, match="cannot send a object"):
        load(engine, [EngineSheet("Big", consts, formulas)])
    load(engine, [EngineSheet("S", formulas=[(1, 1, "=3*3")])])
    assert engine.formula_values() == [[9.0]]


# ---- the build patch (Graph.addEdge) ----------------------------------------------------------
def _fan_in(n: int) -> list[EngineSheet]:
    """n formulas that all read one input cell (and a little more)."""
    formulas = [(r, 2, f"=$A$1*{r}+$A$2") for r in range(1, n + 1)]
    return [EngineSheet("F", [(1, 1, 3.0), (2, 1, 1.0)], formulas)]


def test_patch_makes_edge_insertion_linear(engine):
    def steps(n: int, patch: bool) -> int:
        report = engine.load(_fan_in(n), [], EngineSettings(), patch=patch, count_edge_work=True)
        assert report.stats["patched"] is patch
        return report.stats["edge_scan_steps"]

    patched = steps(4000, True) / steps(2000, True)
    unpatched = steps(4000, False) / steps(2000, False)
    assert patched < 2.5  # linear: twice the formulas, about twice the work
    assert unpatched > 3.5  # HyperFormula's own addEdge: quadratic


def test_a_shared_range_is_walked_once_not_per_formula(engine):
    """n lookups over one table: the table's cells are linked to its range once (lib/ranges.js),
    so doubling the lookups about doubles the edge work instead of adding n x table size."""

    def sheets(n: int) -> list[EngineSheet]:
        table = [(r, c, float(r * c)) for r in range(1, 1001) for c in range(1, 5)]
        lookups = [
            (r, 6, f"=VLOOKUP({r % 1000 + 1},$A$1:$D$1000,3,FALSE())") for r in range(1, n + 1)
        ]
        return [EngineSheet("T", table, lookups)]

    def steps(n: int) -> int:
        report = engine.load(sheets(n), [], EngineSettings(), count_edge_work=True)
        return report.stats["edge_scan_steps"]

    # Linked once: work in proportion to lookups + table cells (6,000), where walking the table
    # for every lookup would cost 2,000 x 4,000 = 8,000,000 edge insertions.
    assert steps(2000) < 10 * (2000 + 4000)
    values = engine.formula_values()[0]
    assert values[:3] == [6.0, 9.0, 12.0]  # VLOOKUP(2..4, ...) -> column C = 3 * row


def _openpyxl_sheets(path: Path) -> tuple[list[EngineSheet], list[EngineName]]:
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        sheet = EngineSheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if v is None:
                    continue
                if isinstance(v, str) and v.startswith("="):
                    sheet.formulas.append((cell.row, cell.column, v))
                elif isinstance(v, (int, float, str, bool)):
                    sheet.constants.append((cell.row, cell.column, v))
        sheets.append(sheet)
    names = [EngineName(n, "=" + d.attr_text) for n, d in wb.defined_names.items()]
    return sheets, names


def test_patch_gives_identical_results_on_a_generated_model(engine):
    path = SHARED / "generated" / "fm_10k.xlsx"
    if not path.exists():
        pytest.skip("shared/generated/fm_10k.xlsx is absent")
    sheets, names = _openpyxl_sheets(path)
    with_patch = engine.load(sheets, names, EngineSettings(), patch=True)
    values_patched = engine.formula_values()
    without = engine.load(sheets, names, EngineSettings(), patch=False)
    values_plain = engine.formula_values()
    assert with_patch.stats["patched"] and not without.stats["patched"]
    assert with_patch.stats["formulas"] > 9000
    assert values_patched == values_plain
    numbers = [v for vals in values_patched for v in vals if isinstance(v, float)]
    assert len(numbers) > 5000


def test_patched_graph_stays_consistent_under_edits(engine):
    """Removing and re-adding edges of a high fan-in cell (past the index threshold)."""
    sheets = _fan_in(100)
    for patch in (True, False):
        engine.load(sheets, [], EngineSettings(), patch=patch)
        updates = [("F", r, 2, f"=$A$2*{r}") for r in range(1, 101, 2)]  # drop the A1 edge
        updates.append(("F", 1, 1, 5.0))
        reads = [("F", r, 2) for r in range(1, 101)]
        got = engine.set_and_read(updates, reads)
        assert got == [(r if r % 2 else 5.0 * r + 1.0) * 1.0 for r in range(1, 101)]
        updates = [("F", r, 2, f"=$A$1*{r}") for r in range(1, 101, 2)]  # and back
        got = engine.set_and_read(updates + [("F", 2, 1, None)], reads)
        assert got == [5.0 * r for r in range(1, 101)]


# ---- installation -----------------------------------------------------------------------------
def test_check_node_and_checkout_install():
    major = int(check_node().split(".")[0])
    assert major >= 18
    folder = ensure_engine_installed()
    assert (folder / "engine.js").is_file()
    assert (folder / "node_modules" / "hyperformula").is_dir()


def test_missing_node_is_a_clear_error(tmp_path):
    with pytest.raises(EngineNotAvailableError) as info:
        check_node(str(tmp_path / "no-such-node"))
    assert "Node.js" in info.value.message


def test_packaged_engine_is_installed_once_into_a_cache_folder(tmp_path, monkeypatch):
    checkout = install_mod.checkout_engine_dir()
    assert checkout is not None
    files = install_mod.engine_files(checkout)
    assert "lib/guard.js" in files and "functions/text.js" in files
    monkeypatch.setattr(install_mod, "checkout_engine_dir", lambda: None)
    monkeypatch.setattr(install_mod, "_packaged_files", lambda: files)
    monkeypatch.setenv("XLIMPORT_ENGINE_DIR", str(tmp_path / "engine"))
    folder = ensure_engine_installed()
    assert folder == tmp_path / "engine"
    assert install_mod.is_installed(folder)
    marker = folder / ".xlimport-installed"
    stamp = marker.stat().st_mtime_ns
    assert ensure_engine_installed() == folder  # second call: nothing to do
    assert marker.stat().st_mtime_ns == stamp
    eng = HyperFormulaEngine(engine_dir=folder, timeout=60)
    try:
        load(
            eng,
            [
                EngineSheet(
                    "S", formulas=[(1, 1, "=SUM(1,2,3)"), (1, 2, '=TEXT(1234.5,"#,##0.00")')]
                )
            ],
        )
        # the shipped function plugins are loaded too (Excel's TEXT formats)
        assert eng.formula_values() == [[6.0, "1,234.50"]]
    finally:
        eng.close()


def test_heap_grows_with_the_workbook():
    assert heap_mb_for(10) == 512
    assert 2048 <= heap_mb_for(1_000_000) <= 2816
    assert heap_mb_for(1_000_000) % 256 == 0


def test_engine_memory_limit_is_named_when_exceeded(monkeypatch):
    """XLIMPORT_ENGINE_MAX_HEAP_MB caps the engine's heap; a workbook that needs more fails with
    an error naming the limit, and the next request gets a fresh process."""
    from xlimport.engine.hyperformula import heap_mb_for

    monkeypatch.setenv("XLIMPORT_ENGINE_MAX_HEAP_MB", "512")
    assert heap_mb_for(10_000_000) == 512
    eng = HyperFormulaEngine(timeout=120)
    try:
        # A 20,000 x 20,000 identity matrix: 400 million values, far beyond 512 MB of heap.
        big = [EngineSheet("S", formulas=[(1, 1, "=SUM(MUNIT(20000))")])]
        with pytest.raises(EngineError, match="XLIMPORT_ENGINE_MAX_HEAP_MB=512"):
            eng.load(big, [], EngineSettings())
        eng.load([EngineSheet("S", formulas=[(1, 1, "=1+1")])], [], EngineSettings())
        assert eng.formula_values() == [[2.0]]
    finally:
        eng.close()
