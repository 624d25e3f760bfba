"""Server tables: job_runs, job_progress, api_keys.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("runner", sa.String(32), nullable=False),
        sa.Column("model_name", sa.Text),
        sa.Column("original_filename", sa.Text),
        sa.Column("file_hash", sa.String(64)),
        sa.Column("file_size", sa.BigInteger),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON),
        sa.Column("error", sa.JSON),
        sa.Column("error_code", sa.String(64)),
        sa.Column("model_id", sa.Integer),
        sa.Column("api_key_id", sa.Integer),
        sa.Column("worker", sa.Text),
        sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("progress_stage", sa.String(32)),
        sa.Column("progress_percent", sa.Float),
        sa.Column("progress_message", sa.Text),
        _ts("created_at", nullable=False),
        _ts("started_at"),
        _ts("finished_at"),
        _ts("heartbeat_at"),
    )
    op.create_index("ix_job_runs_status_created", "job_runs", ["status", "created_at"])
    op.create_index("ix_job_runs_created", "job_runs", ["created_at"])

    op.create_table(
        "job_progress",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("percent", sa.Float, nullable=False),
        sa.Column("message", sa.Text),
        _ts("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job_runs.id"], ondelete="CASCADE", name="fk_job_progress_job_id"
        ),
    )
    op.create_index("ix_job_progress_job", "job_progress", ["job_id", "id"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        _ts("created_at", nullable=False),
        _ts("last_used_at"),
        _ts("revoked_at"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_index("ix_job_progress_job", table_name="job_progress")
    op.drop_table("job_progress")
    op.drop_index("ix_job_runs_created", table_name="job_runs")
    op.drop_index("ix_job_runs_status_created", table_name="job_runs")
    op.drop_table("job_runs")
