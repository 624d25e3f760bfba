"""Corrections of hyperformula/functions/fixm_functions.js: SUMIF / AVERAGEIF resize sum_range to
range's shape, criteria ranges intersected implicitly, DATE past 9999, date text before 1900,
HYPERLINK of an empty cell, PROB without probabilities, VLOOKUP not found before a bad index,
GAMMA.INV for tiny probabilities, database functions with a logical field, XMATCH with ß,
FREQUENCY without numeric bins.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (file quoted where used).
"""

from __future__ import annotations

import openpyxl
from engine_cases import check, evaluate, import_and_check, recomputed_values

# B1:B7 errors, C1:C4 numbers, C10 a number (the layout of poi__formulaevaltestdata_copy.xlsx's
# SUMIF test), E1:E4 a criteria column with letters, F1:F4 values.
SUMIF_DATA = [
    (1, 2, "=#NULL!"),
    (2, 2, "=#DIV/0!"),
    (3, 2, "=#VALUE!"),
    (4, 2, "=#REF!"),
    (5, 2, "=#NAME?"),
    (6, 2, "=#NUM!"),
    (7, 2, "=#N/A"),
    (1, 3, 0),
    (2, 3, 1e-5),
    (3, 3, 1.1),
    (4, 3, 1.00001),
    (10, 3, 1.00001),
    (1, 5, "a"),
    (2, 5, "b"),
    (3, 5, "a"),
    (4, 5, "a"),
    (1, 6, 1),
    (2, 6, 10),
    (3, 6, 100),
    (4, 6, 1000),
]


def test_sumif_resizes_sum_range(engine):
    # Microsoft ("SUMIF function"): the cells added start at sum_range's upper-left cell and
    # take range's size and shape. Cached in exceltocode__rangesinsteadofcells.xlsx:
    # SUMIF(I28:I31,"a",H28) = 3001 (H28:H31 summed where I is "a").
    check(
        engine,
        [
            ('=SUMIF(E1:E4,"a",F1)', 1101),
            ('=SUMIF(E1:E4,"a",F1:F2)', 1101),
            ('=SUMIF(E1:E4,"a",F1:F4)', 1101),
            ('=SUMIF(E1:E4,"a",F1:G4)', 1101),
            ('=AVERAGEIF(E1:E4,"a",F1)', 367),
            ('=SUMIF(E1:E4,"b",F1)', 10),
        ],
        SUMIF_DATA,
    )


def test_criteria_range_intersects_implicitly(engine):
    # Cached in poi__formulaevaltestdata_copy.xlsx: SUMIF(AA7:AA13, C10:D10, C7) = 1.1 in a row
    # that C10:D10 does not cross: the criterion is #VALUE!, which matches the #VALUE! cell, and
    # sum_range C7 is resized to C7:C13. A criteria range crossing the formula's row gives the
    # cell it crosses (the formulas sit in rows 1, 2, 3 ... of column Z).
    check(
        engine,
        [
            ("=SUMIF(B1:B7,C10:D10,C1)", 1.1),
            ("=COUNTIF(B1:B7,C10:D10)", 1),
            ("=COUNTIF(C1:C7,C1:C10)", 1),
            ("=SUMIF(C1:C7,C1:C10,F1:F7)", 1000),
        ],
        SUMIF_DATA,
    )


def test_sumif_regression_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, (letter, value) in enumerate([("a", 1), ("b", 10), ("a", 100), ("a", 1000)], 1):
        ws.cell(row, 1, letter)
        ws.cell(row, 2, value)
    ws["C1"] = "=2*B1"  # a formula in the resized part is read after it is computed
    ws["C2"] = "=2*B2"
    ws["C3"] = "=2*B3"
    ws["C4"] = "=2*B4"
    import_and_check(
        wb,
        {
            "C1": ("=2*B1", 2),
            "C2": ("=2*B2", 20),
            "C3": ("=2*B3", 200),
            "C4": ("=2*B4", 2000),
            "D1": ('=SUMIF(A1:A4,"a",C1)', 2202),
            "D2": ('=AVERAGEIF(A1:A4,"a",B1)', 367),
            "D3": ('=SUMIF(A1:A4,"b",C1:C2)', 20),
        },
        tmp_path,
    )


def test_date_limits(engine):
    # Cached in ironcalc__date_and_time_date.xlsx: DATE(9999,12,31) = 2958465, DATE(9999,13,-1)
    # = #NUM!. Microsoft ("DATEVALUE function"): date_text must be between 1900-01-01 and
    # 9999-12-31, else #VALUE!; cached in xlcalculator__year.xlsx: YEAR("7/5/1800") = #VALUE!.
    check(
        engine,
        [
            ("=DATE(9999,12,31)", 2958465),
            ("=DATE(9999,13,-1)", "#NUM!"),
            ("=DATE(10000,1,1)", "#NUM!"),
            ("=DATE(2022,13,1)", 44927),
            ('=YEAR("7/5/1800")', "#VALUE!"),
            ('=VALUE("7/5/1800")', "#VALUE!"),
            ('=DATEVALUE("7/5/1800")', "#VALUE!"),
            ('=DATEVALUE("1/1/1900")', 1),
            ('=DATEVALUE("12/31/9999")', 2958465),
            ('=YEAR("7/5/1900")', 1900),
            ('="12:00"+0', 0.5),
        ],
    )


def test_hyperlink_prob_vlookup(engine):
    # Cached: HYPERLINK("https://"&E21, E21) with E21 empty is 0 (ironcalc__link_test.xlsx);
    # PROB over text only is #DIV/0! (ironcalc__statistical_prob.xlsx); VLOOKUP("1", C1, 0)
    # with C1 empty is #N/A (exceltocode__spec_test.xlsx). Microsoft: an index below 1 is
    # #VALUE! (when the value is found).
    check(
        engine,
        [
            ('=HYPERLINK("https://"&A9,A9)', 0),
            ('=HYPERLINK("https://x.org","x")', "x"),
            ("=PROB(A1:A2,B1:B2,1)", "#DIV/0!"),
            ("=PROB(C1:C2,D1:D2,1)", 0.25),
            ("=PROB(C1:C2,D1:D2,1,2)", 1),
            ('=VLOOKUP("1",A9,0)', "#N/A"),
            ("=VLOOKUP(1,C1:D2,0)", "#VALUE!"),
            ("=VLOOKUP(1,C1:D2,2)", 0.25),
        ],
        [(1, 1, "Hi"), (2, 1, "ho"), (1, 2, "hi"), (2, 2, "ho"), (1, 3, 1), (2, 3, 2)]
        + [(1, 4, 0.25), (2, 4, 0.75)],
    )


def test_gamma_inv_tiny_probability(engine):
    # Cached in ironcalc__statistical_gamma.xlsx: GAMMA.INV(GAMMA.DIST(10,9,1e6,TRUE),9,1e6) =
    # 10. Microsoft ("GAMMA.INV function"): GAMMA.INV(0.068094,9,2) = 10.0000112.
    formulas = ["=GAMMA.INV(A1,9,1000000)", "=GAMMAINV(A1,9,1000000)", "=GAMMA.INV(0.068094,9,2)"]
    got = evaluate(engine, formulas, [(1, 1, 2.755707120924027e-51)])
    assert abs(got[0] - 10) < 1e-9 and abs(got[1] - 10) < 1e-9
    assert abs(got[2] - 10.0000112) < 1e-6


def test_database_logical_field_and_xmatch_sharp_s(engine):
    # Cached in ironcalc__database_dcount_dcounta_dget_dproduct.xlsx: DCOUNT(db, TRUE, crit) = 0
    # and DCOUNTA(db, TRUE, crit) = 10: TRUE is column 1 (text), not a header "TRUE".
    # Cached in formulas__test.xlsx: XMATCH("ß", {1,"ss",2.1,"c bau c",4.1}, 0) = 2 (also with
    # match_mode -1 and 1), #N/A with match_mode 2 (wildcards); MATCH("ß", ..., 0) = #N/A.
    check(
        engine,
        [
            ("=DCOUNT(A1:C3,TRUE(),E1:E2)", 0),
            ("=DCOUNTA(A1:C3,TRUE(),E1:E2)", 2),
            ("=DCOUNT(A1:C3,2,E1:E2)", 2),
            ('=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},0)', 2),
            ('=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},-1)', 2),
            ('=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},1)', 2),
            ('=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},2)', "#N/A"),
            ('=MATCH("ß",{1,"ss",2.1,"c bau c",4.1},0)', "#N/A"),
            ('=XMATCH("ss",{1,"SS","c bau c",4.1},0,2)', 2),
        ],
        [(1, 1, "name"), (1, 2, "n"), (1, 3, True), (2, 1, "a"), (3, 1, "b")]
        + [(2, 2, 5), (3, 2, 6), (2, 3, 7), (3, 3, 8), (1, 5, "name")],
    )


def test_frequency_without_numeric_bins(tmp_path):
    # Cached in formulas__test.xlsx: {=FREQUENCY(C43:G43, H43)} with H43 empty and data
    # 1, 2, 3, 0, -1 is 2; {=FREQUENCY(I41:I44, J41:J44)} with J41:J44 empty and data 2, 3, 4 is
    # {0; 3}: one bin of 0.
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, v in enumerate([1, 2, 3, 0, -1], 1):
        ws.cell(1, col, v)
    for row, v in enumerate([2, 3, 4], 3):
        ws.cell(row, 1, v)
    ws["H1"] = "=FREQUENCY(A1:E1,F1)"
    ws["H3"] = openpyxl.worksheet.formula.ArrayFormula("H3:H4", "=FREQUENCY(A3:A6,B3:B6)")
    ws["H6"] = openpyxl.worksheet.formula.ArrayFormula("H6", "=FREQUENCY(A1:E1,F1)")
    got = recomputed_values(wb, tmp_path)
    assert (got["H1"], got["H3"], got["H6"]) == (2, 0, 2)
