"""Remaining rules of formulas__test.xlsx and other corpus files, added by
hyperformula/functions/fixe_*.js: IS functions as the whole of an array formula larger than
their argument, YEAR/MONTH/DAY of day zero and of out-of-range serials (also element by
element), SUBSTITUTE element by element in an array formula, and an ordinary formula that is
only an array constant.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx), quoted where used.
"""

from __future__ import annotations

from typing import Any

import openpyxl
from engine_cases import check, import_and_check, recomputed_values
from openpyxl.worksheet.formula import ArrayFormula

# --- YEAR / MONTH / DAY -------------------------------------------------------------------------


def test_date_parts_of_day_zero_and_out_of_range(engine):
    # Cached in formulas__test.xlsx: DAY(2958466) = #NUM! (past 9999-12-31), DAY(-1) = #NUM!,
    # DAY(0) = DAY(0.7) = 0, MONTH(0) = 1, YEAR(0) = 1900; DAY("600") = 22 (1901-08-22).
    check(
        engine,
        [
            ("=DAY(2958466)", "#NUM!"),
            ("=DAY(2958465)", 31),
            ("=YEAR(2958465.5)", 9999),
            ("=DAY(-1)", "#NUM!"),
            ("=DAY(0)", 0),
            ("=DAY(0.7)", 0),
            ("=MONTH(0)", 1),
            ("=YEAR(0)", 1900),
            ('=DAY("600")', 22),
            ("=DAY(60)", 29),
            ("=MONTH(60)", 2),
            ("=DAY(61)", 1),
            ("=YEAR(DATE(2024,2,29))", 2024),
            ("=ARRAYFORMULA(SUM(DAY(A1:F1)))", "#NUM!"),
            ("=ARRAYFORMULA(SUM(DAY(D1:F1)))", 0),
            ("=ARRAYFORMULA(SUM(YEAR(D1:F1)))", 5700),
            ("=ARRAYFORMULA(SUM(MONTH(D1:F1)))", 3),
        ],
        [(1, 1, 1987), (1, 2, -1), (1, 3, 2958466), (1, 4, 0.7), (1, 5, 0)],
    )


# --- SUBSTITUTE in an array formula ----------------------------------------------------------


def test_substitute_element_by_element(engine):
    # Cached in formulas__test.xlsx for {=SUBSTITUTE(T14:T19,U13:AC13,U12:AC12,U11:AC11)}:
    # instance 1.9 replaces the first occurrence, TRUE or an empty cell is #VALUE!, 0 #VALUE!.
    check(
        engine,
        [
            (
                '=ARRAYFORMULA(INDEX(SUBSTITUTE("0, 1.9,2.3,10",A1:D1,5,A2:D2),1,1))',
                "0, 5.9,2.3,10",
            ),
            ('=ARRAYFORMULA(INDEX(SUBSTITUTE("0, 1.9,2.3,10",A1:D1,5,A2:D2),1,2))', "#VALUE!"),
            ('=ARRAYFORMULA(INDEX(SUBSTITUTE("0, 1.9,2.3,10",A1:D1,5,A2:D2),1,3))', "#VALUE!"),
            ('=ARRAYFORMULA(INDEX(SUBSTITUTE("0, 1.9,2.3,10",A1:D1,5,A2:D2),1,4))', "#VALUE!"),
            ('=ARRAYFORMULA(INDEX(SUBSTITUTE("a-1b-1",-1,"",{1,2}),1,2))', "a-1b"),
            ('=ARRAYFORMULA(INDEX(SUBSTITUTE("a-1b-1",-1,"x"),1,1))', "axbx"),
            ('=ARRAYFORMULA(INDEX(SUBSTITUTE({"ab","cb"},"b",""),1,2))', "c"),
            ('=ARRAYFORMULA(INDEX(SUBSTITUTE("ab",{"","a"},"z"),1,1))', "ab"),
            ('=SUBSTITUTE("teststr","t","T",1.9)', "Teststr"),
        ],
        [(1, 1, 1), (1, 2, 1), (1, 3, 1), (2, 1, 1.9), (2, 2, True), (2, 4, 0.99)],
    )


# --- pipeline: array formulas ------------------------------------------------------------------


def test_is_functions_over_a_larger_array_range(tmp_path):
    # Cached in formulas__test.xlsx: {=ISLOGICAL(M11:Q11)} over nine cells shows FALSE in the
    # four cells past its five-cell range; ISNA, ISERROR and ISNONTEXT TRUE there, ISERR and
    # ISBLANK FALSE. A function that passes #N/A on still shows #N/A there.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = True, "x"
    tests = ["ISLOGICAL", "ISNA", "ISERROR", "ISERR", "ISBLANK", "ISNONTEXT", "ISTEXT", "ISNUMBER"]
    for r, fn in enumerate(tests, 3):
        ws[f"A{r}"] = ArrayFormula(f"A{r}:D{r}", f"={fn}(A1:B1)")
        for col in "BCD":
            ws[f"{col}{r}"] = 0
    ws["A12"] = ArrayFormula("A12:A14", "=ISNUMBER(A1)")  # one cell repeated
    ws["A13"], ws["A14"] = 0, 0
    ws["A16"] = ArrayFormula("A16:C16", "=ABS(A1:B1)")
    ws["B16"], ws["C16"] = 0, 0
    ws["A17"] = ArrayFormula("A17:C17", "=NOT(ISNA(A1:B1))")
    ws["B17"], ws["C17"] = 0, 0
    cells = recomputed_values(wb, tmp_path)
    got = {fn: [cells[f"{c}{r}"] for c in "ABCD"] for r, fn in enumerate(tests, 3)}
    assert got == {
        "ISLOGICAL": [1, 0, 0, 0],
        "ISNA": [0, 0, 1, 1],
        "ISERROR": [0, 0, 1, 1],
        "ISERR": [0, 0, 0, 0],
        "ISBLANK": [0, 0, 0, 0],
        "ISNONTEXT": [1, 0, 1, 1],
        "ISTEXT": [0, 1, 0, 0],
        "ISNUMBER": [0, 0, 0, 0],
    }
    assert [cells["A12"], cells["A13"], cells["A14"]] == [0, 0, 0]
    assert [cells["A16"], cells["B16"], cells["C16"]] == [1, "#VALUE!", "#N/A"]
    # inside a larger expression the IS call keeps its own size
    assert [cells["A17"], cells["B17"], cells["C17"]] == [1, 1, "#N/A"]


def test_plain_formula_of_an_array_constant(tmp_path):
    # formulas__test.xlsx: an ordinary formula ={1,2;1,2} shows 1 (the top-left value, the
    # implicit intersection of a constant) and does not spill over its neighbours.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "={1,2;1,2}"
    ws["B1"] = 7
    ws["A2"] = '=({"a","b"})'
    ws["A3"] = "=A1+B1"
    ws["A4"] = "=SUM({1,2;1,2})"
    cells = recomputed_values(wb, tmp_path)
    assert [cells["A1"], cells["A2"], cells["A3"], cells["A4"]] == [1, "a", 8, 6]


# --- the range operator between computed references -------------------------------------------


def test_range_operator_between_computed_references(tmp_path):
    # Values Excel cached in koala__ast_basic_evaluation.xlsx (SUM(INDEX(Liste3,1,1):
    # INDEX(Liste3,1,Indice-1)) in the row of Liste3 itself: 30, 60, 120), ironcalc's
    # range_operator.xlsx (SUM(CHOOSE(1,A1,...):CHOOSE(4,...)) = 15, SUM(INDIRECT("A12"):
    # INDIRECT("A15")) = 54) and koala__files_namedranges.xlsx (SUM(INPUT:OFFSET(...))).
    wb = openpyxl.Workbook()
    ws = wb.active
    for c, v in zip("ABCDE", (1, 2, 3, 4, 5), strict=True):
        ws[f"{c}1"] = v  # the index row
    ws["A2"] = 30
    for c in "BCD":
        ws[f"{c}2"] = f"=SUM(INDEX($A$2:$E$2,1,1):INDEX($A$2:$E$2,1,{c}1-1))"
    for r, v in enumerate((2, 4, 6, 8, 10), 4):
        ws[f"A{r}"] = v
    ws.append([])
    wb.create_sheet("Other")["A1"] = 100
    import_and_check(
        wb,
        {
            "B2": ("=SUM(INDEX($A$2:$E$2,1,1):INDEX($A$2:$E$2,1,B1-1))", 30),
            "C2": ("=SUM(INDEX($A$2:$E$2,1,1):INDEX($A$2:$E$2,1,C1-1))", 60),
            "D2": ("=SUM(INDEX($A$2:$E$2,1,1):INDEX($A$2:$E$2,1,D1-1))", 120),
            "F4": ('=SUM(INDIRECT("A4"):INDIRECT("A6"))', 12),
            "F5": ("=SUM(CHOOSE(1,A4,A5):CHOOSE(2,A4,A8))", 30),
            "F6": ("=SUM(A4:OFFSET(A4,B1,0))", 12),
            "F7": ("=ROWS(INDEX(A4:A8,2):INDEX(A4:A8,4))", 3),
            "F8": ("=SUM(INDEX(A4:A8,0,1):A4)", 30),
            "F9": ("=SUM(INDEX(A4:A8,9):A4)", "#REF!"),
            "F10": ("=SUM(A4:INDEX(Other!A1:A2,1))", "#VALUE!"),
            "F11": ('=SUBTOTAL(109,INDIRECT("A4"):INDIRECT("A5"))', 6),
        },
        tmp_path,
    )


def test_range_operator_precedents():
    # The reference INDEX picks from is no precedent of its own (a formula in the row it picks
    # from is not circular); the values placing the ends and a reference written as one end
    # are.
    from xlimport.references import analyze, rewrite_range_calls

    wb_ctx = _context()
    info = analyze("SUM(INDEX($A$2:$E$2,1,1):INDEX($A$2:$E$2,1,C1-1))", 0, 2, 3, wb_ctx)
    assert info.engine_text == "=SUM(XL.RANGE(INDEX($A$2:$E$2,1,1),INDEX($A$2:$E$2,1,C1-1)))"
    assert info.dynamic and info.refs == [(0, 1, 3, 1, 3)]
    info = analyze("SUM(A7:OFFSET(A4,B1,0))", 0, 2, 3, wb_ctx)
    assert info.dynamic and sorted(info.refs) == [(0, 1, 2, 1, 2), (0, 7, 1, 7, 1)]
    assert rewrite_range_calls("SUM(A1:B2)+COUNT(A1:A3:B4)") == "SUM(A1:B2)+COUNT(A1:A3:B4)"
    assert rewrite_range_calls('TEXT("a:b",1)&X(1):Y(2)') == 'TEXT("a:b",1)&XL.RANGE(X(1),Y(2))'


def _context() -> Any:
    from xlimport.references import AnalysisContext
    from xlimport.workbook import SheetData, WorkbookData

    return AnalysisContext(WorkbookData(sheets=[SheetData(name="Sheet1", index=0)]))


# --- unions of references -----------------------------------------------------------------------


def test_unions_of_known_areas(tmp_path):
    # Cached in formulas__test.xlsx: AREAS((D4:G4,I4:J4,K4:N4)) = 3,
    # AREAS(((F4:G4,G4:I4,F6:G6,G6:I6) G3:G11)) = 4 (each area intersected, repeats kept),
    # COLUMNS((D15:G15,I15:J15,K15:N15)) = #REF!, COLUMNS(((G15:H16) H14:H23)) = 1,
    # ROWS(((G115:H116) H114:H123)) = 2, SUM(E3:G4 (B2:E5,G2:H5)) = 16 over its data.
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(2, 6):
        for c in "BCDEGH":
            ws[f"{c}{r}"] = 1 if r < 4 else 3
    import_and_check(
        wb,
        {
            "K1": ("=AREAS((D4:G4,I4:J4,K4:N4))", 3),
            "K2": ("=AREAS(((F4:G4,G4:I4,F6:G6,G6:I6) G3:G11))", 4),
            "K3": ("=COLUMNS((D15:G15,I15:J15,K15:N15))", "#REF!"),
            "K4": ("=COLUMNS(((G15:H16) H14:H23))", 1),
            "K5": ("=ROWS(((G15:H16) H14:H23))", 2),
            "K6": ("=SUM(E3:G4 (B2:E5,G2:H5))", 8),
            "K7": ("=SUM((B2,C2:C5),D5)", 12),
            "K8": ("=ROWS((B2:C5))", 4),
        },
        tmp_path,
    )


def test_union_rewrite_leaves_other_parentheses():
    from xlimport.references import rewrite_unions

    for formula in ("SUM(A1,(B1))", "1+(A1)", "SUM(X(A1,B1) C1)", 'F("(a,b)")', "F((A1,C1))"):
        assert rewrite_unions(formula) == formula
    # areas tiling one rectangle are that rectangle (tests/test_formula_shapes.py)
    assert rewrite_unions("F((A1,B1))") == "F((A1:B1))"
    assert rewrite_unions("SUM((A1,B1))*2") == "SUM((A1:B1))*2"
    assert rewrite_unions("SUM((A1,C1))*2") == "SUM(A1,C1)*2"
    assert rewrite_unions("_xlfn.AREAS((B7:D14,E2,F4:H16))") == "3"
