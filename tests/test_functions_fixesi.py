"""Functions corrected by hyperformula/functions/fixi_*.js: XIRR/XNPV argument checks
(fixi_financial.js), PERCENTILE/QUARTILE errors (fixi_stats.js), HYPGEOM.DIST edges
(fixi_hypgeom.js); NUMBERVALUE of a number in brackets (text_extra.js) and MAKEARRAY with a
range as its size (written out by xlimport.references).

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx), quoted where used.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from engine_cases import check, recomputed_values
from openpyxl.worksheet.formula import ArrayFormula

# Row 1 dates, row 2 payments (A..E); F1/F2 empty, G1 a date with G2 text, H1/H2 TRUE;
# rows 5-6 the same flows plus a "hello" payment.
FLOWS = [(1, c, d) for c, d in enumerate([1, 99, 55, 4, 9], 1)]
FLOWS += [(2, c, v) for c, v in enumerate([-10, 1, 5, 0.0001, 4.5], 1)]
FLOWS += [(1, 7, 32015), (2, 7, "1"), (1, 8, True), (2, 8, True), (3, 1, True)]
FLOWS += [(5, c, v) for c, v in enumerate([-10, 1, 5, 0.0001, 4.5, "hello"], 1)]
FLOWS += [(6, c, d) for c, d in enumerate([1, 99, 55, 4, 9, 120], 1)]


def test_xirr_argument_checks(engine):
    # Cached: XIRR(v,d,TRUE) = #VALUE!, XIRR($C$55:H$55,$C$54:H$54) (an empty pair) and
    # XIRR($C$55:I$55,$C$54:I$54) (a "1" payment 87 years on) = the five-pair rate, with a
    # TRUE pair #VALUE!, XIRR({-10,#N/A,1,2,7},{3,#REF!,7,4,9}) = #REF!, XNPV(TRUE,v,d) = #VALUE!.
    cases = [
        ("=ROUND(XIRR(A2:E2,A1:E1),7)", 0.5993198),
        ("=XIRR(A2:E2,A1:E1,TRUE())", "#VALUE!"),
        ("=XIRR(A2:E2,A1:E1,A3)", "#VALUE!"),
        ("=ROUND(XIRR(A2:E2,A1:E1,0.2),7)", 0.5993198),
        ("=XIRR(A2:F2,A1:F1)=XIRR(A2:E2,A1:E1)", True),
        ("=ROUND(XIRR(A2:G2,A1:G1),7)", 0.5993198),
        ("=XIRR(A2:H2,A1:H1)", "#VALUE!"),
        # ironcalc__financial_xirr.xlsx: a "hello" payment is #VALUE!
        ("=XIRR(A5:F5,A6:F6)", "#VALUE!"),
        ("=XIRR(A5:E5,A6:E6)=XIRR(A2:E2,A1:E1)", True),
        ("=XIRR({-10,#N/A,1,2,7},{3,#REF!,7,4,9})", "#REF!"),
        ("=XIRR({-10,#N/A,1,2,7},{3,#VALUE!,7,4,9},#REF!)", "#REF!"),
        ("=XNPV(A3,A2:E2,A1:E1)", "#VALUE!"),
        ("=XNPV(TRUE(),A2:E2,A1:E1)", "#VALUE!"),
        ("=XNPV(-0.1,A2:E2,A1:E1)", "#NUM!"),
    ]
    check(engine, cases, FLOWS)


def test_percentile_data_error_before_k_range(engine):
    # Cached: PERCENTILE(Q29:R29,R29) with Q29 #REF!, R29 -8 = #REF! (likewise .INC, .EXC and
    # the QUARTILEs); QUARTILE(F32:G32,G32) with G32 -0.1 = #NUM! (quart < 0 before truncation).
    constants = [(1, 1, "=#REF!"), (1, 2, -8), (2, 1, 2.2), (2, 2, -0.1)]
    constants += [(3, c, c) for c in range(1, 5)]
    check(
        engine,
        [
            ("=PERCENTILE(A1:B1,B1)", "#REF!"),
            ("=PERCENTILE.INC(A1:B1,B1)", "#REF!"),
            ("=PERCENTILE.EXC(A1:B1,B1)", "#REF!"),
            ("=QUARTILE(A1:B1,B1)", "#REF!"),
            ("=QUARTILE.INC(A1:B1,B1)", "#REF!"),
            ("=QUARTILE.EXC(A1:B1,B1)", "#REF!"),
            ("=QUARTILE(A2:B2,B2)", "#NUM!"),
            ("=QUARTILE.INC(A2:B2,B2)", "#NUM!"),
            ("=QUARTILE(A2:B2,0)", -0.1),
            # documentation examples keep working
            ("=QUARTILE(A3:D3,1)", 1.75),
            ("=PERCENTILE(A3:D3,0.3)", 1.9),
            ("=PERCENTILE(A1:B1,#N/A)", "#N/A"),
        ],
        constants,
    )


def test_hypgeom_dist_edges(engine):
    # Microsoft's examples: HYPGEOM.DIST(1,4,8,20,TRUE) = 0.4654, FALSE = 0.3633. Cached:
    # HYPGEOM.DIST(C54,,,,) with C54 0 = 1, HYPGEOM.DIST(H54,H54,4,4,1) with H54 empty = 1,
    # {=HYPGEOM.DIST(C54:Q54,2,3,3,1)} at 0 = 0, {=HYPGEOM.DIST(C54:Q54,3,2,30,1)} at 5, 3, 4 = 1,
    # HYPGEOM.DIST(5,10,30,7,FALSE) and HYPGEOM.DIST(4,3,7,4,1) = #NUM!.
    check(
        engine,
        [
            ("=ROUND(HYPGEOM.DIST(1,4,8,20,TRUE()),4)", 0.4654),
            ("=ROUND(HYPGEOM.DIST(1,4,8,20,FALSE()),4)", 0.3633),
            ("=HYPGEOM.DIST(0,,,,)", 1),
            ("=HYPGEOM.DIST(A1,A1,4,4,1)", 1),
            ("=HYPGEOM.DIST(0,2,3,3,1)", 0),
            ("=HYPGEOM.DIST(5,3,2,30,1)", 1),
            ("=HYPGEOM.DIST(3,3,2,30,1)", 1),
            ("=HYPGEOM.DIST(5,10,30,7,FALSE())", "#NUM!"),
            ("=HYPGEOM.DIST(4,3,7,4,1)", "#NUM!"),
            ("=HYPGEOM.DIST(3,-1,3,5,1)", "#NUM!"),
            ("=HYPGEOM.DIST(3,3,2,30,0)", "#NUM!"),
        ],
    )


def test_numbervalue_brackets(engine):
    # Cached in formulas__test.xlsx (TEXT sheet, rows 27-28).
    check(
        engine,
        [
            ('=NUMBERVALUE("(2.500,27)",",",".")', -2500.27),
            ('=NUMBERVALUE("(2,500.27)",",",".")', "#VALUE!"),
            ('=NUMBERVALUE("(2,500.27%)%",".",",.,")', -0.250027),
            ('=NUMBERVALUE("(,25,,0,0.27E + 6%)%",".",",.,")', -250027.0),
            ('=NUMBERVALUE("(-2500.27E+2%)%",".",",.,")', "#VALUE!"),
            ('=NUMBERVALUE("250)027",")")', 250.027),
            ('=NUMBERVALUE("(2,500.27%)%",",")', "#VALUE!"),
            ('=NUMBERVALUE("(2500,27E+6%)%",",")', -250027.0),
            ('=NUMBERVALUE("(12")', "#VALUE!"),
            ('=NUMBERVALUE("2.5")', 2.5),
        ],
    )


def test_makearray_lifted_over_a_range(tmp_path: Path, sqlite_url: str) -> None:
    # Cached in formulas__test.xlsx: {=MAKEARRAY(C14:Q14,1,LAMBDA(x,y,x+1+y))} over 0, 2, 2.3,
    # 3, -1, empty, "0", TRUE, #N/A gives #VALUE!, 3, #VALUE!, 3, #VALUE!, #VALUE!, #VALUE!, 3,
    # #N/A: each cell is the top-left of MAKEARRAY(cell,1,...), #VALUE! for a bad count.
    wb = openpyxl.Workbook()
    ws = wb.active
    for c, v in enumerate([0, 2, 2.3, 3, -1, None, "0", True, "=NA()"], start=1):
        if v is not None:
            ws.cell(1, c, v)
    formula = "=_xlfn.MAKEARRAY(A1:I1,1,_xlfn.LAMBDA(_xlpm.x,_xlpm.y,_xlpm.x+1+_xlpm.y))"
    ws["A2"] = ArrayFormula("A2:I2", formula)
    ws["A3"] = ArrayFormula(
        "A3:A4", "=_xlfn.MAKEARRAY(B1,1,_xlfn.LAMBDA(_xlpm.x,_xlpm.y,_xlpm.x*10+_xlpm.y))"
    )
    for c in range(2, 10):
        ws.cell(2, c, 0)  # Excel writes every cell of the range; openpyxl only the anchor
    ws["A4"] = 0
    cells = recomputed_values(wb, tmp_path, sqlite_url)
    got = [cells[f"{col}2"] for col in "ABCDEFGHI"]
    assert got == ["#VALUE!", 3, "#VALUE!", 3, "#VALUE!", "#VALUE!", "#VALUE!", 3, "#N/A"]
    assert [cells["A3"], cells["A4"]] == [11, 21]  # a single cell as the count: one array


def test_index_over_several_areas(tmp_path: Path, sqlite_url: str) -> None:
    # Cached in formulas__test.xlsx: {=INDEX((C52:C54,D52:D54),1,1,E52:E54)} with area numbers
    # 3, 2, 1 gives #REF!, 2.1, -1.1; {=INDEX((C52:C54,D52:D54),E52:E54,1,E52:E54)} gives
    # #REF!, 1.1, -1.1. Microsoft ("INDEX function"): area_num picks the area, 1 when omitted.
    from xlimport.references import rewrite_unions

    assert rewrite_unions("SUM(INDEX((A1:B2,C3:D4),1,2,2))") == "SUM(INDEX(C3:D4,1,2))"
    assert rewrite_unions("INDEX((A1:B2,C3:D4),1,2)") == "INDEX(A1:B2,1,2)"
    assert rewrite_unions("INDEX((A1:B2,C3:D4),1,2,3)") == "#REF!"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate([(-1.1, 2.1, 3), (-2, 1.1, 2), (-2.9, 0.1, 1)], start=1):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws["E1"] = ArrayFormula("E1:E3", "=INDEX((A1:A3,B1:B3),1,1,C1:C3)")
    ws["F1"] = ArrayFormula("F1:F3", "=INDEX((A1:A3,B1:B3),C1:C3,1,C1:C3)")
    ws["G1"] = "=INDEX((A1:A3,B1:B3),2,1,2)"
    ws["G2"] = "=SUM(INDEX((A1:A3,B1:B3),0,1,2))"
    for ref in ("E2", "E3", "F2", "F3"):
        ws[ref] = 0
    cells = recomputed_values(wb, tmp_path, sqlite_url)
    assert [cells[f"E{r}"] for r in (1, 2, 3)] == ["#REF!", 2.1, -1.1]
    assert [cells[f"F{r}"] for r in (1, 2, 3)] == ["#REF!", 1.1, -1.1]
    assert cells["G1"] == 1.1
    assert cells["G2"] == pytest.approx(3.3)
