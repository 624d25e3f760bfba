"""Live progress: events are pushed to every WebSocket watching a job as they happen (Redis
pub/sub and in-memory fan-out), a slow client cannot grow a queue without bound, and the
sweeper fails jobs whose worker died."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from xlimport_server import state
from xlimport_server.jobs import JobStore
from xlimport_server.progress import ProgressHub, final_event, progress_event
from xlimport_server.sweeper import sweep_once
from xlimport_server.tables import job_runs

from .helpers import AppHarness, server_settings


def test_subscription_is_bounded_and_keeps_the_final_event() -> None:
    async def scenario() -> None:
        hub = ProgressHub(queue_size=4)
        sub = hub.subscribe("j")
        for seq in range(1, 101):
            hub.dispatch("j", progress_event("j", seq, "processing", "parsing", seq / 2, ""))
        hub.dispatch("j", {"type": "final", "seq": 101})
        got = [await sub.get(0.1) for _ in range(4)]
        assert [e["seq"] for e in got] == [98, 99, 100, 101]  # oldest dropped, final kept
        assert sub.dropped == 97 and await sub.get(0.01) is None
        sub.close()
        assert hub.watcher_count("j") == 0

    asyncio.run(scenario())


async def _watch_live(h: AppHarness, publish) -> None:  # noqa: ANN001
    """Two clients watch a pending job; events published afterwards reach both, in order."""
    jobs: JobStore = h.app[state.JOBS]
    job = await asyncio.to_thread(jobs.create, kind="import", runner="test", params={})
    job_id = job["id"]
    url = h.ws_url(job_id)
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(url) for _ in range(2)]
        for ws in sockets:
            first = json.loads((await ws.receive(timeout=5)).data)
            assert first["type"] == "state" and first["job"]["status"] == "pending"
        for seq, stage in enumerate(("parsing", "evaluation", "insertion"), start=1):
            await publish(
                job_id, progress_event(job_id, seq, "processing", stage, seq * 20.0, stage)
            )
            for ws in sockets:  # pushed as it happens: each arrives before the next is sent
                event = json.loads((await ws.receive(timeout=5)).data)
                assert (event["type"], event["stage"], event["seq"]) == ("progress", stage, seq)
        await asyncio.to_thread(jobs.finish, job_id, "success", result={"model_id": 7}, model_id=7)
        row = await asyncio.to_thread(jobs.get, job_id)
        from xlimport_server.jobs import job_to_dict

        await publish(job_id, final_event(job_id, 4, job_to_dict(row)))
        for ws in sockets:
            final = json.loads((await ws.receive(timeout=5)).data)
            assert final["type"] == "final" and final["result"] == {"model_id": 7}
            closing = await ws.receive(timeout=5)
            assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            await ws.close()
    assert h.app[state.HUB].watcher_count(job_id) == 0


def test_live_push_in_memory(sqlite_url: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with AppHarness(server_settings(sqlite_url, tmp_path, xlimport_auth=False)) as h:
            hub = h.app[state.HUB]

            async def publish(job_id: str, event: dict) -> None:
                await asyncio.to_thread(hub.publish, job_id, event)  # as a worker thread does

            await _watch_live(h, publish)

    asyncio.run(scenario())


def test_live_push_through_redis(sqlite_url: str, tmp_path: Path, redis_url: str) -> None:
    import redis

    from xlimport_server.progress import RedisPublisher

    publisher = RedisPublisher(redis.Redis.from_url(redis_url), "xlimport:")

    async def scenario() -> None:
        settings = server_settings(sqlite_url, tmp_path, xlimport_auth=False, redis_url=redis_url)
        async with AppHarness(settings) as h:

            async def publish(job_id: str, event: dict) -> None:
                await asyncio.to_thread(publisher.publish, job_id, event)  # as an RQ worker does

            await _watch_live(h, publish)

    asyncio.run(scenario())
    publisher.redis.close()


def test_sweeper_fails_jobs_of_dead_workers(sqlite_url: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = server_settings(sqlite_url, tmp_path, xlimport_auth=False)
        async with AppHarness(settings) as h:
            jobs: JobStore = h.app[state.JOBS]
            dead = await asyncio.to_thread(jobs.create, kind="import", runner="rq", params={})
            alive = await asyncio.to_thread(jobs.create, kind="import", runner="rq", params={})
            for job in (dead, alive):
                assert await asyncio.to_thread(jobs.mark_processing, job["id"], "host:1")
            old = dead["created_at"] - timedelta(minutes=10)
            with jobs.engine.begin() as conn:
                conn.execute(
                    job_runs.update().where(job_runs.c.id == dead["id"]).values(heartbeat_at=old)
                )
            sub = h.app[state.HUB].subscribe(dead["id"])
            failed = await sweep_once(jobs, h.app[state.RUNNER], h.app[state.HUB], 60)
            assert failed == 1
            row = await asyncio.to_thread(jobs.get, dead["id"])
            assert row["status"] == "failed" and row["error"]["code"] == "worker_lost"
            assert "stopped responding" in row["error"]["message"]
            assert (await asyncio.to_thread(jobs.get, alive["id"]))["status"] == "processing"
            event = await sub.get(1)
            assert event["type"] == "final" and event["status"] == "failed"
            # A pending job that was never queued anywhere is cancelled at once on request.
            pending = await asyncio.to_thread(jobs.create, kind="import", runner="rq", params={})
            reply = await h.call("POST", f"/api/import/job/{pending['id']}/cancel")
            assert reply.status == 202 and reply.body["status"] == "cancelled"
            with jobs.engine.connect() as conn:
                statuses = dict(conn.execute(sa.select(job_runs.c.id, job_runs.c.status)).all())
            assert statuses[pending["id"]] == "cancelled"

    asyncio.run(scenario())


def test_websockets_are_closed_on_shutdown(sqlite_url: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = server_settings(sqlite_url, tmp_path, xlimport_auth=False)
        h = AppHarness(settings)
        await h.__aenter__()
        try:
            jobs: JobStore = h.app[state.JOBS]
            job = await asyncio.to_thread(jobs.create, kind="import", runner="test", params={})
            async with aiohttp.ClientSession() as session:
                ws = await session.ws_connect(h.ws_url(job["id"]))
                assert json.loads((await ws.receive(timeout=5)).data)["type"] == "state"
                closer = asyncio.create_task(h.server.close())  # runs on_shutdown
                closing = await ws.receive(timeout=10)
                await closer
                assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                assert ws.close_code == aiohttp.WSCloseCode.GOING_AWAY
        finally:
            await h.session.close()

    asyncio.run(scenario())
