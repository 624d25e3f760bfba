"""Built-ins HyperFormula computes differently from Excel, corrected by
hyperformula/functions/fix2_*.js.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (ironcalc's function test books), quoted where used.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from engine_cases import check

import xlimport
from xlimport.store.base import CellFilter

# --- COUNTIF, COUNTIFS, SUMIF, SUMIFS, AVERAGEIF, MAXIFS, MINIFS ---------------------------------

# Column A as in ironcalc__statistical_countif.xlsx (sheet Rows, A2:A8), shifted to rows 1-7:
# 23, "23", TRUE, 1, -23, "hey", FALSE. Rows 8-9 hold "" (a formula result) and a blank.
COUNT_RANGE = [
    (1, 1, 23),
    (2, 1, "23"),
    (3, 1, True),
    (4, 1, 1),
    (5, 1, -23),
    (6, 1, "hey"),
    (7, 1, False),
    (9, 1, "x"),
]

COUNTIF_CASES = [
    # Cached by Excel in ironcalc__statistical_countif.xlsx: a number also matches its text,
    # "<>23" excludes only the number.
    ("=COUNTIF(A1:A7,23)", 2),
    ('=COUNTIF(A1:A7,"=23")', 2),
    ('=COUNTIF(A1:A7,"<>23")', 6),
    ("=COUNTIF(A1:A7,TRUE())", 1),
    ('=COUNTIF(A1:A7,"FALSE")', 1),
    ('=COUNTIF(A1:A7,"HEY")', 1),
    ('=COUNTIF(A1:A7,"h?y")', 1),
    ('=COUNTIF(A1:A7,"*")', 2),
    ('=COUNTIF(A1:A7,">0")', 2),
    ('=COUNTIF(A1:A7,"<=-23")', 1),
    ('=COUNTIF(A1:A7,">a")', 1),
    # "<>" counts non-blank cells, "=" and "" blank ones; a blank criterion cell is 0.
    ('=COUNTIF(A1:A9,"<>")', 8),
    ('=COUNTIF(A1:A9,"=")', 1),
    ('=COUNTIF(A1:A9,"")', 1),
    ("=COUNTIF(A1:A7,B1)", 0),
    # Empty operand after an ordering operator matches nothing.
    ('=COUNTIF(A1:A9,"<=")', 0),
    # Microsoft: "~" escapes a wildcard.
    ('=COUNTIF(A1:A9,"~*")', 0),
    # A whole-column reference sees Excel's 1,048,576 rows.
    ('=COUNTIF(A:A,"<>23")', 1048575),
    ('=COUNTIFS(A1:A7,">-100",A1:A7,"<5")', 2),
    ("=COUNTIFS(A1:A7,1,A1:A6,1)", "#VALUE!"),
]


def test_countif_criteria_follow_excel(engine):
    check(engine, COUNTIF_CASES, COUNT_RANGE)


# Sheet1 of ironcalc__math_and_trigonometry_sumifs.xlsx (A2:B20) with the values Excel cached.
SUM_RANGE = [
    (r, c, v)
    for r, (a, b) in enumerate(
        [
            (13, "red"),
            (17, "BLUE"),
            (-23, "yellow"),
            (5, "dark blue"),
            (7, "light blue"),
            (-3, "light yellow"),
            (None, "dark yellow"),
            ("=NA()", "brown"),
            ("=1/0", "white"),
            (None, "Mr. White"),
            (113, "brown"),
            ("123", "blue"),
            (True, "blue"),
            (14, "white dark"),
            (77, "red-ish"),
            (34, "blue-ish"),
            (None, "magenta"),
            (0, "magenta"),
            ("string", "yellow"),
        ],
        1,
    )
    for c, v in ((1, a), (2, b))
    if v is not None
]

SUMIF_CASES = [
    ('=SUMIFS(A1:A19,B1:B19,"blue")', 17),
    ('=SUMIF(B1:B19,"*blue",A1:A19)', 29),
    ('=AVERAGEIF(B1:B19,"*blue",A1:A19)', 29 / 3),
    ('=MINIFS(A1:A19,B1:B19,"*blue")', 5),
    ('=MAXIFS(A1:A19,B1:B19,"*blue")', 17),
    # An error in a matching summed cell is the result.
    ('=SUMIFS(A1:A19,B1:B19,"*o*")', "#N/A"),
    ('=MAXIFS(A1:A19,B1:B19,"white")', "#DIV/0!"),
    ('=SUMIF(B1:B19,"dark*",A1:A19)', 5),
    ('=SUMIF(B1:B19,"*-ish",A1:A19)', 111),
    ('=AVERAGEIF(B1:B19,"*-ish",A1:A19)', 55.5),
    ('=SUMIFS(A1:A19,B1:B19,"magenta")', 0),
    ('=SUMIF(B1:B19,"???-ish",A1:A19)', 77),
    ('=SUMIF(B1:B19,">c",A1:A19)', "#DIV/0!"),
    # No match: 0 for SUMIFS/MAXIFS/MINIFS, #DIV/0! for AVERAGEIF.
    ("=SUMIFS(A1:A19,B1:B19,C1)", 0),
    ("=MINIFS(A1:A19,B1:B19,C1)", 0),
    ("=AVERAGEIF(B1:B19,C1,A1:A19)", "#DIV/0!"),
    # Criteria that are errors match that error (formulas__test.xlsx caches 1 for these).
    ("=COUNTIF(A1:A19,A8)", 1),
    ('=COUNTIF(A1:A19,"#DIV/0!")', 1),
    # SUMIFS ranges of different shapes: #VALUE!.
    ('=SUMIFS(A1:A18,B1:B19,"blue")', "#VALUE!"),
]


def test_sumif_family_follows_excel(engine):
    check(engine, SUMIF_CASES, SUM_RANGE)


# --- ROMAN, ARABIC --------------------------------------------------------------------------------

ROMAN_CASES = [
    # Microsoft: ROMAN
    ("=ROMAN(499,0)", "CDXCIX"),
    ("=ROMAN(499,1)", "LDVLIV"),
    ("=ROMAN(499,2)", "XDIX"),
    ("=ROMAN(499,3)", "VDIV"),
    ("=ROMAN(499,4)", "ID"),
    ("=ROMAN(499,TRUE())", "CDXCIX"),
    ("=ROMAN(499,FALSE())", "ID"),
    # Cached by Excel in ironcalc__math_and_trigonometry_arabic_roman.xlsx
    ("=ROMAN(3999,1)", "MMMLMVLIV"),
    ("=ROMAN(3999.9999999,4)", "MMMIM"),
    ("=ROMAN(4000)", "#VALUE!"),
    ("=ROMAN(-13)", "#VALUE!"),
    ("=ROMAN(5.99999)", "V"),
    ("=ROMAN(0.3)", ""),
    ("=ROMAN(10,5)", "#VALUE!"),
    # Microsoft: ARABIC; the rest cached in the same corpus book
    ('=ARABIC("LVII")', 57),
    ('=ARABIC("mcmxii")', 1912),
    ('=ARABIC("")', 0),
    ('=ARABIC("-X")', -10),
    ('=ARABIC("ixix")', 18),
    ('=ARABIC("CMM")', 1900),
    ('=ARABIC("LDVLIV")', 499),
    ('=ARABIC("ICIC")', 198),
    ('=ARABIC("A")', "#VALUE!"),
]


def test_roman_and_arabic_follow_excel(engine):
    check(engine, ROMAN_CASES)


def test_regression_workbook_imports_with_excel_values(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Fixes2"
    for r, v in enumerate([23, "23", True, 1, -23, "hey", False], 1):
        ws.cell(r, 1, v)
        ws.cell(r, 2, r)
    ws["C1"] = "=COUNTIF(A1:A7,23)"
    ws["C2"] = '=COUNTIF(A1:A7,"<>23")'
    ws["C3"] = '=SUMIF(A1:A7,"h*",B1:B7)'
    ws["C4"] = "=COUNTIFS(A1:A7,TRUE)"
    ws["C5"] = '=_xlfn.MAXIFS(B1:B7,A1:A7,"<0")'
    ws["C6"] = "=ROMAN(4000)"
    ws["C7"] = '=_xlfn.ARABIC("ixix")'
    path = tmp_path / "fixes2.xlsx"
    wb.save(path)
    url = f"sqlite:///{tmp_path / 'fixes2.db'}"
    result = xlimport.import_workbook(path, store=url)
    store = xlimport.open_store(url)
    got = {
        c["cell"]: c["calculated_value"] if c["calculated_text"] is None else c["calculated_text"]
        for c in store.iter_cells(result.model_id, CellFilter(has_formula=True))
    }
    assert got["C1"] == 2
    assert got["C2"] == 6
    assert got["C3"] == 6
    assert got["C4"] == 1
    assert got["C5"] == 5
    assert got["C6"] == "#VALUE!"
    assert got["C7"] == 18


def test_criteria_results_are_reused_only_while_values_stand():
    """Identical SUMIFS calls share one scan while nothing changes; a changed input is seen."""
    from xlimport.engine.base import EngineSettings, EngineSheet
    from xlimport.engine.hyperformula import HyperFormulaEngine

    n = 200
    data = [(r, 1, f"k{r % 5}") for r in range(1, n + 1)] + [
        (r, 2, float(r)) for r in range(1, n + 1)
    ]
    formulas = [(r, 4, f'=SUMIFS($B$1:$B${n},$A$1:$A${n},"k{r % 5}")') for r in range(1, n + 1)]
    eng = HyperFormulaEngine(timeout=60)
    try:
        eng.load([EngineSheet("S", data, formulas)], [], EngineSettings())
        values = eng.formula_values()[0]
        expected = {k: sum(float(r) for r in range(1, n + 1) if r % 5 == k) for k in range(5)}
        assert values == [expected[r % 5] for r in range(1, n + 1)]
        # B1 is in group k1: every k1 total moves, the others stay.
        got = eng.set_and_read([("S", 1, 2, 1001.0)], [("S", 1, 4), ("S", 6, 4), ("S", 2, 4)])
        assert got == [expected[1] + 1000, expected[1] + 1000, expected[2]]
    finally:
        eng.close()
