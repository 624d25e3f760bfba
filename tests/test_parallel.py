"""Sheets read and analysed by the helper process (xlimport._parallel): the same workbook and
analysis as one process reading everything, a fallback when the helper fails, the same error
for a bad sheet, and a helper that ends with its parent."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import xlimport
from xlimport import _parallel, errors
from xlimport.api import _start_engine
from xlimport.evaluate import analyze_formulas
from xlimport.reader import ReaderLimits, read_workbook, worksheet_sizes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def helper(monkeypatch: pytest.MonkeyPatch):
    """A ready helper, used for any workbook of two sheets or more."""
    monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
    monkeypatch.delenv(_parallel.ENV, raising=False)
    _parallel.prepare(ROOT / "examples" / "fm_circ_1k.xlsx")
    h = _parallel._helper
    assert h is not None and h.ready(30.0)
    return h


def _books(shared: Path) -> list[Path]:
    corpus = shared / "corpus" / "files"
    return [
        ROOT / "examples" / "fm_circ_1k.xlsx",
        shared / "generated" / "fm_10k.xlsx",
        corpus / "formulas__test.xlsx",  # many sheets, arrays, errors
        corpus / "poi__structuredrefs-lots-with-lookups.xlsx",  # tables: structured references
        corpus / "exceltocode__global.xlsx",
        corpus / "poi__55906-multisheetrefs.xlsx",  # 3-D references
    ]


def _sheet_fields(wb) -> list[dict]:
    return [dataclasses.asdict(s) for s in wb.sheets]


def _analysis_fields(analysis) -> list[tuple]:
    return [
        (
            list(per.cells),
            list(per.offsets),
            list(per.refs),
            per.texts,
            per.functions,
            bytes(per.flags),
            per.errors,
            [per.engine_text(k) for k in range(len(per.cells))],
        )
        for per in analysis.infos
    ] + [
        sorted(analysis.volatile_roots),
        sorted(analysis.external_roots),
        sorted(analysis.unsupported_roots),
        analysis.functions,
        analysis.dynamic_cells,
    ]


def _split_read(path: Path, functions):
    limits = ReaderLimits.from_env()
    elsewhere = _parallel.begin(path, limits)
    assert elsewhere is not None and elsewhere.positions
    try:
        wb = read_workbook(path, limits=limits, skip=elsewhere.positions)
        elsewhere.merge(wb)
        return wb, analyze_formulas(wb, functions, lambda *a: None, elsewhere), elsewhere
    finally:
        elsewhere.close()


def test_helper_reads_and_analyses_as_one_process_does(helper, shared_dir: Path) -> None:
    _, functions = _start_engine()
    for path in _books(shared_dir):
        whole = read_workbook(path)
        expected = analyze_formulas(whole, functions, lambda *a: None)
        wb, analysis, elsewhere = _split_read(path, functions)
        assert any(len(wb.sheets[k]) for k in elsewhere.positions), path.name
        assert _sheet_fields(wb) == _sheet_fields(whole), path.name
        assert sorted(wb.warnings) == sorted(whole.warnings), path.name
        assert wb.tables == whole.tables and wb.defined_names == whole.defined_names
        assert _analysis_fields(analysis) == _analysis_fields(expected), path.name


def test_a_helper_that_dies_leaves_the_work_to_this_process(helper, shared_dir: Path) -> None:
    path = shared_dir / "generated" / "fm_10k.xlsx"
    _, functions = _start_engine()
    whole = read_workbook(path)
    expected = analyze_formulas(whole, functions, lambda *a: None)
    limits = ReaderLimits.from_env()
    elsewhere = _parallel.begin(path, limits)
    assert elsewhere is not None
    helper.process.kill()
    helper.process.wait()
    wb = read_workbook(path, limits=limits, skip=elsewhere.positions)
    elsewhere.merge(wb)  # read here instead
    analysis = analyze_formulas(wb, functions, lambda *a: None, elsewhere)
    assert _sheet_fields(wb) == _sheet_fields(whole)
    assert _analysis_fields(analysis) == _analysis_fields(expected)
    # the next big import starts a new helper
    _parallel.prepare(path)
    assert _parallel._helper is not helper and _parallel._helper.ready(30.0)


def test_import_through_the_helper_stores_the_same_cells(helper, tmp_path: Path) -> None:
    path = ROOT / "examples" / "fm_circ_1k.xlsx"
    url = f"sqlite:///{tmp_path}/helper.db"
    with_helper = xlimport.import_workbook(path, store=url, name="with")
    os.environ[_parallel.ENV] = "0"
    try:
        alone = xlimport.import_workbook(path, store=url, name="alone", force=True)
    finally:
        del os.environ[_parallel.ENV]
    store = xlimport.open_store(url)
    assert with_helper.stats == alone.stats
    assert with_helper.validation.by_status == alone.validation.by_status
    assert store.get_model(alone.model_id).import_summary["stats"]["cells"] > 1000


def _corrupt_second_sheet(path: Path) -> Path:
    wb = Workbook()
    for r in range(1, 150):
        wb.active.cell(r, 1, r)
    ws = wb.create_sheet("Second")
    for r in range(1, 200):
        ws.cell(r, 1, r)
        ws.cell(r, 2, f"=A{r}*2")
    src = path.with_name("ok.xlsx")
    wb.save(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</sheetData>", b"<row r='500'><c r='A500'></sheetData>")
            zout.writestr(item, data)
    return path


def test_a_bad_sheet_read_by_the_helper_fails_the_import_as_usual(
    helper, tmp_path: Path, sqlite_url: str
) -> None:
    bad = _corrupt_second_sheet(tmp_path / "bad.xlsx")
    # the (bigger) second sheet goes to the helper
    assert _parallel._split(worksheet_sizes(tmp_path / "ok.xlsx")) == {1}
    with pytest.raises(errors.CorruptWorkbookError) as caught:
        xlimport.import_workbook(bad, store=sqlite_url)
    os.environ[_parallel.ENV] = "0"
    try:
        with pytest.raises(errors.CorruptWorkbookError) as alone:
            xlimport.import_workbook(bad, store=sqlite_url)
    finally:
        del os.environ[_parallel.ENV]
    assert caught.value.message == alone.value.message
    assert xlimport.open_store(sqlite_url).list_models().total == 0
    assert helper.ready()  # the helper stays usable after a bad workbook


def test_the_helper_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    script = (
        "import os, sys\n"
        "from xlimport import _parallel\n"
        "_parallel.MIN_BYTES = 0\n"
        f"_parallel.prepare({str(ROOT / 'examples' / 'fm_circ_1k.xlsx')!r})\n"
        "assert _parallel._helper.ready(30.0)\n"
        "print(_parallel._helper.pid, flush=True)\n"
        "os._exit(0)\n"  # as a forked job runner ends: no clean-up at exit
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    pid = int(out.stdout.strip())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"helper {pid} still runs after its parent ended")


@pytest.mark.parametrize(
    ("sizes", "theirs"),
    [
        ([5_000, 6_100_000, 7_700_000, 65_000], {2}),  # the generated 100K model
        ([1_000_000, 1_000_000], set()),  # too small to pay
        ([30_000_000], set()),  # one sheet
        ([30_000_000, 100_000], set()),  # nothing worth sharing
        ([10_000_000] * 4, {0, 2}),  # alternately
    ],
)
def test_split(sizes: list[int], theirs: set[int]) -> None:
    assert _parallel._split(sizes) == theirs


def test_two_imports_at_once_share_one_helper(helper, tmp_path: Path, shared_dir: Path) -> None:
    """One import uses the helper, one reads alone; both store what one import alone stores."""
    import threading

    url = f"sqlite:///{tmp_path}/two.db"
    books = [ROOT / "examples" / "fm_circ_1k.xlsx", shared_dir / "generated" / "fm_10k.xlsx"]
    results: dict[str, object] = {}

    def run(path: Path) -> None:
        results[path.name] = xlimport.import_workbook(path, store=url)

    threads = [threading.Thread(target=run, args=(p,)) for p in books]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert helper.ready() and not helper.busy.locked()
    os.environ[_parallel.ENV] = "0"
    try:
        for path in books:
            alone = xlimport.import_workbook(path, store=f"sqlite:///{tmp_path}/alone.db")
            assert results[path.name].stats == alone.stats
            assert results[path.name].validation.by_status == alone.validation.by_status
    finally:
        del os.environ[_parallel.ENV]


def test_a_helper_that_cannot_start_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """An interpreter that cannot run the helper (a broken install) costs two tries, then this
    process reads alone without starting more."""
    monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(_parallel, "_helper", None)
    monkeypatch.setattr(_parallel, "_failed_starts", 0)
    monkeypatch.setattr(_parallel, "_CHILD", "import sys; sys.exit(3)")
    book = ROOT / "examples" / "fm_circ_1k.xlsx"
    started = []
    for _ in range(4):
        _parallel.prepare(book)
        h = _parallel._helper
        if h is not None and h not in started:
            started.append(h)
            h.process.wait(30)
            assert not h.ready()
    assert len(started) == 2 and _parallel._failed_starts == 2
    assert _parallel.begin(book, ReaderLimits.from_env()) is None
