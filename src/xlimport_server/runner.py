"""Runners: where jobs execute. In the server process (a bounded thread pool) when there is no
Redis, or on an RQ queue served by ``xlimport worker`` processes."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from xlimport.errors import ServiceUnavailableError

from .settings import ServerSettings
from .tasks import WorkerContext, execute_job

logger = logging.getLogger(__name__)

RQ_TASK = "xlimport_server.tasks.run_job"


class Runner(Protocol):
    kind: str

    async def submit(self, job_id: str) -> None: ...

    async def cancel(self, job_id: str) -> None: ...

    def held_job_ids(self) -> list[str]: ...

    async def job_state(self, job_id: str) -> tuple[str | None, str | None]: ...

    async def stop(self) -> None: ...


class InProcessRunner:
    """Jobs run in threads of the server process; at most ``workers`` at a time."""

    kind = "inprocess"

    def __init__(self, ctx: WorkerContext, workers: int) -> None:
        self.ctx = ctx
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="xlimport-job")
        self._futures: dict[str, Future] = {}

    async def submit(self, job_id: str) -> None:
        future = self.pool.submit(self._run, job_id)
        self._futures[job_id] = future
        future.add_done_callback(lambda _f: self._futures.pop(job_id, None))

    def _run(self, job_id: str) -> str:
        try:
            return execute_job(self.ctx, job_id)
        except Exception:
            logger.exception("job %s crashed", job_id)
            raise

    async def cancel(self, job_id: str) -> None:
        future = self._futures.get(job_id)
        if future is not None:
            future.cancel()  # only succeeds while it waits in the pool's queue

    def held_job_ids(self) -> list[str]:
        """Jobs this process holds (queued or running): alive by definition."""
        return list(self._futures)

    async def job_state(self, job_id: str) -> tuple[str | None, str | None]:
        return ("held", None) if job_id in self._futures else (None, None)

    async def stop(self) -> None:
        """Cancel queued jobs, ask running ones to stop, and wait for them briefly."""
        for job_id in list(self._futures):
            await self.ctx.publisher.request_cancel(job_id)  # type: ignore[attr-defined]
        self.pool.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self.pool.shutdown, True)


class RqRunner:
    """Jobs go to an RQ queue; ``xlimport worker`` processes on any host run them."""

    kind = "rq"

    def __init__(self, settings: ServerSettings) -> None:
        import redis
        from rq import Queue

        self.settings = settings
        self.redis = redis.Redis.from_url(settings.redis_url)
        self.queue = Queue(settings.xlimport_queue, connection=self.redis)

    async def submit(self, job_id: str) -> None:
        try:
            await asyncio.to_thread(self._enqueue, job_id)
        except Exception as exc:
            raise ServiceUnavailableError(f"could not queue the job (Redis): {exc}") from exc

    def _enqueue(self, job_id: str) -> None:
        ttl = self.settings.xlimport_result_ttl
        self.queue.enqueue(
            RQ_TASK,
            job_id,
            job_id=job_id,
            job_timeout=self.settings.xlimport_job_timeout,
            result_ttl=ttl,
            failure_ttl=ttl,
            description=f"xlimport job {job_id}",
        )

    async def cancel(self, job_id: str) -> None:
        def _cancel() -> None:
            from rq.job import Job

            try:
                job = Job.fetch(job_id, connection=self.redis)
                if job.get_status() in ("queued", "deferred", "scheduled"):
                    job.cancel()
            except Exception as exc:  # the database row is what counts
                logger.debug("RQ cancel of %s: %s", job_id, exc)

        await asyncio.to_thread(_cancel)

    def held_job_ids(self) -> list[str]:
        return []

    async def job_state(self, job_id: str) -> tuple[str | None, str | None]:
        """(RQ status or None when RQ no longer knows the job, failure text)."""

        def _state() -> tuple[str | None, str | None]:
            from rq.exceptions import NoSuchJobError
            from rq.job import Job

            try:
                job = Job.fetch(job_id, connection=self.redis)
            except NoSuchJobError:
                return None, None
            status = str(job.get_status(refresh=False) or "")
            status = status.split(".")[-1].lower()
            info: Any = None
            if status == "failed":
                result = job.latest_result()
                info = getattr(result, "exc_string", None)
            text = str(info).strip().splitlines()[-1] if info else None
            return status, text

        return await asyncio.to_thread(_state)

    async def stop(self) -> None:
        self.redis.close()
