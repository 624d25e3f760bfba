"""The iterative solver for circular references, on the real engine."""

from __future__ import annotations

import math
import re
from pathlib import Path

import networkx as nx
import openpyxl
import pytest

from xlimport.engine import (
    EngineName,
    EngineSettings,
    EngineSheet,
    solve_circular,
)
from xlimport.engine.circular import value_change

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_CELL = re.compile(r"(?<![A-Za-z0-9_!.$'])\$?([A-Z]{1,3})\$?(\d+)(?![A-Za-z0-9_(!])")


def qualify(formula: str, sheet: str) -> str:
    """Every unqualified reference prefixed with ``sheet``: the project's own function when it
    exists, else a small regex good enough for the formulas of these tests."""
    from xlimport import references

    try:
        return references.qualify_references(formula, sheet)
    except NotImplementedError:
        return _CELL.sub(lambda m: f"{sheet}!{m.group(0)}", formula)


def test_two_cell_loop_converges(engine):
    engine.load(
        [EngineSheet("S", formulas=[(1, 1, "=B1*0.5+10"), (1, 2, "=A1"), (1, 3, "=A1*2")])],
        [],
        EngineSettings(),
    )
    assert engine.formula_values()[0][0].code == "#CYCLE!"
    group = [("S", 1, 1, qualify("=B1*0.5+10", "S"), 0.0), ("S", 1, 2, qualify("=A1", "S"), 0)]
    [report] = solve_circular(engine, [group], max_iterations=1000, max_change=1e-10)
    assert report.converged
    assert report.size == 2
    assert 1 < report.iterations < 1000
    assert report.max_change < 1e-10
    assert report.values == pytest.approx([20.0, 20.0], abs=1e-8)
    # the members now hold constants; their dependents recomputed inside the engine
    assert engine.formula_values()[0] == pytest.approx([20.0, 20.0, 40.0], abs=1e-8)


def test_debt_interest_loop(engine):
    # interest on average debt; closing debt = opening + interest - repayment
    sheets = [
        EngineSheet(
            "Debt",
            [(1, 1, 1000.0), (1, 4, 100.0)],
            [(1, 2, "=(A1+C1)/2*Rate"), (1, 3, "=A1+B1-D1"), (2, 3, "=C1*2")],
        ),
        EngineSheet("Inputs", [(1, 1, 0.1)]),
    ]
    engine.load(sheets, [EngineName("Rate", "=Inputs!$A$1")], EngineSettings())
    group = [
        ("Debt", 1, 2, qualify("=(A1+C1)/2*Rate", "Debt"), 0.0),
        ("Debt", 1, 3, qualify("=A1+B1-D1", "Debt"), 0.0),
    ]
    progress_calls = []
    [report] = solve_circular(
        engine,
        [group],
        max_iterations=100,
        max_change=1e-9,
        progress=lambda *args: progress_calls.append(args),
    )
    assert report.converged
    assert report.values == pytest.approx([100.0, 1000.0], abs=1e-6)
    assert engine.formula_values()[0] == pytest.approx([100.0, 1000.0, 2000.0], abs=1e-6)
    assert progress_calls[-1][0] == "circular" and progress_calls[-1][1] == 100.0


def test_non_converging_loop_stops_at_max_iterations(engine):
    engine.load(
        [EngineSheet("S", formulas=[(1, 1, "=A1+1"), (2, 1, "=B2*0.5+1"), (2, 2, "=A2")])],
        [],
        EngineSettings(),
    )
    runaway = [("S", 1, 1, qualify("=A1+1", "S"), 5.0)]
    calm = [("S", 2, 1, qualify("=B2*0.5+1", "S"), 0.0), ("S", 2, 2, qualify("=A2", "S"), 0.0)]
    runaway_report, calm_report = solve_circular(
        engine, [runaway, calm], max_iterations=50, max_change=1e-6
    )
    assert not runaway_report.converged
    assert runaway_report.iterations == 50
    assert runaway_report.max_change == 1.0
    assert runaway_report.values == [55.0]  # keeps its last value
    assert calm_report.converged
    assert calm_report.values == pytest.approx([2.0, 2.0], abs=1e-5)
    assert engine.formula_values()[0][0] == 55.0


def test_value_change():
    assert value_change(1.0, 1.5) == 0.5
    assert value_change("a", "a") == 0.0
    assert math.isinf(value_change(1.0, "a"))
    assert math.isinf(value_change(True, 1.0))


def _same_sheet_refs(formula: str) -> list[str]:
    return [m.group(1) + m.group(2) for m in _CELL.finditer(formula)]


def test_generated_model_debt_loop_matches_excel_cached_values(engine):
    path = SHARED / "generated" / "fm_circ_1k.xlsx"
    if not path.exists():
        pytest.skip("shared/generated/fm_circ_1k.xlsx is absent")
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        sheet = EngineSheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and v.startswith("="):
                    sheet.formulas.append((cell.row, cell.column, v))
                elif isinstance(v, (int, float, str, bool)):
                    sheet.constants.append((cell.row, cell.column, v))
        sheets.append(sheet)
    names = [EngineName(n, "=" + d.attr_text) for n, d in wb.defined_names.items()]
    report = engine.load(sheets, names, EngineSettings())
    assert report.rejected_names == []

    # the loop: strongly connected same-sheet references on the Debt sheet
    debt = wb["Debt"]
    graph = nx.DiGraph()
    formulas = {}
    for row in debt.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                formulas[cell.coordinate] = cell.value
                for ref in _same_sheet_refs(cell.value):
                    graph.add_edge(ref, cell.coordinate)
    loops = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    # one loop per period (interest <-> average debt); the opening-debt row only depends on them
    assert len(loops) == 12
    assert sum(len(c) for c in loops) == 60
    groups, expected = [], []
    for loop in sorted(loops, key=sorted):
        members = []
        for coord in sorted(loop):
            col, row = openpyxl.utils.cell.coordinate_from_string(coord)
            col_idx = openpyxl.utils.column_index_from_string(col)
            start = cached["Debt"][coord].value
            members.append(("Debt", row, col_idx, qualify(formulas[coord], "Debt"), start))
            expected.append(start)
        groups.append(members)

    def solved(reports):
        return [v for r in reports for v in r.values]

    # from Excel's cached values: converges at once
    from_cache = solve_circular(engine, groups, max_iterations=100, max_change=1e-6)
    assert all(r.converged and r.iterations <= 2 for r in from_cache)
    assert solved(from_cache) == pytest.approx(expected, abs=1e-6)

    # from zero, every period's loop solved together, within the workbook's iterateCount (100)
    engine.load(sheets, names, EngineSettings())
    zeros = [[m[:4] + (0.0,) for m in g] for g in groups]
    from_zero = solve_circular(engine, zeros, max_iterations=100, max_change=1e-9)
    assert all(r.converged for r in from_zero)
    assert solved(from_zero) == pytest.approx(expected, abs=1e-6)

    # cells downstream of the loop recompute from the solved values
    debt_index = [s.name for s in sheets].index("Debt")
    values = engine.formula_values()[debt_index]
    for (row, col, _), value in zip(sheets[debt_index].formulas, values, strict=True):
        want = cached["Debt"].cell(row, col).value
        if isinstance(want, float):
            assert value == pytest.approx(want, abs=1e-6)
