"""Fixtures of the reliability suite: real PostgreSQL, Redis, server, worker and engine processes.

- ``pg``: a fresh PostgreSQL schema for the module (:class:`Pg`: URL, row counts, killing
  backends), dropped at the end.
- ``stack``: a real ``xlimport serve`` (auth on) and ``xlimport worker`` on that schema and Redis
  (database 11, a queue and key prefix of its own), with a quick dead-job sweep
  (heartbeat 0.5 s, stale after 3 s, sweep every 0.5 s). The worker's database connections are
  tagged with an ``application_name`` so a test can find and kill them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import Pg, RelStack, pg_admin, redis_ok

PG_BASE_URL = os.environ.get("XLIMPORT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_BASE = "redis://127.0.0.1:6379/11"


@pytest.fixture(scope="module")
def pg() -> Iterator[Pg]:
    try:
        admin = pg_admin(PG_BASE_URL)
    except Exception:
        pytest.fail(f"PostgreSQL not reachable at {PG_BASE_URL}")
    schema = f"xlrel_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_BASE_URL else "?"
    url = f"{PG_BASE_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        yield Pg(url=url, schema=schema, admin=admin)
    finally:
        from xlimport.store.sql import dispose_engine

        dispose_engine(url)
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name LIKE %s",
                (f"xlrel-{schema}%",),
            )
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, pg: Pg) -> Iterator[RelStack]:
    if not redis_ok(REDIS_BASE):
        pytest.fail("Redis not reachable at 127.0.0.1:6379")
    home: Path = tmp_path_factory.mktemp("rel_home")
    stack = RelStack.start(home, pg, REDIS_BASE)
    try:
        yield stack
    finally:
        stack.stop()
