"""Corrections of hyperformula/functions/fixn_functions.js and array_common.js: element-wise
lifting of functions over array arguments through every correction of the function, MID's
truncated numbers, LARGE with a fractional k, TEXTSPLIT of empty text and a bad match_mode,
REGEXEXTRACT's groups outside the match, SHEET of a defined name, TYPE of a function value,
#GETTING_DATA, and nested array functions kept whole inside a function returning one value.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (file quoted where used).
"""

from __future__ import annotations

import openpyxl
from engine_cases import check, recomputed_values
from openpyxl.worksheet.formula import ArrayFormula

from xlimport.engine.base import EngineErrorValue


def _array(ws, ref: str, formula: str) -> None:
    """An array formula over ``ref``; the other cells of the range hold a placeholder, so that
    the file lists them as the array's cells (as Excel writes them)."""
    first = ref.split(":")[0]
    for row in ws[ref] if ":" in ref else [[ws[ref]]]:
        for cell in row:
            if cell.coordinate != first:
                cell.value = 0
    ws[first] = ArrayFormula(ref, formula)


def _row(got: dict, cells: str) -> list:
    first, last = cells.split(":")
    ws = openpyxl.Workbook().active
    return [got.get(c.coordinate) for row in ws[f"{first}:{last}"] for c in row]


def test_lifting_keeps_each_function_rules(tmp_path):
    # Values Excel cached in formulas__test.xlsx, one row of inputs per formula (row 1: 0, -10,
    # 0.9, 2.2, -0.1, empty, "1/01/1900", TRUE), each function called once per element:
    # - COMPATIBILITY!AH32 {=QUARTILE(C32:J32,C32:Q32)}: a quart of -0.1 is #NUM! (checked before
    #   truncation), "1/01/1900" is quart 1;
    # - STATISTICAL!AH57 {=LARGE($C57:$J57,C57:Q57)} (0.1 in place of 0): k 0.9 is #NUM!, k 2.2
    #   the 3rd largest;
    # - LOOKUP!AH44 {=HLOOKUP(C44:Q44,{-1.1,2.1,3.1,4.1;5,6,7,8},{2,1},0)}: each lookup value
    #   gives {row 2, row 1}, of which the cell keeps row 2;
    # - TEXT!AH25 {=MID({"ciao","bau"},C25:D25,D25:E25)}: MID("bau",1.9,2.3) is "ba";
    # - TEXT!AH53 {=VALUE(C53:Q53)}: an empty cell is 0; TEXT!AH47 {=TEXTSPLIT(C47:Q47,1)}: an
    #   empty cell is #VALUE!;
    # - EXTRA!H76 {=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},H72:P72)}: ß is ss in match modes -1, 0
    #   and 1, #N/A with wildcards (2), #VALUE! for the other modes.
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, v in enumerate([0, -10, 0.9, 2.2, -0.1, None, "1/01/1900", True], 3):
        ws.cell(1, col, v)
    for col, v in enumerate([0.1, -10, 0.9, 2.2, -0.1, None, "01/01/1900", True], 3):
        ws.cell(2, col, v)
    for col, v in enumerate([-1.1, 2.1, 3, 4, 4.1], 3):
        ws.cell(3, col, v)
    for col, v in enumerate([0, 1.9, 2.3], 3):
        ws.cell(4, col, v)
    for col, v in enumerate([0, 1.9, -1, None, "1987-08-26", "26/08/1987"], 3):
        ws.cell(5, col, v)
    for col, v in enumerate(range(-4, 5), 3):
        ws.cell(6, col, v)
    _array(ws, "M1:T1", "=QUARTILE(C1:J1,C1:J1)")
    _array(ws, "M2:T2", "=LARGE($C2:$J2,C2:J2)")
    _array(ws, "M3:Q3", "=HLOOKUP(C3:G3,{-1.1,2.1,3.1,4.1;5,6,7,8},{2,1},0)")
    _array(ws, "M4:O4", '=MID({"ciao","bau"},C4:D4,D4:E4)')
    _array(ws, "M5:R5", "=VALUE(C5:H5)")
    _array(ws, "M7:R7", "=TEXTSPLIT(C5:H5,1)")
    _array(ws, "M6:U6", '=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},C6:K6)')
    got = recomputed_values(wb, tmp_path)
    assert _row(got, "M1:T1") == [-10, "#NUM!", -10, 0, "#NUM!", -10, -0.1, -0.1]
    assert _row(got, "M2:T2") == ["#NUM!", "#NUM!", "#NUM!", 0.1, "#NUM!", "#NUM!", 2.2, 2.2]
    assert _row(got, "M3:Q3") == [5, 6, "#N/A", "#N/A", 8]
    assert _row(got, "M4:O4") == ["#VALUE!", "ba", "#N/A"]
    assert _row(got, "M5:R5") == [0, 1.9, -1, 0, 32015, 32015]
    assert _row(got, "M7:R7")[5] == "26/08/"
    assert _row(got, "M7:R7")[3] == "#VALUE!"
    assert _row(got, "M6:U6") == ["#VALUE!"] * 3 + [2, 2, 2] + ["#N/A", "#N/A", "#VALUE!"]


def test_scalar_rules(engine):
    # MID: start_num and num_chars truncated each on its own (cached MID("bau",1.9,2.3) = "ba").
    # LARGE: cached in formulas__test.xlsx STATISTICAL row 57 (data 0.1, -10, 0.9, 2.2, -0.1):
    # k = 2.2 is 0.1 (the 3rd largest), k = 0.9 #NUM!; SMALL with k = 2.2 is the 2nd smallest.
    # TEXTSPLIT: cached #VALUE! for an empty text (TEXT!AM47) and for match_mode 2 (EXTRA!N28).
    # REGEXEXTRACT with return_mode 2: a group outside the match is #N/A (EXTRA!O3).
    data = [(1, 1, 0.1), (1, 2, -10), (1, 3, 0.9), (1, 4, 2.2), (1, 5, -0.1)]
    check(
        engine,
        [
            ('=MID("bau",1.9,2.3)', "ba"),
            ('=MIDB("bau",1.9,2.3)', "ba"),
            ('=MID("ciao",2,2)', "ia"),
            ("=LARGE(A1:E1,2.2)", 0.1),
            ("=LARGE(A1:E1,0.9)", "#NUM!"),
            ("=LARGE(A1:E1,2)", 0.9),
            ("=LARGE(A1:E1,4.5)", -10),
            ("=LARGE(A1:E1,5.5)", "#NUM!"),
            ("=SMALL(A1:E1,2.2)", -0.1),
            ("=SMALL(A1:E1,0.9)", "#NUM!"),
            ("=TEXTSPLIT(H1,1)", "#VALUE!"),
            ('=TEXTSPLIT("",",")', "#VALUE!"),
            ('=TEXTSPLIT("a1b",1,,,2)', "#VALUE!"),
            ('=TEXTSPLIT("a1b",1,,,1)', "a"),
            ('=INDEX(REGEXEXTRACT("1a2b3c","((\\d)[bc]+|(3c))",2),1,3)', "#N/A"),
            ('=INDEX(REGEXEXTRACT("1a2b3c","((\\d)[bc]+|(3c))",2),1,2)', "2"),
        ],
        data,
    )


def test_regexextract_groups_in_array_formula(tmp_path):
    # Cached in formulas__test.xlsx EXTRA!M3:O3: {"2b", "2", #N/A}.
    wb = openpyxl.Workbook()
    ws = wb.active
    _array(ws, "A1:C1", '=_xlfn.REGEXEXTRACT("1a2b3c","((\\d)[bc]+|(3c))",2)')
    got = recomputed_values(wb, tmp_path)
    assert _row(got, "A1:C1") == ["2b", "2", "#N/A"]


def test_getting_data_and_function_value(engine):
    # Microsoft ("ERROR.TYPE function"): #GETTING_DATA is 8 (cached in formulas__test.xlsx
    # INFORMATION!T4). TYPE of the eta-reduced lambda _xleta.SUM is 128 (INFORMATION!S24).
    check(
        engine,
        [
            ("=ERROR.TYPE(#GETTING_DATA)", 8),
            ("=ISERROR(#GETTING_DATA)", True),
            ("=IFERROR(#GETTING_DATA,5)", 5),
            ("=ERROR.TYPE(#N/A)", 7),
            ("=TYPE(_xleta.SUM)", 128),
            ("=TYPE(1)", 1),
        ],
    )


def test_sheet_of_defined_name(tmp_path):
    # Cached in ironcalc__calc_test_no_export_tables.xlsx: SHEET(Fancy) = 2, Fancy being
    # Sheet2!$B$11.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    wb.create_sheet("Sheet2")["B11"] = 5
    wb.create_sheet("Sheet3")
    wb.defined_names["Fancy"] = openpyxl.workbook.defined_name.DefinedName(
        "Fancy", attr_text="Sheet2!$B$11"
    )
    wb.defined_names["Wide"] = openpyxl.workbook.defined_name.DefinedName(
        "Wide", attr_text="Sheet3!$A$1:$B$4"
    )
    ws["A1"] = "=SHEET(Fancy)"
    ws["A2"] = "=SHEET(Wide)"
    ws["A3"] = "=SHEET(A1)"
    ws["A4"] = "=Fancy*2"
    got = recomputed_values(wb, tmp_path)
    assert (got["A1"], got["A2"], got["A3"], got["A4"]) == (2, 3, 1, 10)


def test_nested_array_function_kept_whole(tmp_path):
    # Cached in ironcalc__lookup_and_reference_match_lookup_arrays.xlsx:
    # LOOKUP(2,UNIQUE({1;2;2;3})) = 2 in an array formula of one cell: UNIQUE gives LOOKUP its
    # whole result. The formula's own result still fills its range as Excel does.
    wb = openpyxl.Workbook()
    ws = wb.active
    _array(ws, "A1", "=LOOKUP(2,_xlfn.UNIQUE({1;2;2;3}))")
    _array(ws, "A2", "=ROWS(_xlfn.UNIQUE({1;2;2;3}))")
    _array(ws, "A3", "=SUM(_xlfn._xlws.SORT({3;1;2}))")
    _array(ws, "B1:B2", "=_xlfn.UNIQUE({1;2;2;3})")
    _array(ws, "C1:C4", "=_xlfn.UNIQUE({1;2;2;3})")
    ws["D1"] = "=LOOKUP(2,_xlfn.UNIQUE({1;2;2;3}))"
    got = recomputed_values(wb, tmp_path)
    assert [got["A1"], got["A2"], got["A3"], got["D1"]] == [2, 3, 6, 2]
    assert [got["B1"], got["B2"]] == [1, 2]
    assert [got["C1"], got["C2"], got["C3"], got["C4"]] == [1, 2, 3, "#N/A"]


def test_getting_data_constant_and_small_of_a_typed_value(engine):
    # A cell holding the #GETTING_DATA error (not only the literal in a formula) keeps it; k
    # below 1 is #NUM! for SMALL as for LARGE, also of a value typed in the formula.
    check(
        engine,
        [
            ("=ERROR.TYPE(A1)", 8),
            ("=SMALL(5,0.5)", "#NUM!"),
            ("=LARGE(5,0.5)", "#NUM!"),
            ("=SMALL(5,1)", 5),
        ],
        constants=[(1, 1, EngineErrorValue("#GETTING_DATA"))],
    )
