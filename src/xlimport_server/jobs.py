"""Job rows (``job_runs``, ``job_progress``): the truth about every import and validation job.

All methods are synchronous (SQLAlchemy Core); the server calls them in a thread.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from xlimport.errors import JobConflictError, JobNotFoundError

from .db import as_utc, iso, utcnow
from .tables import FINAL_STATUSES, job_progress, job_runs

# A job marked failed by the sweeper may still report its real outcome if its worker was only slow.
WORKER_LOST = "worker_lost"


def new_job_id() -> str:
    return uuid.uuid4().hex


class JobStore:
    """Reads and writes job rows."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # ---- create / read ------------------------------------------------------------------
    def create(
        self,
        *,
        kind: str,
        runner: str,
        params: dict[str, Any],
        job_id: str | None = None,
        model_name: str | None = None,
        original_filename: str | None = None,
        file_hash: str | None = None,
        file_size: int | None = None,
        model_id: int | None = None,
        api_key_id: int | None = None,
        status: str = "pending",
        result: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = utcnow()
        row = {
            "id": job_id or new_job_id(),
            "kind": kind,
            "status": status,
            "runner": runner,
            "model_name": model_name,
            "original_filename": original_filename,
            "file_hash": file_hash,
            "file_size": file_size,
            "params": params,
            "result": result,
            "model_id": model_id,
            "api_key_id": api_key_id,
            "cancel_requested": False,
            "created_at": now,
            "heartbeat_at": now,
        }
        if status in FINAL_STATUSES:
            row.update(started_at=now, finished_at=now, progress_stage="complete")
            row["progress_percent"] = 100.0
        with self.engine.begin() as conn:
            conn.execute(job_runs.insert().values(**row))
        return self.get(row["id"])

    def get(self, job_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(job_runs).where(job_runs.c.id == job_id)).mappings().first()
            )
        if row is None:
            raise JobNotFoundError(f"job {job_id} not found")
        return dict(row)

    def list(
        self, *, status: str | None = None, kind: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        query = sa.select(job_runs).order_by(job_runs.c.created_at.desc()).limit(limit)
        if status:
            query = query.where(job_runs.c.status == status)
        if kind:
            query = query.where(job_runs.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def progress_history(self, job_id: str) -> list[dict[str, Any]]:
        query = (
            sa.select(
                job_progress.c.stage,
                job_progress.c.percent,
                job_progress.c.message,
                job_progress.c.created_at,
            )
            .where(job_progress.c.job_id == job_id)
            .order_by(job_progress.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [{**r, "created_at": iso(r["created_at"])} for r in rows]

    # ---- state changes -------------------------------------------------------------------
    def mark_processing(self, job_id: str, worker: str) -> bool:
        """pending -> processing; False when the job was cancelled (or taken) meanwhile."""
        now = utcnow()
        with self.engine.begin() as conn:
            done = conn.execute(
                job_runs.update()
                .where(job_runs.c.id == job_id, job_runs.c.status == "pending")
                .values(status="processing", started_at=now, heartbeat_at=now, worker=worker)
            )
        return done.rowcount == 1

    def finish(
        self,
        job_id: str,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
        model_id: int | None = None,
        only_if_running: bool = True,
    ) -> bool:
        """Record the final status. With ``only_if_running`` a job already finished (e.g.
        cancelled) keeps its status, except one the sweeper gave up on as lost."""
        values: dict[str, Any] = {
            "status": status,
            "finished_at": utcnow(),
            "result": result,
            "error": error,
            "error_code": (error or {}).get("code"),
        }
        if model_id is not None:
            values["model_id"] = model_id
        if status == "success":
            values.update(progress_stage="complete", progress_percent=100.0)
        query = job_runs.update().where(job_runs.c.id == job_id)
        if only_if_running:
            query = query.where(
                sa.or_(
                    job_runs.c.status.in_(("pending", "processing")),
                    job_runs.c.error_code == WORKER_LOST,
                )
            )
        with self.engine.begin() as conn:
            return conn.execute(query.values(**values)).rowcount == 1

    def request_cancel(self, job_id: str) -> dict[str, Any]:
        """A pending job is cancelled at once; a running one is flagged and stops at its next
        progress report. A finished job cannot be cancelled (409)."""
        job = self.get(job_id)
        if job["status"] in FINAL_STATUSES:
            raise JobConflictError(f"job {job_id} already ended with status {job['status']}")
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                job_runs.update()
                .where(job_runs.c.id == job_id, job_runs.c.status == "pending")
                .values(
                    status="cancelled",
                    cancel_requested=True,
                    finished_at=now,
                    error={"code": "cancelled", "message": "cancelled before it started"},
                    error_code="cancelled",
                )
            )
            conn.execute(
                job_runs.update()
                .where(job_runs.c.id == job_id, job_runs.c.status == "processing")
                .values(cancel_requested=True)
            )
        return self.get(job_id)

    def is_cancel_requested(self, job_id: str) -> bool:
        with self.engine.connect() as conn:
            flag = conn.execute(
                sa.select(job_runs.c.cancel_requested).where(job_runs.c.id == job_id)
            ).scalar()
        return bool(flag)

    # ---- progress and liveness ---------------------------------------------------------------
    def record_progress(
        self, job_id: str, stage: str, percent: float, message: str, *, new_stage: bool
    ) -> None:
        """Update the latest progress (and heartbeat); add a ``job_progress`` row on a new stage."""
        now = utcnow()
        with self.engine.begin() as conn:
            if new_stage:
                conn.execute(
                    job_progress.insert().values(
                        job_id=job_id,
                        stage=stage,
                        percent=percent,
                        message=message,
                        created_at=now,
                    )
                )
            conn.execute(
                job_runs.update()
                .where(job_runs.c.id == job_id)
                .values(
                    progress_stage=stage,
                    progress_percent=percent,
                    progress_message=message,
                    heartbeat_at=now,
                )
            )

    def touch(self, job_ids: list[str]) -> None:
        """Refresh the heartbeat of jobs known to be alive."""
        if not job_ids:
            return
        with self.engine.begin() as conn:
            conn.execute(
                job_runs.update()
                .where(job_runs.c.id.in_(job_ids), job_runs.c.status.in_(("pending", "processing")))
                .values(heartbeat_at=utcnow())
            )

    def others_need_file(self, file_hash: str, job_id: str) -> bool:
        """Does an unfinished job other than ``job_id`` import the bytes of ``file_hash``?"""
        query = sa.select(job_runs.c.id).where(
            job_runs.c.file_hash == file_hash,
            job_runs.c.id != job_id,
            job_runs.c.kind == "import",
            job_runs.c.status.in_(("pending", "processing")),
        )
        with self.engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def stale_jobs(self, stale_after: float) -> list[dict[str, Any]]:
        """Unfinished jobs whose heartbeat is older than ``stale_after`` seconds."""
        limit = utcnow() - timedelta(seconds=stale_after)
        query = sa.select(job_runs).where(
            job_runs.c.status.in_(("pending", "processing")), job_runs.c.heartbeat_at < limit
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


def job_to_dict(job: dict[str, Any], latest: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON shape of a job in the API. ``latest`` is a fresher progress snapshot (Redis)."""
    progress = {
        "stage": job["progress_stage"],
        "percent": job["progress_percent"],
        "message": job["progress_message"],
    }
    if latest and job["status"] not in FINAL_STATUSES and latest.get("stage"):
        progress = {k: latest.get(k) for k in ("stage", "percent", "message")}
    heartbeat = as_utc(job["heartbeat_at"])
    return {
        "job_id": job["id"],
        "kind": job["kind"],
        "status": job["status"],
        "model_name": job["model_name"],
        "original_filename": job["original_filename"],
        "file_size": job["file_size"],
        "model_id": job["model_id"],
        "params": job["params"],
        "created_at": iso(job["created_at"]),
        "started_at": iso(job["started_at"]),
        "finished_at": iso(job["finished_at"]),
        "heartbeat_at": heartbeat.isoformat() if heartbeat else None,
        "cancel_requested": bool(job["cancel_requested"]),
        "progress": progress,
        "result": job["result"],
        "error": job["error"],
    }
