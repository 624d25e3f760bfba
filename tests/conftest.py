"""Shared fixtures: database URLs for the real SQLite and PostgreSQL.

- ``sqlite_url``: a fresh SQLite file under ``tmp_path`` (not created yet: the store creates it).
- ``pg_url``: the PostgreSQL test database with a fresh schema of its own (``search_path`` set in
  the URL), dropped at the end, so parallel runs never collide. Skips cleanly when the server is
  down. Override the server with ``XLIMPORT_TEST_PG_URL``.
- ``store_url``: parametrized over both.
- ``shared_dir``: ``../shared`` next to the project (the corpus), or a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BASE_URL = os.environ.get("XLIMPORT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


def _pg_admin_connection():
    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(PG_BASE_URL)
    return psycopg2.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=url.database or "test",
        connect_timeout=5,
    )


@pytest.fixture(scope="session")
def pg_available() -> bool:
    try:
        _pg_admin_connection().close()
    except Exception:
        return False
    return True


@pytest.fixture
def pg_url(pg_available: bool) -> Iterator[str]:
    """A PostgreSQL URL whose ``search_path`` is a fresh, empty schema (dropped afterwards)."""
    if not pg_available:
        pytest.fail(f"PostgreSQL not reachable at {PG_BASE_URL}")
    schema = f"xlt_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_connection()
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_BASE_URL else "?"
    url = f"{PG_BASE_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        from xlimport.store.sql import dispose_engine

        dispose_engine(url)
        with admin.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite URL of a file that does not exist yet (in a folder that does not either)."""
    url = f"sqlite:///{(tmp_path / 'db' / 'xlimport.db').as_posix()}"
    yield url
    from xlimport.store.sql import dispose_engine

    dispose_engine(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs twice: on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"shared folder not found: {SHARED_DIR}")
    return SHARED_DIR


@pytest.fixture(scope="module")
def engine() -> Iterator[object]:
    """A real Node/HyperFormula engine process per test module."""
    from xlimport.engine import HyperFormulaEngine

    eng = HyperFormulaEngine(timeout=60)
    yield eng
    eng.close()
