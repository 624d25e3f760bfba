"""Live progress: publishers (worker side, synchronous) and hubs (server side, asyncio).

A worker publishes each event twice: as the job's latest state (a Redis key, or a dict for the
in-process runner) and on a pub/sub channel. The server holds one subscription for all jobs and
fans events out to the WebSockets watching each job, through bounded per-client queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict, deque
from typing import Any, Protocol

logger = logging.getLogger(__name__)

STATE_TTL = 7 * 86400  # seconds a job's latest state stays in Redis
CANCEL_TTL = 86400


def progress_event(
    job_id: str, seq: int, status: str, stage: str, percent: float, message: str
) -> dict[str, Any]:
    return {
        "type": "progress",
        "job_id": job_id,
        "seq": seq,
        "status": status,
        "stage": stage,
        "percent": percent,
        "message": message,
        "ts": time.time(),
    }


def final_event(job_id: str, seq: int, job: dict[str, Any]) -> dict[str, Any]:
    """The last message of a job: its status with the result or the error."""
    return {
        "type": "final",
        "job_id": job_id,
        "seq": seq,
        "status": job["status"],
        "model_id": job.get("model_id"),
        "result": job.get("result"),
        "error": job.get("error"),
        "ts": time.time(),
    }


class Publisher(Protocol):
    """What a running job uses to report (called from worker threads or processes)."""

    def publish(self, job_id: str, event: dict[str, Any]) -> None: ...

    def cancel_requested(self, job_id: str) -> bool: ...


def channel_name(prefix: str, job_id: str) -> str:
    return f"{prefix}job:{job_id}:events"


def state_key(prefix: str, job_id: str) -> str:
    return f"{prefix}job:{job_id}:state"


def cancel_key(prefix: str, job_id: str) -> str:
    return f"{prefix}job:{job_id}:cancel"


class RedisPublisher:
    """Synchronous publisher for RQ workers."""

    def __init__(self, redis, prefix: str) -> None:  # noqa: ANN001 - redis.Redis
        self.redis = redis
        self.prefix = prefix

    def publish(self, job_id: str, event: dict[str, Any]) -> None:
        data = json.dumps(event, default=str)
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(state_key(self.prefix, job_id), data, ex=STATE_TTL)
        pipe.publish(channel_name(self.prefix, job_id), data)
        pipe.execute()

    def cancel_requested(self, job_id: str) -> bool:
        return bool(self.redis.exists(cancel_key(self.prefix, job_id)))


# ---- server side -------------------------------------------------------------------------------
class Subscription:
    """One watcher's queue. Bounded: when a slow client falls behind, the oldest progress
    events are dropped (each event is a full snapshot, so nothing is lost but intermediate
    steps); the final event is always kept."""

    def __init__(self, hub: ProgressHub, job_id: str, maxsize: int) -> None:
        self.hub = hub
        self.job_id = job_id
        self.maxsize = maxsize
        self.dropped = 0
        self._events: deque[dict[str, Any]] = deque()
        self._ready = asyncio.Event()

    def put(self, event: dict[str, Any]) -> None:
        while len(self._events) >= self.maxsize:
            self._events.popleft()
            self.dropped += 1
        self._events.append(event)
        self._ready.set()

    async def get(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next event, or None after ``timeout`` seconds without one."""
        if not self._events:
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except asyncio.TimeoutError:
                return None
        return self._events.popleft()

    def close(self) -> None:
        self.hub._unsubscribe(self)


class ProgressHub:
    """Fan-out of job events to local subscribers."""

    def __init__(self, queue_size: int = 64) -> None:
        self.queue_size = queue_size
        self._subscribers: dict[str, set[Subscription]] = {}

    def subscribe(self, job_id: str) -> Subscription:
        sub = Subscription(self, job_id, self.queue_size)
        self._subscribers.setdefault(job_id, set()).add(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        subs = self._subscribers.get(sub.job_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subscribers[sub.job_id]

    def dispatch(self, job_id: str, event: dict[str, Any]) -> None:
        for sub in list(self._subscribers.get(job_id, ())):
            sub.put(event)

    def watcher_count(self, job_id: str) -> int:
        return len(self._subscribers.get(job_id, ()))

    async def latest(self, job_id: str) -> dict[str, Any] | None:
        raise NotImplementedError

    async def announce(self, job_id: str, event: dict[str, Any]) -> None:
        """Publish from the server itself (e.g. the sweeper's final event)."""
        raise NotImplementedError

    async def request_cancel(self, job_id: str) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class MemoryHub(ProgressHub):
    """Hub and publisher in one, for the in-process runner: workers are threads of this
    process, and events reach the event loop through ``call_soon_threadsafe``."""

    MAX_STATES = 2000

    def __init__(self, loop: asyncio.AbstractEventLoop, queue_size: int = 64) -> None:
        super().__init__(queue_size)
        self.loop = loop
        self._states: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._cancelled: set[str] = set()

    def publish(self, job_id: str, event: dict[str, Any]) -> None:
        """Thread-safe: called by the runner's worker threads."""
        self._states[job_id] = event
        self._states.move_to_end(job_id)
        while len(self._states) > self.MAX_STATES:
            self._states.popitem(last=False)
        with contextlib.suppress(RuntimeError):  # loop closed: the server is shutting down
            self.loop.call_soon_threadsafe(self.dispatch, job_id, event)

    def cancel_requested(self, job_id: str) -> bool:
        return job_id in self._cancelled

    async def latest(self, job_id: str) -> dict[str, Any] | None:
        return self._states.get(job_id)

    async def announce(self, job_id: str, event: dict[str, Any]) -> None:
        self._states[job_id] = event
        self.dispatch(job_id, event)

    async def request_cancel(self, job_id: str) -> None:
        self._cancelled.add(job_id)


class RedisHub(ProgressHub):
    """Server side of the Redis path: one pattern subscription for every job's channel."""

    def __init__(self, redis, prefix: str, queue_size: int = 64) -> None:  # noqa: ANN001
        super().__init__(queue_size)
        self.redis = redis  # redis.asyncio.Redis
        self.prefix = prefix
        self._task: asyncio.Task | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="xlimport-progress-listener")
        # Wait briefly so that events published right after start-up are not missed.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 1)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _listen(self) -> None:
        pattern = channel_name(self.prefix, "*")
        start = len(self.prefix) + len("job:")
        delay = 0.5
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.psubscribe(pattern)
                self._subscribed.set()
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = message["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    job_id = channel[start : -len(":events")]
                    try:
                        event = json.loads(message["data"])
                    except (TypeError, ValueError):
                        continue
                    self.dispatch(job_id, event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis went away: retry with backoff
                logger.warning("progress listener lost Redis (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def latest(self, job_id: str) -> dict[str, Any] | None:
        data = await self.redis.get(state_key(self.prefix, job_id))
        return json.loads(data) if data else None

    async def announce(self, job_id: str, event: dict[str, Any]) -> None:
        data = json.dumps(event, default=str)
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(state_key(self.prefix, job_id), data, ex=STATE_TTL)
        pipe.publish(channel_name(self.prefix, job_id), data)
        await pipe.execute()

    async def request_cancel(self, job_id: str) -> None:
        await self.redis.set(cancel_key(self.prefix, job_id), "1", ex=CANCEL_TTL)
