"""lib/parsecache.js (one shared AST per formula shape, shape keys instead of the lexer for
repeated shapes) gives the values HyperFormula's own parse gives: the same workbooks built with
the module and without it (XLIMPORT_HF_PARSECACHE=0), with every shape-key hit checked against
HyperFormula's own hash (XLIMPORT_HF_SHAPE_CHECK)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from xlimport.engine import EngineErrorValue, EngineName, EngineSettings, EngineSheet
from xlimport.engine.hyperformula import HyperFormulaEngine

ROWS = 40

# Shapes repeated down ROWS rows ({r}: the row, {n}: the next row), chosen to reach every branch
# of the shape key and of the copy-on-write range ordering: relative / absolute / mixed
# references, reversed ranges (ordered per formula), column and row ranges (no key), strings and
# quoted sheet names holding reference-like text, function names that look like references
# (LOG10), error literals and "#" (no key), array literals, whitespace, lower case, named
# expressions, sheets named like cells, the grid's last column and row.
SHAPES = [
    "=A{r}+B{r}*2",
    "=SUM($A$1:A{r})",
    "=SUM(B{r}:A1)",
    "=SUM($B{r}:A$1)",
    "=SUM(A$1:$B{r})",
    "=SUM(B{n}:B{r})",
    '="A"&{r}&"B2"&A{r}',
    '=LEN("A{r}")+A{r}',
    "=LOG10(A{r}+1)",
    "='My Sheet'!A{r}*2",
    "='O''Brien A1'!B{r}+A{r}",
    "=Q1!A{r}+1",
    "=SUM(A:A)-SUM(1:1)+A{r}",
    "=SUM($A:B)+A{r}",
    "=IFERROR(#N/A,A{r})",
    "=INDEX({{1,2;3,4}},1,2)+A{r}",
    "=OFFSET(A1,{r}-1,1)",
    "=SUM(OFFSET(A{r},0,0,2,2))",
    "=A{r} + B{r}",
    "= A{r}",
    "=a{r}*b{r}",
    "=Rate*A{r}",
    "=SUM(Data!A{r}:B{r})",
    "=$A{r}*A$1",
    "=A{r}%",
    "=-A{r}^2",
    "=A{r}<>B{r}",
    "=IF(A{r}>20,B{r},-B{r})",
    "=XFD1+A{r}",
    "=A1048576+A{r}",
    "=SUM(A{r}:A{n},B1)",
    "=SUMPRODUCT(A1:A{r},B1:B{r})",
    "=VLOOKUP(A{r},$A$1:$B$40,2,FALSE)",
    '=TEXT(A{r},"0.00")&" A{r}"',
    '=INDIRECT("A"&{r})',
    "=A{r}.5",
    "=A1B{r}",
    "=ROUND(A{r}/3,2)",
]


def _workbook() -> tuple[list[EngineSheet], list[EngineName]]:
    data = [(r, c, float(r * 10 + c)) for r in range(1, ROWS + 2) for c in (1, 2)]
    calc = EngineSheet(
        "Calc", [(r, c, float(r * 3 - c)) for r in range(1, ROWS + 2) for c in (1, 2)]
    )
    for r in range(1, ROWS + 1):
        for k, shape in enumerate(SHAPES):
            calc.formulas.append((r, 3 + k, shape.format(r=r, n=r + 1)))
    sheets = [
        calc,
        EngineSheet("Data", data),
        EngineSheet("My Sheet", data),
        EngineSheet("O'Brien A1", data),
        EngineSheet("Q1", data),
    ]
    return sheets, [EngineName("Rate", "=Data!$B$2")]


@pytest.fixture
def engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[object, object, Path]]:
    """(engine without the module, engine with it checking every key hit, the check file)."""
    check = tmp_path / "shape_check.jsonl"
    monkeypatch.setenv("XLIMPORT_HF_PARSECACHE", "0")
    plain = HyperFormulaEngine(timeout=60)
    plain.start()
    monkeypatch.setenv("XLIMPORT_HF_PARSECACHE", "1")
    monkeypatch.setenv("XLIMPORT_HF_SHAPE_CHECK", str(check))
    patched = HyperFormulaEngine(timeout=60)
    patched.start()
    monkeypatch.delenv("XLIMPORT_HF_SHAPE_CHECK")
    try:
        yield plain, patched, check
    finally:
        plain.close()
        patched.close()


def _values(engine, sheets, names) -> list[list[object]]:
    engine.load(sheets, names, EngineSettings())
    return engine.formula_values()


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, EngineErrorValue) and isinstance(b, EngineErrorValue):
        return (a.code, a.message) == (b.code, b.message)
    return type(a) is type(b) and a == b


def test_shapes_give_hyperformulas_values(engines):
    plain, patched, check = engines
    sheets, names = _workbook()
    want = _values(plain, sheets, names)
    got = _values(patched, sheets, names)
    patched.close()  # the check file gets its counts when the process exits
    assert len(got) == len(want)
    diffs = [
        (SHAPES[i % len(SHAPES)], i // len(SHAPES) + 1, w, g)
        for sheet_w, sheet_g in zip(want, got, strict=True)
        for i, (w, g) in enumerate(zip(sheet_w, sheet_g, strict=True))
        if not _same(w, g)
    ]
    assert diffs == []
    lines = [json.loads(line) for line in check.read_text().splitlines()]
    mismatches = [line for line in lines if not isinstance(line, dict)]
    assert mismatches == []
    stats = lines[-1]["stats"]
    assert stats["mismatches"] == 0
    # Most formulas found their shape by key (each shape is lexed once, or never gets a key).
    assert stats["keyHits"] > ROWS * len(SHAPES) // 2


def test_known_values_with_shared_shapes(engine):
    """Values computed here, through the module (on by default): the shared ASTs keep each
    formula's own cell (relative references, reversed ranges ordered per formula)."""
    rows = 300
    sheet = EngineSheet("S", [(r, 1, float(r)) for r in range(1, rows + 1)])
    for r in range(1, rows + 1):
        sheet.formulas.append((r, 2, f"=A{r}*2"))  # relative
        sheet.formulas.append((r, 3, f"=SUM($A$1:A{r})"))  # growing range
        sheet.formulas.append((r, 4, f"=SUM(A{r + 1}:A{r})"))  # written reversed
        sheet.formulas.append((r, 5, f"=SUM($A{r}:A$1)"))  # mixed, reversed
        sheet.formulas.append((r, 6, f"=LOG10(A{r})"))
        sheet.formulas.append((r, 7, f'="A{r}"&A{r}'))
    engine.load([sheet], [], EngineSettings())
    [values] = engine.formula_values()
    got = [values[i : i + 6] for i in range(0, len(values), 6)]
    for r, (b, c, d, e, f, g) in enumerate(got, 1):
        nxt = r + 1 if r < rows else 0
        assert (b, c, d, e, g) == (
            2.0 * r,
            r * (r + 1) / 2,
            float(r + nxt),
            r * (r + 1) / 2,
            f"A{r}{r}",
        )
        assert f == pytest.approx(math.log10(r), rel=1e-15)
