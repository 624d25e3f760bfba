"""Upload, job status, cancel, job list."""

from __future__ import annotations

import asyncio
import logging
from pathlib import PurePath
from typing import Any

from aiohttp import web

from . import state
from .filestore import put_file
from .jobs import job_to_dict
from .jsonutil import json_response
from .params import parse_bool, parse_choice, parse_int, parse_model_name, parse_options
from .progress import final_event
from .tables import JOB_STATUSES
from .uploads import Upload, inspect_workbook, receive_upload

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()


def job_links(request: web.Request, job_id: str) -> dict[str, str]:
    scheme = "wss" if request.secure else "ws"
    return {
        "status_url": str(request.url.with_path(f"/api/import/job/{job_id}").with_query(None)),
        "websocket_url": f"{scheme}://{request.host}/ws/import/{job_id}",
    }


def rate_key(request: web.Request) -> str:
    key = request.get(state.API_KEY)
    return f"key:{key.id}" if key else f"ip:{request.remote}"


@routes.post("/api/import/upload")
async def upload(request: web.Request) -> web.Response:
    app = request.app
    settings = app[state.SETTINGS]
    await app[state.LIMITER].hit(rate_key(request))
    received = await receive_upload(
        request, settings.upload_dir / "spool", settings.max_upload_bytes
    )
    handed_over = False
    try:
        fields = received.fields
        model_name = parse_model_name(
            fields.get("model_name"), PurePath(received.filename).stem or "upload"
        )
        params: dict[str, Any] = {
            "validate": parse_bool(fields.get("validate"), "validate", True),
            "force": parse_bool(fields.get("force"), "force", False),
            "options": parse_options(fields, settings.default_options()),
        }
        await asyncio.to_thread(inspect_workbook, received)
        params.update(warnings=received.warnings, suffix=received.suffix)
        api_key = request[state.API_KEY]
        common = {
            "kind": "import",
            "runner": app[state.RUNNER].kind,
            "params": params,
            "model_name": model_name,
            "original_filename": received.filename,
            "file_hash": received.file_hash,
            "file_size": received.size,
            "api_key_id": api_key.id if api_key else None,
        }
        existing = None
        if not params["force"]:
            existing = await asyncio.to_thread(app[state.STORE].find_by_hash, received.file_hash)
        jobs = app[state.JOBS]
        if existing is not None:
            result = {
                "model_id": existing.id,
                "name": existing.name,
                "file_hash": existing.file_hash,
                "duplicate": True,
                "warnings": received.warnings,
            }
            job = await asyncio.to_thread(
                jobs.create, **common, status="success", model_id=existing.id, result=result
            )
            await app[state.HUB].announce(job["id"], final_event(job["id"], 1, job_to_dict(job)))
        else:
            job = await asyncio.to_thread(jobs.create, **common)
            # The bytes are on our disk already; keeping them in the file store (the database
            # with PostgreSQL) and queueing the job go on after the answer.
            handed_over = True
            task = asyncio.create_task(_keep_and_submit(app, job["id"], received))
            app[state.BACKGROUND].add(task)
            task.add_done_callback(app[state.BACKGROUND].discard)
    finally:
        if not handed_over:
            received.discard()
    body = {"job_id": job["id"], "status": job["status"], **job_links(request, job["id"])}
    body["duplicate"] = existing is not None
    body["model_id"] = job["model_id"]
    body["warnings"] = received.warnings
    return json_response(body, status=202)


async def _keep_and_submit(app: web.Application, job_id: str, received: Upload) -> None:
    """Keep the upload in the file store, then queue its job; a failure fails the job."""
    try:
        await asyncio.to_thread(put_file, app[state.FILES], received.file_hash, received.path)
    except Exception as exc:
        logger.warning("job %s: could not keep the upload: %s", job_id, exc)
        error = {"code": "store_error", "message": str(exc), "stage": "upload"}
        await asyncio.to_thread(app[state.JOBS].finish, job_id, "failed", error=error)
        row = await asyncio.to_thread(app[state.JOBS].get, job_id)
        await app[state.HUB].announce(job_id, final_event(job_id, 1 << 30, job_to_dict(row)))
        return
    finally:
        received.discard()
    try:
        await _submit(app, job_id)
    except Exception as exc:
        logger.warning("job %s: could not be queued: %s", job_id, exc)
        row = await asyncio.to_thread(app[state.JOBS].get, job_id)
        await app[state.HUB].announce(job_id, final_event(job_id, 1 << 30, job_to_dict(row)))


async def _submit(app: web.Application, job_id: str) -> None:
    """Queue the job; if the queue is down the job is failed at once (and the error raised)."""
    try:
        await app[state.RUNNER].submit(job_id)
    except Exception as exc:
        error = {"code": "service_unavailable", "message": str(exc), "stage": "queued"}
        await asyncio.to_thread(app[state.JOBS].finish, job_id, "failed", error=error)
        raise


@routes.get("/api/import/job/{job_id}")
async def job_status(request: web.Request) -> web.Response:
    job_id = request.match_info["job_id"]
    jobs = request.app[state.JOBS]
    job = await asyncio.to_thread(jobs.get, job_id)
    latest = None
    if job["status"] in ("pending", "processing"):
        latest = await request.app[state.HUB].latest(job_id)
    body = job_to_dict(job, latest)
    body["stages"] = await asyncio.to_thread(jobs.progress_history, job_id)
    body.update(job_links(request, job_id))
    return json_response(body)


@routes.post("/api/import/job/{job_id}/cancel")
async def cancel_job(request: web.Request) -> web.Response:
    app = request.app
    job_id = request.match_info["job_id"]
    job = await asyncio.to_thread(app[state.JOBS].request_cancel, job_id)
    await app[state.HUB].request_cancel(job_id)
    await app[state.RUNNER].cancel(job_id)
    if job["status"] == "cancelled":  # it had not started: it ends now
        await app[state.HUB].announce(job_id, final_event(job_id, 1 << 30, job_to_dict(job)))
    return json_response(job_to_dict(job), status=202)


@routes.get("/api/jobs")
async def list_jobs(request: web.Request) -> web.Response:
    query = request.query
    status = parse_choice(query.get("status"), "status", JOB_STATUSES)
    kind = parse_choice(query.get("kind"), "kind", ("import", "validate"))
    limit = parse_int(query.get("limit"), "limit", 50, 1, 500)
    rows = await asyncio.to_thread(
        request.app[state.JOBS].list, status=status, kind=kind, limit=limit
    )
    return json_response({"items": [job_to_dict(r) for r in rows], "count": len(rows)})
