"""Causes given to differences between recomputed and cached values: a workbook that Excel did not
save (its cached values are another program's results) and complex numbers written as text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import xlimport
from xlimport.store.base import CellFilter
from xlimport.validation import (
    MATCHED,
    MISMATCH,
    OTHER_APPLICATION,
    ValidationReport,
    compare,
    parse_complex,
)

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "files"


def workbook(file_version: str | None, application: str | None) -> bytes:
    """One sheet: A1 = 2, A2 = A1*3 cached as 7 (wrong), A3 = A1*4 cached as 8 (right).
    ``file_version`` is the workbook's <fileVersion appName>, ``application`` docProps/app.xml's
    <Application> (None: the part is left out, as libraries often do)."""
    fv = f'<fileVersion appName="{file_version}"/>' if file_version else ""
    rows = (
        '<row r="1"><c r="A1"><v>2</v></c></row>'
        '<row r="2"><c r="A2"><f>A1*3</f><v>7</v></c></row>'
        '<row r="3"><c r="A3"><f>A1*4</f><v>8</v></c></row>'
    )
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>'
    )
    parts = {
        "[Content_Types].xml": types,
        "_rels/.rels": f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
        f'Type="{R_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
        f'Type="{R_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{R_NS}">{fv}<sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData>'
        "</worksheet>",
    }
    if application is not None:
        parts["docProps/app.xml"] = (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'extended-properties"><Application>{application}</Application></Properties>'
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("file_version", "application", "status"),
    [
        ("xl", "Microsoft Excel", MISMATCH),
        ("xl", "Microsoft Macintosh Excel", MISMATCH),
        ("xl", None, MISMATCH),
        ("Calc", "LibreOffice/7.4.7.2$Linux_X86_64", OTHER_APPLICATION),
        ("Calc", "Microsoft Excel", OTHER_APPLICATION),  # what LibreOffice writes for some files
        (None, "Microsoft Excel", OTHER_APPLICATION),  # a library that names Excel in app.xml
        (None, None, OTHER_APPLICATION),
    ],
)
def test_a_difference_is_a_mismatch_only_when_excel_saved_the_cached_value(
    tmp_path: Path, file_version: str | None, application: str | None, status: str
) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(file_version, application))
    r = xlimport.import_workbook(path, store=f"sqlite:///{tmp_path}/db.sqlite")
    v = r.validation
    assert v.by_status == {MATCHED: 1, status: 1}
    assert v.compared == 2 and v.matched == 1  # both count toward the match rate
    if status == MISMATCH:
        assert (v.mismatched, v.explained) == (1, 0)
    else:
        assert (v.mismatched, v.explained) == (0, 1)
    store = xlimport.open_store(f"sqlite:///{tmp_path}/db.sqlite")
    cells = {c["cell"]: c for c in store.iter_cells(r.model_id, CellFilter())}
    assert cells["A2"]["status"] == status and cells["A2"]["calculated_value"] == 6.0
    assert bool(cells["A2"]["has_mismatch"]) is (status == MISMATCH)
    assert store.get_model(r.model_id).workbook_metadata["saved_by_excel"] is (status == MISMATCH)


def test_the_report_keeps_explained_differences_through_a_round_trip() -> None:
    rep = ValidationReport(tolerance=1e-6)
    for status in [MATCHED, OTHER_APPLICATION, MISMATCH]:
        rep.count(status)
    again = ValidationReport.from_dict(rep.to_dict())
    assert (again.compared, again.matched, again.mismatched, again.explained) == (3, 1, 1, 1)
    assert again.match_rate == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("3+4i", (3.0, 4.0)),
        ("3-4j", (3.0, -4.0)),
        ("4i", (0.0, 4.0)),
        ("-i", (0.0, -1.0)),
        ("i", (0.0, 1.0)),
        ("1.5E-5+2.5E+3i", (1.5e-5, 2500.0)),
        ("2.5", (2.5, 0.0)),
        ("abc", None),
        ("1+", None),
        ("", None),
    ],
)
def test_complex_numbers_are_read_as_excel_writes_them(text: str, parts: tuple | None) -> None:
    assert parse_complex(text) == parts


@pytest.mark.parametrize(
    ("cached", "calculated", "status"),
    [
        # IMCSC: the 15th digit of the imaginary part rounded the other way.
        (
            "0.0118908807944521+0.275445903842597j",
            "0.0118908807944521+0.275445903842596j",
            MATCHED,
        ),
        # IMDIV: an imaginary part that is rounding noise next to the real part.
        (
            "3.32192809488737-8.28846662730513E-15j",
            "3.32192809488737-8.11707666704866E-15j",
            MATCHED,
        ),
        ("1+2i", "1+3i", MISMATCH),
        ("1+2i", "1+2j", MISMATCH),  # the suffix is part of the text
        ("1+2i", "1+2", MISMATCH),
        ("abci", "abdi", MISMATCH),
    ],
)
def test_complex_number_text_compares_as_numbers(cached: str, calculated: str, status: str) -> None:
    assert compare("s", cached, calculated, 1e-6) == status


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not present")
def test_complex_results_of_a_real_workbook_match(tmp_path: Path) -> None:
    r = xlimport.import_workbook(
        CORPUS / "sheetjs__formula_stress_test.xlsx", store=f"sqlite:///{tmp_path}/db.sqlite"
    )
    store = xlimport.open_store(f"sqlite:///{tmp_path}/db.sqlite")
    cells = {(c["sheet_name"], c["cell"]): c for c in store.iter_cells(r.model_id, CellFilter())}
    imdiv = cells[("Engineering", "B39")]
    assert imdiv["formula"] == "=IMDIV(B43,B42)"
    assert imdiv["status"] == MATCHED


@pytest.mark.parametrize(
    ("cached", "calculated", "status"),
    [
        ("a\r|b", "a\n|b", MATCHED),  # Excel for Mac 2011 cached CR for the text's CR LF
        ("a\r\nb", "a\nb", MATCHED),
        ("a\r\nb", "a\rb", MATCHED),
        ("a\rb", "a b", MISMATCH),
        ("a\r\r", "a\n", MISMATCH),  # two line breaks are not one
        ("a\nb", "a\n\nb", MISMATCH),
    ],
)
def test_line_breaks_compare_equal_in_any_form(cached: str, calculated: str, status: str) -> None:
    assert compare("s", cached, calculated, 1e-6) == status


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not present")
def test_text_with_line_breaks_of_a_real_workbook_matches(tmp_path: Path) -> None:
    r = xlimport.import_workbook(
        CORPUS / "exceltocode__string.xlsx", store=f"sqlite:///{tmp_path}/db.sqlite"
    )
    assert r.validation.mismatched == 0, r.validation.samples
    assert r.validation.matched == r.validation.compared == 3
