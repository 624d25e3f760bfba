"""Initial schema: models, cells, files.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xlimport.store.schema import exact_double, json_type

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORDER = ["model_id", "sheet_index", "row_num", "col_num"]


def upgrade() -> None:
    op.create_table(
        "models",
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
    op.create_index("ix_models_uploaded_at", "models", ["uploaded_at"])

    op.create_table(
        "cells",
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
        sa.PrimaryKeyConstraint("model_id", "sheet_name", "row_num", "col_num", name="pk_cells"),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], ondelete="CASCADE", name="fk_cells_model_id"
        ),
    )
    op.create_index("ix_cells_order", "cells", _ORDER)
    op.create_index(
        "ix_cells_formula",
        "cells",
        _ORDER,
        postgresql_where=sa.text("formula IS NOT NULL"),
        sqlite_where=sa.text("formula IS NOT NULL"),
    )
    op.create_index(
        "ix_cells_mismatch",
        "cells",
        _ORDER,
        postgresql_where=sa.text("has_mismatch"),
        sqlite_where=sa.text("has_mismatch = 1"),
    )
    op.create_index(
        "ix_cells_circular",
        "cells",
        _ORDER,
        postgresql_where=sa.text("is_circular"),
        sqlite_where=sa.text("is_circular = 1"),
    )

    op.create_table(
        "files",
        sa.Column("file_hash", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Kept uncompressed out of line (xlsx is already zip-compressed): read back in slices.
        op.execute("ALTER TABLE files ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("files")
    op.drop_table("cells")
    op.drop_index("ix_models_uploaded_at", table_name="models")
    op.drop_table("models")
