"""Lookup and array functions corrected by hyperformula/functions/fixj_lookup.js (INDEX of a
two-dimensional reference without column_num, a one-element index array, TRIMRANGE's trim
modes, SORT's blank index, AREAS of an empty intersection) and fix4_arrays.js (UNIQUE keeps
blank cells apart from zeros; no unique value is #CALC!, stored as #VALUE!).

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx, sheet LOOKUP), quoted where used.
"""

from __future__ import annotations

import openpyxl
from engine_cases import check, import_and_check, recomputed_values
from openpyxl.worksheet.formula import ArrayFormula

# C52:E53 of the LOOKUP sheet: -1.1, 2.1, 3 / -2, 1.1, 2
INDEX_DATA = [(1, 1, -1.1), (1, 2, 2.1), (1, 3, 3), (2, 1, -2), (2, 2, 1.1), (2, 3, 2)]


def test_index_of_a_two_dimensional_reference_needs_column_num(engine):
    # Cached: =INDEX(C52:E53,2) is #REF!, =INDEX(C52:E53,-1) #VALUE!, =INDEX(C52:E53,1,2) 2.1;
    # a single row or column still takes a lone index (=INDEX(E52:E54,2) is 2).
    check(
        engine,
        [
            ("=INDEX(A1:C2,2)", "#REF!"),
            ("=INDEX(A1:C2,1)", "#REF!"),
            ("=INDEX(A1:C2,-1)", "#VALUE!"),
            ("=INDEX(A1:C2,#N/A)", "#N/A"),
            ("=INDEX(A1:C2,1,2)", 2.1),
            ("=INDEX(A1:C2,2,3)", 2),
            ("=INDEX(A1:A2,2)", -2),
            ("=INDEX(A1:C1,3)", 3),
            ("=SUM(INDEX(A1:C2,2,0))", 1.1),
        ],
        INDEX_DATA,
    )


def test_trimrange_modes_are_whole_numbers(engine):
    # Cached: TRIMRANGE(F135:G139,"3.3",2) and TRIMRANGE(G135:H139,2.3,2) are #VALUE!,
    # TRIMRANGE(F135:G139,"1",2) is the range trimmed.
    data = [(2, 1, 4), (3, 1, 4), (4, 2, 5)]
    check(
        engine,
        [
            ('=ROWS(TRIMRANGE(A1:B5,"3.3",2))', "#VALUE!"),
            ("=ROWS(TRIMRANGE(A1:B5,2.3,2))", "#VALUE!"),
            ("=ROWS(TRIMRANGE(A1:B5,3,2.5))", "#VALUE!"),
            ('=ROWS(TRIMRANGE(A1:B5,"1",2))', 4),
            ("=ROWS(TRIMRANGE(A1:B5,2,2))", 4),
            ("=ROWS(TRIMRANGE(A1:B5))", 3),
        ],
        data,
    )


def test_sort_index_of_a_blank_cell(engine):
    # Cached: {=SORT(D117:G119,H117)} with H117 blank is #VALUE! (a blank is 0); an omitted
    # sort_index is 1.
    data = [(1, 1, 3), (2, 1, 1), (3, 1, 2)]
    check(
        engine,
        [
            ("=ERROR.TYPE(SORT(A1:A3,D1))", 3),
            ("=ERROR.TYPE(SORT(A1:A3,1,D1))", 3),
            ("=ERROR.TYPE(SORT(A1:A3,1,-1))", "#N/A"),
            ("=INDEX(SORT(A1:A3,,-1),1)", 3),
            ("=INDEX(SORT(A1:A3),1)", 1),
        ],
        data,
    )


def test_unique_keeps_blanks_apart_from_zeros(engine):
    # D140:G142 of the LOOKUP sheet: 1, 2, 2, 1 over a row of blanks with 0s under the third
    # column. Cached {=UNIQUE(D140:G142,1)}: three columns, 1 2 2 over 0s (blanks show as 0).
    data = [(1, 1, 1), (1, 2, 2), (1, 3, 2), (1, 4, 1), (2, 3, 0), (3, 3, 0)]
    check(
        engine,
        [
            ("=COLUMNS(UNIQUE(A1:D3,TRUE()))", 3),
            ("=INDEX(UNIQUE(A1:D3,TRUE()),1,3)", 2),
            ("=INDEX(UNIQUE(A1:D3,TRUE()),2,2)", 0),
            ("=ROWS(UNIQUE(A1:D3))", 2),
            ("=ROWS(UNIQUE(C1:C3))", 2),
            # Cached {=UNIQUE(C140:F140,1,1)} (1, 1, 2, 2): #CALC! (read from the rich value)
            ("=UNIQUE(A1:D1,TRUE(),TRUE())", "#CALC!"),
        ],
        data,
    )


def test_areas_of_an_empty_intersection(tmp_path):
    # Cached: AREAS((E4:H4 J4:K4 L4:O4)) is #NULL! (the first two share no cell).
    wb = openpyxl.Workbook()
    import_and_check(
        wb,
        {
            "A6": ("=AREAS((A1:B1 C1:D1 E1:F1))", "#NULL!"),
            "A7": ("=AREAS((A1:C1 C1:D1))", 1),
        },
        tmp_path,
    )


def test_array_formulas(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, c, v in INDEX_DATA:
        ws.cell(r, c, v)
    # Cached {=INDEX({2,3;4,5},{1})} over AN54:AO54: 2, 2 (one call, its first value).
    ws["A5"] = ArrayFormula("A5:B5", "=INDEX({2,3;4,5},{1})")
    # Cached {=INDEX({2,3;4,5},2)} over Z53:AA53: the row, 4, 5.
    ws["A6"] = ArrayFormula("A6:B6", "=INDEX({2,3;4,5},2)")
    # Cached {=TRIMRANGE(G135:H139,{1,1},2)} and {1;3}: #VALUE! over the whole range.
    ws["A7"] = ArrayFormula("A7:B7", "=_xlfn.TRIMRANGE(A1:C2,{1,1},2)")
    ws["A8"] = ArrayFormula("A8:A9", "=_xlfn.TRIMRANGE(A1:C2,{1;3},2)")
    for cell in ("B5", "B6", "B7", "A9"):
        ws[cell] = 0
    cells = recomputed_values(wb, tmp_path)
    got = [cells[c] for c in ("A5", "B5", "A6", "B6", "A7", "B7", "A8", "A9")]
    assert got == [2, 2, 4, 5, "#VALUE!", "#VALUE!", "#VALUE!", "#VALUE!"]


def test_unique_lifted_over_by_col(tmp_path):
    # Cached {=UNIQUE({2,1,2,1},{1,1,1})}: 2, 0, 0; with exactly_once {0,1,1}: 2, 0, 0;
    # {=UNIQUE(D140:G142,H140:K141)} (by_col blank, "b", 1, #VALUE! over blanks): 1, #VALUE!,
    # 0, #VALUE! over 0s.
    wb = openpyxl.Workbook()
    ws = wb.active
    for c, v in enumerate([1, 2, 2, 1], 1):
        ws.cell(1, c, v)
    ws["C2"], ws["C3"] = 0, 0
    ws["F1"], ws["G1"], ws["H1"] = "b", 1, "=#VALUE!"
    ws["A5"] = ArrayFormula("A5:C5", "=_xlfn.UNIQUE({2,1,2,1},{1,1,1})")
    ws["A6"] = ArrayFormula("A6:C6", "=_xlfn.UNIQUE({2,1,2,1},{1,1,1},{0,1,1})")
    ws["A7"] = ArrayFormula("A7:D8", "=_xlfn.UNIQUE(A1:D3,E1:H2)")
    for cell in ("B5", "C5", "B6", "C6", "B7", "C7", "D7", "A8", "B8", "C8", "D8"):
        ws[cell] = 0
    cells = recomputed_values(wb, tmp_path)
    assert [cells[f"{c}5"] for c in "ABC"] == [2, 0, 0]
    assert [cells[f"{c}6"] for c in "ABC"] == [2, 0, 0]
    assert [cells[f"{c}7"] for c in "ABCD"] == [1, "#VALUE!", 0, "#VALUE!"]
    assert [cells[f"{c}8"] for c in "ABCD"] == [0, 0, 0, 0]
