"""The server's own SQLAlchemy engine (job rows and API keys), next to the core's store."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from xlimport.errors import StoreError

from .tables import metadata


def make_engine(url: str) -> sa.Engine:
    """A pooled engine for ``url``; SQLite waits for locks instead of failing at once."""
    if url.startswith("sqlite"):
        return sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
    if url.startswith("postgresql://"):  # SQLAlchemy 2.1 would pick psycopg 3; we ship psycopg2
        url = "postgresql+psycopg2://" + url[len("postgresql://") :]
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def create_tables(engine: sa.Engine) -> None:
    """Create the server tables without alembic (used only when no migration ran)."""
    metadata.create_all(engine)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None


def wrap_db_error(exc: Exception) -> StoreError:
    """Turn a driver-level failure into the library's 503 error."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StoreError(f"database unavailable: {text}")
