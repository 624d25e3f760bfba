"""End-to-end library imports on real files, the real engine and both real databases."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import xlimport
from xlimport import errors
from xlimport.store.base import CellFilter

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fm_circ_1k.xlsx"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def circ_model(store_url):
    return xlimport.import_workbook(EXAMPLE, store=store_url)


def test_circular_model_imports_solves_and_validates(circ_model, store_url):
    r = circ_model
    assert r.model_id > 0 and not r.duplicate
    assert r.stats.formula_cells > 900
    # The debt schedule: one loop of interest <-> average debt per period.
    assert r.stats.circular_groups >= 1
    assert r.stats.circular_cells >= 60
    assert all(g["converged"] for g in r.circular)
    v = r.validation
    assert v is not None and v.compared > 900
    # Values iterated by our solver agree with LibreOffice's cached values.
    assert v.mismatched == 0, v.samples
    assert v.match_rate > 0.99
    assert set(r.timings) >= {"hashing", "parsing", "dependencies", "evaluation", "insertion"}

    store = xlimport.open_store(store_url)
    model = store.get_model(r.model_id)
    assert model.import_summary["validation"]["matched"] == v.matched
    assert model.workbook_metadata["calc"]["iterate"] is True
    circ = store.cells(r.model_id, CellFilter(is_circular=True), page=1, page_size=1000)
    assert circ.total == r.stats.circular_cells
    assert all(c["sheet_name"] == "Debt" for c in circ.items)
    # Every non-empty cell is stored, constants included.
    everything = store.cells(r.model_id, None, page=1, page_size=1)
    assert everything.total == r.stats.cells


def test_duplicate_returns_existing_model_and_force_reimports(circ_model, store_url):
    again = xlimport.import_workbook(EXAMPLE, store=store_url)
    assert again.duplicate and again.model_id == circ_model.model_id
    assert again.stats.formula_cells == circ_model.stats.formula_cells
    forced = xlimport.import_workbook(EXAMPLE, store=store_url, force=True, name="again")
    assert not forced.duplicate and forced.model_id != circ_model.model_id
    store = xlimport.open_store(store_url)
    assert store.list_models().total == 1
    with pytest.raises(errors.ModelNotFoundError):
        store.get_model(circ_model.model_id)


def test_progress_stages_in_order_and_monotonic(tmp_path, store_url):
    events = []
    xlimport.import_workbook(EXAMPLE, store=store_url, progress=lambda *e: events.append(e))
    stages = []
    for stage, _, _ in events:
        if not stages or stages[-1] != stage:
            stages.append(stage)
    assert stages == [
        "hashing",
        "parsing",
        "dependencies",
        "evaluation",
        "insertion",
        "validation",
        "complete",
    ]
    percents = [p for _, p, _ in events]
    assert percents == sorted(percents) and percents[-1] == 100.0


def test_cancel_from_progress_leaves_nothing(store_url):
    def cancel(stage, percent, message):
        if stage == "insertion" and percent > 85:
            raise errors.ImportCancelled("cancelled by the user")

    with pytest.raises(errors.ImportCancelled):
        xlimport.import_workbook(EXAMPLE, store=store_url, progress=cancel)
    store = xlimport.open_store(store_url)
    assert store.list_models().total == 0


def test_cancel_during_evaluation_keeps_no_file_bytes(store_url, tmp_path, monkeypatch):
    """The workbook's bytes are written to the file store while the engine computes; an
    import stopped then keeps neither a model nor the bytes."""
    monkeypatch.setenv("XLIMPORT_HOME", str(tmp_path / "home"))
    from xlimport.api import file_sha256
    from xlimport.config import get_settings
    from xlimport.store.files import open_file_store

    def cancel(stage, percent, message):
        if stage == "evaluation" and percent > 50:
            raise errors.ImportCancelled("cancelled by the user")

    with pytest.raises(errors.ImportCancelled):
        xlimport.import_workbook(EXAMPLE, store=store_url, progress=cancel)
    store = xlimport.open_store(store_url)
    assert store.list_models().total == 0
    assert not open_file_store(get_settings(), store).exists(file_sha256(EXAMPLE))
    r = xlimport.import_workbook(EXAMPLE, store=store_url)  # then it imports and keeps them
    assert open_file_store(get_settings(), store).exists(r.file_hash)


def _small_book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = 2
    ws["A2"] = 3
    ws["A3"] = "=A1*A2"
    ws["B1"] = "=SUM(A1:A3)"
    ws["C1"] = "=NOSUCHFUNCTION(A1)"
    ws["D1"] = "=NOW()"
    wb.save(path)
    return path


def test_graph_built_beside_the_engine_fails_the_import_cleanly(sqlite_url, monkeypatch):
    """The dependency graph is built in a thread while the engine computes; an error there
    fails the import with that error and stores nothing."""
    import xlimport.evaluate as evaluate

    def broken(*args, **kwargs):
        raise errors.StoreError("graph failed")

    monkeypatch.setattr(evaluate, "build_graph", broken)
    with pytest.raises(errors.StoreError, match="graph failed"):
        xlimport.import_workbook(EXAMPLE, store=sqlite_url)
    assert xlimport.open_store(sqlite_url).list_models().total == 0
    monkeypatch.undo()
    # The same workbook imports with its circular groups found by that thread.
    r = xlimport.import_workbook(EXAMPLE, store=sqlite_url)
    assert r.stats.circular_groups == 12 and r.stats.dependency_edges > 0


def test_unsupported_function_is_a_warning_not_a_failure(tmp_path, sqlite_url):
    # openpyxl writes no cached values: every formula is "no_cached", but evaluation still runs.
    r = xlimport.import_workbook(_small_book(tmp_path / "small.xlsx"), store=sqlite_url)
    assert r.stats.unsupported_functions == {"NOSUCHFUNCTION": 1}
    assert any("NOSUCHFUNCTION" in w for w in r.warnings)
    store = xlimport.open_store(sqlite_url)
    cells = {c["cell"]: c for c in store.iter_cells(r.model_id, CellFilter(has_formula=True))}
    assert cells["A3"]["calculated_value"] == 6.0
    assert cells["B1"]["calculated_value"] == 11.0
    assert cells["C1"]["calculated_text"] == "#NAME?"
    assert r.stats.volatile_cells == 1


@pytest.mark.parametrize(
    "content, error",
    [
        (b"%PDF-1.4 not a workbook", errors.NotAZipError),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, errors.InvalidWorkbookError),
        (b"PK\x03\x04 truncated", errors.InvalidWorkbookError),
    ],
)
def test_bad_input_typed_error_and_nothing_written(tmp_path, sqlite_url, content, error):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    with pytest.raises(error):
        xlimport.import_workbook(bad, store=sqlite_url)
    assert xlimport.open_store(sqlite_url).list_models().total == 0


def test_zip_without_workbook(tmp_path, sqlite_url):
    bad = tmp_path / "nothing.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(errors.InvalidWorkbookError):
        xlimport.import_workbook(bad, store=sqlite_url)


def test_missing_path_and_bad_name(tmp_path, sqlite_url):
    with pytest.raises(errors.FileNotFoundError_):
        xlimport.import_workbook(tmp_path / "nope.xlsx", store=sqlite_url)
    with pytest.raises(errors.InvalidOptionsError):
        xlimport.import_workbook(EXAMPLE, store=sqlite_url, name="bad\x00name")
    with pytest.raises(errors.InvalidOptionsError):
        xlimport.import_workbook(EXAMPLE, store=sqlite_url, options={"tolerance": -1})


def test_validate_model_recomputes_with_new_tolerance(circ_model, store_url):
    loose = xlimport.validate_model(
        circ_model.model_id, store=store_url, options={"tolerance": 1e-3}
    )
    assert loose.validation.matched >= circ_model.validation.matched
    assert loose.validation.tolerance == 1e-3
    model = xlimport.open_store(store_url).get_model(circ_model.model_id)
    assert model.import_summary["validation"]["tolerance"] == 1e-3
    with pytest.raises(errors.ModelNotFoundError):
        xlimport.validate_model(999999, store=store_url)


def test_result_reads_well(circ_model):
    text = str(circ_model)
    assert "formula cells" in text and "circular groups" in text
    assert "<table>" in circ_model._repr_html_()
    df = circ_model.to_dataframe()
    assert len(df) == circ_model.stats.cells
    assert {"sheet_name", "cell", "formula", "calculated_value"} <= set(df.columns)


CORPUS_SPREAD = [
    "pycel__circular.xlsx",
    "formulas__circular.xlsx",
    "poi__57535.xlsx",
    "exceltocode__arrayformulatest.xlsx",
    "exceltocode__keepingtables.xlsx",
    "formulas__test_link.xlsx",
    "poi__57181.xlsm",
]


def test_circular_saved_with_iteration_off_is_explained(sqlite_url):
    """Excel leaves cycles (and their dependents) uncomputed when iterative calculation is
    off: those cached values are reported as such, not as mismatches of our solver."""
    path = SHARED / "corpus" / "files" / "formulas__circular.xlsx"
    if not path.exists():
        pytest.skip("corpus not available")
    r = xlimport.import_workbook(path, store=sqlite_url)
    assert r.stats.circular_groups >= 10
    assert r.validation.mismatched == 0, r.validation.samples
    assert r.validation.by_status["circular_iteration_off"] > 0
    assert any("iterative calculation is off" in w for w in r.warnings)


@pytest.mark.parametrize("name", CORPUS_SPREAD)
def test_corpus_spread_imports(name, sqlite_url, tmp_path):
    path = SHARED / "corpus" / "files" / name
    if not path.exists():
        pytest.skip("corpus not available")
    local = tmp_path / name
    shutil.copy(path, local)
    r = xlimport.import_workbook(local, store=sqlite_url)
    assert r.stats.formula_cells > 0
    assert r.validation is not None and r.validation.compared > 0


def test_implicit_intersection_array_formulas_and_sumproduct(tmp_path, sqlite_url):
    """Excel's rules for ranges: in an ordinary formula a range where one value is expected
    takes the cell in the formula's row (implicit intersection); an array (CSE) formula computes
    element by element; SUMPRODUCT and LOOKUP take array expressions without CSE."""
    from openpyxl.worksheet.formula import ArrayFormula

    wb = Workbook()
    ws = wb.active
    for r, (a, b) in enumerate([(1, 4), (2, 5), (3, 6)], start=1):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b)
    ws["C2"] = "=A1:A3*10"
    ws["D1"] = "=SUMPRODUCT((A1:A3>1)*(B1:B3))"
    ws["E1"] = ArrayFormula("E1", "=SUM(A1:A3*B1:B3)")
    ws["F1"] = "=LOOKUP(2,1/(A1:A3<3),B1:B3)"
    ws["G1"] = ArrayFormula("G1", "=A2:A3*B2:B3")  # one cell: the top-left of {10; 18}
    path = tmp_path / "ranges.xlsx"
    wb.save(path)
    r = xlimport.import_workbook(path, store=sqlite_url)
    cells = {
        c["cell"]: c
        for c in xlimport.open_store(sqlite_url).iter_cells(
            r.model_id, CellFilter(has_formula=True)
        )
    }
    assert cells["C2"]["calculated_value"] == 20.0
    assert cells["D1"]["calculated_value"] == 11.0
    assert cells["E1"]["calculated_value"] == 32.0
    assert cells["E1"]["formula"] == "{=SUM(A1:A3*B1:B3)}"
    assert cells["F1"]["calculated_value"] == 5.0
    assert cells["G1"]["calculated_value"] == 10.0


def test_the_import_path_leaves_heavy_modules_until_they_are_needed():
    """A cold `xlimport import` pays neither openpyxl (not used on the import path) nor SciPy
    (imported when the dependency graph is built, beside the engine's build)."""
    import subprocess
    import sys

    code = (
        "import sys, xlimport, xlimport_cli.main; "
        "print(sorted(m for m in ('openpyxl', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
