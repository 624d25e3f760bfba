"""Built-ins HyperFormula computes differently from Excel (or lacks), corrected by
hyperformula/functions/fix4_*.js: SORT and UNIQUE, XLOOKUP, YEARFRAC's argument checks.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (ironcalc's lookup_and_reference_sort / _xlookup and pycel's yearfrac
books), quoted where used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from engine_cases import check, import_and_check


def column(values: list[Any], col: int = 1) -> list[tuple[int, int, Any]]:
    return [(r, col, v) for r, v in enumerate(values, 1) if v is not None]


# --- SORT, UNIQUE -------------------------------------------------------------------------------

# Column A of ironcalc's sort book, shortened: Excel's cached SORT puts numbers, then text
# (case-insensitive, ties in their order), then errors by code, then blank cells as 0.
SORT_DATA = [5, "Hola", "=1/0", "HOLA", None, -2, "De", "=NA()"]


def test_sort_orders_as_excel(engine):
    cases = [
        (f"=INDEX(SORT(A1:A8),{i})", want)
        for i, want in enumerate([-2, 5, "De", "Hola", "HOLA", "#DIV/0!", "#N/A", 0], 1)
    ]
    cases += [
        (f"=INDEX(SORT(A1:A8,1,-1),{i})", want)
        for i, want in enumerate(["#N/A", "#DIV/0!", "Hola", "HOLA", "De", 5, -2, 0], 1)
    ]
    check(engine, cases, column(SORT_DATA))


def test_sort_arguments(engine):
    # Microsoft "SORT function": sort_index picks the column, by_col sorts columns.
    constants = column([3, 1, 2]) + column(["c", "a", "b"], 2)
    check(
        engine,
        [
            ("=INDEX(SORT(A1:B3,2),1,1)", 1),
            ("=INDEX(SORT(A1:B3,2,-1),1,2)", "c"),
            ("=INDEX(SORT({3,1,2},1,1,1),1,1)", 1),
            ("=INDEX(SORT(A1:B3,3),1,1)", "#VALUE!"),
            ("=INDEX(SORT(A1:B3,1,0),1,1)", "#VALUE!"),
        ],
        constants,
    )


def test_unique(engine):
    # Microsoft "UNIQUE function": distinct rows in order of appearance, text case-insensitive;
    # exactly_once keeps the rows that occur once.
    constants = column(["Marie", "bob", "MARIE", "Ann", "Bob"])
    check(
        engine,
        [
            ("=ROWS(UNIQUE(A1:A5))", 3),
            ("=INDEX(UNIQUE(A1:A5),2)", "bob"),
            ("=INDEX(UNIQUE(A1:A5,,TRUE()),1)", "Ann"),
            ("=INDEX(UNIQUE(A1:A5,FALSE(),FALSE()),3)", "Ann"),
        ],
        constants,
    )


# --- XLOOKUP ------------------------------------------------------------------------------------

# ironcalc xlookup book, sheet ReturnSmaller / ReturnLarger, lookup array A4:A10, results B4:B10.
LOOKUP = [2, 5, 4, 5, 3, True, "ala"]
RESULT = list("abcdefg")


def test_xlookup_linear_match_modes(engine):
    constants = column(LOOKUP) + column(RESULT, 2)
    x = "A1:A7,B1:B7"
    check(
        engine,
        [  # cached values of the corpus book
            (f"=XLOOKUP(2.1234,{x},,-1)", "a"),
            (f"=XLOOKUP(1.8,{x},,-1)", "#N/A"),
            (f"=XLOOKUP(5,{x},,-1)", "b"),
            (f"=XLOOKUP(5,{x},,-1,-1)", "d"),
            (f'=XLOOKUP("qwerty",{x},,-1)', "g"),
            (f"=XLOOKUP(FALSE(),{x},,-1)", "g"),
            (f"=XLOOKUP(2.1234,{x},,1)", "e"),
            (f"=XLOOKUP(10,{x},,1)", "g"),
            (f'=XLOOKUP("qwerty",{x},,1)', "f"),
            (f'=XLOOKUP(10,{x},"Not found",-1)', "b"),
            (f'=XLOOKUP(1,{x},"Not found",-1)', "Not found"),
            (f"=XLOOKUP(1/0,{x})", "#DIV/0!"),
            (f"=XLOOKUP(99,{x})", "#N/A"),
        ],
        constants,
    )


def test_xlookup_binary_and_wildcards(engine):
    asc = [1, 2, 3, 4, 5, 5, 5, 6, 7, 7, 7, 8, 9]
    constants = column(asc) + column(list("abcdefghijklm"), 2) + column(asc[::-1], 3)
    check(
        engine,
        [  # MultipleElements sheet: first of a run ascending, last of a run descending
            ("=XLOOKUP(5,A1:A13,B1:B13,,-1,2)", "e"),
            ("=XLOOKUP(7,A1:A13,B1:B13,,1,2)", "i"),
            ("=XLOOKUP(5,C1:C13,B1:B13,,-1,-2)", "i"),
            ("=XLOOKUP(6.5,A1:A13,B1:B13,,-1,2)", "h"),
            ("=XLOOKUP(6.5,A1:A13,B1:B13,,1,2)", "i"),
            ('=XLOOKUP("a",A1:A13,B1:B13,,-1,2)', "m"),  # text sorts after numbers
            ("=XLOOKUP(0,A1:A13,B1:B13,,-1,2)", "#N/A"),
            ('=XLOOKUP("b*",{"ab","bc"},{1,2},,2)', 2),
            ('=XLOOKUP("?c",{"ab","bc"},{1,2},,2)', 2),
            ('=XLOOKUP("b*",{"ab","bc"},{1,2},,2,2)', "#VALUE!"),
            ("=XLOOKUP(5,A1:A13,B1:B13,,4)", "#VALUE!"),  # 3 is regex match (Excel 365)
            ("=XLOOKUP(5,A1:A13,B1:B12)", "#VALUE!"),
        ],
        constants,
    )


def test_xlookup_returns_rows_and_columns(engine):
    # Microsoft "XLOOKUP function": a whole row of return_array for a vertical lookup array.
    constants = column([1, 2]) + column([10, 20], 2) + column([100, 200], 3)
    check(
        engine,
        [
            ("=SUM(XLOOKUP(2,A1:A2,B1:C2))", 220),
            ("=INDEX(XLOOKUP(2,A1:A2,B1:C2),1,2)", 200),
            ("=XLOOKUP(20,{10,20},{5,6})", 6),
        ],
        constants,
    )


# --- YEARFRAC -----------------------------------------------------------------------------------


def test_yearfrac_documented_and_argument_order(engine):
    # Microsoft "YEARFRAC function": 2012-01-01 to 2012-07-30 is 0.58055556 (basis 0),
    # 0.57650273 (basis 1), 0.57808219 (basis 3). Argument checks: pycel's yearfrac book.
    check(
        engine,
        [
            ("=ROUND(YEARFRAC(40909,41120),8)", 0.58055556),
            ("=ROUND(YEARFRAC(40909,41120,1),8)", 0.57650273),
            ("=ROUND(YEARFRAC(40909,41120,3),8)", 0.57808219),
            ("=YEARFRAC(1,200,0)", 0.5472222222222223),
            ("=YEARFRAC(1,200,4)", 0.5472222222222223),
            ("=YEARFRAC(200,1,A1)", 0.5472222222222223),  # blank basis is 0, dates swap
            ("=YEARFRAC(2958466,200,0)", "#NUM!"),
            ("=YEARFRAC(-1,200,0)", "#NUM!"),
            ("=YEARFRAC(1/0,200,-1)", "#NUM!"),  # basis checked before the dates
            ('=YEARFRAC(1/0,200,"plugh")', "#VALUE!"),
            ("=YEARFRAC(1,200,A2)", "#VALUE!"),  # a logical basis
            ("=YEARFRAC(1/0,200,NA())", "#N/A"),
            ("=YEARFRAC(1/0,200,0)", "#DIV/0!"),
            ("=YEARFRAC(1,200,5)", "#NUM!"),
        ],
        [(2, 1, True)],
    )


def test_import_regression_workbook(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for i, (k, v) in enumerate([(3, "c"), (1, "a"), (2, "b")], 1):
        ws.cell(i, 1, k)
        ws.cell(i, 2, v)
    expected = {
        "D1": ("=INDEX(_xlfn._xlws.SORT(A1:B3),1,2)", "a"),
        "D2": ("=_xlfn.XLOOKUP(2.5,A1:A3,B1:B3,,-1)", "b"),
        "D3": ('=_xlfn.XLOOKUP(9,A1:A3,B1:B3,"none")', "none"),
        "D4": ("=ROWS(_xlfn.UNIQUE(A1:A3))", 3),
        "D5": ('=YEARFRAC(1,200,"x")', "#VALUE!"),
    }
    import_and_check(wb, expected, tmp_path)
