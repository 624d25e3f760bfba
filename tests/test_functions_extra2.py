"""Excel functions HyperFormula lacks, added by hyperformula/functions/extra2_*.js: KURT,
PERCENTRANK, PERCENTRANK.INC, PERCENTRANK.EXC, AREAS, BAHTTEXT.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas' and sheetjs' function test books), quoted where used.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from engine_cases import check, evaluate, import_and_check
from scipy.stats import kurtosis


def column(values: list, col: int = 1) -> list[tuple[int, int, object]]:
    """Constants filling one column from row 1."""
    return [(r, col, v) for r, v in enumerate(values, 1)]


# --- KURT ---------------------------------------------------------------------------------------


def test_kurt_documented_example(engine):
    # Microsoft: KURT(A2:A11) of 3,4,5,2,3,4,5,6,4,7 is -0.151799637.
    [got] = evaluate(engine, ["=KURT(A1:A10)"], column([3, 4, 5, 2, 3, 4, 5, 6, 4, 7]))
    assert got == pytest.approx(-0.151799637, abs=1e-9)


def test_kurt_arguments_and_errors(engine):
    # Corpus (formulas__test.xlsx, STATISTICAL!R56:Y56): ranges overlap freely; a typed text
    # argument that is no number is #VALUE!; text and TRUE in a referenced cell are skipped, so
    # KURT(<text cell>, 5) has one number: #DIV/0!; fewer than four numbers is #DIV/0!.
    constants = [(1, 1, 4), (1, 2, 0.1), (1, 3, 0.2), (1, 4, 0.3), (1, 5, 5)]
    constants += [(1, 7, "29/02/1900"), (1, 8, True)]
    check(
        engine,
        [
            ("=KURT(A1:B1,B1:C1,C1:D1)", 5.951621437925667),
            ('=KURT(B1:C1,C1:D1,D1:E1,"")', "#VALUE!"),
            ("=KURT(G1,E1)", "#DIV/0!"),
            ("=KURT(H1,E1)", "#DIV/0!"),
            ("=KURT(E1:F1)", "#DIV/0!"),
            ("=KURT(A1:E1)", -2.7514684363561024),
            ("=KURT(1,1,1,1)", "#DIV/0!"),
            ("=KURT(A1:E1,1/0)", "#DIV/0!"),
            # typed arguments are coerced: "3" is 3, TRUE is 1 (scipy's unbiased excess kurtosis)
            ('=KURT(1,2,"3",TRUE(),9)', pytest.approx(kurtosis([1, 2, 3, 1, 9], bias=False))),
        ],
        constants,
    )


# --- PERCENTRANK, PERCENTRANK.INC, PERCENTRANK.EXC ----------------------------------------------

INC_DATA = [13, 12, 11, 8, 4, 3, 2, 1, 1, 1]
EXC_DATA = [1, 2, 3, 6, 6, 6, 7, 8, 9]


def test_percentrank_inc_documented_examples(engine):
    # Microsoft ("PERCENTRANK.INC function"): 2 -> 0.333, 4 -> 0.555, 8 -> 0.666, 5 -> 0.583
    # (interpolated, then truncated to three digits). PERCENTRANK is the same function.
    cases = []
    for name in ("PERCENTRANK.INC", "PERCENTRANK"):
        cases += [
            (f"={name}(A1:A10,2)", 0.333),
            (f"={name}(A1:A10,4)", 0.555),
            (f"={name}(A1:A10,8)", 0.666),
            (f"={name}(A1:A10,5)", 0.583),
            (f"={name}(A1:A10,13)", 1),
            (f"={name}(A1:A10,1)", 0),
        ]
    check(engine, cases, column(INC_DATA))


def test_percentrank_exc_documented_examples(engine):
    # Microsoft ("PERCENTRANK.EXC function"): 7 -> 0.7, 5.43 -> 0.381, 5.43 to 1 digit -> 0.3.
    check(
        engine,
        [
            ("=PERCENTRANK.EXC(A1:A9,7)", 0.7),
            ("=PERCENTRANK.EXC(A1:A9,5.43)", 0.381),
            ("=PERCENTRANK.EXC(A1:A9,5.43,1)", 0.3),
            ("=PERCENTRANK.EXC(A1:A9,1)", 0.1),
            ("=PERCENTRANK.EXC(A1:A9,9)", 0.9),
        ],
        column(EXC_DATA),
    )


def test_percentrank_errors_and_corpus_values(engine):
    # Corpus (formulas__test.xlsx, STATISTICAL!R80:W81, data 0, 0.1, 0.7, 0.002, 4, empty,
    # "13/01/1900", TRUE): text and booleans in the range are skipped; significance below 1 is
    # #NUM!; x outside the data is #N/A.
    data = [0, 0.1, 0.7, 0.002, 4, None, "13/01/1900", True]
    constants = [(1, c, v) for c, v in enumerate(data, 1) if v is not None]
    check(
        engine,
        [
            ("=PERCENTRANK.EXC(A1:H1,4,4)", 0.8333),
            ("=PERCENTRANK.EXC(A1:G1,2,2)", 0.73),
            ("=PERCENTRANK.EXC(A1:G1,2,0)", "#NUM!"),
            ("=PERCENTRANK.EXC(A1:G1,4,3)", 0.833),
            ("=PERCENTRANK.EXC(A1:G1,3,2)", 0.78),
            ("=PERCENTRANK.EXC(A1:G1,1,2)", 0.68),
            ("=PERCENTRANK.INC(A1:H1,4,4)", 1),
            ("=PERCENTRANK.INC(A1:G1,2,2)", 0.84),
            ("=PERCENTRANK.INC(A1:G1,3,2)", 0.92),
            ("=PERCENTRANK.INC(A1:G1,1,2)", 0.77),
            ("=PERCENTRANK.INC(A1:G1,5)", "#N/A"),
            ("=PERCENTRANK.EXC(A1:G1,-1)", "#N/A"),
            ("=PERCENTRANK.INC(G1:H1,1)", "#NUM!"),
            ("=PERCENTRANK.INC(A1:E1,1/0)", "#DIV/0!"),
        ],
        constants,
    )


# --- AREAS --------------------------------------------------------------------------------------


def test_areas(engine):
    # Microsoft ("AREAS function"): AREAS(B2:D4) is 1. Every reference HyperFormula can hold is
    # one area (corpus: AREAS(C4:F4), AREAS(I4) cached 1, also over error cells).
    check(
        engine,
        [
            ("=AREAS(B2:D4)", 1),
            ("=AREAS(A1)", 1),
            ("=AREAS((A1))", 1),
            ("=AREAS(A:A)", 1),
            ("=AREAS(1:3)", 1),
            ("=AREAS(C1)", 1),
            ("=AREAS(INDEX(A1:B2,1,1))", 1),
            ("=AREAS(5)", "#VALUE!"),
        ],
        [(1, 3, "=1/0")],
    )


# --- BAHTTEXT -----------------------------------------------------------------------------------


def test_bahttext(engine):
    # Microsoft ("BAHTTEXT function"): 1234 -> หนึ่งพันสองร้อยสามสิบสี่บาทถ้วน. Corpus
    # (formulas__test.xlsx, TEXT!R6:Y6): 0, 157, 65, 65.8, -1, TRUE, empty and "ciao".
    check(
        engine,
        [
            ("=BAHTTEXT(1234)", "หนึ่งพันสองร้อยสามสิบสี่บาทถ้วน"),
            ("=BAHTTEXT(0)", "ศูนย์บาทถ้วน"),
            ("=BAHTTEXT(157)", "หนึ่งร้อยห้าสิบเจ็ดบาทถ้วน"),
            ("=BAHTTEXT(65)", "หกสิบห้าบาทถ้วน"),
            ("=BAHTTEXT(65.8)", "หกสิบห้าบาทแปดสิบสตางค์"),
            ("=BAHTTEXT(-1)", "ลบหนึ่งบาทถ้วน"),
            ("=BAHTTEXT(TRUE())", "หนึ่งบาทถ้วน"),
            ("=BAHTTEXT(A1)", "ศูนย์บาทถ้วน"),
            ('=BAHTTEXT("ciao")', "#VALUE!"),
            ("=BAHTTEXT(1/0)", "#DIV/0!"),
            # Thai numerals: 1 after tens is "เอ็ด", 2 tens is "ยี่สิบ", millions repeat "ล้าน"
            ("=BAHTTEXT(21)", "ยี่สิบเอ็ดบาทถ้วน"),
            ("=BAHTTEXT(101)", "หนึ่งร้อยเอ็ดบาทถ้วน"),
            ("=BAHTTEXT(2000000)", "สองล้านบาทถ้วน"),
            ("=BAHTTEXT(0.5)", "ห้าสิบสตางค์"),
        ],
    )


# --- A code-made workbook through the whole import ----------------------------------------------


def test_import_regression_workbook(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for value in INC_DATA:
        ws.append([value])
    ws["B1"] = "text"
    expected = {
        # KURT is the sample excess kurtosis of Microsoft's page (scipy's unbiased kurtosis)
        "C1": ("=KURT(A1:A10)", pytest.approx(kurtosis(INC_DATA, bias=False))),
        "C2": ("=_xlfn.PERCENTRANK.INC(A1:A10,5)", 0.583),
        "C3": ("=PERCENTRANK(A1:A10,4)", 0.555),
        "C4": ("=_xlfn.PERCENTRANK.EXC(A1:A10,13)", 0.909),
        "C5": ("=AREAS(A1:A10)", 1),
        "C6": ("=BAHTTEXT(A1)", "สิบสามบาทถ้วน"),
        "C7": ("=KURT(B1,A1)", "#DIV/0!"),
    }
    import_and_check(wb, expected, tmp_path)
