"""TEXT, FIXED and DOLLAR in the real engine give the strings Excel gives.

Expected strings come from Microsoft's documentation of TEXT and of number-format codes, and from
the values Excel cached in real workbooks of the shared corpus.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet, HyperFormulaEngine

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "files"

JUNE_30_2021 = 44377.0  # serial of 2021-06-30 in the 1900 system
NOON = 0.5
T_14_35_27 = (14 * 3600 + 35 * 60 + 27) / 86400

# (value, format, what Excel gives)
CASES: list[tuple[Any, str, str]] = [
    # the failures that started this
    (2286677.24, "#,##0.00", "2,286,677.24"),
    (0.5, "0%", "50%"),
    (JUNE_30_2021, "dd-mmm-yy", "30-Jun-21"),
    # Microsoft's TEXT examples
    (1234.567, "$#,##0.00", "$1,234.57"),
    (1234.567, "#,##0", "1,235"),
    (0.285, "0.0%", "28.5%"),
    (4.34, "# ?/?", "4 1/3"),
    (0.4, "# ?/?", " 2/5"),  # no whole part: a space for it
    (12200000, "0.00E+00", "1.22E+07"),
    (1234567898, "[<=9999999]###-####;(###) ###-####", "(123) 456-7898"),
    (1234567, "0000000", "1234567"),
    (123, "0000000", "0000123"),
    (JUNE_30_2021, "mm/dd/yy", "06/30/21"),
    (JUNE_30_2021, "dddd", "Wednesday"),
    (NOON + 0.75 / 24, "h:mm AM/PM", "12:45 PM"),
    # digits, separators, scaling
    (1234.5, "0", "1235"),
    (-1234.5, "0", "-1235"),
    (0.5, "#", "1"),
    (0.4, "#", ""),
    (0.4, "0.#", "0.4"),
    (5, "0.##", "5."),
    (8.9, "#.000", "8.900"),
    (0.631, "0.#", "0.6"),
    (12, "#.0#", "12.0"),
    (1234.568, "#.0#", "1234.57"),
    (44.398, "???.???", " 44.398"),
    (102.65, "???.???", "102.65 "),
    (2.8, "???.???", "  2.8  "),
    (12000, "#,###", "12,000"),
    (12000, "#,", "12"),
    (12200000, "0.0,,", "12.2"),
    (1234567, '#,##0.0,,"M"', "1.2M"),
    (0.0123, "0.00%", "1.23%"),
    (1.5, "0%%", "15000%%"),
    # Excel rounds the decimal string, half away from zero
    (2.675, "0.00", "2.68"),
    (1.005, "0.00", "1.01"),
    (-2.5, "0", "-3"),
    (0.125, "0.00", "0.13"),
    (-0.001, "0.00", "0.00"),  # no "-0.00"
    # sections and conditions
    (-5, "0;(0)", "(5)"),
    (-5, '0;0;"zero"', "5"),
    (0, '0;-0;"zero"', "zero"),
    (-1234.5, "#,##0.00_);[Red](#,##0.00)", "(1,234.50)"),
    (1234.5, "#,##0.00_);[Red](#,##0.00)", "1,234.50 "),
    (1500, '[>=1000]#,##0,"K";0', "2K"),
    (999, '[>=1000]#,##0,"K";0', "999"),
    (5, '[Blue]"up "0;[Red]"down "0', "up 5"),
    (-5, '[Blue]"up "0;[Red]"down "0', "down 5"),
    (11, '[<10]#" Wow"', "11"),  # no section applies: General
    # literals, escapes, spacing, fill
    (12.3, '"Total: "0.0', "Total: 12.3"),
    (12.3, "\\#0.0", "#12.3"),
    (12.3, "0.0_)", "12.3 "),
    (12.3, "*-0.0", "12.3"),
    (42, "[$€-407] #,##0", "€ 42"),
    (1234567890, "000-00-0000", "1234-56-7890"),
    # scientific
    (0.000123, "0.00E+00", "1.23E-04"),
    (12345, "##0.0E+0", "12.3E+3"),
    (0, "0.00E+00", "0.00E+00"),
    (123456, "0.0e-0", "1.2e5"),
    # fractions
    (0.75, "# ??/??", "  3/4 "),
    (3.14159, "# ??/??", "3 14/99"),
    (3.14159, "# ???/???", "3  16/113"),
    (0.5, "# ?/8", " 4/8"),
    (1.25, "?/?", "5/4"),
    (2, "# ?/?", "2    "),
    # General
    (1234.5, "General", "1234.5"),
    (1 / 3, "General", "0.333333333"),
    (123456789012, "General", "1.23457E+11"),
    (0.1 + 0.2, "General", "0.3"),
    (-42, "General", "-42"),
    (5, '"x"General', "x5"),
    # dates and times
    (JUNE_30_2021, "yyyy-mm-dd", "2021-06-30"),
    (JUNE_30_2021, "d/m/yyyy", "30/6/2021"),
    (JUNE_30_2021, "mmmm d, yyyy", "June 30, 2021"),
    (JUNE_30_2021, "ddd mmm", "Wed Jun"),
    (JUNE_30_2021, "mmmmm", "J"),
    (JUNE_30_2021 + T_14_35_27, "yyyy-mm-dd hh:mm:ss", "2021-06-30 14:35:27"),
    (JUNE_30_2021 + T_14_35_27, "h:mm", "14:35"),
    (JUNE_30_2021 + T_14_35_27, "h:mm:ss A/P", "2:35:27 P"),
    (T_14_35_27, "mm:ss", "35:27"),
    (0.123456789, "hh:mm:ss.00", "02:57:46.67"),
    (1.5, "[h]:mm", "36:00"),
    (1.5, "[mm]", "2160"),
    (0.25, "[s]", "21600"),
    (60, "yyyy-mm-dd", "1900-02-29"),  # the 1900 leap-year bug
    (61, "yyyy-mm-dd ddd", "1900-03-01 Thu"),
    (1, "dddd d mmmm yyyy", "Sunday 1 January 1900"),
    (0, "yyyy-mm-dd", "1900-01-00"),
    (43831.99999999, "yyyy-mm-dd hh:mm", "2020-01-02 00:00"),  # rounds to the second
    # text through the format
    ("abc", "0.00", "abc"),
    ("abc", '0;-0;0;"<"@">"', "<abc>"),
    ("abc", '"Item: "@', "Item: abc"),
    ("", "0.00", ""),
    ("123", "0.00", "123.00"),  # numeric text is a number
    ("12%", "0.0", "0.1"),
    (123, "@", "123"),
    (True, "0.00", "TRUE"),
]

FAILING = [(1, "yyyy;;;;"), (-1, "yyyy"), (3e6, "yyyy"), (1, "[h"), (1, "mm###")]


def _text_table(engine: HyperFormulaEngine, cases, date1904: bool = False) -> list[Any]:
    """One sheet: the value in A, the format in C, =TEXT(A,C) in B; returns column B.

    (Formats sit in cells: HyperFormula's parser does not read "" inside a string literal.)"""
    constants = [(r, 1, c[0]) for r, c in enumerate(cases, start=1)]
    constants += [(r, 3, c[1]) for r, c in enumerate(cases, start=1)]
    formulas = [(r, 2, f"=TEXT(A{r},C{r})") for r in range(1, len(cases) + 1)]
    engine.load([EngineSheet("T", constants, formulas)], [], EngineSettings(date1904=date1904))
    [values] = engine.formula_values()
    return values


def test_text_formats_as_excel(engine):
    got = _text_table(engine, CASES)
    wrong = [(v, f, want, g) for (v, f, want), g in zip(CASES, got, strict=True) if g != want]
    assert wrong == []


def test_invalid_format_or_undisplayable_date_is_value_error(engine):
    got = _text_table(engine, FAILING)
    assert [g.code if isinstance(g, EngineErrorValue) else g for g in got] == ["#VALUE!"] * 5


def test_errors_propagate_and_literal_arguments(engine):
    formulas = [
        (1, 1, '=TEXT(1/0,"0")'),
        (1, 2, '=TEXT(NA(),"0.00")'),
        (1, 3, '=TEXT(0.5,"0%")'),
        (1, 4, "=TEXT(1234.5,0)"),  # a number as the format is its text
        (1, 5, '="P1: "&TEXT(2286677.24,"#,##0.00")'),
        (1, 6, '=TEXT(DATE(2021,6,30),"dd-mmm-yy")'),
        (1, 7, '=TEXT(TRUE(),"0")'),
        (1, 8, '=TEXT(Z99,"0.00")'),  # an empty cell is 0
        (1, 9, '=LEN(TEXT(0.5,"0%"))'),
    ]
    engine.load([EngineSheet("S", formulas=formulas)], [], EngineSettings())
    [values] = engine.formula_values()
    assert values[0].code == "#DIV/0!"
    assert values[1].code == "#N/A"
    assert values[2:] == ["50%", "1235", "P1: 2,286,677.24", "30-Jun-21", "TRUE", "0.00", 3.0]


def test_date1904_workbooks_count_from_1904(engine):
    got = _text_table(engine, [(0, "yyyy-mm-dd"), (42369, "yyyy-mm-dd dddd")], date1904=True)
    assert got == ["1904-01-01", "2020-01-01 Wednesday"]


def test_fixed_and_dollar(engine):
    formulas = [
        (1, 1, "=FIXED(1234.567,1)"),
        (1, 2, "=FIXED(1234.567,-1)"),
        (1, 3, "=FIXED(-1234.567,-1,TRUE())"),
        (1, 4, "=FIXED(44.332)"),
        (1, 5, "=DOLLAR(1234.567,2)"),
        (1, 6, "=DOLLAR(-1234.567,-2)"),
        (1, 7, "=DOLLAR(-0.123,4)"),
        (1, 8, "=DOLLAR(99.888)"),
    ]
    engine.load([EngineSheet("S", formulas=formulas)], [], EngineSettings())
    [values] = engine.formula_values()
    assert values == [
        "1,234.6",
        "1,230",
        "-1230",
        "44.33",
        "$1,234.57",
        "($1,200)",
        "($0.1230)",
        "$99.89",
    ]


# ---- real cached values ----------------------------------------------------------------------
TEXT_CALL = re.compile(r"(?<![A-Z0-9_.])TEXT\(", re.IGNORECASE)

# Files whose every TEXT cell the engine must reproduce exactly.
CORPUS_FILES = [
    "ironcalc__text_text.xlsx",
    "ironcalc__templates_event_calendar.xlsx",
    "ironcalc__templates_yearly_calendar.xlsx",
    "poi__dateformattests.xlsx",
    "poi__dateformatnumbertests.xlsx",
    "poi__generalformattests.xlsx",
    "poi__formatconditiontests.xlsx",
    "poi__formatchoicetests.xlsx",
    "poi__numberformatapproxtests.xlsx",
    "poi__numberformattests.xlsx",
    "poi__formulaevaltestdata_copy.xlsx",
    "sheetjs__formula_stress_test.xlsx",
    "poi__textformattests.xlsx",
    "poi__59106.xlsx",
    "sheetjs__1904_1900.xlsx",
    "sheetjs__1904_1904.xlsx",
    "sheetjs__issue2717_issue2717.xlsx",
]


def _cached(cell: Any, epoch: dt.datetime) -> Any:
    v = cell.value
    if cell.data_type == "e":
        return EngineErrorValue(str(v))
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return float(to_excel(v, epoch))
    if isinstance(v, dt.timedelta):
        return v.total_seconds() / 86400
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return v


def text_cells_recomputed(engine: HyperFormulaEngine, path: Path) -> list[tuple[str, Any, Any]]:
    """(cell, cached, recomputed) for every formula calling TEXT. Every other cell is loaded as
    the constant Excel cached, so TEXT sees exactly the inputs Excel saw."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb_f = openpyxl.load_workbook(path)
        wb_v = openpyxl.load_workbook(path, data_only=True)
    sheets: list[EngineSheet] = []
    expected: list[list[tuple[str, Any]]] = []
    for ws in wb_f.worksheets:
        ws_v = wb_v[ws.title]
        sheet = EngineSheet(ws.title)
        wanted: list[tuple[str, Any]] = []
        for row in ws.iter_rows():
            for cell in row:
                f = cell.value
                text = f if isinstance(f, str) else getattr(f, "text", None)
                cached = _cached(ws_v.cell(cell.row, cell.column), wb_v.epoch)
                if isinstance(text, str) and text.startswith("=") and TEXT_CALL.search(text):
                    # the reader strips the prefix files add to newer functions; so do we
                    sheet.formulas.append((cell.row, cell.column, text.replace("_xlfn.", "")))
                    wanted.append(
                        (f"{ws.title}!{get_column_letter(cell.column)}{cell.row}", cached)
                    )
                elif cached is not None:
                    sheet.constants.append((cell.row, cell.column, cached))
        sheets.append(sheet)
        expected.append(wanted)
    engine.load(sheets, [], EngineSettings(date1904=wb_v.epoch.year == 1904))
    out = []
    for wanted, got in zip(expected, engine.formula_values(), strict=True):
        for (ref, cached), value in zip(wanted, got, strict=True):
            out.append((ref, cached, value))
    return out


def _same(cached: Any, value: Any) -> bool:
    if isinstance(cached, EngineErrorValue) or isinstance(value, EngineErrorValue):
        return getattr(cached, "code", cached) == getattr(value, "code", value)
    if cached is None:
        return value in (None, "")
    if isinstance(cached, float) and isinstance(value, float):
        return abs(cached - value) <= 1e-9 * max(1.0, abs(cached))
    return cached == value


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_text_cells_match_excel(engine, name):
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file absent: {path}")
    cells = text_cells_recomputed(engine, path)
    assert cells, "the file has TEXT formulas"
    wrong = [c for c in cells if not _same(c[1], c[2])]
    assert wrong == []


def test_generated_circular_model_labels(engine):
    path = SHARED / "generated" / "fm_circ_1k.xlsx"
    if not path.exists():
        pytest.skip(f"absent: {path}")
    cells = text_cells_recomputed(engine, path)
    assert len(cells) >= 5
    wrong = [c for c in cells if not _same(c[1], c[2])]
    assert wrong == []
    assert any(": " in c[2] and "," in c[2] for c in cells)  # "P1: 2,286,677.24"-style labels
