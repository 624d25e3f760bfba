"""Built-ins HyperFormula computes differently from Excel, corrected by
hyperformula/functions/fix5_lookup.js (VLOOKUP, HLOOKUP, MATCH) and fix8_lookup.js (INDEX).

Expected values come from Microsoft's documentation of each function ("VLOOKUP function",
"HLOOKUP function", "MATCH function", "INDEX function") or from the values Excel cached in the
shared corpus (ironcalc's lookup_and_reference_hvlookup and simple_functions books, pycel's
lookup book), quoted where used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from engine_cases import check, import_and_check


def row(values: list[Any], r: int = 1, col: int = 1) -> list[tuple[int, int, Any]]:
    return [(r, c, v) for c, v in enumerate(values, col) if v is not None]


def column(values: list[Any], col: int = 1) -> list[tuple[int, int, Any]]:
    return [(r, col, v) for r, v in enumerate(values, 1) if v is not None]


# ironcalc's hvlookup book: cities in A1:E1 (sorted), numbers in row 2, fruit in row 3.
CITIES = ["Albacete", "Aranda", "Berlin", "Madrid", "Zimbawe"]
FRUIT = ["banana", "alca", "apple", "orange", "done"]


def test_approximate_hlookup_and_vlookup_on_text(engine):
    constants = row(CITIES) + row([1, 2, 3, 4, 5], 2) + row(FRUIT, 3)
    constants += column(CITIES, 8) + column([1, 2, 3, 4, 5], 9) + column(FRUIT, 10)
    check(
        engine,
        [
            ('=HLOOKUP("Albacete",A1:E3,1)', "Albacete"),
            ('=HLOOKUP("Aranda",A1:E3,3)', "alca"),
            ('=HLOOKUP("Cuenca",A1:E3,3)', "apple"),  # the last value <= Cuenca
            ('=HLOOKUP("Cuenca",A1:E3,1,TRUE())', "Berlin"),
            ('=VLOOKUP("Albacete",H1:J5,3)', "banana"),
            ('=VLOOKUP("Cuenca",H1:J5,1)', "Berlin"),
            ('=VLOOKUP("aaa",H1:J5,1)', "#N/A"),  # below the first value
            ("=VLOOKUP(23,H1:J5,1)", "#N/A"),  # no number in the column
            ('=VLOOKUP("Aranda",H1:J5,10)', "#REF!"),
            ('=VLOOKUP("Aranda",H1:J5,0)', "#VALUE!"),
            ('=VLOOKUP("Aranda",H1:J5,1/0)', "#DIV/0!"),
            ('=VLOOKUP("Aranda",3,1)', "#N/A"),  # Excel's cached values for a non-range table
            ('=VLOOKUP("Aranda",TRUE(),1)', "#N/A"),
            ('=VLOOKUP("Aranda","Nothing",1)', "#VALUE!"),
            ('=HLOOKUP("Aranda","Nothing",1)', "#VALUE!"),
        ],
        constants,
    )


def test_exact_lookup_wildcards_and_case(engine):
    # ironcalc's VLinear sheet: "*t?*" finds Strawberry (Fresa), not Potato.
    english = ["English", "Apple", "Orange", "Pear", "Strawberry", "Potato"]
    spanish = ["Spanish", "Manzana", "Naranja", "Pera", "Fresa", "Patata"]
    constants = column(english) + column(spanish, 2) + row(english, 10) + row(spanish, 11)
    check(
        engine,
        [
            ('=VLOOKUP("*t?*",A1:B6,2,FALSE())', "Fresa"),
            ('=VLOOKUP("*an*",A1:B6,2,FALSE())', "Naranja"),
            ('=VLOOKUP("*t",A1:B6,2,FALSE())', "#N/A"),
            ('=VLOOKUP("apple",A1:B6,2,FALSE())', "Manzana"),  # case-insensitive
            ('=VLOOKUP("Otro",A1:B6,2,FALSE())', "#N/A"),
            ('=HLOOKUP("*t?*",A10:F11,2,FALSE())', "Fresa"),
            ('=HLOOKUP("P?ar",A10:F11,2,FALSE())', "Pera"),
            ('=MATCH("s*",A1:A6,0)', 5),
            ('=MATCH("~*",A1:A6,0)', "#N/A"),  # ~ escapes the wildcard
        ],
        constants,
    )


def test_exact_lookup_keeps_types_apart(engine):
    # Microsoft "MATCH function": a number never equals text; an empty result cell gives 0.
    constants = column([1, "1", True, "x"]) + column([10, 20, None, 40], 2)
    check(
        engine,
        [
            ("=MATCH(1,A1:A4,0)", 1),
            ('=MATCH("1",A1:A4,0)', 2),
            ("=MATCH(TRUE(),A1:A4,0)", 3),
            ("=VLOOKUP(TRUE(),A1:B4,2,FALSE())", 0),
            ('=VLOOKUP("X",A1:B4,2,FALSE())', 40),
        ],
        constants,
    )


def test_match_types(engine):
    # Microsoft "MATCH function" example: B2:B5 = 25, 38, 40, 41.
    constants = column([25, 38, 40, 41]) + column([41, 40, 38, 25], 2)
    constants += column([0, 1, 2, 3, 4], 3)
    check(
        engine,
        [
            ("=MATCH(39,A1:A4,1)", 2),
            ("=MATCH(41,A1:A4,0)", 4),
            ("=MATCH(40,A1:A4,-1)", "#N/A"),  # the documentation: not in descending order
            ("=MATCH(39,B1:B4,-1)", 2),
            ("=MATCH(41,B1:B4,-1)", 1),
            ("=MATCH(20,B1:B4,-1)", 4),
            ("=MATCH(50,B1:B4,-1)", "#N/A"),
            # pycel's lookup book (ascending 0..4, match_type -1): Excel's cached values
            ("=MATCH(0.5,C1:C5,-1)", "#N/A"),
            ("=MATCH(2,C1:C5,-1)", "#N/A"),
            ("=MATCH(0,C1:C5,-1)", 1),
            ("=MATCH(Z99,C1:C5,-1)", 1),  # an empty lookup value is 0
            ("=MATCH(3.7,C1:C5)", 4),
            ("=MATCH(40,A1:B4,0)", "#N/A"),  # not a row or a column
        ],
        constants,
    )


def test_approximate_search_is_excels_binary_search(engine):
    # On unsorted data Excel returns where its binary search lands, not the largest value <= x.
    constants = column([1, 5, 3, 2, 4])
    check(
        engine,
        [
            ("=MATCH(2,A1:A5,1)", 1),  # probes 3 (too big), then 1
            ("=MATCH(4,A1:A5,1)", 5),  # probes 3, then 2, then 4
            ("=VLOOKUP(3,A1:A5,1)", 3),
        ],
        constants,
    )


def test_index_bounds_and_vectors(engine):
    # ironcalc's simple_functions and pycel's lookup books: Excel's cached values.
    constants = row(["A", "B", "C", "D"]) + [(2, 1, 1), (2, 2, 2), (3, 1, 3), (3, 2, 4)]
    check(
        engine,
        [
            ("=INDEX(A1:D1,3)", "C"),  # a lone index along a row
            ("=INDEX(A1:A3,100)", "#REF!"),
            ("=INDEX(A2:B3,3,1)", "#REF!"),
            ("=INDEX(A2:B3,1,3)", "#REF!"),
            ("=INDEX(A2:B3,-1,1)", "#VALUE!"),
            ("=INDEX(A2:B3,2.9,1.2)", 3),
            ("=INDEX({1,2;3,4},2,2)", 4),
            ("=INDEX({1,2;3,4},3)", "#REF!"),
            ("=INDEX(A1:D1,1,2)", "B"),
            ("=INDEX(A1:D1,0,2)", "B"),
        ],
        constants,
    )


def test_import_regression_workbook(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for i, (k, v) in enumerate([("Albacete", 1), ("Aranda", 2), ("Berlin", 3)], 1):
        ws.cell(i, 1, k)
        ws.cell(i, 2, v)
    expected = {
        "D1": ('=VLOOKUP("Cuenca",A1:B3,2)', 3),
        "D2": ('=VLOOKUP("a*",A1:B3,2,FALSE)', 1),
        "D3": ("=MATCH(2.5,B1:B3,-1)", "#N/A"),
        "D4": ('=HLOOKUP("x","Nothing",1)', "#VALUE!"),
        "D5": ("=INDEX(A1:A3,5)", "#REF!"),
    }
    import_and_check(wb, expected, tmp_path)
