"""Built-ins HyperFormula computes differently from Excel, corrected by
hyperformula/functions/fix3_*.js: GCD/LCM, the database functions (DSUM...), the number-system
conversions (BIN2DEC...).

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (ironcalc's and xlcalculator's function test books), quoted where used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from engine_cases import check, import_and_check

# --- GCD, LCM -----------------------------------------------------------------------------------


def test_gcd_lcm_documented_examples(engine):
    # Microsoft: GCD(5,2)=1, GCD(24,36)=12, GCD(7,1)=1, GCD(5,0)=5; LCM(5,2)=10, LCM(24,36)=72.
    check(
        engine,
        [
            ("=GCD(5,2)", 1),
            ("=GCD(24,36)", 12),
            ("=GCD(7,1)", 1),
            ("=GCD(5,0)", 5),
            ("=LCM(5,2)", 10),
            ("=LCM(24,36)", 72),
        ],
    )


def test_gcd_lcm_argument_rules(engine):
    # Cached by Excel in ironcalc__math_and_trigonometry_gcd_lcm.xlsx (rows 3-53).
    constants = [
        (1, 1, 10),
        (1, 2, 3),  # A1:C1 = 10, 3, (empty)
        (2, 1, 7.5),
        (2, 2, 4.5),
        (2, 3, 7.7),
        (3, 1, True),
        (3, 2, 2),
        (4, 1, '=""'),
        (4, 2, 5),
        (5, 1, '="8"'),
        (5, 2, 2),
        (6, 2, 5),  # A6 empty, B6 5
        (7, 1, "=2^31-1"),
        (7, 2, "=2^30-1"),
        (8, 1, 1e100),
        (8, 2, 1e50),
    ]
    check(
        engine,
        [
            ("=LCM(A1,B1,C1)", 30),  # an empty cell given directly is skipped
            ("=LCM(A2,B2,C2)", 28),  # values are truncated
            ("=GCD(A2:C2)", 1),
            ("=LCM(A3,B3)", "#VALUE!"),  # booleans are #VALUE!
            ("=GCD(A3:B3)", "#VALUE!"),
            ("=LCM(A4:B4)", "#VALUE!"),  # "" is not a number
            ("=LCM(A5,B5)", 8),  # a numeric text is read as its number
            ("=GCD(A5:B5)", 2),
            ("=LCM(A6,B6)", 5),
            ("=LCM(A6:B6)", 0),  # inside a range an empty cell is 0
            ("=GCD(A6:B6)", 5),
            ("=LCM(C1)", "#VALUE!"),  # only empty cells
            ("=LCM(,B6)", "#N/A"),  # an omitted argument
            ("=GCD(-7.5,5)", "#NUM!"),
            ("=LCM({4,-8,12})", "#NUM!"),
            ("=LCM({4.8,8.4,12})", 24),
            ("=GCD(A8:B8)", "#NUM!"),  # 2^53 and beyond
            ("=LCM(A7:B7)", "#NUM!"),  # the LCM reaches 2^53
            ("=GCD(A7:B7)", 1),
            ("=LCM(0.00037,0.0001)", 0),
            ("=LCM(1/0,5)", "#DIV/0!"),
        ],
        constants,
    )


# --- Database functions -------------------------------------------------------------------------

# Microsoft's DAVERAGE..DVARP example: the orchard table in A5:E11.
ORCHARD = [
    ("Tree", "Height", "Age", "Yield", "Profit"),
    ("Apple", 18, 20, 14, 105),
    ("Pear", 12, 12, 10, 96),
    ("Cherry", 13, 14, 9, 105),
    ("Apple", 14, 15, 10, 75),
    ("Pear", 9, 8, 8, 76.8),
    ("Apple", 8, 9, 6, 45),
]
CRITERIA = [  # A1:F3
    ("Tree", "Height", "Age", "Yield", "Profit", "Height"),
    ('="=Apple"', ">10", None, None, None, "<16"),
    ('="=Pear"', None, None, None, None, None),
]


def _orchard_constants() -> list[tuple[int, int, Any]]:
    out = []
    for r, row in enumerate(CRITERIA, 1):
        out += [(r, c, v) for c, v in enumerate(row, 1) if v is not None]
    for r, row in enumerate(ORCHARD, 5):
        out += [(r, c, v) for c, v in enumerate(row, 1)]
    return out


def test_database_functions_documented_example(engine):
    # Results listed in Microsoft's "DAVERAGE function" .. "DVARP function" articles.
    check(
        engine,
        [
            ('=DCOUNT(A5:E11,"Age",A1:F2)', 1),
            ('=DCOUNTA(A5:E11,"Profit",A1:F2)', 1),
            ('=DMAX(A5:E11,"Profit",A1:A3)', 105),
            ('=DMIN(A5:E11,"Profit",A1:B2)', 75),
            ('=DSUM(A5:E11,"Profit",A1:A2)', 225),
            ('=DSUM(A5:E11,"Profit",A1:F2)', 75),
            ('=DPRODUCT(A5:E11,"Yield",A1:F2)', 10),
            ('=DAVERAGE(A5:E11,"Yield",A1:B2)', 12),
            ("=DAVERAGE(A5:E11,3,A5:E11)", 13),
            ('=DSTDEV(A5:E11,"Yield",A1:A3)', 2.96647939483827),
            ('=DSTDEVP(A5:E11,"Yield",A1:A3)', 2.65329983228432),
            ('=DVAR(A5:E11,"Yield",A1:A3)', 8.8),
            ('=DVARP(A5:E11,"Yield",A1:A3)', 7.04),
            ('=DGET(A5:E11,"Yield",A1:A3)', "#NUM!"),
        ],
        _orchard_constants(),
    )


def test_database_criteria_rules(engine):
    # Rules cached by Excel in ironcalc__database_*.xlsx: plain text matches values beginning with
    # it, headers match case-insensitively (TRUE names a TRUE header), a condition under an unknown
    # header matches nothing, a database without records is #VALUE!.
    constants = [
        (1, 1, "Name"),
        (1, 2, "Units"),
        (1, 3, True),
        (2, 1, "East"),
        (2, 2, 10),
        (2, 3, "a"),
        (3, 1, "Eastern"),
        (3, 2, 20),
        (3, 3, "aa"),
        (4, 1, "West"),
        (4, 2, 40),
        (4, 3, "b"),
        (6, 1, "NAME"),  # criteria A6:A7
        (7, 1, "East"),
        (6, 2, "Nothing"),  # criteria B6:B7
        (7, 2, "x"),
        (6, 3, "true"),  # criteria C6:C7
        (7, 3, "<>a"),
        (6, 4, "Name"),  # criteria D6:D7
        (7, 4, '="=East"'),
    ]
    check(
        engine,
        [
            ("=DSUM(A1:C4,2,A6:A7)", 30),
            ('=DSUM(A1:C4,"units",D6:D7)', 10),
            ('=DCOUNT(A1:C4,"Units",B6:B7)', 0),
            ('=DSUM(A1:C4,"Units",C6:C7)', 60),
            ('=DCOUNTA(A1:C4,"TRUE",C6:C7)', 2),
            ('=DSUM(A1:C1,"Units",A6:A7)', "#VALUE!"),
            ('=DSUM(A1:C4,"Price",A6:A7)', "#VALUE!"),
            ('=DAVERAGE(A1:C4,"Units",B6:B7)', "#DIV/0!"),
            ('=DMAX(A1:C4,"Units",B6:B7)', 0),
            ('=DGET(A1:C4,"Units",D6:D7)', 10),
            ('=DGET(A1:C4,"Units",B6:B7)', "#VALUE!"),
        ],
        constants,
    )


# --- BIN2DEC .. DEC2HEX -------------------------------------------------------------------------


def test_number_systems_documented_examples(engine):
    # Microsoft's examples of each conversion function.
    check(
        engine,
        [
            ("=BIN2DEC(1100100)", 100),
            ("=BIN2DEC(1111111111)", -1),
            ("=BIN2HEX(11111011,4)", "00FB"),
            ("=BIN2HEX(1110)", "E"),
            ("=BIN2HEX(1111111111)", "FFFFFFFFFF"),
            ("=BIN2OCT(1001,3)", "011"),
            ("=BIN2OCT(1111111111)", "7777777777"),
            ("=DEC2BIN(9,4)", "1001"),
            ("=DEC2BIN(-100)", "1110011100"),
            ("=DEC2HEX(100,4)", "0064"),
            ("=DEC2HEX(-54)", "FFFFFFFFCA"),
            ("=DEC2HEX(28)", "1C"),
            ("=DEC2HEX(64,1)", "#NUM!"),
            ("=DEC2OCT(58,3)", "072"),
            ("=DEC2OCT(-100)", "7777777634"),
            ('=HEX2BIN("F",8)', "00001111"),
            ('=HEX2BIN("B7")', "10110111"),
            ('=HEX2BIN("FFFFFFFFFF")', "1111111111"),
            ('=HEX2DEC("A5")', 165),
            ('=HEX2DEC("FFFFFFFF5B")', -165),
            ('=HEX2DEC("3DA408B9")', 1034160313),
            ('=HEX2OCT("F",3)', "017"),
            ('=HEX2OCT("3B4E")', "35516"),
            ('=HEX2OCT("FFFFFFFF00")', "7777777400"),
            ("=OCT2BIN(3,3)", "011"),
            ("=OCT2BIN(7777777000)", "1000000000"),
            ("=OCT2DEC(54)", 44),
            ("=OCT2DEC(7777777533)", -165),
            ("=OCT2HEX(100,4)", "0040"),
            ("=OCT2HEX(7777777533)", "FFFFFFFF5B"),
        ],
    )


def test_number_systems_argument_rules(engine):
    # Cached by Excel in xlcalculator__bases.xlsx and ironcalc__engineering_number_systems.xlsx.
    constants = [(1, 1, '=""'), (2, 1, True)]
    check(
        engine,
        [
            ('=HEX2DEC("e")', 14),  # hex digits in either case
            ('=HEX2OCT("d5a")', "6532"),
            ('=HEX2BIN("a2")', "10100010"),
            ("=BIN2DEC(A1)", 0),  # "" and empty cells are 0
            ("=OCT2HEX(A3)", "0"),
            ("=BIN2DEC(A2)", "#VALUE!"),  # booleans
            ("=BIN2HEX(1100011011,0)", "#NUM!"),  # places below 1
            ("=BIN2OCT(1100011011,TRUE())", "#VALUE!"),
            ('=DEC2BIN("E",0)', "#NUM!"),  # places is checked first
            ('=DEC2BIN("E",11)', "#NUM!"),
            ("=DEC2BIN(2.7)", "10"),  # truncated
            ("=DEC2OCT(511.2,9)", "000000777"),
            ("=DEC2BIN(-512.8)", "1000000000"),
            ("=DEC2BIN(512)", "#NUM!"),
            ('=BIN2DEC("12")', "#NUM!"),
            ('=HEX2DEC("12345678901")', "#NUM!"),  # more than 10 digits
            ('=HEX2BIN("FFFFFFFDFF")', "#NUM!"),  # below -512
        ],
        constants,
    )


# --- A code-made workbook through the whole import ----------------------------------------------


def test_import_regression_workbook(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in ORCHARD:
        ws.append(list(row))
    ws["G1"], ws["G2"] = "Tree", "Pear"
    expected = {
        "H1": ('=DSUM(A1:E7,"Profit",G1:G2)', 172.8),
        "H2": ("=LCM(A2:A3,7.5,4.5)", "#VALUE!"),
        "H3": ("=LCM(B2,C2,7.7)", 1260),
        "H4": ("=GCD(B2:C3)", 2),
        "H5": ("=DEC2HEX(-54)", "FFFFFFFFCA"),
        "H6": ('=HEX2DEC("ff")', 255),
    }
    import_and_check(wb, expected, tmp_path)
