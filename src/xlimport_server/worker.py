"""``xlimport worker``: an RQ worker for the server's queue."""

from __future__ import annotations

import logging

from .settings import ServerSettings
from .tasks import configure

logger = logging.getLogger(__name__)


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
    worker = worker_class([queue], connection=connection, name=name)
    logger.info("worker %s listening on queue %s", worker.name, queue.name)
    return worker.work(burst=burst, logging_level=settings.xlimport_log_level.upper())
