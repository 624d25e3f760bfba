"""SQLAlchemy Core tables owned by the server: job runs, their progress, API keys.

The alembic revision ``0002`` creates the same tables; these definitions are what the server's
queries are written against.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

JOB_STATUSES = ("pending", "processing", "success", "failed", "cancelled")
FINAL_STATUSES = frozenset({"success", "failed", "cancelled"})

job_runs = sa.Table(
    "job_runs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # import | validate
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("runner", sa.String(32), nullable=False),  # inprocess | rq
    sa.Column("model_name", sa.Text),
    sa.Column("original_filename", sa.Text),
    sa.Column("file_hash", sa.String(64)),
    sa.Column("file_size", sa.BigInteger),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("result", sa.JSON),
    sa.Column("error", sa.JSON),  # {code, message, stage}
    sa.Column("error_code", sa.String(64)),
    sa.Column("model_id", sa.Integer),
    sa.Column("api_key_id", sa.Integer),
    sa.Column("worker", sa.Text),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("progress_stage", sa.String(32)),
    sa.Column("progress_percent", sa.Float),
    sa.Column("progress_message", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
    sa.Index("ix_job_runs_status_created", "status", "created_at"),
    sa.Index("ix_job_runs_created", "created_at"),
)

job_progress = sa.Table(
    "job_progress",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "job_id",
        sa.String(36),
        sa.ForeignKey("job_runs.id", ondelete="CASCADE", name="fk_job_progress_job_id"),
        nullable=False,
    ),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("percent", sa.Float, nullable=False),
    sa.Column("message", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_job_progress_job", "job_id", "id"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),  # first characters, for listing
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)
