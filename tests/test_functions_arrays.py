"""Array functions HyperFormula 3.5.0 lacks, added as plugins (hyperformula/functions/array_*.js),
give what Excel gives, over the size Excel gave the array range.

Expected values come from Microsoft's documentation examples of each function; least squares
results are checked against numpy's solution of the same fit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from engine_cases import recomputed_values
from openpyxl.worksheet.formula import ArrayFormula

from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet

NA, VALUE = "#N/A", "#VALUE!"


def _plain(v: Any) -> Any:
    return v.code if isinstance(v, EngineErrorValue) else v


def _close(got: list[Any], want: list[Any]) -> bool:
    if len(got) != len(want):
        return False
    for g, w in zip(got, want, strict=True):
        if isinstance(w, float):
            if not isinstance(g, float) or abs(g - w) > 1e-9 * max(1.0, abs(w)):
                return False
        elif g != w:
            return False
    return True


def _block(engine, formula: str, height: int, width: int, constants=(), arrays=True) -> list:
    """Evaluate ``formula`` as an array formula anchored at E1 over height x width cells (as the
    pipeline does) and read the block row by row."""
    sheet = EngineSheet(
        "S",
        constants=list(constants),
        formulas=[(1, 5, "=ARRAYFORMULA(" + formula[1:] + ")")],
        arrays=[(1, 5, height, width)] if arrays else [],
    )
    engine.load([sheet], [], EngineSettings())
    reads = [("S", r, c) for r in range(1, height + 1) for c in range(5, 5 + width)]
    return [_plain(v) for v in engine.set_and_read([], reads)]


# (formula, height, width, expected row by row): Microsoft's documentation examples
CASES: list[tuple[str, int, int, list[Any]]] = [
    ("=MINVERSE({4,-1;2,0})", 2, 2, [0.0, 0.5, -1.0, 2.0]),
    ("=MINVERSE({1,2;2,4})", 1, 1, ["#NUM!"]),
    ("=MDETERM({1,3,8,5;1,3,6,1;1,1,1,0;7,3,10,2})", 1, 1, [88.0]),
    ("=MUNIT(3)", 3, 3, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]),
    ("=FREQUENCY({79;85;78;85;50;81;95;88;97},{70;79;89})", 4, 1, [1.0, 2.0, 4.0, 2.0]),
    ("=MODE.MULT({1,2,3,4,3,2,1,2,3,5,6,1})", 3, 1, [1.0, 2.0, 3.0]),
    ("=MODE.MULT({1,2,3})", 1, 1, [NA]),
    ("=CHOOSECOLS({1,2,3;4,5,6},3,-3)", 2, 2, [3.0, 1.0, 6.0, 4.0]),
    ("=CHOOSECOLS({1,2,3},4)", 1, 1, [VALUE]),
    ("=CHOOSEROWS({1,2;3,4;5,6},-1,1)", 2, 2, [5.0, 6.0, 1.0, 2.0]),
    ("=TOCOL({1,2;3,4})", 4, 1, [1.0, 2.0, 3.0, 4.0]),
    ("=TOCOL({1,2;3,4},0,TRUE())", 4, 1, [1.0, 3.0, 2.0, 4.0]),
    ("=TOROW({1,2;3,4})", 1, 4, [1.0, 2.0, 3.0, 4.0]),
    ("=TAKE({1,2,3;4,5,6;7,8,9},2)", 2, 3, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    ("=TAKE({1,2,3;4,5,6;7,8,9},-1,-2)", 1, 2, [8.0, 9.0]),
    ("=DROP({1,2,3;4,5,6;7,8,9},2,1)", 1, 2, [8.0, 9.0]),
    ("=DROP({1,2,3;4,5,6},-1,-1)", 1, 2, [1.0, 2.0]),
    ("=EXPAND({1,2;3,4},3,3,0)", 3, 3, [1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0]),
    ("=EXPAND({1,2},2)", 2, 2, [1.0, 2.0, NA, NA]),
    ("=WRAPROWS({1,2,3,4,5},2,0)", 3, 2, [1.0, 2.0, 3.0, 4.0, 5.0, 0.0]),
    ("=WRAPCOLS({1,2,3,4,5},2)", 2, 3, [1.0, 3.0, 5.0, 2.0, 4.0, NA]),
    ('=SORTBY({"Tom";"Fred";"Amy"},{52;65;22})', 3, 1, ["Amy", "Tom", "Fred"]),
    ('=SORTBY({"a",1;"b",2;"c",3},{2;2;1},1,{1;2;3},-1)', 3, 2, ["c", 3.0, "b", 2.0, "a", 1.0]),
    # Excel fills a range larger than the result with #N/A, and repeats a single row or column
    ("=MINVERSE({4,-1;2,0})", 3, 2, [0.0, 0.5, -1.0, 2.0, NA, NA]),
    ("=TOROW({1,2})", 2, 2, [1.0, 2.0, 1.0, 2.0]),
]


@pytest.mark.parametrize(("formula", "height", "width", "want"), CASES)
def test_array_functions_as_microsoft_documents_them(engine, formula, height, width, want):
    assert _close(_block(engine, formula, height, width), want)


def test_functions_are_registered(engine):
    names = engine.function_names()
    for name in [
        "LINEST", "LOGEST", "TREND", "GROWTH", "FREQUENCY", "MODE.MULT", "MINVERSE", "MDETERM",
        "MUNIT", "CHOOSECOLS", "CHOOSEROWS", "TOCOL", "TOROW", "TAKE", "DROP", "EXPAND",
        "WRAPROWS", "WRAPCOLS", "SORTBY", "ANCHORARRAY",
    ]:  # fmt: skip
        assert name in names


Y = [3.0, 7.0, 8.0, 13.0, 15.0, 19.0]
X1 = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
X2 = [2.0, 1.0, 4.0, 3.0, 7.0, 5.0]


def _data() -> list[tuple[int, int, Any]]:
    return [(r, c, v) for c, col in enumerate((Y, X1, X2), 1) for r, v in enumerate(col, 1)]


def test_linest_with_statistics_is_the_least_squares_fit(engine):
    got = _block(engine, "=LINEST(A1:A6,B1:C6,TRUE(),TRUE())", 5, 3, _data())
    x = np.column_stack([X1, X2, np.ones(6)])
    coef, ss_resid, *_ = np.linalg.lstsq(x, np.array(Y), rcond=None)
    m1, m2, b = coef
    ss_resid = float(ss_resid[0])
    ss_reg = float(((x @ coef - np.mean(Y)) ** 2).sum())
    df = 6 - 3
    se = np.sqrt(np.diag(np.linalg.inv(x.T @ x)) * ss_resid / df)
    want = [m2, m1, b, se[1], se[0], se[2]]
    want += [ss_reg / (ss_reg + ss_resid), (ss_resid / df) ** 0.5, NA]
    want += [(ss_reg / 2) / (ss_resid / df), float(df), NA, ss_reg, ss_resid, NA]
    assert _close(got, [float(w) if not isinstance(w, str) else w for w in want])


def test_linest_without_constant_and_one_variable(engine):
    got = _block(engine, "=LINEST(A1:A6,B1:B6,FALSE())", 1, 2, _data())
    m = float(np.dot(X1, Y) / np.dot(X1, X1))
    assert _close(got, [m, 0.0])


def test_trend_and_growth_predict_new_values(engine):
    m, b = np.polyfit(X1, Y, 1)
    got = _block(engine, "=TREND(A1:A6,B1:B6,{7;8})", 2, 1, _data())
    assert _close(got, [m * 7 + b, m * 8 + b])
    lm, lb = np.polyfit(X1, np.log(Y), 1)
    got = _block(engine, "=GROWTH(A1:A6,B1:B6,{7})", 1, 1, _data())
    assert _close(got, [float(np.exp(lm * 7 + lb))])
    got = _block(engine, "=LOGEST(A1:A6,B1:B6)", 1, 2, _data())
    assert _close(got, [float(np.exp(lm)), float(np.exp(lb))])


def test_data_dependent_sizes_come_from_the_recorded_range(engine):
    # the count comes from a formula: only the range Excel recorded tells the size
    constants = [(r, 1, float(r)) for r in range(1, 6)] + [(1, 2, 3.0)]
    sheet = EngineSheet(
        "S",
        constants=constants,
        formulas=[(1, 3, "=B1-1"), (1, 5, "=ARRAYFORMULA(TAKE(A1:A5,C1))")],
        arrays=[(1, 5, 2, 1)],
    )
    engine.load([sheet], [], EngineSettings())
    got = engine.set_and_read([], [("S", 1, 5), ("S", 2, 5), ("S", 3, 5)])
    assert [_plain(v) for v in got] == [1.0, 2.0, None]


def test_anchorarray_is_the_recorded_spill_range(engine):
    sheet = EngineSheet(
        "S",
        constants=[(1, 1, 1.0), (2, 1, 2.0), (3, 1, 3.0)],
        formulas=[
            (1, 3, "=ARRAYFORMULA(A1:A3*10)"),
            (1, 4, "=SUM(ANCHORARRAY(C1))"),
            (1, 5, "=ARRAYFORMULA(ANCHORARRAY(C1)+1)"),
        ],
        arrays=[(1, 3, 3, 1), (1, 5, 3, 1)],
    )
    engine.load([sheet], [], EngineSettings())
    got = engine.set_and_read([], [("S", 1, 4), ("S", 1, 5), ("S", 2, 5), ("S", 3, 5)])
    assert [_plain(v) for v in got] == [60.0, 11.0, 21.0, 31.0]


def test_array_formulas_in_a_workbook_are_filled_as_excel_fills_them(tmp_path: Path, sqlite_url):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r, v in enumerate([79, 85, 78, 85, 50, 81, 95, 88, 97], start=1):
        ws.cell(r, 1, v)
    for r, v in enumerate([70, 79, 89], start=1):
        ws.cell(r, 2, v)
    ws["C1"] = ArrayFormula("C1:C4", "=FREQUENCY(A1:A9,B1:B3)")
    ws["D1"] = ArrayFormula("D1:E2", "=MINVERSE({4,-1;2,0})")
    ws["F1"] = ArrayFormula("F1:F3", "=MODE.MULT(A1:A9,{1,1,2})")
    # Excel writes every cell of an array range with its cached value; openpyxl writes only the
    # anchor, so the other cells get a placeholder cached value here
    for ref in ("C2", "C3", "C4", "E1", "D2", "E2", "F2", "F3"):
        ws[ref] = 0
    cells = recomputed_values(wb, tmp_path, sqlite_url)
    assert [cells[f"C{i}"] for i in range(1, 5)] == [1, 2, 4, 2]
    assert [cells[a] for a in ("D1", "E1", "D2", "E2")] == [0, 0.5, -1, 2]
    assert [cells[f"F{i}"] for i in range(1, 4)] == [85, 1, NA]
