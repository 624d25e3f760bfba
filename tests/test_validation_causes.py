"""Causes given to differences between recomputed and cached values: a workbook that Excel did not
save (its cached values are another program's results) and complex numbers written as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from ooxml_books import one_sheet_book

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

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "files"


BASIC_ROWS = (  # A1 = 2, A2 = A1*3 cached as 7 (wrong), A3 = A1*4 cached as 8 (right)
    '<row r="1"><c r="A1"><v>2</v></c></row>'
    '<row r="2"><c r="A2"><f>A1*3</f><v>7</v></c></row>'
    '<row r="3"><c r="A3"><f>A1*4</f><v>8</v></c></row>'
)


def workbook(
    file_version: str | None = "xl",
    application: str | None = "Microsoft Excel",
    rows: str = BASIC_ROWS,
    heading: str | None = None,
) -> bytes:
    return one_sheet_book(rows, file_version=file_version, application=application, heading=heading)


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


def _statuses(tmp_path: Path, rows: str) -> dict[str, str]:
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(rows=rows))
    url = f"sqlite:///{tmp_path}/db.sqlite"
    r = xlimport.import_workbook(path, store=url)
    store = xlimport.open_store(url)
    return {c["cell"]: c["status"] for c in store.iter_cells(r.model_id, CellFilter())}


def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_date_text_read_by_regional_settings_is_its_own_cause(tmp_path: Path) -> None:
    """Excel reads "10-12-1999" by the saving computer's day/month order: a day-first
    computer cached 10 December 1999 (36504); read month first it is 12 October (36445)."""
    rows = (
        f'<row r="1">{_text("A1", "10-12-1999")}{_text("B1", "12-12-1999")}</row>'
        '<row r="2"><c r="A2"><f>VALUE(A1)</f><v>36504</v></c>'  # day first
        '<c r="B2"><f>VALUE(B1)</f><v>1</v></c>'  # the same either way: a plain mismatch
        '<c r="C2"><f>DATEVALUE("02/08/2020")</f><v>44045</v></c>'  # 2 August, day first
        '<c r="D2"><f>A1&amp;"x"</f><v>0</v></c>'  # no date read, yet a text of one
        '<c r="E2"><f>VALUE(A1)</f><v>36445</v></c></row>'  # as we read it
    )
    rows += (
        '<row r="3"><c r="A3"><v>68.2</v></c>'
        # a TEXT format read in German (decimal comma) differs too, but a format alone does not
        # tell the language: a plain mismatch, not excused
        '<c r="B3" t="str"><f>TEXT(A3,"00,00")</f><v>68,20</v></c></row>'
    )
    got = _statuses(tmp_path, rows)
    assert got["B3"] == MISMATCH
    assert got["A2"] == "locale_dependent"
    assert got["C2"] == "locale_dependent"
    assert got["B2"] == MISMATCH
    assert got["E2"] == MATCHED
    # D2 names the text and differs: the text is why it may differ, so it is explained too
    assert got["D2"] == "locale_dependent"


def test_known_engine_differences_are_their_own_cause(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1"><v>-100</v></c><c r="B1"><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>60</v></c></row>'
        '<row r="3"><c r="A3"><v>60</v></c></row>'
        # Excel's iteration stopped (#NUM!) where ours converged: the known difference
        '<row r="4"><c r="A4" t="e"><f>IRR(A1:A3)</f><v>#NUM!</v></c>'
        '<c r="B4"><f>B1*2</f><v>5</v></c>'  # a plain difference
        '<c r="C4"><f>ROUND(IRR(A1:A3),2)</f><v>0.13</v></c>'  # right
        '<c r="D4" t="e"><f>A4*1000</f><v>#NUM!</v></c>'  # computed from that IRR
        '<c r="E4"><f>C4*1000</f><v>1</v></c>'  # C4 is exactly Excel's: not the cause
        '<c r="F4"><f>IRR(A1:A3)</f><v>0.5</v></c>'  # both numbers: a plain difference
        '<c r="G4"><f>IRR(A1:A3)</f><v>0.1306623863</v></c>'  # a hair off ours (matched)
        '<c r="H4"><f>(G4-0.1306623863)*1E+12</f><v>0</v></c></row>'  # magnified by it
    )
    got = _statuses(tmp_path, rows)
    assert got["A4"] == got["D4"] == "engine_difference"
    assert got["B4"] == got["E4"] == got["F4"] == MISMATCH
    assert got["C4"] == got["G4"] == MATCHED
    assert got["H4"] == "engine_difference"


def test_signatures_of_known_differences() -> None:
    from xlimport.engine.base import EngineErrorValue
    from xlimport.validation import COLLINEAR, NOT_CONVERGED, RANGE_LIMIT, shows_signature

    assert shows_signature(COLLINEAR, "n", 0.0, 0.577)
    assert shows_signature(COLLINEAR, "n", 2.0, 0.0)
    assert not shows_signature(COLLINEAR, "n", 2.0, 1.0)
    assert shows_signature(NOT_CONVERGED, "e", "#NUM!", 0.599)
    assert shows_signature(NOT_CONVERGED, "n", 0.1, EngineErrorValue("#NUM!"))
    assert not shows_signature(NOT_CONVERGED, "n", 0.1, 0.2)
    assert not shows_signature(NOT_CONVERGED, "e", "#DIV/0!", 0.2)
    # Excel's #NUM! at a range limit, the engine's number; not the other way round
    assert shows_signature(RANGE_LIMIT, "e", "#NUM!", 0.0)
    assert not shows_signature(RANGE_LIMIT, "n", 0.1, EngineErrorValue("#NUM!"))
    assert not shows_signature(RANGE_LIMIT, "n", 0.1, 0.2)
    assert not shows_signature(RANGE_LIMIT, "e", "#VALUE!", 0.2)


def test_locale_dependent_date_text() -> None:
    from xlimport.validation import locale_dependent_date as f

    assert f("10-12-1999") and f("26/08") and f("2/3/2023") and f("29/02/1900") and f("1.2.24")
    assert not f("12-12-1999")  # both readings agree
    assert not f("32/13/2000")  # a date in neither reading
    assert not f("2023-03-02")  # ISO: year first, one reading
    assert not f("abc") and not f("1/2/3/4")


@pytest.mark.parametrize("tolerance", [1e-6, 1e-3, 0.0])
def test_near_numbers_are_classified_as_the_full_comparison_does(
    tmp_path: Path, tolerance: float
) -> None:
    """Rows take a shortcut for numbers within half the tolerance of their cached value: it
    must agree with compare() on both sides of the tolerance, absolute and relative."""
    bases = [2.0, 2e9, 2e-9, -3.5]
    factors = [0.0, 1e-16, 3e-7, 4.9e-7, 5.1e-7, 9.9e-7, 1.01e-6, 2e-6, 1e-3, 0.1]
    cells, expected = [], {}
    row = 1
    for base in bases:
        for f in factors:
            for cached in (base * (1 + f), base + f):
                ref = f"B{row}"
                cells.append(
                    f'<row r="{row}"><c r="A{row}"><v>{base!r}</v></c>'
                    f'<c r="{ref}"><f>A{row}*1</f><v>{cached!r}</v></c></row>'
                )
                expected[ref] = compare("n", cached, base, tolerance)
                row += 1
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(rows="".join(cells)))
    url = f"sqlite:///{tmp_path}/db.sqlite"
    r = xlimport.import_workbook(path, store=url, options={"tolerance": tolerance})
    got = {
        c["cell"]: c["status"]
        for c in xlimport.open_store(url).iter_cells(r.model_id, CellFilter(has_formula=True))
    }
    assert got == expected
    assert set(expected.values()) == {MATCHED, MISMATCH}


def test_a_blocked_spill_is_a_known_difference(tmp_path: Path) -> None:
    """Excel cached #SPILL! for a one-cell dynamic array formula (its spill was blocked); the
    engine fills the range the file recorded and lays out no spill of its own."""
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c>'
        '<c r="B1" t="e" cm="1"><f t="array" ref="B1">_xlfn.UNIQUE(A1:A3)</f><v>#SPILL!</v></c>'
        '<c r="C1" t="e"><f>A1*2</f><v>#SPILL!</v></c></row>'  # not an array formula
        '<row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>'
    )
    got = _statuses(tmp_path, rows)
    assert got["B1"] == "engine_difference"
    assert got["C1"] == MISMATCH


@pytest.mark.parametrize(
    ("file_version", "application", "heading", "text_status"),
    [
        ("xl", "Microsoft Excel", "Arbeitsblätter", "locale_dependent"),  # a German Excel
        ("xl", "Microsoft Excel", "Feuilles de calcul", "locale_dependent"),  # a French one
        ("xl", "Microsoft Excel", "Worksheets", MISMATCH),  # an English one
        ("xl", "Microsoft Excel", None, MISMATCH),  # no sign of the language
        ("Calc", "LibreOffice/7.4.7.2$Linux_X86_64", "Arbeitsblätter", OTHER_APPLICATION),
    ],
)
def test_text_formats_from_an_excel_in_another_language_are_locale_dependent(
    tmp_path: Path, file_version: str, application: str, heading: str | None, text_status: str
) -> None:
    """TEXT reads its format codes with the regional settings of the computer that computed
    it: Apache POI's 61495 workbook, saved by a German Excel ("Arbeitsblätter" in its app.xml),
    caches TEXT(68.2,"00,00") as "68,20" (a decimal comma) and TEXT(67.1,"00.00") as "0.067"
    (a thousands separator). A difference of any other formula there stays a mismatch."""
    rows = (
        '<row r="1"><c r="A1"><v>68.2</v></c><c r="B1"><v>67.1</v></c></row>'
        '<row r="2"><c r="A2" t="str"><f>TEXT(A1,"00,00")</f><v>68,20</v></c>'
        '<c r="B2" t="str"><f>"D "&amp;TEXT(B1,"00.00")</f><v>D 0.067</v></c>'
        '<c r="C2"><f>A1*2</f><v>1</v></c></row>'
    )
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(file_version, application, rows, heading))
    url = f"sqlite:///{tmp_path}/db.sqlite"
    r = xlimport.import_workbook(path, store=url)
    store = xlimport.open_store(url)
    got = {c["cell"]: c["status"] for c in store.iter_cells(r.model_id, CellFilter())}
    assert got["A2"] == got["B2"] == text_status
    assert got["C2"] == (MISMATCH if file_version == "xl" else OTHER_APPLICATION)
    assert store.get_model(r.model_id).workbook_metadata["app_heading"] == heading


def test_a_binomial_range_limit_of_excel_is_a_known_difference(tmp_path: Path) -> None:
    """ironcalc's Excel-computed tests cache BINOM.DIST(1E10,1E30,0.3,TRUE) as #NUM!: Excel gives
    up on the trial count, the engine computes the probability. Other differences of the same
    function stay mismatches."""
    rows = (
        '<row r="1"><c r="A1" t="e"><f>_xlfn.BINOM.DIST(1E10,1E30,0.3,TRUE)</f><v>#NUM!</v></c>'
        '<c r="B1" t="e"><f>BINOMDIST(1E10,1E30,0.3,TRUE)</f><v>#NUM!</v></c>'
        '<c r="C1"><f>_xlfn.BINOM.DIST(2,10,0.3,TRUE)</f><v>0.5</v></c>'  # a plain difference
        '<c r="D1"><f>_xlfn.BINOM.DIST(2,10,0.3,TRUE)</f><v>0.3827827864</v></c></row>'
    )
    got = _statuses(tmp_path, rows)
    assert got["A1"] == got["B1"] == "engine_difference"
    assert got["C1"] == MISMATCH
    assert got["D1"] == MATCHED
