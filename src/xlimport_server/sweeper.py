"""Jobs whose worker died must not stay "processing" forever: a sweep on start-up and then
periodically marks them failed, with the reason, and tells their watchers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from .db import as_utc, utcnow
from .jobs import WORKER_LOST, JobStore, job_to_dict
from .progress import ProgressHub, final_event
from .runner import Runner

logger = logging.getLogger(__name__)

RQ_WAITING = {"queued", "deferred", "scheduled", "started"}


async def sweep_once(jobs: JobStore, runner: Runner, hub: ProgressHub, stale_after: float) -> int:
    """Fail every unfinished job that has shown no sign of life for ``stale_after`` seconds;
    returns how many were failed."""
    held = runner.held_job_ids()
    if held:
        await asyncio.to_thread(jobs.touch, held)
    failed = 0
    for job in await asyncio.to_thread(jobs.stale_jobs, stale_after):
        reason = await _death_reason(job, runner, stale_after)
        if reason is None:
            continue
        error = {"code": WORKER_LOST, "message": reason, "stage": job["progress_stage"]}
        if await asyncio.to_thread(jobs.finish, job["id"], "failed", error=error):
            failed += 1
            logger.warning("job %s marked failed: %s", job["id"], reason)
            row = await asyncio.to_thread(jobs.get, job["id"])
            try:
                await hub.announce(job["id"], final_event(job["id"], 1 << 30, job_to_dict(row)))
            except Exception as exc:
                logger.warning("could not announce the end of job %s: %s", job["id"], exc)
    return failed


async def _death_reason(job: dict[str, Any], runner: Runner, stale_after: float) -> str | None:
    """Why the job is dead, or None if it is only waiting its turn."""
    rq_state, rq_error = (None, None)
    if job["runner"] == "rq":
        rq_state, rq_error = await runner.job_state(job["id"])
        if job["status"] == "pending":
            if rq_state in RQ_WAITING:
                return None  # still waiting in the queue for a free worker
            if rq_state is None:
                return "the job was lost from the queue (Redis lost it or it expired)"
            return f"the queue reports the job {rq_state}" + (f": {rq_error}" if rq_error else "")
    elif job["status"] == "pending":
        return "the server that held the job stopped before running it"
    beat = as_utc(job["heartbeat_at"])
    silent = (utcnow() - beat).total_seconds() if beat else stale_after
    reason = (
        f"worker {job['worker'] or '?'} stopped responding "
        f"(no heartbeat for {silent:.0f} s; the process died or was killed)"
    )
    if rq_error:
        reason += f"; the queue reports: {rq_error}"
    return reason


async def sweep_forever(
    jobs: JobStore, runner: Runner, hub: ProgressHub, stale_after: float, interval: float
) -> None:
    while True:
        try:
            await sweep_once(jobs, runner, hub, stale_after)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("job sweep failed: %s", exc)
        await asyncio.sleep(interval)
