"""Errors Excel 365 stores as rich values (#CALC!, #SPILL!, ...): the cached value is the real
error, not the #VALUE! written for older readers, and the engine knows these errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from engine_cases import check
from ooxml_books import NS, one_sheet_book

import xlimport
from xlimport import _richerrors
from xlimport.engine.base import EngineErrorValue
from xlimport.reader import read_workbook
from xlimport.store.base import CellFilter

RD = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "files"

# As Excel writes them (from a workbook saved by Excel 365): two error rich values, #CALC!
# (errorType 13) and #SPILL! (8), referenced by the value metadata records 1 and 2.
STRUCTURES = (
    f'<rvStructures xmlns="{RD}" count="1"><s t="_error"><k n="errorType" t="i"/>'
    '<k n="subType" t="i"/></s></rvStructures>'
)
RICH_VALUES = (
    f'<rvData xmlns="{RD}" count="2"><rv s="0"><v>13</v><v>0</v></rv>'
    '<rv s="0"><v>8</v><v>0</v></rv></rvData>'
)
METADATA = (
    f'<metadata xmlns="{NS}" xmlns:xlrd="{RD}"><metadataTypes count="1">'
    '<metadataType name="XLRICHVALUE" minSupportedVersion="120000"/></metadataTypes>'
    '<futureMetadata name="XLRICHVALUE" count="2">'
    '<bk><extLst><ext uri="{3e2802c4-a4d2-4d8b-9148-e3be6c30e623}"><xlrd:rvb i="0"/></ext>'
    "</extLst></bk>"
    '<bk><extLst><ext uri="{3e2802c4-a4d2-4d8b-9148-e3be6c30e623}"><xlrd:rvb i="1"/></ext>'
    "</extLst></bk></futureMetadata>"
    '<valueMetadata count="2"><bk><rc t="1" v="0"/></bk><bk><rc t="1" v="1"/></bk>'
    "</valueMetadata></metadata>"
)


def workbook(rows: str, rich: bool = True) -> bytes:
    extra = {
        "xl/metadata.xml": METADATA,
        "xl/richData/rdrichvalue.xml": RICH_VALUES,
        "xl/richData/rdrichvaluestructure.xml": STRUCTURES,
    }
    return one_sheet_book(rows, extra_parts=extra if rich else None)


ROWS = (
    '<row r="1"><c r="A1" t="e" vm="1"><v>#VALUE!</v></c>'
    '<c r="B1"><f>ERROR.TYPE(A1)</f><v>14</v></c>'
    '<c r="C1" t="e" vm="1"><f>A1</f><v>#VALUE!</v></c></row>'
    '<row r="2"><c r="A2" t="e" vm="2"><v>#VALUE!</v></c>'
    '<c r="B2"><f>ERROR.TYPE(A2)</f><v>9</v></c>'
    '<c r="C2" t="e"><v>#VALUE!</v></c></row>'  # a plain #VALUE!: stays
)


def test_error_rich_values_are_the_cached_values(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(ROWS))
    sheet = read_workbook(path).sheets[0]
    got = {
        (r, c): v
        for r, c, t, v in zip(sheet.rows, sheet.cols, sheet.types, sheet.values, strict=True)
        if t == "e"
    }
    assert got == {(1, 1): "#CALC!", (1, 3): "#CALC!", (2, 1): "#SPILL!", (2, 3): "#VALUE!"}


def test_without_the_metadata_the_stand_in_stays(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(ROWS, rich=False))
    sheet = read_workbook(path).sheets[0]
    assert sheet.values[0] == "#VALUE!"


def test_a_workbook_with_new_errors_recomputes_to_its_cached_values(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(ROWS))
    url = f"sqlite:///{tmp_path}/db.sqlite"
    r = xlimport.import_workbook(path, store=url)
    assert r.validation.mismatched == 0, r.validation.samples
    cells = {c["cell"]: c for c in xlimport.open_store(url).iter_cells(r.model_id, CellFilter())}
    assert cells["A1"]["raw_text"] == "#CALC!" and cells["C1"]["calculated_text"] == "#CALC!"
    assert cells["B1"]["calculated_value"] == 14 and cells["B2"]["calculated_value"] == 9


def test_the_engine_knows_excels_newer_errors(engine) -> None:
    errors = ["#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#GETTING_DATA", "#BUSY!"]
    check(
        engine,
        [(f"=ERROR.TYPE(A{i})", n) for i, n in enumerate([14, 13, 11, 10, 12, 8, "#N/A"], 1)]
        + [(f"=A{i}", e) for i, e in enumerate(errors, 1)]
        + [(f"=ISERROR(A{i})", True) for i in range(1, 8)],
        constants=[(i, 1, EngineErrorValue(e)) for i, e in enumerate(errors, 1)],
    )


def test_no_rich_values_no_codes(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(ROWS, rich=False))
    with zipfile.ZipFile(path) as zf:
        assert _richerrors.error_codes(zf) == {}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not present")
def test_error_type_of_a_real_workbook(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/db.sqlite"
    r = xlimport.import_workbook(CORPUS / "ironcalc__information_error.type.xlsx", store=url)
    assert r.validation.mismatched == 0, r.validation.samples


def test_a_start_tag_cut_between_blocks_is_still_found() -> None:
    xml = b'<row r="1"><c r="A1" t="e" vm="2"><v>#VALUE!</v></c><c r="B1" vm="1" t="e"/></row>'
    for cut in range(1, len(xml)):
        got = _richerrors.cells_with_value_metadata([xml[:cut], xml[cut:]])
        assert got == [("A1", "e", 2), ("B1", "e", 1)], cut
