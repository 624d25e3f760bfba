"""Causes of formulas__test.xlsx's largest unmatched groups, fixed by
hyperformula/functions/fix7_*.js and a text rewrite in xlimport.references:

- TRUE / FALSE inside array constants ({FALSE,2.1,TRUE}) read as logical values;
- XLOOKUP and XMATCH over mixed, unsorted data (Excel's order numbers < text < FALSE < TRUE,
  its halving binary search, modes rounded down) and lifted over array arguments;
- the Analysis ToolPak functions (EDATE, IMCOS, ISEVEN ...) giving #VALUE! for a multi-cell
  range where one value is expected, in array formulas too;
- complex numbers written with 15 significant digits and the suffix (i or j) of the arguments.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx), quoted where used.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from engine_cases import check, import_and_check
from openpyxl.worksheet.formula import ArrayFormula

from xlimport.references import (
    AnalysisContext,
    analyze,
    rewrite_intersections,
    rewrite_reference_errors,
    rewrite_text_literals,
)
from xlimport.workbook import SheetData, WorkbookData

# The inputs of formulas__test.xlsx's LOOKUP rows: -2, 1.1, 3, 4, 4.1, blank, "*b?u*", TRUE.
ROW = [(1, 1, -2), (1, 2, 1.1), (1, 3, 3), (1, 4, 4), (1, 5, 4.1), (1, 7, "*b?u*"), (1, 8, True)]
ROW += [(1, 9, "a"), (2, 9, "b")]  # I1:I3: "a", "b", blank


# --- logical constants in arrays -----------------------------------------------------------------


def test_logical_constants_in_arrays_are_rewritten() -> None:
    # HyperFormula reads TRUE / FALSE only as functions, inside array constants too (a bare
    # TRUE there was an unknown name, #NAME?).
    ctx = AnalysisContext(WorkbookData(sheets=[SheetData(name="S", index=0)]))
    text = analyze('MATCH(TRUE,{FALSE,2.1,TRUE,"TRUE"})', 0, 1, 1, ctx).engine_text
    assert text == '=MATCH(TRUE(),{FALSE(),2.1,TRUE(),"TRUE"})'


def test_match_with_logical_constants_in_arrays(engine):
    # Cached in formulas__test.xlsx: MATCH(TRUE,{FALSE,2.1,TRUE,4.1}) = 3,
    # MATCH(TRUE,{TRUE,FALSE,"a","c bau c"}) = 2 (binary search), MATCH(TRUE,{TRUE,4.1,FALSE,1.1},0)
    # = 1, LOOKUP("b",{TRUE,FALSE,"a","b"}) = "b".
    check(
        engine,
        [
            ("=MATCH(H1,{FALSE(),2.1,TRUE(),4.1})", 3),
            ('=MATCH(H1,{TRUE(),FALSE(),"a","c bau c"})', 2),
            ("=MATCH(H1,{TRUE(),4.1,FALSE(),1.1},0)", 1),
            ('=LOOKUP("b",{TRUE(),FALSE(),"a","b"})', "b"),
            ("=ISLOGICAL(INDEX({1,TRUE()},1,2))", True),
        ],
        ROW,
    )


# --- XMATCH / XLOOKUP -----------------------------------------------------------------------------


def test_xmatch_mixed_types_and_blank_lookup_value(engine):
    # Cached in formulas__test.xlsx (LOOKUP rows 171-197; F1 here is the blank input).
    check(
        engine,
        [
            ("=XMATCH(A1,{-1.1,2.1,3.1,4.1},1)", 1),
            ("=XMATCH(F1,{-1.1,2.1,3.1,4.1},1)", "#N/A"),
            ("=XMATCH(F1,{-1.1,2.1,3.1,4.1},-1)", 4),
            ('=XMATCH(F1,{"c bau c",4.1,"a",1.1},-1)', 1),
            ('=XMATCH(F1,{"",4.1,"a",1.1},-1)', 3),
            ("=XMATCH(F1,{TRUE(),4.1,FALSE(),1.1},-1)", 1),
            ("=XMATCH(F1,{4.1,3.1,2.1,1.1},0)", "#N/A"),
            ('=XMATCH(G1,{"c bau c",4.1,"a",1.1},-1)', 2),
            ('=XMATCH(H1,{"a",2.1,"c bau c",4.1},-1)', 3),
            ("=XMATCH(H1,{FALSE(),2.1,TRUE(),4.1},-1)", 3),
            ('=XMATCH(H1,{TRUE(),4.1,FALSE(),"c bau c"},0)', 1),
            ('=XMATCH(A1,{"a",TRUE(),2.1,"c bau c",4.1},1)', 3),
            ('=XMATCH(G1,{"a",2.1,"c bau c",4.1},1)', 1),
            ('=XMATCH(G1,{TRUE(),FALSE(),"a","c bau c"},2)', 4),
            ('=XMATCH(H1,{TRUE(),FALSE(),"a","c bau c"},2)', 1),
            ("=XMATCH(H1,{FALSE(),2.1,TRUE(),4.1},2,-1)", 3),
        ],
        ROW,
    )


def test_xmatch_binary_search_lands_where_excel_lands(engine):
    # Cached in formulas__test.xlsx: binary searches over unsorted, mixed arrays.
    check(
        engine,
        [
            ('=XMATCH(B1,{"",4.1,"a",1.1},1,2)', 1),
            ('=XMATCH(E1,{"",4.1,"a",1.1},1,2)', 2),
            ('=XMATCH(G1,{"",4.1,"a",1.1},1,2)', 3),
            ('=XMATCH(H1,{"",4.1,"a",1.1},1,2)', "#N/A"),
            ("=XMATCH(C1,{TRUE(),4.1,FALSE(),1.1},-1,2)", "#N/A"),
            ("=XMATCH(F1,{TRUE(),4.1,FALSE(),1.1},-1,2)", 4),
            ("=XMATCH(G1,{TRUE(),4.1,FALSE(),1.1},-1,2)", 2),
            ('=XMATCH(G1,{TRUE(),4.1,FALSE(),"c bau c"},-1,-2)', 2),
            ('=XMATCH(H1,{TRUE(),4.1,FALSE(),"c bau c"},-1,-2)', 1),
            ('=XMATCH(B1,{TRUE(),4.1,FALSE(),"c bau c"},-1,-2)', "#N/A"),
            ('=XMATCH(E1,{"c bau c",4.1,"a",1.1},0,2)', 2),
            ('=XMATCH(4.1,{2,"s","a",4.1,1.1},1,2)', 2),
            ('=XMATCH(FALSE(),{"a",4.1,3,2.1,2,TRUE(),"b"},-1,2)', 5),
            ('=XMATCH(FALSE(),{"a",FALSE(),4.1,3,2.1,2,FALSE(),"b"},1,-2)', 2),
            ('=XMATCH(FALSE(),{"a",2,FALSE(),4.1,3,2.1,2,FALSE(),9,9},-1,2)', 8),
            # wildcards with a binary search
            ("=XMATCH(E1,{4.1,3.1,2.1,1.1},2,2)", "#VALUE!"),
            ('=XMATCH(A1,{"c bau c",4.1,"a",1.1},2,-2)', "#VALUE!"),
        ],
        ROW,
    )


def test_xlookup_modes(engine):
    # Cached in formulas__test.xlsx (LOOKUP rows 162-169).
    check(
        engine,
        [
            ('=XLOOKUP(-2,{-1.1,2.1,3.1,4.1},{1,2,3,4}, "pippo")', "pippo"),
            ('=XLOOKUP(2,{-1.1,2.1,3.1,4.1},{1,2,3,4},"pippo",1)', 2),
            ("=XLOOKUP(C1,{-1.1,2.1,3.1,4.1},{1,2,3,4},8,2,1)", 8),
            ('=XLOOKUP(-2,{"a",2.1,"b",4.1},{"L","ML","MR","R"},3,1)', "ML"),
            ('=XLOOKUP("b",{"a",2.1,"b",4.1},{"L","ML","MR","R"},1)', "MR"),
            ('=XLOOKUP(-2,{FALSE(),2.1,TRUE(),4.1},{"L","ML","MR","R"},2,-1)', 2),
            ('=XLOOKUP(H1,{FALSE(),2.1,TRUE(),4.1},{"L","ML","MR","R"})', "MR"),
            ('=XLOOKUP(-2,{4.1,2.1,3.1,1.1},{"L","ML","MR","R"},4,-1)', 4),
            ('=XLOOKUP(C1,{4.1,2.1,3.1,1.1},{"L","ML","MR","R"},2,-1)', "ML"),
            ('=XLOOKUP(-2,{"b",4.1,"a",1.1},{"L","ML","MR","R"},2,1)', "R"),
            ('=XLOOKUP(C1,{"",4.1,"a",1.1},{"L","ML","MR","R"},1,1)', "ML"),
            ('=XLOOKUP(F1,{"",4.1,"a",1.1},{"L","ML","MR","R"},1,1)', 1),
            ('=XLOOKUP(D1,{TRUE(),4.1,FALSE(),1.1},{"L","ML","MR","R"},1,1,2)', "L"),
            ('=XLOOKUP(E1,{TRUE(),4.1,FALSE(),1.1},{"L","ML","MR","R"},1,1,2)', "ML"),
            ('=XLOOKUP(G1,{TRUE(),4.1,FALSE(),1.1},{"L","ML","MR","R"},1,1,2)', "MR"),
            ('=XLOOKUP(H1,{TRUE(),4.1,FALSE(),1.1},{"L","ML","MR","R"},1,1,2)', 1),
            # search_mode rounded down: -1.1 is -2, a binary search on descending data
            ('=XLOOKUP(-1.1,{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},1,1,-1.1)', "R"),
            ('=XLOOKUP(4,{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},1,2,-1.1)', "#VALUE!"),
            ('=XLOOKUP(4,{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},1,2,0)', "#VALUE!"),
            # an error lookup value first; if_not_found only when nothing is found
            ('=XLOOKUP(NA(),{-1.1,2.1},{1,2},"x",3)', "#N/A"),
            ("=XLOOKUP(2.1,{-1.1,2.1},{1,2},NA())", 2),
            ("=XLOOKUP(3,{-1.1,2.1},{1,2},NA())", "#N/A"),
            ("=INDEX(XLOOKUP(2.1,{-1.1;2.1},{1,2;3,4}),1,2)", 4),
            # a blank lookup value finds a blank cell (ironcalc__lookup_and_reference_xlookup.xlsx:
            # XLOOKUP(blank,R:R,S:S,"Not found") is 0, XLOOKUP(,L:L,M:M,,1,2) the row of L's
            # first blank)
            ('=XLOOKUP(F1,I1:I3,{10;20;30},"none")', 30),
            ("=XLOOKUP(,I1:I3,{10;20;30},,1,2)", 30),
        ],
        ROW,
    )


def test_xlookup_and_xmatch_lift_array_arguments(engine):
    # Cached in formulas__test.xlsx: {=XLOOKUP(C162:Q162,{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},
    # 1,C163:Q163,C162:C169)} is a 2-D array (lookup values and match modes along the row, search
    # modes down the column); with search mode -1.1 (-2): "R", "ML", 1 ...; {=XMATCH("ß",...,
    # H72:P72)} lifts the match modes.
    consts = [(1, c, v) for c, v in enumerate([-1.1, 2.1, 3, 4], 1)]
    consts += [(2, c, v) for c, v in enumerate([1, -1, 0, 2], 1)]
    consts += [(1, 6, -1.1), (2, 6, 1)]
    lift = '{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},1,A2:D2,F1:F2'
    check(
        engine,
        [
            (f"=ARRAYFORMULA(INDEX(XLOOKUP(A1:D1,{lift}),1,1))", "R"),
            (f"=ARRAYFORMULA(INDEX(XLOOKUP(A1:D1,{lift}),1,2))", "ML"),
            (f"=ARRAYFORMULA(INDEX(XLOOKUP(A1:D1,{lift}),1,3))", 1),
            (f"=ARRAYFORMULA(INDEX(XLOOKUP(A1:D1,{lift}),1,4))", "#VALUE!"),
            (f"=ARRAYFORMULA(INDEX(XLOOKUP(A1:D1,{lift}),2,1))", "L"),
            (f"=ARRAYFORMULA(INDEX(XLOOKUP(A1:D1,{lift}),2,4))", 1),
            ("=ARRAYFORMULA(INDEX(XMATCH({4.1;2.1},{-1.1,2.1,3.1,4.1}),2,1))", 2),
            ("=ARRAYFORMULA(INDEX(XMATCH(3,{-1.1,2.1,3.1,4.1},{0,1,-1}),1,1))", "#N/A"),
            ("=ARRAYFORMULA(INDEX(XMATCH(3,{-1.1,2.1,3.1,4.1},{0,1,-1}),1,2))", 3),
            ("=ARRAYFORMULA(INDEX(XMATCH(3,{-1.1,2.1,3.1,4.1},{0,1,-1}),1,3))", 2),
        ],
        consts,
    )


# --- Analysis ToolPak functions with a range ---------------------------------------------------


def test_toolpak_functions_reject_ranges_in_arrays(engine):
    # Cached in formulas__test.xlsx: {=EDATE(E9:I9,C9:G9)}, {=IMCOS(C33:E33)},
    # {=ISEVEN(C9:G9)}, {=CUMIPMT(C13:G13,5.5,125000,3,5,1)}, {=XNPV(D56:Q56,...)} are #VALUE!
    # over their whole range; an array constant is still taken element by element, IMSUM and
    # XIRR/XNPV's cash flows take ranges.
    consts = [(1, 1, 100), (2, 1, 200), (3, 1, 300), (1, 2, "3+4i"), (2, 2, "1+i")]
    consts += [(1, 3, -100), (2, 3, 60), (3, 3, 70), (1, 4, 40000), (2, 4, 40100), (3, 4, 40400)]
    check(
        engine,
        [
            ("=ARRAYFORMULA(INDEX(EDATE(A1:A3,1),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(EDATE(100,A1:A2),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(EDATE({100,200},1),1,2))", 231),  # 1900-07-18 to -08-18
            ("=ARRAYFORMULA(INDEX(ISEVEN(A1:A3),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(IMABS(B1:B2),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(CUMIPMT(A1:A2,5.5,125000,3,5,1),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(ERF.PRECISE(A1:A3),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(XNPV(A1:A2,C1:C3,D1:D3),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(IMSUM(B1:B2))", "4+5i"),
            ("=ARRAYFORMULA(ROUND(XNPV(0.1,C1:C3,D1:D3),6))", 21.510955),
            ("=EDATE(100,1)", 130),
            ("=ARRAYFORMULA(EDATE(A1:A1,1))", 130),
        ],
        consts,
    )


# --- complex numbers -------------------------------------------------------------------------------


def test_complex_numbers_as_excel_writes_them(engine):
    # Cached in formulas__test.xlsx (ENGINEERING rows 32-52): 15 significant digits, the
    # arguments' suffix kept, i and j mixed #VALUE! (IMDIV #NUM!), TRUE #VALUE!, a text that is
    # no complex number #NUM! (checked left to right).
    consts = [(1, c, v) for c, v in enumerate(["7+25j", "13+5j", "3.1+2j", "-3+2i", "-13+25j"], 1)]
    consts += [(1, 6, True), (1, 7, "yvj")]
    check(
        engine,
        [
            ("=IMCOS(A1)", "27142327967.109-23653126953.379j"),
            ("=IMCOS(B1)", "67.3415789404035-31.1777431114928j"),
            ("=IMCOS(D1)", "-3.72454550491532+0.511822569987385i"),
            ("=IMCONJUGATE(A1)", "7-25j"),
            ("=IMDIV(A1,B1)", "1.11340206185567+1.49484536082474j"),
            ("=IMDIV(C1,D1)", "#NUM!"),
            ("=IMPRODUCT(A1,B1,C1)", "-825.4+1048j"),
            ("=IMPRODUCT(C1,B1)", "30.3+41.5j"),
            ("=IMPRODUCT(D1,C1)", "#VALUE!"),
            ("=IMSUM(A1:B1,C1)", "23.1+32j"),
            ("=IMSUM(B1:C1,D1)", "#VALUE!"),
            ("=IMCOS(F1)", "#VALUE!"),
            ("=IMABS(F1)", "#VALUE!"),
            ("=IMDIV(G1,F1)", "#NUM!"),
            ('=COMPLEX(3.6,1,"j")', "3.6+j"),
            ("=COMPLEX(0,-1)", "-i"),
            ('=IMPOWER("2i",2)', "-4+4.89858719658941E-16i"),
            # cached in ironcalc__engineering_complexs.xlsx: plain decimals up to 20 characters,
            # an exponent written E is read back
            ("=COMPLEX(0.000000000000000001,0)", "0.000000000000000001"),
            ("=COMPLEX(0.00000000000000000001,0)", "1E-20"),
            ('=IMCONJUGATE("1.2E-45-3i")', "1.2E-45+3i"),
            ('=IMREAL("1.2E-45-3i")', 1.2e-45),
        ],
        consts,
    )


# --- the intersection operator, ROW and COLUMN of ranges ---------------------------------------


@pytest.mark.parametrize(
    ("formula", "rewritten"),
    [
        ("SUM(B2:E5 C3:D4)", "SUM(C3:D4)"),
        ("COLUMN(C12:E13 F12:H13)", "COLUMN(#NULL!)"),
        ("COLUMN(C14:E14:G13:I14 E13:F13)", "COLUMN(E13:F13)"),  # A:B:C covers all its parts
        ("ROWS((E15:H15 J15:K15 L15:O15))", "ROWS((#NULL!))"),
        ("CORE!$K$4:$K$6 CORE!$J$5:$L$5", "CORE!$K$5"),  # absolute stays absolute (names)
        ("$A:$A $3:$3", "$A$3"),
        ('SUM( A1 , B1 )&"A1 B1"', 'SUM( A1 , B1 )&"A1 B1"'),
        ("IF(A1 >B1,1,2)", "IF(A1 >B1,1,2)"),
        ("Sheet2!A1:C3 B2", "Sheet2!A1:C3 B2"),  # another sheet: left to the engine
    ],
)
def test_intersections_rewritten(formula: str, rewritten: str) -> None:
    # Microsoft "Calculation operators and precedence": the space is the intersection operator;
    # cached in formulas__test.xlsx: COLUMN(C12:E13 F12:H13) #NULL!, COLUMN(C14:E14:G13:I14
    # E13:F13) 5, SUM(B2:E5 C3:D4) 10, the name h = CORE!$K$4:$K$6 CORE!$J$5:$L$5 gives K5.
    assert rewrite_intersections(formula) == rewritten


@pytest.mark.parametrize(
    ("formula", "rewritten"),
    [
        ('"a""b"', '("a"&CHAR(34)&"b")'),
        ('""""', "(CHAR(34))"),
        ('"C:\\"&A1', '("C:"&CHAR(92))&A1'),
        ('IF(A1="","x","")', 'IF(A1="","x","")'),
        ('{"a""b"}', '{"a""b"}'),  # an array constant takes no expression
        ("'it''s'!A1&\"x\"", "'it''s'!A1&\"x\""),
    ],
)
def test_text_literals_rewritten(formula: str, rewritten: str) -> None:
    assert rewrite_text_literals(formula) == rewritten


@pytest.mark.parametrize(
    ("formula", "rewritten"),
    [
        ("REF!#REF!", "#REF!"),  # cached in formulas__test.xlsx: =REF!#REF! is #REF!
        ("SUM('My S'!#REF!,1)", "SUM(#REF!,1)"),
        ("S!A1:#REF!*2", "#REF!*2"),
        ('"x!#REF!"&#REF!', '"x!#REF!"&#REF!'),
    ],
)
def test_lost_references_rewritten(formula: str, rewritten: str) -> None:
    assert rewrite_reference_errors(formula) == rewritten


def test_irr_with_an_error_among_its_values(engine):
    # Cached in formulas__test.xlsx: IRR({-7,2,-1,4,-3;7,2,-1,4,#N/A}) and IRR over a range
    # holding #N/A are #VALUE!; an error as the guess is the result (IRR(...,K27) is #N/A).
    check(
        engine,
        [
            ("=IRR({-7,2,-1,4,-3;7,2,-1,4,#N/A})", "#VALUE!"),
            ("=IRR(A1:C1)", "#VALUE!"),
            ("=IRR({-7,2,-1,4,-3,7,2,1,3},NA())", "#N/A"),
            ("=ROUND(IRR({-7,2,-1,4,-3;7,2,-1,4,4}),12)", 0.190864641884),
        ],
        [(1, 1, -7), (1, 2, 2), (1, 3, "=NA()")],
    )


def test_regression_functions_with_an_error_among_their_values(engine):
    # Cached in formulas__test.xlsx: {=LINEST(L58:N58,N58:P58,0,0)} over error cells,
    # LINEST(C58:E58,E58:G58,L58,0) with const #N/A and {=TREND(y,x,L113:M114)} with errors in
    # new_x are #VALUE!.
    consts = [(1, 1, 1), (1, 2, 2), (1, 3, "=NA()"), (2, 1, 3), (2, 2, 5), (2, 3, 7)]
    check(
        engine,
        [
            ("=ARRAYFORMULA(INDEX(LINEST(A2:C2,A1:C1),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(LINEST(A2:B2,A1:B1,NA(),0),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(LOGEST(A2:C2,A1:C1),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(TREND(A2:B2,A1:B1,C1),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(GROWTH(A2:B2,A1:B1,C1),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(LINEST(A2:B2,A1:B1),1,1))", 2),
            ("=ARRAYFORMULA(INDEX(TREND(A2:B2,A1:B1,3),1,1))", 7),
        ],
        consts,
    )


def test_row_and_column_of_ranges_in_array_formulas(engine):
    # Microsoft "ROW function": a range entered as a vertical array gives its row numbers.
    # Cached in formulas__test.xlsx: {=COLUMN(AC12:AD13)} is {29,30}, {=ROW(AC112:AC113)}
    # {112;113}; in an ordinary formula the first one.
    check(
        engine,
        [
            ("=ARRAYFORMULA(INDEX(ROW(A3:B5),3,1))", 5),
            ("=ARRAYFORMULA(INDEX(COLUMN(AC12:AD13),1,2))", 30),
            ("=ARRAYFORMULA(SUM(ROW(A1:A10)))", 55),
            ("=ARRAYFORMULA(ROWS(COLUMN(C1:E1)))", 1),
            ("=ARRAYFORMULA(COLUMNS(COLUMN(C1:E1)))", 3),
            ("=ROW(A3:B5)", 3),
            ("=COLUMN(C1:D1)", 3),
            ("=ROW()", 8),  # the eighth formula of the column
        ],
    )


# --- array functions lifted over arrays, errors written as text --------------------------------


def test_array_functions_lifted_over_one_value_parameters(engine):
    # Cached in formulas__test.xlsx: {=TEXTSPLIT(C47:Q47,1)} is the first piece of each text,
    # {=MUNIT(C47:Q47)} 1 or #VALUE! (dimension 0), {=WRAPROWS({1,...,9},C148:N148,6)} #NUM! for
    # a count of 0, {=TOCOL(C127:D128,C126:Q126)} the first value for each ignore mode.
    consts = [(1, 1, "a,b"), (1, 2, "c,d"), (1, 3, 1), (1, 4, 2), (1, 5, 0)]
    check(
        engine,
        [
            ('=ARRAYFORMULA(INDEX(TEXTSPLIT(A1:B1,","),1,2))', "c"),
            ('=ARRAYFORMULA(INDEX(TEXTSPLIT("a,b",","),1,2))', "b"),
            ("=ARRAYFORMULA(INDEX(MUNIT(C1:E1),1,2))", 1),
            ("=ARRAYFORMULA(INDEX(MUNIT(C1:E1),1,3))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(MUNIT(2),2,2))", 1),
            ("=ARRAYFORMULA(INDEX(WRAPROWS({1,2,3,4,5,6,7,8,9},C1:E1),1,2))", 1),
            ("=ARRAYFORMULA(INDEX(WRAPROWS({1,2,3,4,5,6,7,8,9},C1:E1),1,3))", "#NUM!"),
            ("=ARRAYFORMULA(INDEX(TOCOL({1,2;3,4},C1:E1),1,3))", 1),
            ("=ARRAYFORMULA(INDEX(TOCOL({1,2;3,4}),3,1))", 3),
        ],
        consts,
    )


def test_choosecols_indexes(engine):
    # Cached in formulas__test.xlsx: {=CHOOSECOLS({1,2,3;4,5,6;7,8,9},D6:E7)} (indexes in two
    # dimensions) is #VALUE!; the date text "01/01/1900" as an index is 1.
    consts = [(1, 1, "01/01/1900"), (1, 2, 2), (1, 3, 1), (2, 2, 1), (2, 3, 2)]
    check(
        engine,
        [
            ("=ARRAYFORMULA(INDEX(CHOOSECOLS({1,2,3;4,5,6;7,8,9},A1),2,1))", 4),
            ("=ARRAYFORMULA(INDEX(CHOOSECOLS({1,2,3;4,5,6;7,8,9},B1:C2),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(CHOOSEROWS({1,2,3;4,5,6;7,8,9},B1:C2),1,1))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(CHOOSECOLS({1,2,3;4,5,6;7,8,9},B1:C1),1,2))", 1),
            ("=ARRAYFORMULA(INDEX(CHOOSEROWS({1,2,3;4,5,6;7,8,9},A1),1,3))", 3),
        ],
        consts,
    )


def test_null_error_written_as_text(engine):
    # Cached in formulas__test.xlsx: ARRAYTOTEXT(N3:O3,0) over #NAME? and #NULL! is
    # "#NAME?, #NULL!".
    check(
        engine,
        [("=ARRAYTOTEXT(A1:B1,0)", "#NAME?, #NULL!")],
        [(1, 1, "=#NAME?"), (1, 2, "=#NULL!")],
    )


# --- bitwise functions, GCD / LCM of negative numbers --------------------------------------------


def test_bitwise_functions(engine):
    # Microsoft "BITAND function" ...: whole numbers 0 to 2^48-1, else #NUM!; the shift amount is
    # truncated, beyond 53 #NUM!. Cached in formulas__test.xlsx: BITAND(2^48,25) #NUM!,
    # BITLSHIFT(25,2.3) 100, BITRSHIFT(25,2.3) 6, BITRSHIFT(blank,"3.5") 0, BITLSHIFT(13,25)
    # 436207616, BITLSHIFT(99,-1) 49, BITAND(2.3,99) #NUM!.
    check(
        engine,
        [
            ("=BITAND(A1,25)", "#NUM!"),
            ("=BITAND(2^40+5,2^40+3)", 2**40 + 1),
            ("=BITOR(2^40,1)", 2**40 + 1),
            ("=BITXOR(5,3)", 6),
            ("=BITAND(2.3,99)", "#NUM!"),
            ("=BITAND(-1,1)", "#NUM!"),
            ("=BITLSHIFT(25,2.3)", 100),
            ("=BITRSHIFT(25,2.3)", 6),
            ('=BITRSHIFT(H1,"3.5")', 0),
            ("=BITLSHIFT(13,25)", 436207616),
            ("=BITLSHIFT(99,-1)", 49),
            ("=BITLSHIFT(1,54)", "#NUM!"),
            ("=BITLSHIFT(2^47,1)", "#NUM!"),
        ],
        [(1, 1, 2**48)],
    )


def test_gcd_lcm_of_negative_numbers(engine):
    # Microsoft "GCD function": a value below 0 is #NUM!. Cached in formulas__test.xlsx:
    # GCD(-0.4) and LCM(-0.4) #NUM!, GCD(-0.4,TRUE) #VALUE! (the types are checked first).
    check(
        engine,
        [
            ("=GCD(A1)", "#NUM!"),
            ("=LCM(A1)", "#NUM!"),
            ("=GCD(A1,B1)", "#VALUE!"),
            ("=GCD(63,15.7)", 3),
        ],
        [(1, 1, -0.4), (1, 2, True)],
    )


# --- a regression workbook through the whole import ----------------------------------------------


def test_import_regression_workbook(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append([100, 200, 300, "7+25j", True])
    ws["B3"] = 0  # openpyxl writes only the anchor of an array range
    expected = {
        "A3": (ArrayFormula("A3:B3", "=EDATE(A1:B1,1)"), "#VALUE!"),
        "A5": ("=MATCH(TRUE,{FALSE,2.1,TRUE,4.1})", 3),
        "A6": ('=_xlfn.XMATCH(E1,{TRUE,4.1,FALSE,"c bau c"},0)', 1),
        "A7": ('=_xlfn.XLOOKUP(4.1,{TRUE,4.1,FALSE,1.1},{"L","ML","MR","R"},1,1,2)', "ML"),
        "A8": ("=IMCOS(D1)", "27142327967.109-23653126953.379j"),
        "A9": ("=IMSUM(D1,D1)", "14+50j"),
        "A10": ("=SUM(A1:C1 B1:D1)", 500),
        "A11": ("=SUM(A1:B1 C1:D1)", "#NULL!"),
        "A12": (ArrayFormula("A12", "=SUM(ROW(A1:A4))"), 10),
        # cached in formulas__test.xlsx: TEXT(10.93,"#"".505#""°F""#""") is 11.505#°F#
        "A13": ('=TEXT(10.93,"#"".505#""°F""#""")', "11.505#°F#"),
        "A14": ('="say ""hi"""', 'say "hi"'),
    }
    import_and_check(wb, expected, tmp_path)
