"""Built-ins HyperFormula computes differently from Excel, corrected by hyperformula/functions/fix_*.js.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (ironcalc's function test books), quoted where used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

import xlimport
from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet, HyperFormulaEngine
from xlimport.store.base import CellFilter


def evaluate(
    engine: HyperFormulaEngine, formulas: list[str], constants: list[tuple[int, int, Any]] = ()
) -> list[Any]:
    """Values of `formulas`, one per row of column A of a sheet holding `constants`; errors come
    back as their code ("#NUM!")."""
    sheet = EngineSheet("S", list(constants), [(r, 1, f) for r, f in enumerate(formulas, 1)])
    engine.load([sheet], [], EngineSettings())
    [values] = engine.formula_values()
    return [v.code if isinstance(v, EngineErrorValue) else v for v in values]


def check(engine: HyperFormulaEngine, cases: list[tuple[str, Any]], constants=()) -> None:
    got = evaluate(engine, [f for f, _ in cases], constants)
    wrong = [
        (f, want, g)
        for (f, want), g in zip(cases, got, strict=True)
        if not (g == want or (isinstance(want, float) and g == pytest.approx(want, rel=1e-12)))
    ]
    assert wrong == []


# --- ROUND, ROUNDUP, ROUNDDOWN, TRUNC, INT, MROUND ------------------------------------------------

ROUNDING = [
    # Microsoft: ROUND
    ("=ROUND(2.15,1)", 2.2),
    ("=ROUND(2.149,1)", 2.1),
    ("=ROUND(-1.475,2)", -1.48),
    ("=ROUND(21.5,-1)", 20.0),
    ("=ROUND(626.3,-3)", 1000.0),
    ("=ROUND(1.98,-1)", 0.0),
    ("=ROUND(-50.55,-2)", -100.0),
    # Microsoft: ROUNDUP / ROUNDDOWN
    ("=ROUNDUP(3.2,0)", 4.0),
    ("=ROUNDUP(76.9,0)", 77.0),
    ("=ROUNDUP(3.14159,3)", 3.142),
    ("=ROUNDUP(-3.14159,1)", -3.2),
    ("=ROUNDUP(31415.92654,-2)", 31500.0),
    ("=ROUNDDOWN(3.2,0)", 3.0),
    ("=ROUNDDOWN(76.9,0)", 76.0),
    ("=ROUNDDOWN(3.14159,3)", 3.141),
    ("=ROUNDDOWN(-3.14159,1)", -3.1),
    ("=ROUNDDOWN(31415.92654,-2)", 31400.0),
    # Microsoft: TRUNC, INT
    ("=TRUNC(8.9)", 8.0),
    ("=TRUNC(-8.9)", -8.0),
    ("=TRUNC(0.45)", 0.0),
    ("=INT(8.9)", 8.0),
    ("=INT(-8.9)", -9.0),
    # Microsoft: MROUND
    ("=MROUND(10,3)", 9.0),
    ("=MROUND(-10,-3)", -9.0),
    ("=MROUND(1.3,0.2)", 1.4),
    ("=MROUND(5,-2)", "#NUM!"),
    # corpus (ironcalc round / mround_trunc_int): 15 significant digits first
    ("=ROUND(1.05*(0.0284+0.0046)-0.0284,4)", 0.0063),
    ("=ROUNDUP(1.05*(0.0284+0.0046)-0.0284,4)", 0.0063),
    ("=ROUNDDOWN(1.05*(0.0284+0.0046)-0.0284,4)", 0.0062),
    # corpus: the digits argument is truncated
    ("=ROUND(7.123,0.5)", 7.0),
    ("=ROUNDUP(7.123,0.5)", 8.0),
    ("=ROUND(1.745,2.3)", 1.75),
    ("=ROUNDDOWN(1.745,2.7)", 1.74),
    ("=ROUND(123456,-3.2)", 123000.0),
    ("=ROUNDUP(123456,-3.9)", 124000.0),
    ("=TRUNC(10.3,0.5)", 10.0),
    ("=TRUNC(123456789,1000)", 123456789.0),
    ("=TRUNC(5,9.99999e+307)", 5.0),
    ("=TRUNC(1e+100,1e+50)", 1e100),
    # corpus: INT rounds down, also for negative times
    ("=INT(-7.5)", -8.0),
    ("=INT(-8.00001)", -9.0),
    ("=INT(-TIME(2,30,0))", -1.0),
    # corpus: MROUND
    ("=MROUND(-0.00037,0.0001)", "#NUM!"),
    ("=MROUND(5,9.99999e+307)", 0.0),
    ("=MROUND(1e+100,1e+50)", 1e100),
    ("=MROUND(,5)", "#N/A"),
    ("=MROUND(TRUE(),2)", "#VALUE!"),
    ("=MROUND(2,FALSE())", "#VALUE!"),
    ("=MROUND(1/0,5)", "#DIV/0!"),
]


def test_rounding_functions(engine):
    check(engine, ROUNDING)


def test_round_cleans_to_15_digits_before_rounding(engine):
    # 1.14*0.25 is stored as 0.28499999999999998: Excel shows and rounds 0.285
    check(
        engine,
        [
            ("=ROUND(B1*0.25,2)", 0.29),
            ("=ROUND(-B1*0.25,2)", -0.29),
            ("=MROUND(B1*0.25,0.01)", 0.29),
        ],
        [(1, 2, 1.14)],
    )


# --- FLOOR and CEILING family ---------------------------------------------------------------------

FLOOR_CEILING = [
    # Microsoft: FLOOR, CEILING
    ("=FLOOR(3.7,2)", 2.0),
    ("=FLOOR(-2.5,-2)", -2.0),
    ("=FLOOR(2.5,-2)", "#NUM!"),
    ("=FLOOR(1.58,0.1)", 1.5),
    ("=FLOOR(0.234,0.01)", 0.23),
    ("=CEILING(2.5,1)", 3.0),
    ("=CEILING(-2.5,-2)", -4.0),
    ("=CEILING(-2.5,2)", -2.0),
    ("=CEILING(1.5,0.1)", 1.5),
    ("=CEILING(0.234,0.01)", 0.24),
    # Microsoft: FLOOR.MATH, CEILING.MATH
    ("=FLOOR.MATH(24.3,5)", 20.0),
    ("=FLOOR.MATH(6.7)", 6.0),
    ("=FLOOR.MATH(-8.1,2)", -10.0),
    ("=FLOOR.MATH(-5.5,2,-1)", -4.0),
    ("=CEILING.MATH(24.3,5)", 25.0),
    ("=CEILING.MATH(6.7)", 7.0),
    ("=CEILING.MATH(-8.1,2)", -8.0),
    ("=CEILING.MATH(-5.5,2,-1)", -6.0),
    # Microsoft: FLOOR.PRECISE, CEILING.PRECISE, ISO.CEILING
    ("=FLOOR.PRECISE(-3.2,-1)", -4.0),
    ("=FLOOR.PRECISE(3.2,1)", 3.0),
    ("=FLOOR.PRECISE(-3.2,1)", -4.0),
    ("=FLOOR.PRECISE(3.2,-1)", 3.0),
    ("=FLOOR.PRECISE(3.2)", 3.0),
    ("=CEILING.PRECISE(4.3)", 5.0),
    ("=CEILING.PRECISE(-4.3)", -4.0),
    ("=CEILING.PRECISE(4.3,2)", 6.0),
    ("=CEILING.PRECISE(4.3,-2)", 6.0),
    ("=CEILING.PRECISE(-4.3,2)", -4.0),
    ("=CEILING.PRECISE(-4.3,-2)", -4.0),
    ("=ISO.CEILING(4.3)", 5.0),
    ("=ISO.CEILING(-4.3,2)", -4.0),
    ("=ISO.CEILING(4.3,-2)", 6.0),
    # corpus (ironcalc floor_ceiling): quotient cleaned to 15 digits, signs, zero, overflow
    ("=FLOOR(7.1,0.1)", 7.1000000000000005),
    ("=CEILING(7.9,0.1)", 7.9),
    ("=FLOOR(-7.1,1)", -8.0),
    ("=FLOOR(-7.1,-1)", -7.0),
    ("=CEILING(-7.1,1)", -7.0),
    ("=CEILING(-7.1,-1)", -8.0),
    ("=FLOOR(-1e-12,1)", -1.0),
    ("=FLOOR(-1e-12,-1)", 0.0),
    ("=FLOOR(10,0)", "#DIV/0!"),
    ("=FLOOR(0,0)", 0.0),
    ("=CEILING(10,0)", 0.0),
    ("=CEILING(10,-1)", "#NUM!"),
    ("=CEILING(709,1e-307)", "#NUM!"),
    ("=CEILING(10,1e-307)", 10.0),
    ("=CEILING(PI(),1e-12)", 3.14159265359),
    ("=FLOOR(9999999999999,0.21)", 9999999999998.82),
    ("=FLOOR.MATH(0,5)", 0.0),
    ("=CEILING.MATH(5,0)", 0.0),
]


def test_floor_and_ceiling(engine):
    check(engine, FLOOR_CEILING)


# --- Excel's coercion of text, and comparisons at 15 digits ---------------------------------------


def test_empty_text_is_not_a_number_but_an_empty_cell_is_zero(engine):
    check(
        engine,
        [
            ('=""+1', "#VALUE!"),
            ('=FLOOR(10,"")', "#VALUE!"),  # corpus: "Blank cell" column
            ("=FLOOR(10,B1)", "#VALUE!"),  # B1 holds the text ""
            ("=Z99+1", 1.0),
            ("=CEILING(10,Z99)", 0.0),  # corpus: empty significance
            ('=FLOOR(" 10 ",1)', 10.0),  # corpus: spaces around a number are fine
            ('=INT("2024-01-10")', 45301.0),  # corpus: "Coerced text date"
            ('=INT(" 2024-01-10 ")', "#VALUE!"),  # corpus: "Non-Coerced text date"
            ('=MROUND(" 10 ",3)', 9.0),
        ],
        [(1, 2, "")],
    )


def test_numbers_compare_at_15_significant_digits(engine):
    check(
        engine,
        [
            ("=0.1+0.2=0.3", True),
            ("=0.1+0.2>0.3", False),
            ("=0.3<0.1+0.2", False),
            ("=0.1+0.2<>0.3", False),
            ("=1+1e-10=1", False),
            ("=1+1e-10>1", True),
            ("=IF(1.1*3=3.3,1,0)", 1.0),
            ("=-0.1-0.2=-0.3", True),
        ],
    )


# --- complex numbers ---------------------------------------------------------------------------


def test_complex_suffix_and_improduct(engine):
    check(
        engine,
        [
            # Microsoft: COMPLEX, IMPRODUCT
            ("=COMPLEX(3,4)", "3+4i"),
            ('=COMPLEX(3,4,"j")', "3+4j"),
            ("=COMPLEX(0,1)", "i"),
            ("=COMPLEX(1,0)", "1"),
            ('=IMPRODUCT("3+4i","5-3i")', "27+11i"),
            ('=IMPRODUCT("1+2i",30)', "30+60i"),
            # corpus (ironcalc complexs): an empty suffix is "i"; a blank argument counts as 0
            ('=COMPLEX(1,2,"")', "1+2i"),
            ("=COMPLEX(1.23,9.5121,Z99)", "1.23+9.5121i"),
            ('=IMAGINARY(COMPLEX(1.23,9.5121,""))', 9.5121),
            ('=COMPLEX(1,2,"k")', "#VALUE!"),
            ("=IMPRODUCT(7,Z99)", "0"),
            ("=IMPRODUCT(Z98,Z99)", "0"),
            ('=IMPRODUCT("i","i")', "-1"),
        ],
    )


# --- AND, OR, XOR ------------------------------------------------------------------------------


def test_and_or_xor(engine):
    # B1 TRUE, C1 empty, B2 FALSE, B3 text "TRUE", B4 the text ""
    constants = [(1, 2, True), (2, 2, False), (3, 2, "TRUE"), (4, 2, "")]
    check(
        engine,
        [
            # Microsoft
            ("=AND(TRUE(),TRUE())", True),
            ("=AND(TRUE(),FALSE())", False),
            ("=AND(2+2=4,2+3=5)", True),
            ("=OR(1+1=1,2+2=5)", False),
            ("=OR(TRUE(),FALSE())", True),
            ("=XOR(3>0,2<9)", False),
            ("=XOR(3>12,4>6)", False),
            ("=XOR(3>12,4<6)", True),
            # corpus (ironcalc and_or_xor)
            ("=OR(0.1)", True),
            ('=OR("")', "#VALUE!"),
            ('=OR("",TRUE())', True),
            ('=AND("",TRUE())', True),
            ('=OR("TRUE")', True),
            ('=OR("0")', "#VALUE!"),
            ("=AND(Z99)", "#VALUE!"),
            ("=AND(Z99,TRUE())", True),
            ("=AND(B1:C1)", True),  # the empty cell is skipped
            ("=OR(B2:C2)", False),
            ("=OR(B3)", "#VALUE!"),  # text in a reference is skipped
            ("=OR(B4:C4)", "#VALUE!"),
            ("=AND(B1:B3)", False),
            ("=XOR(B1,B1)", False),
            ("=OR(1/0)", "#DIV/0!"),
            ("=AND(TRUE(),NA())", "#N/A"),
        ],
        constants,
    )


# --- a workbook made by code, through the whole import -------------------------------------------


def test_regression_workbook_imports_with_excel_values(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Fixes"
    ws["A1"] = 1.14
    ws["A2"] = -7.5
    ws["A3"] = 7.1
    ws["B1"] = "=ROUND(A1*0.25,2)"
    ws["B2"] = "=INT(A2)"
    ws["B3"] = "=FLOOR(A3,0.1)"
    ws["B4"] = "=CEILING(A3,0)"
    ws["B5"] = "=0.1+0.2=0.3"
    ws["B6"] = '=COMPLEX(1,2,"")'
    ws["B8"] = "=_xlfn.FLOOR.MATH(-5.5,2,-1)"
    ws["B9"] = "=MROUND(A1,-1)"
    ws["C1"] = True
    path = tmp_path / "fixes.xlsx"
    wb.save(path)
    url = f"sqlite:///{tmp_path / 'fixes.db'}"
    result = xlimport.import_workbook(path, store=url)
    store = xlimport.open_store(url)
    got = {
        c["cell"]: c["calculated_value"] if c["calculated_text"] is None else c["calculated_text"]
        for c in store.iter_cells(result.model_id, CellFilter(has_formula=True))
    }
    assert got["B1"] == pytest.approx(0.29)
    assert got["B2"] == -8
    assert got["B3"] == pytest.approx(7.1)
    assert got["B4"] == 0
    assert got["B5"] in (True, 1, "TRUE")
    assert got["B6"] == "1+2i"
    assert got["B8"] == -4
    assert got["B9"] == "#NUM!"


def test_char_and_code_use_windows_1252():
    """Excel for Windows: CHAR(128) is the euro sign, CODE is its inverse (corpus: text_char)."""
    from xlimport.engine.base import EngineSettings, EngineSheet
    from xlimport.engine.hyperformula import HyperFormulaEngine

    eng = HyperFormulaEngine(timeout=60)
    try:
        sheet = EngineSheet(
            "S",
            formulas=[
                (1, 1, "=CHAR(128)"),
                (1, 2, "=CHAR(150)"),
                (1, 3, "=CHAR(65)"),
                (1, 4, '=CODE("€")'),
                (1, 5, "=CODE(CHAR(233))"),
                (1, 6, "=CHAR(0)"),
                (1, 7, "=CHAR(129)"),
            ],
        )
        eng.load([sheet], [], EngineSettings())
        values = eng.formula_values()[0]
    finally:
        eng.close()
    assert values[:5] == ["€", "–", "A", 128.0, 233.0]
    assert getattr(values[5], "code", None) == "#VALUE!"
    assert values[6] == "\x81"


def test_char_and_code_use_mac_roman_for_workbooks_saved_by_mac_excel():
    """Excel for Mac: CHAR(128) is "Ä" (corpus: formulas__test, utf8-strings, saved by Mac Excel);
    the pipeline picks the set from the application that saved the workbook."""
    from xlimport.engine.base import EngineSettings, EngineSheet
    from xlimport.engine.hyperformula import HyperFormulaEngine

    eng = HyperFormulaEngine(timeout=60)
    try:
        sheet = EngineSheet(
            "S",
            formulas=[
                (1, 1, "=CHAR(128)"),
                (1, 2, "=CHAR(219)"),
                (1, 3, '=CODE("Ä")'),
                (1, 4, "=CODE(CHAR(165))"),
            ],
        )
        eng.load([sheet], [], EngineSettings(charset="mac-roman"))
        assert eng.formula_values()[0] == ["Ä", "€", 128.0, 165.0]
        eng.load([sheet], [], EngineSettings())  # Windows again: the setting is per workbook
        assert eng.formula_values()[0][:3] == ["€", "Û", 196.0]
    finally:
        eng.close()
