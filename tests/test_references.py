"""Formula analysis: references, names, tables, functions, flags and the engine's text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlimport.references import (
    AnalysisContext,
    FormulaInfo,
    analyze,
    analyze_sheet,
    parse_range,
    qualify_references,
    quote_sheet,
)
from xlimport.workbook import MAX_COLS, MAX_ROWS, DefinedName, SheetData, TableDef, WorkbookData

SHEETS = ["Sheet1", "Sheet2", "My Sheet", "It's", "Sheet3", "Data"]


@pytest.fixture(scope="module")
def ctx() -> AnalysisContext:
    wb = WorkbookData(
        sheets=[SheetData(name=n, index=i) for i, n in enumerate(SHEETS)],
        defined_names=[
            DefinedName("Rate", "Sheet2!$B$2"),
            DefinedName("Rate", "Sheet2!$C$3", scope="Sheet2"),
            DefinedName("Twice", "Rate*2"),
            DefinedName("Loop", "Loop+1"),
            DefinedName("Span", "'My Sheet'!$A$1:$B$10"),
            DefinedName("Total", "SUM(Sheet3!$A$1:$A$5)+Rate"),
            DefinedName("Const", "0.25"),
            DefinedName("Broken", "#REF!"),
            DefinedName("Rel", "Sheet1!B1"),
            DefinedName("Ext", "[1]Prices!$A$1"),
            DefinedName("Endpoint", "Sheet1!$D$9"),
        ],
        tables=[
            TableDef("Table1", "Data", "B2:E10", ["Date", "Amt", "Qty", "Unit Price"], 1, 1),
            TableDef("Sales", "Sheet2", "A1:B4", ["Region", "Value"]),
        ],
        external_links=["prices.xlsx"],
    )
    return AnalysisContext(wb)


def refs(formula: str, ctx: AnalysisContext, sheet: int = 0, row: int = 1, col: int = 1):
    info = analyze(formula, sheet, row, col, ctx)
    assert info.error is None, info.error
    return sorted(info.refs)


# ---- plain references -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("A1", [(0, 1, 1, 1, 1)]),
        ("$A$1+B$2*$C3", [(0, 1, 1, 1, 1), (0, 2, 2, 2, 2), (0, 3, 3, 3, 3)]),
        ("SUM(A1:B5)", [(0, 1, 1, 5, 2)]),
        ("SUM(B5:A1)", [(0, 1, 1, 5, 2)]),
        ("SUM(A:C)", [(0, 1, 1, MAX_ROWS, 3)]),
        ("SUM($A:$A)", [(0, 1, 1, MAX_ROWS, 1)]),
        ("SUM(3:5)", [(0, 3, 1, 5, MAX_COLS)]),
        ("SUM($7:$7)", [(0, 7, 1, 7, MAX_COLS)]),
        ("Sheet2!A1", [(1, 1, 1, 1, 1)]),
        ("sheet2!A1+SHEET2!$B$2", [(1, 1, 1, 1, 1), (1, 2, 2, 2, 2)]),
        ("'My Sheet'!A1:B2", [(2, 1, 1, 2, 2)]),
        ("'It''s'!C3", [(3, 3, 3, 3, 3)]),
        ("SUM(Sheet2!A:A)", [(1, 1, 1, MAX_ROWS, 1)]),
        ("XFD1048576", [(0, MAX_ROWS, MAX_COLS, MAX_ROWS, MAX_COLS)]),
    ],
)
def test_plain_references(ctx, formula, expected):
    assert refs(formula, ctx) == expected


def test_three_d_reference_covers_each_sheet_between_in_workbook_order(ctx):
    expected = [(s, 1, 1, 1, 1) for s in range(5)]  # Sheet1 .. Sheet3 is positions 0..4
    assert refs("SUM(Sheet1:Sheet3!A1)", ctx) == expected
    assert refs("SUM(Sheet3:Sheet1!A1)", ctx) == expected
    assert refs("SUM('Sheet2:My Sheet'!B2:B3)", ctx) == [(1, 2, 2, 3, 2), (2, 2, 2, 3, 2)]


def test_missing_sheet_gives_no_reference_and_no_crash(ctx):
    info = analyze("Nowhere!A1+A2+'Gone Sheet'!B1", 0, 1, 1, ctx)
    assert info.error is None
    assert info.refs == [(0, 2, 1, 2, 1)]
    assert refs("#REF!+#REF!A1+B1", ctx) == [(0, 1, 2, 1, 2)]


def test_text_that_looks_like_a_reference_is_not_one(ctx):
    assert refs('"A1:B2"&C3', ctx) == [(0, 3, 3, 3, 3)]
    assert refs('"it\'s Sheet2!A1"&"say ""B2"""', ctx) == []
    # names, functions and numbers holding reference-like pieces
    assert refs("LOG10(A1)+ATAN2(1,2)+1E5+A1B2", ctx) == [(0, 1, 1, 1, 1)]
    assert refs("XFE1+A0", ctx) == []  # beyond the grid: names, not references


def test_intersection_and_chained_ranges_keep_every_precedent(ctx):
    assert refs("SUM(A1:B2 B1:C4)", ctx) == [(0, 1, 1, 2, 2), (0, 1, 2, 4, 3)]
    info = analyze("SUM(A1:B2:C5)", 0, 1, 1, ctx)
    assert (0, 1, 1, 5, 3) in info.refs  # the bounding box Excel uses


def test_index_as_a_range_end_is_dynamic(ctx):
    for formula in ("SUM(A1:INDEX(B:B,5))", "SUM(INDEX(B:B,2):B9)", "SUM(A1:OFFSET(A1,3,0))"):
        info = analyze(formula, 0, 1, 1, ctx)
        assert info.dynamic, formula
        assert (0, 1, 1, 1, 1) in info.refs or (0, 9, 2, 9, 2) in info.refs
    assert not analyze("INDEX(B:B,5)", 0, 1, 1, ctx).dynamic


# ---- defined names ----------------------------------------------------------------------------
def test_names_by_scope(ctx):
    assert refs("Rate", ctx, sheet=0) == [(1, 2, 2, 2, 2)]  # workbook scope
    assert refs("Rate", ctx, sheet=1) == [(1, 3, 3, 3, 3)]  # Sheet2's own name wins
    assert refs("Sheet2!Rate", ctx, sheet=0) == [(1, 3, 3, 3, 3)]
    assert refs("rate*2", ctx, sheet=0) == [(1, 2, 2, 2, 2)]  # case-insensitive


def test_names_resolve_recursively_with_a_cycle_guard(ctx):
    assert refs("Twice", ctx, sheet=0) == [(1, 2, 2, 2, 2)]
    assert refs("Twice", ctx, sheet=1) == [(1, 3, 3, 3, 3)]
    total = analyze("Total", 0, 1, 1, ctx)
    assert sorted(total.refs) == [(1, 2, 2, 2, 2), (4, 1, 1, 5, 1)]
    loop = analyze("Loop+A1", 0, 1, 1, ctx)
    assert loop.error is None and loop.refs == [(0, 1, 1, 1, 1)]


def test_name_ranges_constants_and_broken_names(ctx):
    assert refs("SUM(Span)", ctx) == [(2, 1, 1, 10, 2)]
    assert refs("Const*A1+Broken", ctx) == [(0, 1, 1, 1, 1)]
    assert refs("Unknown+1", ctx) == []
    assert analyze("Ext*2", 0, 1, 1, ctx).external


def test_relative_name_moves_with_the_cell(ctx):
    assert refs("Rel", ctx, row=1, col=1) == [(0, 1, 2, 1, 2)]
    assert refs("Rel", ctx, row=5, col=3) == [(0, 5, 4, 5, 4)]


def test_range_between_names_is_their_bounding_box(ctx):
    info = analyze("SUM(A1:Endpoint)", 0, 1, 1, ctx)
    assert (0, 1, 1, 9, 4) in info.refs and not info.dynamic


# ---- structured references --------------------------------------------------------------------
# Table1 on Data (sheet 5): B2:E10, header row 2, data 3..9, totals row 10; columns B..E.
@pytest.mark.parametrize(
    ("formula", "expected", "engine"),
    [
        ("SUM(Table1[Amt])", (5, 3, 3, 9, 3), "=SUM(Data!$C$3:$C$9)"),
        ("SUM(Table1)", (5, 3, 2, 9, 5), "=SUM(Data!$B$3:$E$9)"),
        ("SUM(Table1[])", (5, 3, 2, 9, 5), "=SUM(Data!$B$3:$E$9)"),
        ("ROWS(Table1[#All])", (5, 2, 2, 10, 5), "=ROWS(Data!$B$2:$E$10)"),
        ("ROWS(Table1[#Data])", (5, 3, 2, 9, 5), "=ROWS(Data!$B$3:$E$9)"),
        ("ROWS(Table1[#Headers])", (5, 2, 2, 2, 5), "=ROWS(Data!$B$2:$E$2)"),
        ("ROWS(Table1[#Totals])", (5, 10, 2, 10, 5), "=ROWS(Data!$B$10:$E$10)"),
        ("SUM(Table1[[Amt]:[Unit Price]])", (5, 3, 3, 9, 5), "=SUM(Data!$C$3:$E$9)"),
        ("SUM(table1[[#Headers],[#Data],[Qty]])", (5, 2, 4, 9, 4), "=SUM(Data!$D$2:$D$9)"),
        ("Table1[[#Totals],[Amt]]", (5, 10, 3, 10, 3), "=Data!$C$10"),
        ("SUM(Sales[Value])", (1, 2, 2, 4, 2), "=SUM(Sheet2!$B$2:$B$4)"),
    ],
)
def test_table_references(ctx, formula, expected, engine):
    info = analyze(formula, 0, 1, 1, ctx)
    assert info.refs == [expected]
    assert info.engine_text == engine


def test_this_row_references_follow_the_formula_row(ctx):
    for row in (3, 7):
        info = analyze("Table1[[#This Row],[Qty]]*Table1[@[Unit Price]]", 5, row, 6, ctx)
        assert sorted(info.refs) == [(5, row, 4, row, 4), (5, row, 5, row, 5)]
        assert info.engine_text == f"=Data!$D${row}*Data!$E${row}"


def test_this_row_outside_the_table_rows_is_a_value_error(ctx):
    fresh = AnalysisContext(ctx.workbook)
    for row, inside in ((5, True), (12, False), (6, True), (2, False)):
        info = analyze("Table1[@Qty]*2", 0, row, 20, fresh)
        if inside:
            assert info.refs == [(5, row, 4, row, 4)] and info.engine_text == f"=Data!$D${row}*2"
        else:
            assert info.refs == [] and info.engine_text == "=#VALUE!*2"


def test_unqualified_this_row_inside_the_table(ctx):
    info = analyze("[@Qty]*[@[Unit Price]]", 5, 4, 3, ctx)  # a cell of Table1
    assert sorted(info.refs) == [(5, 4, 4, 4, 4), (5, 4, 5, 4, 5)]
    assert info.engine_text == "=Data!$D$4*Data!$E$4"


def test_unknown_table_or_column_is_a_ref_error(ctx):
    info = analyze("SUM(Table1[Nope])+SUM(NoTable[X])", 0, 1, 1, ctx)
    assert info.refs == [] and info.engine_text == "=SUM(#REF!)+SUM(#REF!)"


# ---- functions and flags ----------------------------------------------------------------------
def test_functions_upper_case_without_prefixes(ctx):
    info = analyze(
        "_xlfn.XLOOKUP(A1,B:B,C:C)+_xlfn._xlws.SORT(D1:D5)+sum(A1)+_xlws.FILTER(A1:A3,B1:B3)+"
        "IF(A1,NORM.S.INV(0.5),0)",
        0,
        1,
        1,
        ctx,
    )
    assert info.functions == ("XLOOKUP", "SORT", "SUM", "FILTER", "IF", "NORM.S.INV")


@pytest.mark.parametrize(
    ("formula", "flag"),
    [
        ('INDIRECT("A"&B1)', "dynamic"),
        ("SUM(OFFSET(A1,1,1,2,2))", "dynamic"),
        ("NOW()-TODAY()", "volatile"),
        ("RAND()*RANDBETWEEN(1,6)", "volatile"),
        ("_xlfn.RANDARRAY(3)", "volatile"),
        ('CELL("row",A1)+INFO("osversion")', "volatile"),
        ("[1]Sheet1!A1*2", "external"),
        ("[2]!SomeName", "external"),
        ("'[Book.xlsx]Sheet1'!A1", "external"),
        ("'C:\\path\\[Book.xlsx]Sheet1'!A1:B2", "external"),
        ("SUM('https://x.com/d/[Book.xlsx]Sheet1'!A:A)", "external"),
    ],
)
def test_flags(ctx, formula, flag):
    info = analyze(formula, 0, 1, 1, ctx)
    assert info.error is None
    assert {f for f in ("dynamic", "volatile", "external") if getattr(info, f)} == {flag}


def test_external_references_give_no_local_precedent(ctx):
    info = analyze("[1]Sheet1!A1+'[Book.xlsx]Sheet2'!B2+C3", 0, 1, 1, ctx)
    assert info.external and info.refs == [(0, 3, 3, 3, 3)]
    info = analyze("SUM([1]!Table1[Amt])+[1]!Rate", 0, 1, 1, ctx)  # not the local Table1/Rate
    assert info.external and info.refs == []


def test_offset_keeps_the_refs_it_knows(ctx):
    info = analyze("SUM(OFFSET(Sheet2!B2,A1,0,3,1))", 0, 1, 1, ctx)
    assert info.dynamic and sorted(info.refs) == [(0, 1, 1, 1, 1), (1, 2, 2, 2, 2)]


@pytest.mark.parametrize(
    "formula", ["SUM(A1", "SUM(A1))", '"abc', "'My Sheet!A1", "Table1[Amt", "A1+)(", "{1,2"]
)
def test_unparseable_formulas_report_an_error(ctx, formula):
    info = analyze(formula, 0, 1, 1, ctx)
    assert isinstance(info, FormulaInfo)
    assert info.error
    assert info.refs == []


# ---- engine text ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("formula", "engine"),
    [
        ("VLOOKUP(A1,B:C,2,FALSE)", "=VLOOKUP(A1,B:C,2,FALSE())"),
        ("TRUE", "=TRUE()"),
        ("IF(A1,TRUE,false)", "=IF(A1,TRUE(),FALSE())"),
        ("TRUE()", "=TRUE()"),
        ("_xlfn.XLOOKUP(A1,B:B,C:C)", "=XLOOKUP(A1,B:B,C:C)"),
        ("_xlfn._xlws.SORT(A1:A5)", "=SORT(A1:A5)"),
        ('"_xlfn.X TRUE A1"&TRUE', '="_xlfn.X TRUE A1"&TRUE()'),
        ("IFERROR(1/0,#N/A)", "=IFERROR(1/0,#N/A)"),
        ("SUM(A:A)+SUM(1:1)", "=SUM(A:A)+SUM(1:1)"),
        ("{1,TRUE;2,FALSE}", "={1,TRUE();2,FALSE()}"),
        ("'My Sheet'!A1+Rate", "='My Sheet'!A1+Rate"),
    ],
)
def test_engine_text(ctx, formula, engine):
    assert analyze(formula, 0, 1, 1, ctx).engine_text == engine


def test_formulas_differing_only_in_digits_are_analysed_separately(ctx):
    # Filled-down formulas share a cached template; digits that are not row numbers or
    # constants (sheet names, function names) must still be told apart.
    assert refs("Sheet1!A1", ctx) == [(0, 1, 1, 1, 1)]
    assert refs("Sheet2!A1", ctx) == [(1, 1, 1, 1, 1)]
    assert refs("Sheet3!A2", ctx) == [(4, 2, 1, 2, 1)]
    assert analyze("LOG10(A1)", 0, 1, 1, ctx).functions == ("LOG10",)
    assert analyze("LOG20(A1)", 0, 1, 1, ctx).functions == ("LOG20",)
    first = analyze('IF(B5>12,TRUE,"x1")', 0, 5, 1, ctx)
    second = analyze('IF(B6>13,TRUE,"x2")', 0, 6, 1, ctx)
    assert first.engine_text == '=IF(B5>12,TRUE(),"x1")' and first.refs == [(0, 5, 2, 5, 2)]
    assert second.engine_text == '=IF(B6>13,TRUE(),"x2")' and second.refs == [(0, 6, 2, 6, 2)]


def test_filled_down_formulas_match_individual_analysis(ctx):
    fresh = AnalysisContext(ctx.workbook)
    for r in range(1, 60):
        formula = f"A{r}*Sheet2!$B${r + 1}+_xlfn.XLOOKUP(C{r},D:D,E$1:E$9,FALSE)+{r}"
        info = analyze(formula, 0, r, 6, ctx)
        assert info == analyze(formula, 0, r, 6, AnalysisContext(ctx.workbook))
        assert info == analyze(formula, 0, r, 6, fresh)
        assert (0, r, 1, r, 1) in info.refs
        assert info.engine_text.endswith(f",FALSE())+{r}")


# ---- qualify_references -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "sheet", "expected"),
    [
        ("=A1+$B$2", "Sheet1", "=Sheet1!A1+Sheet1!$B$2"),
        ("=SUM(A1:B2)*A:A+3:3", "Sheet1", "=SUM(Sheet1!A1:B2)*Sheet1!A:A+Sheet1!3:3"),
        ("=Sheet2!A1+'My Sheet'!B2+C3", "My Sheet", "=Sheet2!A1+'My Sheet'!B2+'My Sheet'!C3"),
        ('=IF(A1>0,"A1",Rate)+SUM(Z9)', "It's", "=IF('It''s'!A1>0,\"A1\",Rate)+SUM('It''s'!Z9)"),
        ("=LOG10(A1)+TRUE()", "S", "=LOG10(S!A1)+TRUE()"),
        ("=A1", "A1", "='A1'!A1"),
    ],
)
def test_qualify_references(text, sheet, expected):
    assert qualify_references(text, sheet) == expected


def test_quote_sheet_and_parse_range():
    assert quote_sheet("Sheet1") == "Sheet1"
    assert quote_sheet("My Sheet") == "'My Sheet'"
    assert quote_sheet("R1C1") == "'R1C1'"
    assert parse_range("B2:C5") == (2, 2, 5, 3)
    assert parse_range("$A$1") == (1, 1, 1, 1)
    assert parse_range("nonsense") is None


# ---- robustness -------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_analyze_never_raises_on_arbitrary_text(ctx, text):
    info = analyze(text, 0, 1, 1, ctx)
    assert isinstance(info, FormulaInfo)
    assert info.engine_text.startswith("=")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="AB1$:!'\"()[]#@,{} +Sheet2TRUE_xlfn.", max_size=40))
def test_analyze_never_raises_on_formula_like_text(ctx, text):
    info = analyze(text, 0, 3, 3, ctx)
    assert isinstance(info, FormulaInfo)
    for s, r1, c1, r2, c2 in info.refs:
        assert 0 <= s < len(SHEETS)
        assert 1 <= r1 <= r2 <= MAX_ROWS and 1 <= c1 <= c2 <= MAX_COLS


GENERATED = Path(__file__).resolve().parents[1].parent / "shared" / "generated" / "fm_1k.xlsx"


@pytest.mark.skipif(not GENERATED.exists(), reason="shared generated workbooks not present")
def test_generated_model_formulas_analyse_cleanly():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(GENERATED, read_only=True)
    names = [DefinedName(n, d.attr_text) for n, d in book.defined_names.items()]
    wb = WorkbookData(
        sheets=[SheetData(name=ws.title, index=i) for i, ws in enumerate(book.worksheets)],
        defined_names=names,
    )
    ctx = AnalysisContext(wb)
    count = 0
    for s, ws in enumerate(book.worksheets):
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    info = analyze(cell.value[1:], s, cell.row, cell.column, ctx)
                    assert info.error is None, cell.value
                    assert info.refs, cell.value
                    count += 1
    assert count > 500


_PIECES = st.sampled_from(
    [
        "A1",
        "$B$2",
        "C3:D4",
        "Sheet2!",
        "'My Sheet'!",
        "Rate",
        "Table1[@Qty]",
        "Table1[Amt]",
        "SUM(",
        "_xlfn.XLOOKUP(",
        ")",
        ",",
        "+",
        ":",
        "TRUE",
        '"x1"',
        "12",
        "A:A",
        "3:4",
        "Rel",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_PIECES, min_size=1, max_size=8).map("".join), min_size=1, max_size=4),
    st.lists(st.integers(1, 40), min_size=1, max_size=4),
)
def test_cached_analysis_equals_fresh_analysis(ctx, formulas, rows):
    # The template caches must never change a result: analysing many formulas (and the same
    # formula at other rows, with other digits) in one context gives what a fresh one gives.
    shared = AnalysisContext(ctx.workbook)
    for formula in formulas:
        for row in rows:
            variant = formula.replace("1", str(row % 9 + 1))
            for text in (formula, variant):
                got = analyze(text, 5, row, 3, shared)
                assert got == analyze(text, 5, row, 3, AnalysisContext(ctx.workbook))


def test_exponent_literals_are_lower_cased_for_the_engine():
    """Excel saves 1E+100; HyperFormula's parser only reads 1e+100 (else #ERROR!)."""
    from xlimport.references import AnalysisContext, analyze
    from xlimport.workbook import SheetData, WorkbookData

    ctx = AnalysisContext(WorkbookData(sheets=[SheetData("S", 0)]))
    assert analyze("1E+100*2", 0, 1, 1, ctx).engine_text == "=1e+100*2"
    assert analyze("A1*1.5E-3", 0, 1, 1, ctx).engine_text == "=A1*1.5e-3"
    # text and references that merely contain an E stay as written
    assert analyze('"1E+5"&E1', 0, 1, 1, ctx).engine_text == '="1E+5"&E1'


def test_sheet_names_with_dots_are_quoted_for_the_engine():
    """Excel writes G.30!A1 unquoted; HyperFormula only parses 'G.30'!A1."""
    from xlimport.references import AnalysisContext, analyze
    from xlimport.workbook import SheetData, WorkbookData

    ctx = AnalysisContext(WorkbookData(sheets=[SheetData("S", 0), SheetData("G.30", 1)]))
    info = analyze("SUM(G.30!A1:B2)+1", 0, 1, 1, ctx)
    assert info.engine_text == "=SUM('G.30'!A1:B2)+1"
    assert info.refs == [(1, 1, 1, 2, 2)]


# ---- the compact per-sheet form -----------------------------------------------------------------
def test_analyze_sheet_reads_like_analyze_per_cell():
    wb = WorkbookData(
        sheets=[SheetData(name="S", index=0), SheetData(name="T", index=1)],
        defined_names=[DefinedName("Rate", "T!$B$2")],
    )
    sheet = wb.sheets[0]
    sheet.add(1, 1, "n", 1.0)
    sheet.add(1, 2, "n", 0.0, "A1*(1+Rate)")
    sheet.add(2, 2, "n", 0.0, "SUM(A1:A9)+T!C3+IF(TRUE,1,2)")  # engine text rewritten
    sheet.add(3, 2, "n", 0.0, 'NOW()+INDIRECT("A1")')
    sheet.add(4, 2, "n", 0.0, "[1]Prices!A1+2")
    sheet.add(5, 2, "n", 0.0, "SUM((A1)")
    ctx = AnalysisContext(wb)
    per = analyze_sheet(sheet, ctx)
    assert list(per) == [1, 2, 3, 4, 5] and len(per) == 5 and 0 not in per
    for i in per:
        expected = analyze(sheet.formulas[i], 0, sheet.rows[i], sheet.cols[i], ctx)
        assert per[i] == expected
    assert per.get(0) is None
    assert per[2].engine_text == "=SUM(A1:A9)+T!C3+IF(TRUE(),1,2)"
    assert per[3].volatile and per[3].dynamic and per[4].external and per[5].error


def test_sheet_analysis_added_and_dropped_refs():
    wb = WorkbookData(sheets=[SheetData(name="S", index=0)])
    wb.sheets[0].add(1, 1, "n", 0.0, "B1+OFFSET(C1,1,0)")
    per = analyze_sheet(wb.sheets[0], AnalysisContext(wb))
    assert per.add_refs(0, [(0, 2, 3, 2, 3), (0, 1, 2, 1, 2)]) == 1  # B1 was known
    assert per.add_refs(0, [(0, 2, 3, 2, 3)]) == 0
    assert per.add_refs(7, [(0, 1, 1, 1, 1)]) == 0  # not a formula cell
    assert sorted(per[0].refs) == [(0, 1, 2, 1, 2), (0, 1, 3, 1, 3), (0, 2, 3, 2, 3)]
    per.drop_refs()
    assert per[0].refs == [] and per[0].functions == ("OFFSET",)


def test_formulas_of_one_shape_are_rewritten_and_parsed_once(ctx, monkeypatch):
    """A model repeats a few formula shapes over thousands of cells: the per-formula rewrites
    (unions, range calls) run for the first cell of a shape only, and every cell still gets its
    own references."""
    import xlimport.references as references

    calls = []
    original = references.rewrite_unions
    monkeypatch.setattr(references, "rewrite_unions", lambda f: calls.append(f) or original(f))
    fresh = AnalysisContext(ctx.workbook)
    for row in range(2, 2002):
        info = analyze(f"SUM(A{row - 1}:B{row - 1},C{row})*(1+Sheet2!$B$3)", 0, row, 4, fresh)
        assert sorted(info.refs) == [
            (0, row - 1, 1, row - 1, 2),
            (0, row, 3, row, 3),
            (1, 3, 2, 3, 2),
        ]
    assert len(calls) <= 8  # once per shape (the digit counts of its two row numbers), not 2,000


def test_precedents_placed_from_digits_equal_analyze_per_cell():
    """analyze_sheet takes a known shape's engine text in its loop and places the precedents
    of all its formulas afterwards from their digits: the same as analyze() per cell, for
    reversed ranges, whole columns and rows, names, other sheets (a non-ASCII name too),
    rows written with a leading zero, seven-digit rows, and other formulas in between."""
    wb = WorkbookData(
        sheets=[SheetData(name="S", index=0), SheetData(name="Données", index=1)],
        defined_names=[DefinedName("Rate", "Données!$B$2")],
    )
    sheet = wb.sheets[0]
    shapes = [
        "A{r}*(1+Rate)",
        "SUM(B{r}:B{q})+C{r}",  # {q} below {r} on some rows: a reversed range
        "SUM(D:D)-E{r}+SUM({r}:{r})",
        "'Données'!C{r}+Données!D{q}*2.5",
        'IF(F{r}>0,"x{r}",G{q})',
        "H{r}+H{r}+1000{r}",
        "J{big}+1",  # seven-digit rows, past the last row from r = 77
        "OFFSET(A{r},1,0)+K{r}",  # OFFSET: analysed per cell
    ]
    for r in range(1, 121):
        for c, shape in enumerate(shapes, start=1):
            q = r + 3 if r % 2 else max(1, r - 5)
            sheet.add(r, 10 + c, "n", 0.0, shape.format(r=r, q=q, big=1_048_500 + r))
        sheet.add(r, 30, "n", 0.0, f"Z{r % 100:02d}+1")  # Z01 style rows, and Z00 (no row)
        if r % 7 == 0:
            sheet.add(r, 31, "n", 0.0, f"SUM((A{r})")  # an error in between
    ctx = AnalysisContext(wb)
    per = analyze_sheet(sheet, ctx)
    assert len(per) == len([f for f in sheet.formulas if f is not None])
    fresh = AnalysisContext(wb)
    for i in per:
        expected = analyze(sheet.formulas[i], 0, sheet.rows[i], sheet.cols[i], fresh)
        assert per[i] == expected, sheet.formulas[i]
    placed = [t for t in ctx._fast[0].values() if getattr(t, "placeable", False)]
    assert len(placed) >= 5  # the path under test was taken
