"""Remote mode of the CLI: the same commands against an xlimport server, through
:class:`xlimport.Client`.

``RemoteStore`` answers the few store calls the commands make (``list_models``, ``get_model``,
``cells``) with the server's data in the library's own types, so a command renders local and
remote data with the very same code. Imports and validations run as server jobs, followed over
the WebSocket (or by polling) with the local progress display.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from xlimport import errors
from xlimport.client import SERVER_PAGE_LIMIT, Client
from xlimport.result import ImportResult
from xlimport.store.base import CellFilter, ModelInfo, Page

from .render import ProgressDisplay, UploadBar

INTERRUPTED = 130


class RemoteStore:
    """The store calls of the CLI commands, answered by a server."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.url = client.api_url

    def list_models(self, page: int = 1, page_size: int = 50) -> Page:
        data = self.client.models(page=page, page_size=min(page_size, SERVER_PAGE_LIMIT))
        items = [model_info(m) for m in data["items"]]
        return Page(items=items, total=data["total"], page=page, page_size=page_size)

    def get_model(self, model_id: int) -> ModelInfo:
        return model_info(self.client.model(model_id))

    def cells(
        self, model_id: int, filters: CellFilter, page: int = 1, page_size: int = 100
    ) -> Page:
        """Like the store's ``cells``; a page bigger than the server's limit is fetched in
        several requests."""
        query = {
            "sheet_name": filters.sheet_name,
            "has_formula": filters.has_formula,
            "has_mismatch": filters.has_mismatch,
            "is_circular": filters.is_circular,
        }
        step = min(page_size, SERVER_PAGE_LIMIT)
        first = (page - 1) * page_size
        items: list[dict[str, Any]] = []
        total = 0
        server_page = first // step + 1
        skip = first - (server_page - 1) * step
        while len(items) < page_size:
            data = self.client.cells(model_id, page=server_page, page_size=step, **query)
            total = data["total"]
            items.extend(data["items"][skip:])
            skip = 0
            if len(data["items"]) < step or server_page * step >= total:
                break
            server_page += 1
        return Page(items=items[:page_size], total=total, page=page, page_size=page_size)


def model_info(data: dict[str, Any]) -> ModelInfo:
    """A server's model JSON as the store's :class:`ModelInfo`."""
    return ModelInfo(
        id=data["id"],
        name=data["name"],
        original_filename=data.get("original_filename"),
        file_hash=data["file_hash"],
        file_size=data.get("file_size"),
        uploaded_at=_timestamp(data["uploaded_at"]),
        updated_at=_timestamp(data["updated_at"]),
        workbook_metadata=data.get("workbook_metadata") or {},
        import_summary=data.get("import_summary") or {},
    )


def _timestamp(text: str) -> datetime:
    """The server marks naive UTC times with ``Z``; make them naive again, as stored."""
    if text.endswith("Z"):
        return datetime.fromisoformat(text[:-1])
    return datetime.fromisoformat(text)


# ---- jobs ------------------------------------------------------------------------------------
def import_file(
    client: Client,
    file: str,
    *,
    name: str | None,
    validate: bool,
    force: bool,
    options: dict[str, Any],
    display: ProgressDisplay,
) -> ImportResult:
    """Upload FILE, follow its job with ``display``, return its result (or raise its error)."""
    path = Path(file)
    if not path.is_file():
        raise errors.FileNotFoundError_(f"no such file: {file}")
    job_id: str | None = None
    try:
        with UploadBar(path.stat().st_size, enabled=display.enabled) as bar:
            accepted = client.upload(
                path, name=name, validate=validate, force=force, options=options, progress=bar
            )
        job_id = accepted["job_id"]
        if display.enabled:
            display.note(f"job {job_id} submitted to {client.api_url}")
        final = follow_job(client, job_id, display)
    except KeyboardInterrupt:
        if job_id is None:
            display.close()
            click.echo("interrupted during the upload: no job was created", err=True)
            sys.exit(INTERRUPTED)
        interrupted(client, job_id, display)
    return client.result_of(final)


def validate_model(
    client: Client, model_id: int, *, options: dict[str, Any] | None, display: ProgressDisplay
) -> ImportResult:
    accepted = client.validate(model_id, options=options)
    try:
        if display.enabled:
            display.note(f"job {accepted['job_id']} submitted to {client.api_url}")
        final = follow_job(client, accepted["job_id"], display)
    except KeyboardInterrupt:
        interrupted(client, accepted["job_id"], display)
    return client.result_of(final)


def follow_job(client: Client, job_id: str, display: ProgressDisplay) -> dict[str, Any]:
    """Follow a job to its ``final`` event, drawing progress; says so in one line when the
    WebSocket fails and polling takes over. Ctrl-C: see :func:`interrupted`."""
    try:
        for event in client.follow(job_id):
            if event["type"] == "progress":
                display(event["stage"], event["percent"], event["message"])
            elif event["type"] == "fallback":
                display.note(f"note: {event['reason']}; following job {job_id} by polling")
            elif event["type"] == "final":
                return event
    except KeyboardInterrupt:
        interrupted(client, job_id, display)
    raise errors.RemoteError(f"job {job_id} did not end")  # pragma: no cover


def interrupted(client: Client, job_id: str, display: ProgressDisplay) -> NoReturn:
    """Ctrl-C while following a job: on a terminal, ask whether to cancel it on the server;
    otherwise leave it running and say how to re-attach. Exits with status 130."""
    display.close()
    cancel = False
    if _interactive():
        try:
            cancel = click.confirm(
                f"\ncancel job {job_id} on the server? (no: it keeps running)", default=False
            )
        except (click.Abort, KeyboardInterrupt, EOFError):
            cancel = False
    if cancel:
        try:
            client.cancel(job_id)
            click.echo(f"job {job_id}: cancel requested on the server", err=True)
        except errors.JobConflictError:
            click.echo(f"job {job_id} had already ended", err=True)
    else:
        click.echo(
            f"interrupted: job {job_id} keeps running on the server "
            f"(re-attach: xlimport job {job_id} --follow)",
            err=True,
        )
    sys.exit(INTERRUPTED)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def job_rows(job: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs describing a job, for ``xlimport job``."""
    progress = job.get("progress") or {}
    percent = progress.get("percent")
    rows = [
        ("job id", job["job_id"]),
        ("kind", job.get("kind") or ""),
        ("status", job.get("status") or ""),
        ("model name", job.get("model_name") or ""),
        ("file", job.get("original_filename") or ""),
        ("model id", "" if job.get("model_id") is None else str(job["model_id"])),
        (
            "progress",
            f"{progress.get('stage') or ''} {percent or 0:.1f}% {progress.get('message') or ''}",
        ),
        ("created", job.get("created_at") or ""),
        ("started", job.get("started_at") or ""),
        ("finished", job.get("finished_at") or ""),
    ]
    error = job.get("error")
    if error:
        rows.append(("error", f"{error.get('code')}: {error.get('message')}"))
    return [(label, value.strip()) for label, value in rows]


def jobs_rows(jobs: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    rows = []
    for job in jobs:
        progress = job.get("progress") or {}
        rows.append(
            (
                job["job_id"],
                job.get("kind") or "",
                job.get("status") or "",
                f"{progress.get('percent') or 0:.0f}%",
                job.get("model_name") or "",
                "" if job.get("model_id") is None else str(job["model_id"]),
                (job.get("created_at") or "")[:19],
            )
        )
    return rows


JOBS_HEADER = ("job id", "kind", "status", "done", "model name", "model id", "created")
