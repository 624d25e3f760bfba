"""Functions of formulas__test.xlsx's largest unmatched groups, added or corrected by
hyperformula/functions/fix6_*.js: the byte variants of the text functions (LENB, LEFTB, RIGHTB,
MIDB, FINDB, SEARCHB, REPLACEB) and ASC as a non-DBCS Excel computes them, FIND/SEARCH start_num,
KURT, PERCENTRANK.INC/EXC and PERCENTOF.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx), quoted where used.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from engine_cases import check, evaluate, import_and_check

# --- byte variants and ASC (non-DBCS: one byte per character) ---------------------------------


def test_byte_variants_count_characters(engine):
    # Microsoft: without a DBCS default language the B variants count each character as 1.
    # Cached in formulas__test.xlsx: FINDB("ia","山田太郎ciao",1) = 6, LEFTB(2.3,2) = "2.".
    check(
        engine,
        [
            ("=LENB(A1)", 3),
            ('=LEFTB("ciao",1)', "c"),
            ('=LEFTB("ciao",0)', ""),
            ('=LEFTB("ciao",-1)', "#VALUE!"),
            ("=LEFTB(2.3,2)", "2."),
            ("=LEFTB(TRUE(),3)", "TRU"),
            ('=RIGHTB("Sale Price",5)', "Price"),
            ('=MIDB("Fluid Flow",7,20)', "Flow"),
            ('=REPLACEB("abcdefghijk",6,5,"*")', "abcde*k"),
            ('=FINDB("ia","山田太郎ciao",1)', 6),
            ('=SEARCHB("n","printer")', 4),
            ('=LENB("山田太郎")', 4),
        ],
        [(1, 1, "abc")],
    )


def test_asc_returns_text_unchanged(engine):
    # Cached in formulas__test.xlsx: ASC(0) = "0", ASC(65.8) = "65.8", ASC(TRUE) = "TRUE".
    check(
        engine,
        [
            ("=ASC(A1)", "0"),
            ("=ASC(65.8)", "65.8"),
            ("=ASC(TRUE())", "TRUE"),
            ('=ASC("ciao")', "ciao"),
        ],
        [(1, 1, 0)],
    )


# --- FIND / SEARCH start_num ----------------------------------------------------------------------


def test_find_search_documented_examples(engine):
    # Microsoft "FIND, FINDB functions": A2 = "Miriam McGovern": FIND("M",A2) = 1,
    # FIND("m",A2) = 6, FIND("M",A2,3) = 8. "SEARCH, SEARCHB functions": SEARCH("e","Statements",6)
    # = 7, SEARCH("margin","Profit Margin") = 8, SEARCH("n","printer") = 4,
    # SEARCH("base","database") = 5.
    check(
        engine,
        [
            ('=FIND("M",A1)', 1),
            ('=FIND("m",A1)', 6),
            ('=FIND("M",A1,3)', 8),
            ('=SEARCH("e","Statements",6)', 7),
            ('=SEARCH("margin","Profit Margin")', 8),
            ('=SEARCH("n","printer")', 4),
            ('=SEARCH("base","database")', 5),
        ],
        [(1, 1, "Miriam McGovern")],
    )


def test_find_search_start_num_rules(engine):
    # Cached in formulas__test.xlsx: FIND("ia","ciao",3) = #VALUE! (no match at or after 3),
    # FIND("ia","ciao",TRUE) = 2, FIND("q","ciao",10) = #VALUE!, SEARCH("BASE","database",1.9)
    # = 5 and (...,2.3) = 5 (start_num truncated), start_num 0 or -1 #VALUE!.
    check(
        engine,
        [
            ('=FIND("ia","ciao",3)', "#VALUE!"),
            ('=FINDB("ia","ciao",3)', "#VALUE!"),
            ('=FIND("ia","ciao",TRUE())', 2),
            ('=FIND("q","ciao",10)', "#VALUE!"),
            ('=FIND("ia","ciao",0)', "#VALUE!"),
            ('=FIND("ia","ciao",-1)', "#VALUE!"),
            ('=SEARCH("BASE","database",1.9)', 5),
            ('=SEARCHB("BASE","database",2.3)', 5),
            ('=SEARCH("BASE","database",6)', "#VALUE!"),
            ('=FIND("","abc",2)', 2),
            ('=SEARCH("b?s*","DataBase")', 5),
            ('=SEARCH("~*","a*b")', 2),
            ('=SEARCH("~?","a?b")', 2),
            ('=FIND("A","abc")', "#VALUE!"),
        ],
    )


# --- KURT, PERCENTRANK.INC/EXC, PERCENTOF -------------------------------------------------------


def test_kurt(engine):
    # Microsoft "KURT function": 3,4,5,2,3,4,5,6,4,7 -> -0.151799637.
    # Cached in formulas__test.xlsx (row 56: 4, 0.1, 0.2, 0.3, 5, empty, "29/02/1900" text, TRUE):
    # KURT(C:D,D:E,E:F) = 5.951621437925667, KURT of a text cell and 5 = #DIV/0!,
    # KURT(..., "") = #VALUE!, KURT(#N/A cell) = #N/A.
    consts = [(1, c, v) for c, v in enumerate([4, 0.1, 0.2, 0.3, 5, None, "29/02/1900", True], 1)]
    consts = [x for x in consts if x[2] is not None] + [(2, 1, "=NA()")]
    for c, v in enumerate([3, 4, 5, 2, 3, 4, 5, 6, 4, 7], 1):
        consts.append((3, c, v))
    got_cases = [
        ("=KURT(A3:J3)", -0.15179963720841),
        ("=KURT(A1:B1,B1:C1,C1:D1)", 5.951621437925667),
        ('=KURT(B1:C1,C1:D1,D1:E1,"")', "#VALUE!"),
        ("=KURT(G1,E1)", "#DIV/0!"),
        ("=KURT(H1,E1)", "#DIV/0!"),
        ("=KURT(A1:C1)", "#DIV/0!"),
        ("=KURT(1,1,1,1)", "#DIV/0!"),
        ("=KURT(A2,A1:E1)", "#N/A"),
    ]
    # KURT(A3:J3) documented to 9 decimals only.
    check(engine, got_cases[1:], consts)
    [value] = evaluate(engine, [got_cases[0][0]], consts)
    assert value == pytest.approx(-0.151799637, abs=1e-9)


def test_percentrank(engine):
    # Microsoft "PERCENTRANK.INC function": 13,12,11,8,4,3,2,1,1,1: x=2 -> 0.333, x=4 -> 0.555,
    # x=8 -> 0.666, x=5 -> 0.583. "PERCENTRANK.EXC function": 1,2,3,6,6,6,7,8,9: x=7 -> 0.7,
    # x=5.43 -> 0.381, x=5.43 with 1 digit -> 0.3 (truncated, not rounded).
    # Cached in formulas__test.xlsx (data 0, 0.1, 0.7, 0.002, 4, empty, text, TRUE):
    # .EXC(x=4, 4 digits) = 0.8333, (2, 2) = 0.73, (1, 2) = 0.68, significance 0.7 = #NUM!,
    # x=13 (outside the data) = #N/A; .INC (4, 4) = 1, (2, 2) = 0.84, (3, 2) = 0.92.
    consts = [(1, c, v) for c, v in enumerate([13, 12, 11, 8, 4, 3, 2, 1, 1, 1], 1)]
    consts += [(2, c, v) for c, v in enumerate([1, 2, 3, 6, 6, 6, 7, 8, 9], 1)]
    consts += [(3, c, v) for c, v in enumerate([0, 0.1, 0.7, 0.002, 4], 1)]
    consts += [(3, 7, "13/01/1900"), (3, 8, True)]
    check(
        engine,
        [
            ("=PERCENTRANK.INC(A1:J1,2)", 0.333),
            ("=PERCENTRANK.INC(A1:J1,4)", 0.555),
            ("=PERCENTRANK.INC(A1:J1,8)", 0.666),
            ("=PERCENTRANK.INC(A1:J1,5)", 0.583),
            ("=PERCENTRANK.EXC(A2:I2,7)", 0.7),
            ("=PERCENTRANK.EXC(A2:I2,5.43)", 0.381),
            ("=PERCENTRANK.EXC(A2:I2,5.43,1)", 0.3),
            ("=PERCENTRANK.EXC(A3:H3,4,4)", 0.8333),
            ("=PERCENTRANK.EXC(A3:G3,2,2)", 0.73),
            ("=PERCENTRANK.EXC(A3:G3,1,2)", 0.68),
            ("=PERCENTRANK.EXC(A3:G3,2,0.7)", "#NUM!"),
            ("=PERCENTRANK.EXC(A3:G3,13,1)", "#N/A"),
            ("=PERCENTRANK.INC(A3:H3,4,4)", 1),
            ("=PERCENTRANK.INC(A3:G3,2,2)", 0.84),
            ("=PERCENTRANK.INC(A3:G3,3,2)", 0.92),
            ("=PERCENTRANK.INC(F3:G3,3)", "#NUM!"),
        ],
        consts,
    )


def test_percentof(engine):
    # Microsoft "PERCENTOF function": the subset's sum over the total's sum. Cached in
    # formulas__test.xlsx (row: 0, 2, 2.3, -0.2, -2, empty, "ciao", TRUE, #VALUE!):
    # PERCENTOF(C:E, D:G) = 2.047619047619048, (D:F, E:H) = 41.00000000000014,
    # (G:I, F:I) = 0.9090909090909091, an error in either range = #NUM!.
    consts = [(1, c, v) for c, v in enumerate([0, 2, 2.3, -0.2, -2], 1)]
    consts += [(1, 7, "ciao"), (1, 8, True), (1, 9, "=1/0")]
    check(
        engine,
        [
            ("=PERCENTOF(A1:C1,B1:E1)", 2.047619047619048),
            ("=PERCENTOF(B1:D1,C1:F1)", 41.00000000000014),
            ("=PERCENTOF(E1:G1,D1:G1)", 0.9090909090909091),
            ("=PERCENTOF(F1:H1,G1:I1)", "#NUM!"),
            ("=PERCENTOF(H1:I1,B1:E1)", "#NUM!"),
            ("=PERCENTOF(B1,A1)", "#DIV/0!"),
        ],
        consts,
    )


# --- a regression workbook through the whole import ----------------------------------------------


def test_import_regression_workbook(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append([3, 4, 5, 2, 3, 4, 5, 6, 4, 7])
    ws.append(["Miriam McGovern", "database"])
    expected = {
        "A5": ("=KURT(A1:J1)", pytest.approx(-0.151799637, abs=1e-9)),
        "A6": ('=FIND("M",A2,3)', 8),
        "A7": ('=SEARCH("BASE",B2,1.9)', 5),
        "A8": ("=LENB(A2)", 15),
        "A9": ("=LEFTB(A2,6)", "Miriam"),
        "A10": ("=_xlfn.PERCENTRANK.INC(A1:J1,4)", 0.333),
        "A11": ("=_xlfn.PERCENTRANK.EXC(A1:J1,4,2)", 0.36),
        "A12": ("=_xlfn.PERCENTOF(A1:B1,A1:D1)", 0.5),
        "A13": ("=ASC(B2)", "database"),
    }
    import_and_check(wb, expected, tmp_path)
