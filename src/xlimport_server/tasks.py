"""The body of one job, the same in the in-process runner and in an RQ worker.

``execute_job`` marks the job processing, runs :func:`xlimport.import_workbook` (or
:func:`xlimport.validate_model`) with a :class:`JobReporter` as the progress callback, and
records the outcome. The database row is written first, then the final event is published.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlimport.config import ImportOptions
from xlimport.errors import DuplicateModelError, ImportCancelled, JobTimeoutError, XlImportError

from .db import make_engine
from .filestore import materialize, open_files
from .jobs import JobStore
from .progress import Publisher, RedisPublisher, final_event, progress_event
from .settings import ServerSettings

logger = logging.getLogger(__name__)

CANCEL_CHECK_EVERY = 0.25  # seconds between checks of a remote cancel flag


@dataclass
class WorkerContext:
    """What a job needs: settings, the core store, the file store, job rows, a publisher."""

    settings: ServerSettings
    store: Any
    file_store: Any
    jobs: JobStore
    publisher: Publisher
    work_dir: Path
    worker_name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> WorkerContext:
        """A worker process's context: its own store, database engine and Redis connection."""
        import redis

        from xlimport.store import open_store

        store = open_store(settings.effective_database_url)
        publisher = RedisPublisher(
            redis.Redis.from_url(settings.redis_url), settings.xlimport_redis_prefix
        )
        return cls(
            settings=settings,
            store=store,
            file_store=open_files(settings, store),
            jobs=JobStore(getattr(store, "engine", None) or make_engine(store.url)),
            publisher=publisher,
            work_dir=settings.upload_dir / "work",
        )


class JobReporter:
    """The progress callback of one job.

    Each call publishes the event at once (Redis or in-memory), checks the cancel flag and the
    job timeout, and leaves the database writes (one ``job_progress`` row per stage, the latest
    progress, the heartbeat) to a background thread, so a slow or locked database never slows
    the import down.
    """

    def __init__(self, ctx: WorkerContext, job_id: str) -> None:
        self.ctx = ctx
        self.job_id = job_id
        self.seq = 0
        self.stage: str | None = None
        self.percent = 0.0
        self.started = time.monotonic()
        self.timeout = ctx.settings.xlimport_job_timeout
        self.cancelled = threading.Event()
        self._last_cancel_check = 0.0
        self._lock = threading.Lock()
        self._stage_rows: list[tuple[str, float, str]] = []
        self._latest: tuple[str, float, str] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._write_loop, name=f"job-{job_id[:8]}", daemon=True
        )

    # ---- the callback ----------------------------------------------------------------------
    def __call__(self, stage: str, percent: float, message: str = "") -> None:
        self._check_stop()
        percent = max(float(percent), self.percent)  # never backwards
        self.percent = percent
        new_stage = stage != self.stage
        self.stage = stage
        self.seq += 1
        try:
            self.ctx.publisher.publish(
                self.job_id,
                progress_event(self.job_id, self.seq, "processing", stage, percent, message),
            )
        except Exception as exc:  # progress is best effort; the import goes on
            logger.warning("job %s: could not publish progress: %s", self.job_id, exc)
        with self._lock:
            if new_stage:
                self._stage_rows.append((stage, percent, message))
                self._wake.set()
            self._latest = (stage, percent, message)

    def _check_stop(self) -> None:
        if self.cancelled.is_set():
            raise ImportCancelled("cancelled by request", stage=self.stage)
        now = time.monotonic()
        if now - self._last_cancel_check >= CANCEL_CHECK_EVERY:
            self._last_cancel_check = now
            try:
                if self.ctx.publisher.cancel_requested(self.job_id):
                    self.cancelled.set()
            except Exception as exc:
                logger.debug("cancel check failed: %s", exc)
            if self.cancelled.is_set():
                raise ImportCancelled("cancelled by request", stage=self.stage)
        if now - self.started > self.timeout:
            raise JobTimeoutError(
                f"job exceeded the job timeout of {self.timeout} s", stage=self.stage
            )

    # ---- background writes -----------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Flush what is pending and end the writer thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=120)

    def _write_loop(self) -> None:
        interval = self.ctx.settings.xlimport_heartbeat_interval
        last_beat = time.monotonic()
        while True:
            self._wake.wait(timeout=min(1.0, interval))
            self._wake.clear()
            stopping = self._stop.is_set()
            self._flush()
            if stopping:
                return
            if time.monotonic() - last_beat >= interval:
                last_beat = time.monotonic()
                self._beat()

    def _flush(self) -> None:
        with self._lock:
            rows, self._stage_rows = self._stage_rows, []
            latest, self._latest = self._latest, None
        try:
            while rows:
                stage, percent, message = rows[0]
                self.ctx.jobs.record_progress(self.job_id, stage, percent, message, new_stage=True)
                rows.pop(0)
            if latest:
                self.ctx.jobs.record_progress(self.job_id, *latest, new_stage=False)
        except Exception as exc:  # e.g. SQLite locked by the import's transaction: retry later
            logger.info("job %s: progress not recorded yet: %s", self.job_id, exc)
            with self._lock:
                self._stage_rows[:0] = rows
                self._latest = self._latest or latest

    def _beat(self) -> None:
        try:
            self.ctx.jobs.touch([self.job_id])
            if self.ctx.jobs.is_cancel_requested(self.job_id):
                self.cancelled.set()
        except Exception as exc:
            logger.warning("job %s: heartbeat failed: %s", self.job_id, exc)


def _error_dict(exc: BaseException, stage: str | None) -> dict[str, Any]:
    if isinstance(exc, XlImportError):
        out = exc.to_dict()
    elif type(exc).__name__ == "JobTimeoutException":  # RQ's hard timeout
        out = {"code": "job_timeout", "message": f"job timed out: {exc}"}
    else:
        out = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}
    if stage and "stage" not in out:
        out["stage"] = stage
    out["message"] = str(out.get("message", ""))
    return out


def _run(ctx: WorkerContext, job: dict[str, Any], reporter: JobReporter) -> Any:
    import xlimport

    params = job["params"] or {}
    options = ImportOptions(**(params.get("options") or {}))
    if job["kind"] == "validate":
        return xlimport.validate_model(
            job["model_id"], store=ctx.store, progress=reporter, options=options
        )
    path = materialize(
        ctx.file_store, job["file_hash"], ctx.work_dir, suffix=params.get("suffix", ".xlsx")
    )
    try:
        return xlimport.import_workbook(
            path,
            name=job["model_name"],
            store=ctx.store,
            progress=reporter,
            validate=bool(params.get("validate", True)),
            force=bool(params.get("force", False)),
            options=options,
            original_filename=job["original_filename"],
        )
    finally:
        path.unlink(missing_ok=True)


def execute_job(ctx: WorkerContext, job_id: str) -> str:
    """Run one job to its end; returns the final status. Never raises for a job's failure."""
    worker = f"{ctx.worker_name}/{threading.current_thread().name}"
    if not ctx.jobs.mark_processing(job_id, worker):
        status = ctx.jobs.get(job_id)["status"]
        logger.info("job %s not started: its status is %s", job_id, status)
        return status
    job = ctx.jobs.get(job_id)
    reporter = JobReporter(ctx, job_id)
    reporter.start()
    result_dict: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    model_id = job["model_id"]
    try:
        reporter("started", 0.0, f"started on {worker}")
        result = _run(ctx, job, reporter)
        result_dict = result.to_dict()
        warnings = (job["params"] or {}).get("warnings") or []
        if warnings:
            result_dict["warnings"] = list(warnings) + list(result_dict.get("warnings") or [])
        model_id = result.model_id
        status = "success"
    except DuplicateModelError as exc:
        # The same bytes were imported meanwhile (e.g. two uploads at once): that model is the
        # answer, as for an upload found to be a duplicate at once.
        result_dict = _duplicate_result(ctx, exc)
        if result_dict is None:
            status, error = "failed", _error_dict(exc, reporter.stage)
        else:
            status, model_id = "success", result_dict["model_id"]
    except ImportCancelled as exc:
        status, error = "cancelled", _error_dict(exc, reporter.stage)
    except Exception as exc:  # every failure is recorded on the job
        status, error = "failed", _error_dict(exc, reporter.stage)
        expected = isinstance(exc, XlImportError)
        logger.log(
            logging.INFO if expected else logging.ERROR,
            "job %s failed: %s",
            job_id,
            error["message"],
            exc_info=not expected,
        )
    if status != "success" and job["kind"] == "import":
        _forget_upload(ctx, job)
    _finish(ctx, job_id, reporter, status, result_dict, error, model_id)
    return status


def _forget_upload(ctx: WorkerContext, job: dict[str, Any]) -> None:
    """A failed or cancelled import keeps nothing: drop its uploaded bytes from the file store,
    unless a stored model or another unfinished job still needs them."""
    file_hash = job["file_hash"]
    try:
        if not file_hash or ctx.store.find_by_hash(file_hash) is not None:
            return
        if ctx.jobs.others_need_file(file_hash, job["id"]):
            return
        ctx.file_store.delete(file_hash)
    except Exception as exc:  # the job's outcome matters more than the clean-up
        logger.warning("job %s: could not drop the uploaded file: %s", job["id"], exc)


def _duplicate_result(ctx: WorkerContext, exc: DuplicateModelError) -> dict[str, Any] | None:
    if exc.model_id is None:
        return None
    try:
        model = ctx.store.get_model(exc.model_id)
    except XlImportError:
        return None  # deleted meanwhile: report the conflict as it is
    from xlimport.result import ImportResult

    result = ImportResult.from_summary(
        model.id, model.name, model.file_hash, model.import_summary, duplicate=True
    )
    return result.to_dict()


def _finish(
    ctx: WorkerContext,
    job_id: str,
    reporter: JobReporter,
    status: str,
    result: dict[str, Any] | None,
    error: dict[str, Any] | None,
    model_id: int | None,
) -> None:
    reporter.stop()
    ctx.jobs.finish(job_id, status, result=result, error=error, model_id=model_id)
    job = ctx.jobs.get(job_id)
    try:
        ctx.publisher.publish(job_id, final_event(job_id, reporter.seq + 1, _public(job)))
    except Exception as exc:
        logger.warning("job %s: could not publish the final event: %s", job_id, exc)


def _public(job: dict[str, Any]) -> dict[str, Any]:
    from .jobs import job_to_dict

    return job_to_dict(job)


# ---- RQ entry point ------------------------------------------------------------------------------
_context: WorkerContext | None = None
_context_pid: int | None = None
_settings: ServerSettings | None = None


def configure(settings: ServerSettings) -> None:
    """Settings for the jobs this process runs (set by ``xlimport worker``)."""
    global _settings, _context
    _settings, _context = settings, None


def worker_context() -> WorkerContext:
    """This process's context, created on first use (after a fork, anew)."""
    global _context, _context_pid
    if _context is None or _context_pid != os.getpid():
        _context = WorkerContext.from_settings(_settings or ServerSettings())
        _context_pid = os.getpid()
    return _context


def run_job(job_id: str) -> str:
    """What the RQ queue runs: ``xlimport_server.tasks.run_job(job_id)``."""
    return execute_job(worker_context(), job_id)
