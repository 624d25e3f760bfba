"""The ``xlimport`` command: a thin adapter over the library (same parameter names).

Each command parses its options, calls the library function of the same name and renders the
result; library errors become one line on stderr and a distinct exit status.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

import xlimport
from xlimport import errors
from xlimport.store.base import CellFilter

from . import remote
from .render import ProgressDisplay, print_table, to_json


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Library errors → ``error: <message>`` on stderr and the error's exit status."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except errors.XlImportError as exc:
            where = f" (during {exc.stage})" if exc.stage else ""
            click.echo(f"error: {exc.message}{where}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db",
        metavar="URL",
        default=None,
        help="Database URL (default: DATABASE_URL, else the embedded SQLite file "
        "under XLIMPORT_HOME).",
    )(fn)


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(fn)


API_URL_HELP = "Use the xlimport server at URL instead of the local database."
API_KEY_HELP = "API key for the server (sent as X-API-Key)."


def remote_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--api-url`` / ``--api-key`` on a command too (``xlimport import F --api-url URL``)."""
    fn = click.option(
        "--api-key", envvar="XLIMPORT_API_KEY", metavar="KEY", default=None, help=API_KEY_HELP
    )(fn)
    return click.option(
        "--api-url", envvar="XLIMPORT_API_URL", metavar="URL", default=None, help=API_URL_HELP
    )(fn)


def _client(
    api_url: str | None, api_key: str | None, db: str | None = None
) -> xlimport.Client | None:
    """The server client when a server URL is given (on the command or globally), else None."""
    root = click.get_current_context().find_root().params
    url = api_url or root.get("api_url")
    if not url:
        return None
    if db:
        raise click.UsageError("--db and --api-url exclude each other")
    return xlimport.Client(url, api_key or root.get("api_key"))


def _needs_client(api_url: str | None, api_key: str | None) -> xlimport.Client:
    client = _client(api_url, api_key)
    if client is None:
        raise click.UsageError(
            "this command needs a server: pass --api-url or set XLIMPORT_API_URL"
        )
    return client


def _store(db: str | None, api_url: str | None, api_key: str | None) -> Any:
    client = _client(api_url, api_key, db)
    return remote.RemoteStore(client) if client else xlimport.open_store(db)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(xlimport.__version__, prog_name="xlimport")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
@click.option(
    "--api-url", envvar="XLIMPORT_API_URL", metavar="URL", default=None, help=API_URL_HELP
)
@click.option(
    "--api-key", envvar="XLIMPORT_API_KEY", metavar="KEY", default=None, help=API_KEY_HELP
)
def cli(verbose: int, api_url: str | None, api_key: str | None) -> None:
    """Import Excel models cell by cell into a database, recomputed and validated."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--name", default=None, help="Model name (default: the file name).")
@click.option(
    "--validate/--no-validate",
    default=True,
    show_default=True,
    help="Compare recomputed values with Excel's cached values.",
)
@click.option("--force", is_flag=True, help="Import again even if the same file is stored.")
@click.option(
    "--tolerance",
    type=float,
    default=None,
    help="Relative and absolute tolerance for numbers (default 1e-6).",
)
@click.option(
    "--max-iterations",
    type=int,
    default=None,
    help="Iterations for circular references (default: the workbook's, else 100).",
)
@click.option(
    "--max-change",
    type=float,
    default=None,
    help="Convergence threshold for circular references (default: the workbook's, else 0.001).",
)
@db_option
@json_option
@remote_options
@handle_errors
def import_cmd(
    file: str,
    name: str | None,
    validate: bool,
    force: bool,
    tolerance: float | None,
    max_iterations: int | None,
    max_change: float | None,
    db: str | None,
    as_json: bool,
    api_url: str | None,
    api_key: str | None,
) -> None:
    """Import FILE (.xlsx/.xlsm) into the database and print a summary."""
    options: dict[str, Any] = {}
    if tolerance is not None:
        options["tolerance"] = tolerance
    if max_iterations is not None:
        options["max_iterations"] = max_iterations
    if max_change is not None:
        options["max_change"] = max_change
    client = _client(api_url, api_key, db)
    with ProgressDisplay(enabled=not as_json) as display:
        if client is not None:
            result = remote.import_file(
                client,
                file,
                name=name,
                validate=validate,
                force=force,
                options=options,
                display=display,
            )
        else:
            result = xlimport.import_workbook(
                file,
                name=name,
                store=db,
                progress=display,
                validate=validate,
                force=force,
                options=options,
            )
    _print_result(result, as_json)


def _print_result(result: xlimport.ImportResult, as_json: bool) -> None:
    if as_json:
        click.echo(to_json(result.to_dict()))
        return
    print_table(result.summary_lines())
    for warning in result.warnings[:20]:
        click.echo(f"warning: {warning}", err=True)
    if len(result.warnings) > 20:
        click.echo(f"warning: ... and {len(result.warnings) - 20} more", err=True)


@cli.command("models")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--page-size", type=int, default=50, show_default=True)
@db_option
@json_option
@remote_options
@handle_errors
def models_cmd(
    page: int,
    page_size: int,
    db: str | None,
    as_json: bool,
    api_url: str | None,
    api_key: str | None,
) -> None:
    """List stored models, newest first."""
    result = _store(db, api_url, api_key).list_models(page=page, page_size=page_size)
    items = [_model_dict(m) for m in result.items]
    if as_json:
        click.echo(
            to_json(
                {
                    "items": items,
                    "total": result.total,
                    "page": result.page,
                    "page_size": result.page_size,
                }
            )
        )
        return
    if not items:
        click.echo("no models")
        return
    header = ("id", "name", "cells", "formulas", "match rate", "uploaded")
    rows = [
        (
            str(m["id"]),
            m["name"],
            f"{m['cells']:,}",
            f"{m['formula_cells']:,}",
            m["match_rate"],
            m["uploaded_at"][:19],
        )
        for m in items
    ]
    print_table(rows, header=header)
    if result.total > page * page_size:
        click.echo(f"({result.total} models; next: --page {page + 1})")


def _model_dict(m: Any) -> dict[str, Any]:
    summary = m.import_summary or {}
    stats = summary.get("stats") or {}
    validation = summary.get("validation") or {}
    rate = validation.get("match_rate")
    return {
        "id": m.id,
        "name": m.name,
        "original_filename": m.original_filename,
        "file_hash": m.file_hash,
        "file_size": m.file_size,
        "uploaded_at": m.uploaded_at.isoformat(),
        "updated_at": m.updated_at.isoformat(),
        "cells": stats.get("cells", 0),
        "formula_cells": stats.get("formula_cells", 0),
        "match_rate": f"{rate:.4%}" if isinstance(rate, (int, float)) else "n/a",
    }


@cli.command("show")
@click.argument("model", type=int)
@db_option
@json_option
@remote_options
@handle_errors
def show_cmd(
    model: int, db: str | None, as_json: bool, api_url: str | None, api_key: str | None
) -> None:
    """Show one model's summary (MODEL is its id)."""
    m = _store(db, api_url, api_key).get_model(model)
    result = xlimport.ImportResult.from_summary(m.id, m.name, m.file_hash, m.import_summary)
    if as_json:
        data = _model_dict(m)
        data["workbook_metadata"] = m.workbook_metadata
        data["import_summary"] = m.import_summary
        click.echo(to_json(data))
        return
    print_table(
        [("file", m.original_filename or ""), ("uploaded", m.uploaded_at.isoformat())]
        + result.summary_lines()
    )
    samples = (result.validation.samples if result.validation else [])[:10]
    if samples:
        click.echo("\nsample mismatches:")
        print_table(
            [
                (
                    f"{s['sheet']}!{s['cell']}",
                    str(s["status"]),
                    str(s["formula"]),
                    f"cached {s['cached']!r}",
                    f"calculated {s['calculated']!r}",
                )
                for s in samples
            ]
        )


@cli.command("cells")
@click.argument("model", type=int)
@click.option("--sheet", default=None, help="Only this sheet.")
@click.option("--formulas", is_flag=True, help="Only formula cells.")
@click.option("--mismatches", is_flag=True, help="Only cells whose value does not match.")
@click.option("--circular", is_flag=True, help="Only cells in circular references.")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many.")
@db_option
@json_option
@remote_options
@handle_errors
def cells_cmd(
    model: int,
    sheet: str | None,
    formulas: bool,
    mismatches: bool,
    circular: bool,
    limit: int,
    db: str | None,
    as_json: bool,
    api_url: str | None,
    api_key: str | None,
) -> None:
    """List a model's cells."""
    filters = CellFilter(
        sheet_name=sheet,
        has_formula=True if formulas else None,
        has_mismatch=True if mismatches else None,
        is_circular=True if circular else None,
    )
    store = _store(db, api_url, api_key)
    page = store.cells(model, filters, page=1, page_size=max(limit, 1))
    items = page.items[:limit]
    if as_json:
        click.echo(to_json({"items": items, "total": page.total}))
        return
    header = ("sheet", "cell", "type", "cached", "formula", "calculated", "status")
    rows = []
    for c in items:
        cached = c["raw_text"] if c["raw_value"] is None else _num(c["raw_value"])
        calc = (
            c["calculated_text"] if c["calculated_value"] is None else _num(c["calculated_value"])
        )
        rows.append(
            (
                c["sheet_name"],
                c["cell"],
                c["cell_type"],
                _short(cached),
                _short(c["formula"]),
                _short(calc),
                c["status"] or "",
            )
        )
    print_table(rows, header=header)
    click.echo(f"({len(items)} of {page.total:,} cells)")


def _num(v: float) -> str:
    return f"{v:.15g}"


def _short(v: Any, width: int = 40) -> str:
    s = "" if v is None else str(v)
    return s if len(s) <= width else s[: width - 1] + "…"


@cli.command("validate")
@click.argument("model", type=int)
@click.option("--tolerance", type=float, default=None, help="Tolerance (default 1e-6).")
@db_option
@json_option
@remote_options
@handle_errors
def validate_cmd(
    model: int,
    tolerance: float | None,
    db: str | None,
    as_json: bool,
    api_url: str | None,
    api_key: str | None,
) -> None:
    """Re-evaluate a stored model and validate it against Excel's cached values."""
    options = {"tolerance": tolerance} if tolerance is not None else None
    client = _client(api_url, api_key, db)
    with ProgressDisplay(enabled=not as_json) as display:
        if client is not None:
            result = remote.validate_model(client, model, options=options, display=display)
        else:
            result = xlimport.validate_model(model, store=db, progress=display, options=options)
    if as_json:
        click.echo(to_json(result.to_dict()))
        return
    print_table(result.summary_lines())


@cli.command("jobs")
@click.option(
    "--status",
    type=click.Choice(["pending", "processing", "success", "failed", "cancelled"]),
    default=None,
    help="Only jobs with this status.",
)
@click.option(
    "--kind", type=click.Choice(["import", "validate"]), default=None, help="Only this kind."
)
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many.")
@json_option
@remote_options
@handle_errors
def jobs_cmd(
    status: str | None,
    kind: str | None,
    limit: int,
    as_json: bool,
    api_url: str | None,
    api_key: str | None,
) -> None:
    """List the server's recent jobs, newest first (needs --api-url)."""
    items = _needs_client(api_url, api_key).jobs(status=status, kind=kind, limit=limit)
    if as_json:
        click.echo(to_json({"items": items, "count": len(items)}))
        return
    if not items:
        click.echo("no jobs")
        return
    print_table(remote.jobs_rows(items), header=remote.JOBS_HEADER)


@cli.command("job")
@click.argument("job_id")
@click.option(
    "--follow", is_flag=True, help="Re-attach: show progress until the job ends, then its result."
)
@json_option
@remote_options
@handle_errors
def job_cmd(
    job_id: str, follow: bool, as_json: bool, api_url: str | None, api_key: str | None
) -> None:
    """Show one server job (JOB_ID); with --follow, wait for it like `import` (needs --api-url)."""
    client = _needs_client(api_url, api_key)
    if follow:
        with ProgressDisplay(enabled=not as_json) as display:
            final = remote.follow_job(client, job_id, display)
        if as_json and final["status"] != "success":
            click.echo(to_json(client.job(job_id)))
        _print_result(client.result_of(final), as_json)
        return
    job = client.job(job_id)
    if as_json:
        click.echo(to_json(job))
    else:
        print_table(remote.job_rows(job))
        if job["status"] == "success" and (job.get("result") or {}).get("stats"):
            click.echo("")
            print_table(client.result_of(job).summary_lines())
    if job["status"] in ("failed", "cancelled"):
        client.result_of(job)  # raises the job's error: the same exit status as the import


@cli.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@db_option
@handle_errors
def db_upgrade(db: str | None) -> None:
    """Create or upgrade the database schema (alembic head)."""
    store = xlimport.open_store(db)
    store.upgrade()
    click.echo(f"database schema is up to date ({_safe_url(store.url)})")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cli.group("engine")
def engine_group() -> None:
    """The formula engine (Node.js + HyperFormula)."""


@engine_group.command("install")
@handle_errors
def engine_install() -> None:
    """Install the engine's Node dependencies now (otherwise done on first use)."""
    from xlimport.engine.install import check_node, ensure_engine_installed

    version = check_node()
    where = ensure_engine_installed()
    click.echo(f"engine ready in {where} (Node.js {version})")


@engine_group.command("check")
@handle_errors
def engine_check() -> None:
    """Start the engine and print its version."""
    from xlimport.engine.hyperformula import get_engine

    engine = get_engine()
    names = engine.function_names()
    click.echo(f"engine running: {len(names)} functions available")


def _register_optional() -> None:
    try:
        from . import server_commands
    except ImportError:  # pragma: no cover - the server commands are part of the package
        return
    server_commands.register(cli)


_register_optional()

if __name__ == "__main__":  # pragma: no cover
    cli()

__all__ = ["cli", "json"]
