"""Cells keyed by (model_id, sheet_index, row_num, col_num); two redundant indexes and the
foreign key to models dropped.

The primary key was (model_id, sheet_name, row_num, col_num) beside an index on
(model_id, sheet_index, row_num, col_num) used for ordered paging, and a partial index of the
formula cells in the same order. Keyed by sheet index, the primary key serves both uniqueness
and ordered paging, so every inserted cell updates two fewer B-trees. Paging only the formula
cells walks the primary key and skips the others.

The foreign key from cells to models made PostgreSQL check every copied row against models (a
trigger per row). Cells are only written in the transaction that creates their model, and the
store deletes a model's cells with it, so the key bought nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xlimport.store.schema import exact_double

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORDER = ["model_id", "sheet_index", "row_num", "col_num"]
_OLD_KEY = ["model_id", "sheet_name", "row_num", "col_num"]
# SQLite rebuilds the table: its bit-exact double columns are not reflected by type name.
_REFLECT = [sa.Column("raw_value", exact_double()), sa.Column("calculated_value", exact_double())]


def upgrade() -> None:
    op.drop_index("ix_cells_formula", table_name="cells")
    op.drop_index("ix_cells_order", table_name="cells")
    with op.batch_alter_table("cells", reflect_args=_REFLECT) as batch:
        batch.drop_constraint("fk_cells_model_id", type_="foreignkey")
        batch.drop_constraint("pk_cells", type_="primary")
        batch.create_primary_key("pk_cells", _ORDER)


def downgrade() -> None:
    op.execute("DELETE FROM cells WHERE model_id NOT IN (SELECT id FROM models)")
    with op.batch_alter_table("cells", reflect_args=_REFLECT) as batch:
        batch.drop_constraint("pk_cells", type_="primary")
        batch.create_primary_key("pk_cells", _OLD_KEY)
        batch.create_foreign_key(
            "fk_cells_model_id", "models", ["model_id"], ["id"], ondelete="CASCADE"
        )
    op.create_index("ix_cells_order", "cells", _ORDER)
    op.create_index(
        "ix_cells_formula",
        "cells",
        _ORDER,
        postgresql_where=sa.text("formula IS NOT NULL"),
        sqlite_where=sa.text("formula IS NOT NULL"),
    )
