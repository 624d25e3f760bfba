"""The aiohttp application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator

from aiohttp import web

from . import state, views_health, views_imports, views_models, ws
from .auth import KeyStore
from .db import make_engine
from .filestore import open_files
from .jobs import JobStore
from .middleware import auth_middleware, cors_middleware_factory, error_middleware
from .progress import MemoryHub, ProgressHub, RedisHub
from .ratelimit import MemoryRateLimiter, RedisRateLimiter
from .runner import InProcessRunner, RqRunner
from .settings import ServerSettings
from .sweeper import sweep_forever
from .tasks import WorkerContext

logger = logging.getLogger(__name__)

MAX_REQUEST_BODY = 1024 * 1024  # bodies read whole (JSON, forms); uploads are streamed


def create_app(settings: ServerSettings | None = None) -> web.Application:
    """The HTTP + WebSocket application; resources open and close with it."""
    settings = settings or ServerSettings()
    app = web.Application(
        middlewares=[
            cors_middleware_factory(settings.xlimport_cors_origins),
            error_middleware,
            auth_middleware,
        ],
        client_max_size=MAX_REQUEST_BODY,
    )
    app[state.SETTINGS] = settings
    app[state.WEBSOCKETS] = weakref.WeakSet()
    app[state.BACKGROUND] = set()
    app.cleanup_ctx.extend([_database, _redis, _runner, _sweeper])
    app.on_shutdown.append(ws.close_all)
    for module in (views_health, views_imports, views_models, ws):
        app.router.add_routes(module.routes)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    from xlimport.store import open_store

    settings = app[state.SETTINGS]
    url = settings.effective_database_url
    store = await asyncio.to_thread(open_store, url)
    if settings.xlimport_auto_migrate:
        await asyncio.to_thread(store.upgrade)
    # The core store's engine when it has one (one pool, its SQLite settings), else our own.
    own_engine = getattr(store, "engine", None) is None
    engine = make_engine(url) if own_engine else store.engine
    app[state.STORE] = store
    app[state.FILES] = open_files(settings, store)
    app[state.DB] = engine
    app[state.JOBS] = JobStore(engine)
    app[state.KEYS] = KeyStore(engine)
    yield
    if own_engine:
        engine.dispose()
    await asyncio.to_thread(store.close)


async def _redis(app: web.Application) -> AsyncIterator[None]:
    settings = app[state.SETTINGS]
    size = settings.xlimport_ws_queue_size
    limit, window = settings.xlimport_upload_rate_limit, settings.xlimport_upload_rate_window
    hub: ProgressHub
    if settings.redis_url:
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(settings.redis_url)
        hub = RedisHub(client, settings.xlimport_redis_prefix, size)
        app[state.REDIS] = client
        app[state.LIMITER] = RedisRateLimiter(client, limit, window, settings.xlimport_redis_prefix)
    else:
        hub = MemoryHub(asyncio.get_running_loop(), size)
        app[state.REDIS] = None
        app[state.LIMITER] = MemoryRateLimiter(limit, window)
    app[state.HUB] = hub
    await hub.start()
    yield
    await hub.stop()
    if app[state.REDIS] is not None:
        await app[state.REDIS].aclose()


async def _runner(app: web.Application) -> AsyncIterator[None]:
    settings = app[state.SETTINGS]
    if settings.redis_url:
        runner = RqRunner(settings)
    else:
        ctx = WorkerContext(
            settings=settings,
            store=app[state.STORE],
            file_store=app[state.FILES],
            jobs=app[state.JOBS],
            publisher=app[state.HUB],  # the MemoryHub
            work_dir=settings.upload_dir / "work",
        )
        runner = InProcessRunner(ctx, settings.xlimport_workers)
    app[state.RUNNER] = runner
    logger.info("jobs run %s", "on the RQ queue" if settings.redis_url else "in this process")
    yield
    if app[state.BACKGROUND]:  # uploads being handed over: let them reach the queue
        await asyncio.wait(list(app[state.BACKGROUND]), timeout=30)
    await runner.stop()


async def _sweeper(app: web.Application) -> AsyncIterator[None]:
    settings = app[state.SETTINGS]
    task = asyncio.create_task(
        sweep_forever(
            app[state.JOBS],
            app[state.RUNNER],
            app[state.HUB],
            settings.xlimport_stale_after,
            settings.xlimport_sweep_interval,
        ),
        name="xlimport-job-sweeper",
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def run_server(settings: ServerSettings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted (what ``xlimport serve`` runs)."""
    logging.basicConfig(
        level=settings.xlimport_log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    web.run_app(create_app(settings), host=host, port=port, print=None, shutdown_timeout=10)
