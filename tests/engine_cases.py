"""Shared helpers of the function tests: evaluate formulas in the real engine and compare them
with expected values (documentation examples or values Excel cached in the corpus)."""

from __future__ import annotations

from typing import Any

import pytest

from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet, HyperFormulaEngine


def as_formula(value: Any) -> str | None:
    """Booleans and "=..." constants are entered as formulas (the engine reads text as text)."""
    if isinstance(value, bool):
        return "=TRUE()" if value else "=FALSE()"
    if isinstance(value, str) and value.startswith("="):
        return value
    return None


def evaluate(
    engine: HyperFormulaEngine,
    formulas: list[str],
    constants: list[tuple[int, int, Any]] = (),
    settings: EngineSettings | None = None,
) -> list[Any]:
    """Values of `formulas`, one per row of column Z of a sheet holding `constants`; errors come
    back as their code ("#NUM!")."""
    plain = [(r, c, v) for r, c, v in constants if not as_formula(v)]
    inputs = [(r, c, as_formula(v)) for r, c, v in constants if as_formula(v)]
    tested = [(r, 26, f) for r, f in enumerate(formulas, 1)]
    engine.load([EngineSheet("S", plain, inputs + tested)], [], settings or EngineSettings())
    [values] = engine.formula_values()
    return [v.code if isinstance(v, EngineErrorValue) else v for v in values[len(inputs) :]]


def check(
    engine: HyperFormulaEngine,
    cases: list[tuple[str, Any]],
    constants=(),
    settings: EngineSettings | None = None,
) -> None:
    """Every (formula, expected) case gives its expected value (floats to 1e-12 relative)."""
    got = evaluate(engine, [f for f, _ in cases], constants, settings)
    wrong = [
        (f, want, g)
        for (f, want), g in zip(cases, got, strict=True)
        if not (g == want or (isinstance(want, float) and g == pytest.approx(want, rel=1e-12)))
    ]
    assert wrong == []


def import_and_check(wb: Any, expected: dict[str, tuple[str, Any]], tmp_path: Any) -> None:
    """Write `expected` (cell -> (formula, value)) into the openpyxl workbook `wb`, import it
    with the whole pipeline into a SQLite store and check every formula cell's recomputed value
    (numbers as numbers, text and error codes as text)."""
    ws = wb.active
    for cell, (formula, _) in expected.items():
        ws[cell] = formula
    got = recomputed_values(wb, tmp_path, formulas_only=True)
    assert got == {cell: want for cell, (_, want) in expected.items()}


def recomputed_values(
    wb: Any, tmp_path: Any, url: str | None = None, *, formulas_only: bool = False
) -> dict[str, Any]:
    """Import the openpyxl workbook ``wb`` with the whole pipeline (into a SQLite store in
    ``tmp_path`` unless ``url``) and return each stored cell's recomputed value by address:
    numbers as numbers, text and error codes as text."""
    import xlimport
    from xlimport.store.base import CellFilter

    path = tmp_path / "regression.xlsx"
    wb.save(path)
    url = url or f"sqlite:///{tmp_path / 'regression.db'}"
    result = xlimport.import_workbook(path, store=url)
    cells = xlimport.open_store(url).iter_cells(
        result.model_id, CellFilter(has_formula=True if formulas_only else None)
    )
    return {
        c["cell"]: c["calculated_text"] if c["calculated_value"] is None else c["calculated_value"]
        for c in cells
    }
