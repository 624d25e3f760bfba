"""Table definitions (SQLAlchemy Core) of the store, as created by migration ``0001``.

The migrations own the schema; these ``Table`` objects describe it for queries and for
``alembic revision --autogenerate``. Keep both in step.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import UserDefinedType

from xlimport.store.base import CELL_COLUMNS


class _SqliteExactDouble(UserDefinedType):
    """A double column on SQLite that keeps every bit (``-0.0`` included).

    SQLite stores a whole-number REAL in a column of REAL (or NUMERIC) affinity as an integer on
    disk, which loses the sign of ``-0.0``. A declared type containing ``BLOB`` gives the column
    BLOB affinity: values are kept exactly as bound (8-byte IEEE doubles for floats). Values read
    back are returned as ``float``.
    """

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "FLOAT64_BLOB"

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        def process(value: Any) -> float | None:
            return None if value is None else float(value)

        return process


def exact_double() -> sa.types.TypeEngine:
    """``DOUBLE PRECISION`` on PostgreSQL, a bit-exact double on SQLite."""
    return sa.Double().with_variant(_SqliteExactDouble(), "sqlite")


def json_type() -> sa.types.TypeEngine:
    """JSON, as JSONB on PostgreSQL."""
    return sa.JSON().with_variant(JSONB(), "postgresql")


metadata = sa.MetaData()

models = sa.Table(
    "models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("original_filename", sa.Text),
    sa.Column("file_hash", sa.String(64), nullable=False),
    sa.Column("file_size", sa.BigInteger),
    sa.Column(
        "uploaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column("workbook_metadata", json_type(), nullable=False),
    sa.Column("import_summary", json_type(), nullable=False),
    sa.UniqueConstraint("file_hash", name="uq_models_file_hash"),
    sqlite_autoincrement=True,  # ids are never reused after a delete
)
sa.Index("ix_models_uploaded_at", models.c.uploaded_at)

cells = sa.Table(
    "cells",
    metadata,
    sa.Column("model_id", sa.Integer, nullable=False),
    sa.Column("sheet_name", sa.Text, nullable=False),
    sa.Column("sheet_index", sa.Integer, nullable=False),
    sa.Column("row_num", sa.Integer, nullable=False),
    sa.Column("col_num", sa.Integer, nullable=False),
    sa.Column("cell", sa.Text, nullable=False),
    sa.Column("col_letter", sa.Text, nullable=False),
    sa.Column("cell_type", sa.Text, nullable=False),
    sa.Column("raw_value", exact_double()),
    sa.Column("raw_text", sa.Text),
    sa.Column("formula", sa.Text),
    sa.Column("calculated_type", sa.Text),
    sa.Column("calculated_value", exact_double()),
    sa.Column("calculated_text", sa.Text),
    sa.Column("is_circular", sa.Boolean, nullable=False),
    sa.Column("has_mismatch", sa.Boolean, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("number_format", sa.Text),
    sa.PrimaryKeyConstraint("model_id", "sheet_index", "row_num", "col_num", name="pk_cells"),
    # No foreign key to models: cells are written only in the transaction that creates their
    # model and deleted with it by the store (a key made PostgreSQL check every copied row).
    # PostgreSQL: one table per model, cells_m<id> (migration 0004, store/sql.py).
    postgresql_partition_by="LIST (model_id)",
)

_ORDER = ("model_id", "sheet_index", "row_num", "col_num")
# The primary key (model_id, sheet_index, row_num, col_num) serves ordered paging of a model's
# cells; partial indexes in the same order serve the small filtered subsets (mismatches,
# circular cells) and their order at once.
sa.Index(
    "ix_cells_mismatch",
    *_ORDER,
    postgresql_where=sa.text("has_mismatch"),
    sqlite_where=sa.text("has_mismatch = 1"),
)
sa.Index(
    "ix_cells_circular",
    *_ORDER,
    postgresql_where=sa.text("is_circular"),
    sqlite_where=sa.text("is_circular = 1"),
)

files = sa.Table(
    "files",
    metadata,
    sa.Column("file_hash", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

if tuple(c.name for c in cells.columns)[1:] != CELL_COLUMNS:  # pragma: no cover
    raise RuntimeError("the cells table and CELL_COLUMNS disagree")
