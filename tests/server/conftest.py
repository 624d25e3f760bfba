"""Fixtures of the server tests: real PostgreSQL, Redis (db 13), server and worker processes.

- ``server_pg_url``: one fresh PostgreSQL schema for the whole server session (dropped at the end).
- ``redis_url``: Redis database 13, flushed before and after each test that uses it.
- ``workbook``: a factory of small workbooks made with openpyxl (each one distinct).
- ``rq_stack``: a real ``xlimport serve`` (auth on) and a real ``xlimport worker`` subprocess on
  PostgreSQL + Redis, with an API key.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import REDIS_TEST_URL, Stack, free_port, make_workbook, start_process, wait_healthy

PG_BASE_URL = os.environ.get("XLIMPORT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fm_circ_1k.xlsx"


def _redis_ok() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def server_pg_url() -> Iterator[str]:
    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(PG_BASE_URL)
    try:
        admin = psycopg2.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            dbname=url.database,
            connect_timeout=5,
        )
    except Exception:
        pytest.fail(f"PostgreSQL not reachable at {PG_BASE_URL}")
    admin.autocommit = True
    schema = f"xls_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_BASE_URL else "?"
    try:
        yield f"{PG_BASE_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


@pytest.fixture
def redis_url() -> Iterator[str]:
    import redis

    if not _redis_ok():
        pytest.fail("Redis not reachable at 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


@pytest.fixture
def workbook(tmp_path: Path):  # noqa: ANN201
    counter = iter(range(1, 10_000))

    def make(value: float | None = None, **kwargs) -> Path:  # noqa: ANN003
        n = next(counter)
        return make_workbook(tmp_path / f"wb{n}.xlsx", value if value is not None else n, **kwargs)

    return make


@pytest.fixture(scope="module")
def rq_stack(tmp_path_factory: pytest.TempPathFactory, server_pg_url: str) -> Iterator[Stack]:
    """`xlimport serve` + `xlimport worker` on PostgreSQL and Redis db 13, auth on."""
    import redis

    if not _redis_ok():
        pytest.fail("Redis not reachable")
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    home = tmp_path_factory.mktemp("rq_home")
    env = {
        "DATABASE_URL": server_pg_url,
        "REDIS_URL": REDIS_TEST_URL,
        "XLIMPORT_HOME": str(home),
        "XLIMPORT_UPLOAD_RATE_LIMIT": "1000",
        "XLIMPORT_LOG_LEVEL": "WARNING",
    }
    stack = Stack(env=env, home=home)
    stack.api_key = stack.cli("keys", "create", "tests").stdout.strip().splitlines()[0]
    port = free_port()
    stack.base_url = f"http://127.0.0.1:{port}"
    stack.processes.append(start_process(env, home / "serve.log", "serve", "--port", str(port)))
    stack.processes.append(start_process(env, home / "worker.log", "worker", "--name", "w1"))
    try:
        wait_healthy(stack.base_url, stack.processes[0])
        yield stack
    finally:
        stack.stop()
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def inprocess_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`xlimport serve` alone: in-process runner, embedded SQLite, auth off."""
    home = tmp_path_factory.mktemp("inproc_home")
    env = {
        "XLIMPORT_HOME": str(home),
        "XLIMPORT_AUTH": "false",
        "XLIMPORT_UPLOAD_RATE_LIMIT": "1000",
        "XLIMPORT_LOG_LEVEL": "WARNING",
    }
    stack = Stack(env=env, home=home)
    try:
        stack.serve()
        yield stack
    finally:
        stack.stop()
