"""Fixtures of the remote CLI tests: the server tests' real stacks, reused.

- ``rq_stack`` (from tests/server): `xlimport serve` (auth on) + `xlimport worker` on PostgreSQL
  and Redis, with an API key.
- ``limited_stack``: `xlimport serve` alone (in-process runner, SQLite, auth off) with a tiny
  upload cap and an upload rate limit of 2 per minute.
- ``medium_workbook``: a workbook of 15,000 formulas (a job that lasts a couple of seconds).
- ``run_cli``: the `xlimport` command run in this process (click's runner), stdout and stderr
  apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from server.conftest import rq_stack, server_pg_url  # noqa: F401 - fixtures
from server.helpers import Stack, make_workbook

from xlimport_cli.main import cli


@pytest.fixture
def run_cli():  # noqa: ANN201
    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        # XLIMPORT_API_URL / _KEY from the developer's shell must not leak into the tests.
        base = {"XLIMPORT_API_URL": None, "XLIMPORT_API_KEY": None}
        return CliRunner().invoke(cli, list(args), env={**base, **(env or {})})

    return run


@pytest.fixture
def workbook(tmp_path: Path):  # noqa: ANN201
    counter = iter(range(1, 10_000))

    def make(value: float | None = None) -> Path:
        n = next(counter)
        path = tmp_path / f"book{n}.xlsx"
        # distinct bytes per test run and call: never a duplicate of an earlier import
        return make_workbook(path, value if value is not None else n + hash(tmp_path) % 10**6)

    return make


@pytest.fixture(scope="module")
def medium_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openpyxl import Workbook

    path = tmp_path_factory.mktemp("medium") / "medium.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    salt = hash(str(path)) % 1000 / 7
    for r in range(1, 5001):
        ws.cell(r, 1, r * 1.5 + salt)
        ws.cell(r, 2, f"=A{r}*2")
        ws.cell(r, 3, f"=B{r}+A{r}")
        ws.cell(r, 4, f"=SUM(A$1:A{r})")
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def limited_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("limited_home")
    env = {
        "XLIMPORT_HOME": str(home),
        "XLIMPORT_AUTH": "false",
        "XLIMPORT_UPLOAD_RATE_LIMIT": "2",
        "XLIMPORT_UPLOAD_RATE_WINDOW": "600",
        "XLIMPORT_MAX_UPLOAD_MB": "0.05",
        "XLIMPORT_LOG_LEVEL": "WARNING",
    }
    stack = Stack(env=env, home=home)
    try:
        stack.serve()
        yield stack
    finally:
        stack.stop()
