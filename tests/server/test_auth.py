"""API keys: created, listed and revoked with the CLI; stored only as hashes; checked on every
API route (header) and WebSocket (query parameter); auth can be turned off explicitly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from xlimport_cli.server_commands import register
from xlimport_server.auth import hash_key
from xlimport_server.db import make_engine

from .helpers import AppHarness, assert_error, server_settings


@pytest.fixture
def cli() -> click.Group:
    group = click.Group("xlimport")
    register(group)
    return group


def test_keys_cli_create_list_revoke(
    cli: click.Group, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.delenv("XLIMPORT_DATABASE_URL", raising=False)
    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "ci bot"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[0]
    assert key.startswith("xlk_") and len(key) > 30

    listed = runner.invoke(cli, ["keys", "list", "--json"])
    assert listed.exit_code == 0 and key not in listed.output and "ci bot" in listed.output

    engine = make_engine(pg_url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT key_hash, prefix FROM api_keys")).all()
    assert stored == [(hash_key(key), key[:10])]  # the hash, never the key

    async def scenario(expect: int) -> None:
        settings = server_settings(pg_url, tmp_path / "home")
        async with AppHarness(settings) as h:
            reply = await h.call("GET", "/api/models", key=key)
            assert reply.status == expect, reply.body

    asyncio.run(scenario(200))
    revoked = runner.invoke(cli, ["keys", "revoke", "1"])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    asyncio.run(scenario(401))
    assert "revoked" in runner.invoke(cli, ["keys", "list"]).output
    missing = runner.invoke(cli, ["keys", "revoke", "99"])
    assert missing.exit_code != 0
    engine.dispose()


def test_auth_can_be_turned_off(sqlite_url: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with AppHarness(server_settings(sqlite_url, tmp_path, xlimport_auth=False)) as h:
            reply = await h.call("GET", "/api/models")
            assert reply.status == 200 and reply.body["items"] == []
        async with AppHarness(server_settings(sqlite_url, tmp_path)) as h:
            assert_error(await h.call("GET", "/api/models"), 401)
            assert_error(await h.call("GET", "/api/jobs", key=""), 401)

    asyncio.run(scenario())
