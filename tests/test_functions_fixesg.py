"""Statistical functions corrected by hyperformula/functions/fixg_stats.js: lone cell references
read as references (text, logicals and empties ignored), the error precedence of the two-array
functions, Z.TEST's sigma and single-number errors; and IMTAN/IMCOT from fixg_complex.js.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx), quoted where used.
"""

from __future__ import annotations

import pytest
from engine_cases import check

# A1 text that reads as a date, A2 TRUE, A3 empty, B1 -0.1, B2 5, B3 0.1
LONE_CELLS = [(1, 1, "29/02/1900"), (2, 1, True), (1, 2, -0.1), (2, 2, 5), (3, 2, 0.1)]


def test_lone_cell_text_and_logicals_ignored(engine):
    # Cached: AVEDEV(I3,G3) = 0, DEVSQ(J28,G28) = 0, GEOMEAN(I50,G50) = 5, HARMEAN(J53,G53) = 5,
    # MEDIAN(I65,G65) = 0.1, MEDIAN(H65) with H65 empty = #NUM!.
    check(
        engine,
        [
            ("=AVEDEV(A1,B1)", 0),
            ("=AVEDEV(A2,B1)", 0),
            ("=DEVSQ(A1,B1)", 0),
            ("=DEVSQ(A2,B1)", 0),
            ("=GEOMEAN(A1,B2)", 5),
            ("=GEOMEAN(A2,B2)", 5),
            ("=HARMEAN(A1,B2)", 5),
            ("=HARMEAN(A2,B2)", 5),
            ("=MEDIAN(A1,B3)", 0.1),
            ("=MEDIAN(A2,B3)", 0.1),
            ("=MEDIAN(A3)", "#NUM!"),
            ("=MEDIAN(A1)", "#NUM!"),
            ("=MEDIAN(A3,B2)", 5),
            # typed in the formula, text and logicals are still converted
            ("=MEDIAN(TRUE(),B2)", 3),
            ("=MEDIAN(B1,B2,B3)", 0.1),
        ],
        LONE_CELLS,
    )


def test_two_arrays_null_yields_to_later_error(engine):
    # Cached: PEARSON(O77:P77,Q77:R77) = #NUM! with O77 #NULL!, P77 #NUM!, Q77 #REF!;
    # INTERCEPT(O55:S55,K55:O55) = #NUM! (the first array is scanned before the second).
    errors = [(1, 1, "=#NULL!"), (1, 2, "=SQRT(-1)"), (1, 3, "=#REF!"), (1, 4, "=1/0")]
    errors += [(2, 1, "=NA()"), (2, 2, "=#NULL!"), (2, 3, 1), (2, 4, 2)]
    check(
        engine,
        [
            ("=PEARSON(A1:B1,C1:D1)", "#NUM!"),
            ("=COVARIANCE.P(A1:B1,C1:D1)", "#NUM!"),
            ("=COVARIANCE.S(A1:B1,C1:D1)", "#NUM!"),
            ("=SLOPE(A1:B1,C1:D1)", "#NUM!"),
            ("=RSQ(A1:B1,C1:D1)", "#NUM!"),
            ("=F.TEST(A1:B1,C1:D1)", "#NUM!"),
            ("=CHISQ.TEST(A1:B1,C1:D1)", "#NUM!"),
            ("=INTERCEPT(B2:D2,A2:B2)", "#N/A"),
            ("=PEARSON(A2:B2,C1:D1)", "#N/A"),
            ("=PEARSON(B2:C2,A1:A1)", "#NULL!"),
        ],
        errors,
    )


def test_z_test_errors(engine):
    # Cached: Z.TEST(D121:E121,F121,0) = #NUM!, Z.TEST(G121:I121,H121,2) = #DIV/0! (one number).
    check(
        engine,
        [
            ("=Z.TEST(A1:B1,C1,0)", "#NUM!"),
            ("=Z.TEST(A1:B1,C1,-1)", "#NUM!"),
            ("=Z.TEST(D1:F1,E1,2)", "#DIV/0!"),
            ("=Z.TEST({4},1,2)", "#DIV/0!"),
            ("=Z.TEST({1,2,3,4},2,1)", pytest.approx(0.15865525393145707, rel=1e-9)),
        ],
        [(1, 1, 3.2), (1, 2, 0.7), (1, 3, 2), (1, 4, 4), (1, 6, "13/01/1900")],
    )


def test_imtan_imcot_double_angle(engine):
    # Cached in formulas__test.xlsx (IMTAN row 53, IMCOT row 35).
    check(
        engine,
        [
            ('=IMTAN("7+25j")', "3.82126757337684E-22+j"),
            ('=IMTAN("13+5j")', "0.0000692361330972509+0.999941259144671j"),
            ('=IMTAN("3.1+2j")', "-0.00293552600273488+0.964145352213088j"),
            ('=IMTAN("-3+2i")', "0.00988437503832249+0.965385879022133i"),
            ('=IMTAN("-13+25j")', "-2.94156899085227E-22+j"),
            ('=IMCOT("7+25j")', "3.82126757337684E-22-j"),
            ('=IMCOT("13+5j")', "0.0000692442674613868-1.00005873951153j"),
            ('=IMCOT("-13+25j")', "-2.94156899085227E-22-j"),
        ],
    )
