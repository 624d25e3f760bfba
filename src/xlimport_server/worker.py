"""``xlimport worker``: an RQ worker for the server's queue."""

from __future__ import annotations

import logging
import time

from .settings import ServerSettings
from .tasks import configure

logger = logging.getLogger(__name__)

RECONNECT_FIRST = 0.5  # seconds before the first reconnection attempt; doubles up to the max
RECONNECT_MAX = 10.0


def run_worker(
    settings: ServerSettings, *, burst: bool = False, fork: bool = False, name: str | None = None
) -> bool:
    """Process jobs from the queue until stopped (or, with ``burst``, until it is empty).

    Without ``fork`` jobs run in the worker process itself (an ``rq.SimpleWorker``), so the
    formula engine and database connections stay warm between jobs. Returns whether any job ran.
    """
    import redis
    from rq import Queue, SimpleWorker, Worker

    from xlimport.errors import InvalidOptionsError

    if not settings.redis_url:
        raise InvalidOptionsError("xlimport worker needs REDIS_URL (the queue lives in Redis)")
    configure(settings)
    connection = redis.Redis.from_url(settings.redis_url)
    queue = Queue(settings.xlimport_queue, connection=connection)
    worker_class = Worker if fork else SimpleWorker
    delay, attempt = RECONNECT_FIRST, 0
    while True:
        worker_name = name if attempt == 0 or name is None else f"{name}-{attempt}"
        try:
            worker = worker_class([queue], connection=connection, name=worker_name)
            logger.info("worker %s listening on queue %s", worker.name, queue.name)
            return worker.work(burst=burst, logging_level=settings.xlimport_log_level.upper())
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            # Redis went away (restart, network): the jobs' truth is in the database; wait for
            # Redis to come back instead of exiting, so a Redis restart needs no worker restart.
            if burst:
                raise
            attempt += 1
            logger.warning("worker lost Redis (%s); reconnecting in %.1f s", exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)
