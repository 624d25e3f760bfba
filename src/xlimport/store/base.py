"""The storage contract. The implementation lives in ``store/sql.py`` (:class:`SqlStore`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

# One stored cell, in this column order (the same order as the ``cells`` table columns after
# model_id). Produced by the pipeline as plain tuples: no per-cell objects.
CELL_COLUMNS = (
    "sheet_name",  # str
    "sheet_index",  # int, 0-based position of the sheet in the workbook
    "row_num",  # int, 1-based
    "col_num",  # int, 1-based
    "cell",  # str, "B7"
    "col_letter",  # str, "B"
    "cell_type",  # number | text | boolean | date | error | empty   (the cached value's type)
    "raw_value",  # float | None    numbers, dates (serial), booleans (1.0/0.0)
    "raw_text",  # str | None      text, error code, "TRUE"/"FALSE", ISO date for dates
    "formula",  # str | None      with the leading "="
    "calculated_type",  # same codes as cell_type, None for constants
    "calculated_value",  # float | None
    "calculated_text",  # str | None
    "is_circular",  # bool
    "has_mismatch",  # bool
    "status",  # str: constant | matched | mismatch | engine_error | volatile | external |
    #               no_cached | not_validated | circular_unconverged | dynamic
    "number_format",  # str | None
)
CellRow = tuple

# The columns of a cell known before the engine computes, and those it decides (a row is
# ``static[:10] + result + static[10:]`` in CELL_COLUMNS order).
RESULT_COLUMNS = CELL_COLUMNS[10:16]
# A result given as a bare float ``x`` is short for this one with ``x`` as its number: a
# formula recomputed to a number that matches its cached value (most cells of a model).
MATCHED_NUMBER = ("number", None, None, False, False, "matched")


def full_result(result: Any) -> tuple:
    """``result`` (:data:`RESULT_COLUMNS` order) as a tuple, a bare float expanded."""
    if type(result) is float:
        return (MATCHED_NUMBER[0], result, *MATCHED_NUMBER[2:])
    return result


STATIC_COLUMNS = CELL_COLUMNS[:10] + CELL_COLUMNS[16:]

# Keys of the dicts returned by ``Store.cells()`` / ``Store.iter_cells()``: the stored columns
# plus ``has_formula`` (derived: ``formula is not None``).
CELL_RESULT_KEYS = (*CELL_COLUMNS, "has_formula")

# One tuple of ``Store.update_cells()`` (re-validation), in this order.
UPDATE_COLUMNS = (
    "sheet_index",
    "row_num",
    "col_num",
    "calculated_type",
    "calculated_value",
    "calculated_text",
    "has_mismatch",
    "status",
)


@dataclass(slots=True)
class ModelInfo:
    id: int
    name: str
    original_filename: str | None
    file_hash: str
    file_size: int | None
    uploaded_at: datetime
    updated_at: datetime
    workbook_metadata: dict[str, Any] = field(default_factory=dict)
    import_summary: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class NewModel:
    name: str
    original_filename: str | None
    file_hash: str
    file_size: int | None
    workbook_metadata: dict[str, Any] = field(default_factory=dict)
    import_summary: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CellFilter:
    sheet_name: str | None = None
    has_formula: bool | None = None
    has_mismatch: bool | None = None
    is_circular: bool | None = None


@dataclass(slots=True)
class Page:
    items: list[Any]
    total: int
    page: int
    page_size: int


class ModelWriter(Protocol):
    """One import's transaction. Leaving the ``with`` block normally commits; an exception
    rolls everything back (no model, no cell)."""

    model_id: int

    def insert_cells(self, rows: Iterable[CellRow], progress: Any = None) -> int:
        """Bulk-insert ``rows`` (tuples in :data:`CELL_COLUMNS` order), streaming from the
        iterable in chunks; ``progress(done_count)`` after each chunk. Returns the count."""
        ...

    def prepare_cells(self, static_rows: Iterable[tuple], stop: Any = None) -> Any:
        """Work on the cells that needs no recomputed value, done while the engine computes:
        ``static_rows`` are tuples in :data:`STATIC_COLUMNS` order; ``stop`` (an event) ends it
        early. Returns what :meth:`complete_cells` takes; its ``changes_only`` tells whether
        that wants every cell's result or only the changed ones."""
        ...

    def complete_cells(self, prepared: Any, results: Iterable[tuple], progress: Any = None) -> int:
        """Stores the prepared cells with their results: every cell's (tuples in
        :data:`RESULT_COLUMNS` order, in the order of the static rows), or, when
        ``prepared.changes_only``, ``(ordinal, sheet_index, row_num, col_num, *result)`` of the
        cells whose result is not :func:`xlimport.cells.expected_result` (``ordinal``: the
        cell's place among the static rows), ``(ordinal, sheet_index, row_num, col_num,
        number)`` where only ``calculated_value`` differs. Returns the cell count."""
        ...

    def update_summary(self, import_summary: dict[str, Any]) -> None: ...


class Store(Protocol):
    url: str

    def upgrade(self) -> None: ...

    def find_by_hash(self, file_hash: str) -> ModelInfo | None: ...

    def begin_import(
        self, model: NewModel, *, replace_model_id: int | None = None
    ) -> AbstractContextManager[ModelWriter]: ...

    def get_model(self, model_id: int) -> ModelInfo: ...

    def list_models(self, page: int = 1, page_size: int = 50) -> Page: ...

    def delete_model(self, model_id: int) -> None: ...

    def cells(
        self, model_id: int, filters: CellFilter | None = None, page: int = 1, page_size: int = 100
    ) -> Page: ...

    def iter_cells(self, model_id: int, filters: CellFilter | None = None) -> Iterator[dict]: ...

    def update_cells(self, model_id: int, updates: Iterable[tuple], import_summary: Any) -> int:
        """Apply ``updates`` (tuples in :data:`UPDATE_COLUMNS` order) and replace the import
        summary, in one transaction; returns the number of cells updated."""
        ...

    def close(self) -> None: ...
