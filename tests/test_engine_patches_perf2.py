"""Second round of the engine's build patches, each giving HyperFormula's own results:

- lib/topsort.js (the topological sort over typed arrays): the same workbooks, cycles included,
  built and recalculated (set_and_read) with the module and without it (XLIMPORT_HF_TOPSORT=0)
  give the same values and errors;
- functions/fix_numbers.js `decimalRound` (ROUND and its kin without building texts) equals
  the text-based `decimalRoundText` on millions of numbers, digits and modes;
- functions/fixj_lookup.js (INDEX no longer evaluates a one-column or one-row reference to learn
  its shape): INDEX's values and the #REF! of a two-dimensional reference with one index."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet
from xlimport.engine.hyperformula import HyperFormulaEngine

HF_DIR = Path(__file__).resolve().parents[1] / "hyperformula"
ROWS = 30


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, EngineErrorValue) and isinstance(b, EngineErrorValue):
        return (a.code, a.message) == (b.code, b.message)
    return type(a) is type(b) and a == b


def _workbook() -> list[EngineSheet]:
    """Chains, shared inputs, ranges over formulas, diamonds, and cycles of every kind: a
    self-reference, two- and three-cell loops, a loop through a range, cells reading a loop."""
    data = EngineSheet("Data", [(r, 1, float(r * 7 % 11)) for r in range(1, ROWS + 1)])
    calc = EngineSheet("Calc", [(1, 1, 1.5), (1, 2, 0.25)])
    f = calc.formulas
    for r in range(2, ROWS + 1):
        f.append((r, 1, f"=A{r - 1}*(1+$B$1)+Data!A{r}"))  # a chain down column A
        f.append((r, 2, f"=SUM($A$2:A{r})-B{r - 1}"))  # growing ranges over formulas
        f.append((r, 3, f"=A{r}+B{r}+IF(A{r}>B{r},C{r - 1},0)"))  # diamonds
        f.append((r, 4, f"=ROUND(C{r}/7,{r % 5 - 2})"))
        f.append((r, 5, f"=INDEX(Data!$A$1:$A${ROWS},MATCH(D{r},Data!$A$1:$A${ROWS},1))"))
    f += [
        (1, 10, "=J1+1"),  # self-reference
        (2, 10, "=K2*2"),
        (2, 11, "=J2+1"),  # two-cell loop
        (3, 10, "=K3"),
        (3, 11, "=L3"),
        (3, 12, "=J3+A5"),  # three-cell loop, fed from the chain
        (4, 10, "=SUM(J5:J7)"),
        (5, 10, "=J4/2"),  # a loop through a range
        (6, 10, "=J2+A3"),  # reads a loop
        (7, 10, "=SUM(A2:A10)"),
        (8, 10, "=J6+J7"),  # downstream of a loop and of the chain
        (9, 10, "=IFERROR(J8,-1)"),
    ]
    return [calc, data]


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[object, object]]:
    """(engine with HyperFormula's own TopSort, engine with lib/topsort.js)."""
    monkeypatch.setenv("XLIMPORT_HF_TOPSORT", "0")
    plain = HyperFormulaEngine(timeout=60)
    plain.start()
    monkeypatch.delenv("XLIMPORT_HF_TOPSORT")
    typed = HyperFormulaEngine(timeout=60)
    typed.start()
    try:
        yield plain, typed
    finally:
        plain.close()
        typed.close()


def _run(engine) -> list[object]:
    """All formula values after the build, then the reads of three recalculations."""
    engine.load(_workbook(), [], EngineSettings())
    out: list[object] = [v for sheet in engine.formula_values() for v in sheet]
    reads = [("Calc", r, c) for r in range(1, ROWS + 1) for c in (1, 2, 3, 4, 5)]
    reads += [("Calc", r, c) for r in range(1, 10) for c in (10, 11, 12)]
    steps = [
        [("Calc", 1, 1, 3.0), ("Data", 4, 1, 100.0)],  # new inputs
        [("Calc", 2, 10, "=5"), ("Calc", 5, 10, "=A4")],  # two loops broken
        [("Calc", 2, 10, "=K2*2"), ("Calc", 12, 1, "=A13")],  # one restored, one made
    ]
    for updates in steps:
        out += engine.set_and_read(updates, reads)
    return out


def test_typed_topsort_gives_hyperformulas_values(engines):
    plain, typed = engines
    want = _run(plain)
    got = _run(typed)
    assert len(got) == len(want)
    assert [
        (i, w, g) for i, (w, g) in enumerate(zip(want, got, strict=True)) if not _same(w, g)
    ] == []
    # the workbook does have cycles, and values elsewhere
    cycles = [v for v in got if isinstance(v, EngineErrorValue) and v.code == "#CYCLE!"]
    assert 5 <= len(cycles) < len(got) // 2


def test_topsort_module_is_on_by_default(engine):
    out = subprocess.run(
        [
            "node",
            "-e",
            "require('./lib/topsort').install(require.resolve('hyperformula'));"
            "const p = require(require('path').join(require('path').dirname("
            "require.resolve('hyperformula')), 'DependencyGraph', 'TopSort.js')).TopSort.prototype;"
            "console.log(p.__xlTyped === true)",
        ],
        cwd=HF_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "true"
    # and a cycle is still a cycle in the running engine
    engine.load(
        [EngineSheet("S", [], [(1, 1, "=B1"), (1, 2, "=A1"), (1, 3, "=1+1")])], [], EngineSettings()
    )
    [values] = engine.formula_values()
    assert [getattr(v, "code", v) for v in values] == ["#CYCLE!", "#CYCLE!", 2.0]


FUZZ = r"""
const { decimalRound, decimalRoundText } = require('./functions/fix_numbers.js');
let n = 0, bad = [];
let seed = 7;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
function check(x, d, m) {
  n++;
  const a = decimalRound(x, d, m), b = decimalRoundText(x, d, m);
  if (!Object.is(a, b) && bad.length < 10) bad.push([x, d, m, a, b]);
}
const modes = ['half', 'up', 'down'];
for (let i = 0; i < 60000; i++) {
  const xs = [(rnd() - 0.5) * 10 ** (Math.floor(rnd() * 60) - 30),
    Math.round(rnd() * 1e6) / 200 * (rnd() < 0.5 ? -1 : 1),
    (Math.floor(rnd() * 1e4) + 0.5) / 10 ** Math.floor(rnd() * 6),
    rnd() * 1.07 * 3.3 * Math.floor(rnd() * 1000),
    Math.floor(rnd() * 1e15) * 10 ** (Math.floor(rnd() * 50) - 25)];
  for (const x of xs) for (const m of modes) {
    check(x, Math.floor(rnd() * 50) - 25, m);
    check(x, Math.floor(rnd() * 5), m);
  }
}
const edges = [1e308, -1e308, 5e-324, 1.7976931348623157e308, 0.5, 2.5, -2.5, 1.005, 0.285,
  1e-7, 123456789012345678, 9.999999999999999e22, 999999999999999.5, -0.0049999999999999];
for (const x of edges) for (const m of modes) for (let d = -30; d <= 330; d++) check(x, d, m);
for (const d of [0.5, -0.5, NaN, Infinity, -Infinity, 1000, -1000]) for (const m of modes) check(1.2345, d, m);
console.log(JSON.stringify({ n, bad }));
"""


def test_decimal_round_equals_the_text_version():
    out = subprocess.run(
        ["node", "-e", FUZZ], cwd=HF_DIR, capture_output=True, text=True, check=True
    )
    import json

    result = json.loads(out.stdout)
    assert result["bad"] == []
    assert result["n"] > 1_500_000


def test_round_values(engine):
    from engine_cases import check

    check(
        engine,
        [
            ("=ROUND(2.675,2)", 2.68),
            ("=ROUND(-2.5,0)", -3.0),
            ("=ROUND(1234.5678,-2)", 1200.0),
            ("=ROUNDUP(0.0000001,3)", 0.001),
            ("=ROUNDDOWN(-1.999,1)", -1.9),
            ("=TRUNC(123456789.987654321,4)", 123456789.9876),
            ("=ROUND(1.005,2)", 1.01),
            ("=ROUND(0.1*3,15)", 0.3),
            ("=ROUND(10^300,-299)", 1e300),
            ("=ROUND(12345,-30)", 0.0),
        ],
    )


def test_index_shapes(engine):
    from engine_cases import check

    constants = [(r, c, float(r * 10 + c)) for r in range(1, 6) for c in range(1, 4)]
    check(
        engine,
        [
            ("=INDEX(A1:A5,3)", 31.0),  # one column: the row
            ("=INDEX($A$1:$C$1,2)", 12.0),  # one row: the column
            ("=INDEX(B$1:B5,4)", 42.0),  # mixed ends, same column
            ("=INDEX(A1:C5,2)", "#REF!"),  # rows and columns: column_num needed
            ("=INDEX(A1:C5,2,3)", 23.0),
            ("=INDEX(A1:$C5,2)", "#REF!"),  # a relative and an absolute end: evaluated
            ("=INDEX(A1:A5,MATCH(41,A1:A5,0))", 41.0),
            ("=SUM(INDEX(A1:A5,0))", 155.0),
        ],
        constants,
    )
