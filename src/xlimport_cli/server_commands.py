"""CLI commands of the server side: ``serve``, ``worker``, ``keys create|list|revoke``."""

from __future__ import annotations

import json

import click


def _settings():  # noqa: ANN202 - imported lazily so `xlimport --help` stays fast
    from xlimport_server.settings import ServerSettings

    return ServerSettings()


def _key_store(settings):  # noqa: ANN001, ANN202
    from xlimport.store import open_store
    from xlimport_server.auth import KeyStore
    from xlimport_server.db import make_engine

    store = open_store(settings.effective_database_url)
    store.upgrade()
    return KeyStore(getattr(store, "engine", None) or make_engine(store.url))


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(getattr(exc, "message", None) or str(exc))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Run the HTTP + WebSocket API server (settings from the environment and .env).

    Without REDIS_URL, jobs run inside the server; with it, start `xlimport worker` too.
    """
    from xlimport_server.app import run_server

    run_server(_settings(), host=host, port=port)


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--fork", is_flag=True, help="Run each job in a forked child (RQ's Worker).")
@click.option("--name", default=None, help="Worker name (default: generated).")
def worker(burst: bool, fork: bool, name: str | None) -> None:
    """Run an RQ worker that processes import jobs (needs REDIS_URL and DATABASE_URL)."""
    import logging

    from xlimport.errors import XlImportError
    from xlimport_server.worker import run_worker

    settings = _settings()
    logging.basicConfig(
        level=settings.xlimport_log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        run_worker(settings, burst=burst, fork=fork, name=name)
    except XlImportError as exc:
        raise _fail(exc) from exc


@click.group()
def keys() -> None:
    """Create, list and revoke API keys (stored only as hashes)."""


@keys.command("create")
@click.argument("name")
def keys_create(name: str) -> None:
    """Create a key named NAME and print it (it is shown only this once)."""
    from xlimport.errors import XlImportError

    try:
        row, key = _key_store(_settings()).create(name)
    except XlImportError as exc:
        raise _fail(exc) from exc
    click.echo(key)
    click.echo(f"key {row['id']} ({row['name']}) created; it cannot be shown again", err=True)


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def keys_list(as_json: bool) -> None:
    """List keys (id, name, prefix, created, last used, revoked)."""
    from xlimport.errors import XlImportError

    try:
        rows = _key_store(_settings()).list()
    except XlImportError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        used = row["last_used_at"] or "never used"
        click.echo(
            f"{row['id']}\t{row['name']}\t{row['prefix']}…\t{row['created_at']}\t{used}\t{state}"
        )


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke the key with id (or shown prefix) KEY_ID."""
    from xlimport.errors import XlImportError

    try:
        row = _key_store(_settings()).revoke(key_id)
    except XlImportError as exc:
        raise _fail(exc) from exc
    click.echo(f"key {row['id']} ({row['name']}) revoked")


def register(cli: click.Group) -> None:
    """Add ``serve``, ``worker`` and ``keys`` to the ``xlimport`` command group."""
    cli.add_command(serve)
    cli.add_command(worker)
    cli.add_command(keys)
