"""The dependency graph: circular groups, dependents, precedents, and its size on big models."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlimport.graph import build_graph
from xlimport.references import AnalysisContext, analyze, analyze_sheet, parse_range
from xlimport.workbook import SheetData, WorkbookData


def make_workbook(sheets: dict[str, dict[str, object]], **kw) -> WorkbookData:
    """Sheets of {address: value or "=formula"}, cells added in row-major order."""
    out = []
    for index, (name, cells) in enumerate(sheets.items()):
        sheet = SheetData(name=name, index=index)
        placed = []
        for address, value in cells.items():
            r, c, _, _ = parse_range(address)
            placed.append((r, c, value))
        for r, c, value in sorted(placed):
            if isinstance(value, str) and value.startswith("="):
                sheet.add(r, c, "n", 0.0, value[1:])
            else:
                sheet.add(r, c, "n", value)
        out.append(sheet)
    return WorkbookData(sheets=out, **kw)


def graph_of(wb: WorkbookData):
    """Analyse every formula and build the graph, with infos shaped as the pipeline does."""
    ctx = AnalysisContext(wb)
    infos = []
    for sheet in wb.sheets:
        per = {}
        for i, f in enumerate(sheet.formulas):
            if f is not None:
                per[i] = analyze(f, sheet.index, sheet.rows[i], sheet.cols[i], ctx)
        infos.append(per)
    return build_graph(wb, infos)


def cell(wb: WorkbookData, sheet: str, address: str) -> tuple[int, int]:
    s = wb.sheet(sheet)
    r, c, _, _ = parse_range(address)
    for i in range(len(s)):
        if s.rows[i] == r and s.cols[i] == c:
            return (s.index, i)
    raise KeyError(address)


def cells(wb: WorkbookData, sheet: str, *addresses: str) -> list[tuple[int, int]]:
    return [cell(wb, sheet, a) for a in addresses]


# ---- circular groups --------------------------------------------------------------------------
def test_self_reference():
    wb = make_workbook({"S": {"A1": "=A1+1", "B1": "=A1"}})
    assert graph_of(wb).circular_groups() == [cells(wb, "S", "A1")]


def test_self_reference_through_a_range():
    wb = make_workbook({"S": {"A1": 1, "A2": 2, "A3": "=SUM(A1:A10)", "B1": "=A3"}})
    assert graph_of(wb).circular_groups() == [cells(wb, "S", "A3")]


def test_two_cycle_and_three_cycle_across_sheets():
    wb = make_workbook(
        {
            "One": {"A1": "=B1", "B1": "=A1*2", "C1": "=Two!A1"},
            "Two": {"A1": "=Three!B2+1", "Z9": "=One!A1"},
            "Three": {"B2": "=One!C1"},
        }
    )
    groups = graph_of(wb).circular_groups()
    assert groups == [
        cells(wb, "One", "A1", "B1"),
        [cell(wb, "One", "C1"), cell(wb, "Two", "A1"), cell(wb, "Three", "B2")],
    ]


def test_cycle_through_a_whole_column():
    wb = make_workbook({"S": {"B1": "=SUM(A:A)", "A5": "=B1*0.1", "A6": 3, "C1": "=B1"}})
    assert graph_of(wb).circular_groups() == [cells(wb, "S", "B1", "A5")]  # row-major


def test_cycle_through_a_whole_row_and_a_wide_range():
    row = {f"{c}1": f"=A2+{i}" for i, c in enumerate("BCDEFGHIJ")}
    wb = make_workbook({"S": {**row, "A2": "=SUM(1:1)", "A3": "=SUM(A2:J2)"}})
    groups = graph_of(wb).circular_groups()
    assert len(groups) == 1
    assert groups[0] == cells(wb, "S", *row, "A2")


def test_no_false_cycle_for_a_total_below_its_range():
    column = {f"A{r}": f"=B{r}*2" for r in range(1, 10)}
    wb = make_workbook({"S": {**column, "A10": "=SUM(A1:A9)", "B10": "=SUM(A:A)-A10"}})
    g = graph_of(wb)
    assert g.circular_groups() == []
    assert cell(wb, "S", "A10") in g.dependents(cells(wb, "S", "A5"))


def test_cycle_through_names_and_tables():
    from xlimport.workbook import DefinedName

    wb = make_workbook(
        {"S": {"A1": "=Total*2", "B1": "=A1", "B2": 5}},
        defined_names=[DefinedName("Total", "SUM(S!$B$1:$B$2)")],
    )
    assert graph_of(wb).circular_groups() == [cells(wb, "S", "A1", "B1")]


def test_cycle_through_a_cell_of_an_array_formula():
    wb = make_workbook({"S": {"A1": "=TRANSPOSE(C1:C2)", "C2": "=B1+1"}})
    wb.sheets[0].array_ranges[(1, 1)] = "A1:B1"  # B1 is computed by the formula in A1
    assert graph_of(wb).circular_groups() == [cells(wb, "S", "A1", "C2")]


def test_groups_are_sorted_by_their_first_member():
    wb = make_workbook(
        {"S": {"A1": "=A2", "A2": "=A1", "C5": "=C5", "B3": "=B4", "B4": "=B3", "Z1": "=A1"}}
    )
    assert graph_of(wb).circular_groups() == [
        cells(wb, "S", "A1", "A2"),
        cells(wb, "S", "B3", "B4"),
        cells(wb, "S", "C5"),
    ]


def test_dynamic_and_external_references_add_what_is_known():
    wb = make_workbook(
        {"S": {"A1": "=OFFSET(B1,1,0)", "B1": "=A1", "C1": "=[1]Other!A1+C2", "C2": "=C1"}}
    )
    assert graph_of(wb).circular_groups() == [
        cells(wb, "S", "A1", "B1"),
        cells(wb, "S", "C1", "C2"),
    ]


# ---- dependents and precedents ----------------------------------------------------------------
def test_dependents_are_transitive_across_ranges_and_sheets():
    wb = make_workbook(
        {
            "In": {"A1": 5, "A2": "=RAND()", "A3": "=A2*2", "A4": 1},
            "Calc": {"B1": "=SUM(In!A1:A3)", "B2": "=B1+1", "B3": "=In!A4", "B4": "=B3"},
            "Out": {"C1": "=Calc!B2", "C2": "=SUM(Calc!B:B)"},
        }
    )
    g = graph_of(wb)
    got = g.dependents(cells(wb, "In", "A2"))
    assert got == {
        cell(wb, "In", "A3"),
        *cells(wb, "Calc", "B1", "B2"),
        *cells(wb, "Out", "C1", "C2"),
    }
    assert g.dependents(cells(wb, "Calc", "B3")) == {cell(wb, "Calc", "B4"), cell(wb, "Out", "C2")}
    assert g.dependents(cells(wb, "In", "A1")) == set()  # constants have no node
    assert g.dependents([]) == set()


def test_dependents_of_a_cycle_include_its_members():
    wb = make_workbook({"S": {"A1": "=B1", "B1": "=A1", "C1": "=B1"}})
    g = graph_of(wb)
    assert g.dependents(cells(wb, "S", "A1")) == set(cells(wb, "S", "A1", "B1", "C1"))


def test_precedents_are_the_direct_formula_cells_referred_to():
    wb = make_workbook(
        {"S": {"A1": "=1", "A2": "=A1", "A3": 7, "B1": "=SUM(A1:A3)+A2", "C1": "=B1"}}
    )
    g = graph_of(wb)
    assert g.precedents(cell(wb, "S", "B1")) == set(cells(wb, "S", "A1", "A2"))
    assert g.precedents(cell(wb, "S", "C1")) == {cell(wb, "S", "B1")}
    assert g.precedents(cell(wb, "S", "A1")) == set()
    explained = g.subgraph(cells(wb, "S", "A1", "A2", "B1"))
    assert set(explained.edges) == {
        (cell(wb, "S", "A1"), cell(wb, "S", "A2")),
        (cell(wb, "S", "A1"), cell(wb, "S", "B1")),
        (cell(wb, "S", "A2"), cell(wb, "S", "B1")),
    }


def test_input_as_pairs_per_sheet_index():
    wb = make_workbook({"S": {"A1": "=B1", "B1": "=A1"}, "T": {"A1": "=S!A1"}})
    ctx = AnalysisContext(wb)
    infos = {
        s.index: [
            (i, analyze(f, s.index, s.rows[i], s.cols[i], ctx)) for i, f in enumerate(s.formulas)
        ]
        for s in wb.sheets
    }
    g = build_graph(wb, infos)
    assert g.circular_groups() == [cells(wb, "S", "A1", "B1")]
    assert g.dependents(cells(wb, "S", "B1")) == {*cells(wb, "S", "A1", "B1"), cell(wb, "T", "A1")}


def test_empty_workbook_and_no_formulas():
    wb = make_workbook({"S": {"A1": 1}})
    g = graph_of(wb)
    assert g.circular_groups() == [] and g.node_count == 0 and g.edge_count == 0
    assert g.dependents([(0, 0)]) == set()


# ---- size: ranges never expand into one edge per cell -----------------------------------------
N = 20_000


def _column_model(formula_of_row) -> WorkbookData:
    sheet = SheetData(name="S", index=0)
    for r in range(1, N + 1):
        sheet.add(r, 1, "n", float(r))
        sheet.add(r, 2, "n", 0.0, formula_of_row(r))
    return WorkbookData(sheets=[sheet])


def test_cumulative_sum_pattern_builds_few_edges():
    # B_r = SUM($B$1:B_{r-1}) + A_r: every formula reads all formulas above it.
    wb = _column_model(lambda r: f"SUM($B$1:B{r - 1})+A{r}" if r > 1 else f"A{r}")
    g = graph_of(wb)
    assert g.edge_count < 20 * N
    assert g.circular_groups() == []
    last = (0, 2 * N - 1)
    assert g.dependents([(0, 1)]) >= {last}
    assert len(g.dependents([(0, 1)])) == N - 1


def test_same_range_copied_down_builds_few_edges_and_finds_the_cycle():
    # Every B_r sums the whole of column B: each one is in one big circular group.
    wb = _column_model(lambda r: f"SUM($B$1:$B${N})/{N}+A{r}")
    g = graph_of(wb)
    assert g.edge_count < 20 * N
    groups = g.circular_groups()
    assert len(groups) == 1 and len(groups[0]) == N


GENERATED = Path(__file__).resolve().parents[1].parent / "shared" / "generated"


@pytest.mark.skipif(not (GENERATED / "fm_circ_1k.xlsx").exists(), reason="no shared workbooks")
def test_generated_circular_model_has_its_loop():
    from xlimport.reader import read_workbook

    wb = read_workbook(GENERATED / "fm_circ_1k.xlsx")
    g = graph_of(wb)
    groups = g.circular_groups()
    # Per period, interest -> cash after interest -> repayment -> closing -> average debt ->
    # interest is one loop of 5 cells (12 periods). The next period's opening debt depends on
    # the loop but is not in it (the README's 71 also counts those 11 cells).
    debt = wb.sheet("Debt")
    assert len(groups) == 12 and all(len(group) == 5 for group in groups)
    for group in groups:
        assert {debt.rows[i] for s, i in group} == {6, 7, 8, 9, 10}
        assert len({debt.cols[i] for s, i in group}) == 1
        assert all(s == debt.index for s, _ in group)
    downstream = g.dependents(groups[0]) - {c for group in groups for c in group}
    assert sum(1 for s, i in downstream if s == debt.index and debt.rows[i] == 4) == 11


def test_compact_sheet_analyses_build_the_same_graph():
    wb = make_workbook(
        {
            "S": {"A1": "=B1", "B1": "=SUM(A1:A3)", "A2": 5, "C1": "=T!A1*2"},
            "T": {"A1": "=S!C1", "B5": "=SUM(S!A1:C1)"},
        }
    )
    ctx = AnalysisContext(wb)
    compact = [analyze_sheet(s, ctx) for s in wb.sheets]
    g = build_graph(wb, compact, release=True)
    expected = graph_of(wb)
    assert g.circular_groups() == expected.circular_groups()
    assert g.circular_groups() == [
        cells(wb, "S", "A1", "B1"),
        [cell(wb, "S", "C1"), cell(wb, "T", "A1")],
    ]
    assert g.dependents(cells(wb, "S", "B1")) == expected.dependents(cells(wb, "S", "B1"))
    assert all(per[i].refs == [] for per in compact for i in per)  # released
