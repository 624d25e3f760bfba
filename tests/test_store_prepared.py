"""Cells stored in two steps (their static columns while the engine computes, their results
after) are the very rows stored in one step: SQLite and PostgreSQL, real workbooks."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest

import xlimport
from xlimport.api import _start_engine
from xlimport.cells import RowBuilder, expected_result, static_rows
from xlimport.config import ImportOptions
from xlimport.evaluate import analyze_formulas, evaluate_workbook
from xlimport.reader import read_workbook
from xlimport.store.base import CELL_COLUMNS, NewModel

ROOT = Path(__file__).resolve().parents[1]


def _books(shared: Path) -> list[Path]:
    corpus = shared / "corpus" / "files"
    return [
        ROOT / "examples" / "fm_circ_1k.xlsx",  # circular groups, solved iteratively
        corpus / "formulas__test.xlsx",  # text, booleans, errors, arrays, mismatches
        corpus / "ironcalc__statistical_binom.xlsx",
        shared / "generated" / "fm_10k.xlsx",  # cached by LibreOffice: last-bit differences
    ]


def _evaluated(path: Path):
    engine, functions = _start_engine()
    wb = read_workbook(path)
    analysis = analyze_formulas(wb, functions, lambda *a: None)
    evaluation = evaluate_workbook(wb, analysis, engine, ImportOptions(), lambda *a: None, 300)
    return wb, analysis, evaluation


def _builder(wb, analysis, evaluation) -> RowBuilder:
    return RowBuilder(
        wb,
        analysis,
        evaluation.values,
        validate=True,
        tolerance=1e-9,
        unconverged=evaluation.unconverged_cells(analysis),
    )


def _key(row: dict) -> tuple:
    # floats by their bits, so that -0.0 and 0.0 differ as stored
    return tuple(
        (v, math.copysign(1.0, v)) if isinstance(v, float) else v
        for v in (row[c] for c in CELL_COLUMNS)
    )


def test_two_step_rows_equal_one_step_rows(store_url: str, shared_dir: Path) -> None:
    _two_step_equals_one_step(xlimport.open_store(store_url), shared_dir, by_key=False)


def test_sqlite_updates_by_key_give_the_same_rows(sqlite_url: str, shared_dir: Path) -> None:
    """SQLite's updates after the engine go by rowid when the rows written ahead took
    consecutive rowids (checked), else by primary key: the same rows either way."""
    _two_step_equals_one_step(xlimport.open_store(sqlite_url), shared_dir, by_key=True)


def _two_step_equals_one_step(store, shared_dir: Path, by_key: bool) -> None:
    for n, path in enumerate(_books(shared_dir)):
        wb, analysis, evaluation = _evaluated(path)
        one, two = _builder(wb, analysis, evaluation), _builder(wb, analysis, evaluation)
        new = NewModel("one", path.name, f"{n:064x}", None)
        with store.begin_import(new) as writer:
            writer.insert_cells(one.rows())
            first = writer.model_id
        new = NewModel("two", path.name, f"{n + 100:064x}", None)
        with store.begin_import(new) as writer:
            prepared = writer.prepare_cells(static_rows(wb), threading.Event())
            if prepared.changes_only:
                assert prepared.first_rowid is not None
                if by_key:
                    prepared.first_rowid = None
            results = two.changed_results() if prepared.changes_only else two.results()
            assert writer.complete_cells(prepared, results) == wb.cell_count
            second = writer.model_id
        stored_one = [_key(r) for r in store.iter_cells(first)]
        stored_two = [_key(r) for r in store.iter_cells(second)]
        assert len(stored_one) == wb.cell_count
        assert stored_two == stored_one, path.name
        assert two.report.by_status == one.report.by_status
        assert two.engine_errors == one.engine_errors
        assert two.report.samples == one.report.samples


def test_only_cells_off_their_expected_result_are_updated(shared_dir: Path) -> None:
    """SQLite writes each formula cell's expected result ahead of the engine: a cell recomputed
    to exactly its cached value needs no update, one off by a bit does."""
    wb, analysis, evaluation = _evaluated(shared_dir / "generated" / "fm_10k.xlsx")
    changed = list(_builder(wb, analysis, evaluation).changed_results())
    exact = off = 0
    by_cell = {(s, r, c) for _, s, r, c, *_ in changed}
    for sheet in wb.sheets:
        values = evaluation.values[sheet.index]
        for i, f in enumerate(sheet.formulas):
            if f is None or sheet.types[i] != "n":
                continue
            cell = (sheet.index, sheet.rows[i], sheet.cols[i])
            if values[i] == sheet.values[i] and (sheet.index, i) not in analysis.circular_cells:
                exact += 1
                assert cell not in by_cell
            else:
                off += 1
                assert cell in by_cell
    assert exact > 1000 and off > 0  # the file has both kinds
    assert len(changed) < wb.cell_count


@pytest.mark.parametrize(
    ("tname", "rv", "rt", "expected"),
    [
        ("number", 2.5, None, ("number", 2.5, None, False, False, "matched")),
        ("date", 45000.0, "2023-03-15", ("number", 45000.0, None, False, False, "matched")),
        ("text", None, "a", ("text", None, "a", False, False, "matched")),
        ("boolean", 1.0, "TRUE", ("boolean", 1.0, "TRUE", False, False, "matched")),
        ("error", None, "#N/A", ("error", None, "#N/A", False, False, "matched")),
    ],
)
def test_expected_result_is_what_a_recomputed_cache_gives(tname, rv, rt, expected) -> None:
    assert expected_result(tname, rv, rt) == expected


def test_result_lines_format_as_the_general_formatter() -> None:
    from xlimport.store.pgcopy import format_lines, result_lines

    rows = [
        ("number", 1.5, None, False, False, "matched"),
        ("number", -0.0, None, True, False, "matched"),
        ("text", None, "a\tb\nc\\d", False, True, "mismatch"),
        ("error", None, "#N/A", False, False, "matched"),
        ("number", float("nan"), None, False, False, "engine_error"),
        ("number", float("inf"), None, False, False, "mismatch"),
        ("number", float("-inf"), None, False, False, "mismatch"),
        (None, None, None, False, False, "constant"),
        ("number", 3, None, False, False, "matched"),
        ("boolean", 1.0, "TRUE", False, False, "matched"),
        ("number", 1e300, None, None, None, "matched"),
    ] + [("text", None, f"t{i}", False, False, "matched") for i in range(1200)]
    assert result_lines(rows) == list(format_lines(rows, "sfsbbs"))
    # a bare float is a matched number (MATCHED_NUMBER), mixed with the other rows
    numbers = [2.5, -0.0, 1e-300, float("inf"), 3.0000000000000004]
    mixed = [x for pair in zip(numbers, rows, strict=False) for x in pair]
    expanded = [
        ("number", r, None, False, False, "matched") if type(r) is float else r for r in mixed
    ]
    assert result_lines(mixed) == list(format_lines(expanded, "sfsbbs"))
    with pytest.raises(ValueError):
        result_lines([("number", 1.0, None, False, False)])


@pytest.mark.parametrize("only_numbers", [False, True])
def test_joined_result_lines_are_the_heads_and_the_formatted_results(only_numbers) -> None:
    """join_chunk formats the matched numbers of a chunk together and the other results row
    by row: the lines are each head followed by its row as the general formatter writes it."""
    from xlimport.store.pgcopy import format_lines, join_chunk

    numbers = [2.5, -0.0, 1e-300, float("inf"), float("nan"), 3.0000000000000004, 7.0]
    others = [
        ("number", float("nan"), None, False, False, "engine_error"),
        ("text", None, "a\tb", False, True, "mismatch"),
        (None, None, None, False, False, "constant"),
    ]
    rows = numbers * 3 if only_numbers else [*numbers, *others, *numbers[::-1], *others]
    heads = [f"7\t0\t{k}\t1\tA{k}+1\tn" for k in range(len(rows))]
    expanded = [
        ("number", r, None, False, False, "matched") if type(r) is float else r for r in rows
    ]
    expected = "".join(
        f"{head}\t{line}\n"
        for head, line in zip(heads, format_lines(expanded, "sfsbbs"), strict=True)
    )
    assert join_chunk("\n".join(heads), rows, "sfsbbs") == expected.encode()
    with pytest.raises(ValueError):
        join_chunk("\n".join(heads[1:]), rows, "sfsbbs")
