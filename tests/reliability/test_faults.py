"""Faults caused for real: the Node engine and an RQ worker killed with SIGKILL mid-job, the
PostgreSQL connection terminated from the server side during insertion, Redis stopped, and the
HTTP server restarted with WebSockets open. Each time the job ends in a final state with the
reason, nothing partial is stored, and the next import works."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import aiohttp
import pytest

import xlimport
from xlimport.engine.hyperformula import get_engine
from xlimport.errors import EngineError, StoreError

from .support import (
    RelStack,
    alive,
    engine_pid_of,
    free_port,
    good_workbook,
    heavy_workbook,
    wait_for,
    wide_workbook,
)


@pytest.fixture
def local_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XLIMPORT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("XLIMPORT_DATABASE_URL", raising=False)
    return tmp_path / "home"


# ---- the engine ----------------------------------------------------------------------------------
def test_engine_killed_mid_evaluation_then_restarted(tmp_path: Path, local_home: Path) -> None:
    store = f"sqlite:///{(local_home / 'x.db').as_posix()}"
    path = tmp_path / "heavy.xlsx"
    path.write_bytes(heavy_workbook(seed=1))
    killed: list[int] = []

    def kill_soon() -> None:
        pid = get_engine().pid
        if pid:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    def progress(stage: str, percent: float, message: str) -> None:
        if stage == "evaluation" and not killed and not getattr(progress, "armed", False):
            progress.armed = True  # type: ignore[attr-defined]
            threading.Timer(0.5, kill_soon).start()

    with pytest.raises(EngineError, match="died") as info:
        xlimport.import_workbook(path, store=store, progress=progress)
    assert killed and info.value.stage == "evaluation"
    assert xlimport.open_store(store).list_models().total == 0
    ok = tmp_path / "ok.xlsx"
    ok.write_bytes(good_workbook(99))
    assert xlimport.import_workbook(ok, store=store).stats.formula_cells == 1
    assert get_engine().pid not in (None, killed[0])


def test_engine_killed_in_a_worker(stack: RelStack) -> None:
    reply = stack.upload_bytes(heavy_workbook(seed=2), filename="heavy.xlsx")
    assert reply.status == 202
    job_id = reply.body["job_id"]
    stack.wait_stage(job_id, "evaluation")
    worker = stack.workers[-1]
    node = wait_for(lambda: engine_pid_of(worker.pid), 10, what="the worker's engine")
    time.sleep(0.3)
    os.kill(node, signal.SIGKILL)
    job = stack.client().wait_final(job_id, timeout=60)
    assert job["status"] == "failed", job
    assert job["error"]["code"] == "engine_error" and "died" in job["error"]["message"]
    assert alive(worker.pid)
    digest = hashlib.sha256(heavy_workbook(seed=2)).hexdigest()
    assert stack.pg.count("models", "file_hash = %s", digest) == 0
    assert stack.pg.count("files", "file_hash = %s", digest) == 0
    again = stack.upload_bytes(good_workbook(2002), filename="after.xlsx")
    assert stack.client().wait_final(again.body["job_id"], timeout=60)["status"] == "success"


# ---- an RQ worker ----------------------------------------------------------------------------------
def test_worker_killed_mid_job(stack: RelStack) -> None:
    data = heavy_workbook(seed=3)
    reply = stack.upload_bytes(data, filename="heavy.xlsx")
    job_id = reply.body["job_id"]
    stack.wait_stage(job_id, "evaluation")
    worker = stack.workers[-1]
    node = engine_pid_of(worker.pid)
    stack.kill(worker)  # kill -9
    job = stack.client().wait_final(job_id, timeout=60)  # the sweep: stale after 3 s
    assert job["status"] == "failed", job
    assert job["error"]["code"] == "worker_lost" and "stopped responding" in job["error"]["message"]
    digest = hashlib.sha256(data).hexdigest()
    assert stack.pg.count("models", "file_hash = %s", digest) == 0
    if node:  # the orphaned engine sees its stdin close and exits
        wait_for(lambda: not alive(node), 15, what="the orphaned engine to exit")
    stack.start_worker()
    again = stack.upload_bytes(good_workbook(3003), filename="after.xlsx")
    assert stack.client().wait_final(again.body["job_id"], timeout=90)["status"] == "success"


# ---- PostgreSQL ----------------------------------------------------------------------------------
def test_connection_terminated_during_insertion(pg, tmp_path: Path, local_home: Path) -> None:  # noqa: ANN001
    url = pg.tagged("lib")
    path = tmp_path / "wide.xlsx"
    path.write_bytes(wide_workbook(seed=4))
    terminated: list[int] = []

    def progress(stage: str, percent: float, message: str) -> None:
        if stage == "insertion" and percent > 80 and not terminated:
            terminated.append(pg.terminate("lib", "COPY%"))

    with pytest.raises(StoreError, match="closed the connection") as info:
        xlimport.import_workbook(path, store=url, progress=progress)
    assert terminated == [1] and info.value.stage == "insertion"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert pg.count("models", "file_hash = %s", digest) == 0
    assert pg.count("cells", "model_id NOT IN (SELECT id FROM models)") == 0
    assert pg.count("files", "file_hash = %s", digest) == 0
    result = xlimport.import_workbook(path, store=url)  # the pool recovers
    assert result.stats.cells == 33_000
    xlimport.open_store(url).delete_model(result.model_id)


def test_job_fails_with_the_reason_when_its_connection_is_terminated(stack: RelStack, pg) -> None:  # noqa: ANN001
    """The job body of the server (``execute_job``) on a real PostgreSQL and Redis; the backend
    is terminated when the job reports its first inserted chunk."""
    import redis

    from xlimport.store import open_store
    from xlimport_server.jobs import JobStore
    from xlimport_server.progress import RedisPublisher
    from xlimport_server.settings import ServerSettings
    from xlimport_server.tasks import WorkerContext, execute_job

    class TerminatingPublisher(RedisPublisher):
        done = False

        def publish(self, job_id: str, event: dict) -> None:
            super().publish(job_id, event)
            if event.get("stage") == "insertion" and event["percent"] > 80 and not self.done:
                self.done = bool(pg.terminate("job", "COPY%"))

    url = pg.tagged("job")
    settings = ServerSettings(
        database_url=url, redis_url=stack.env["REDIS_URL"], xlimport_home=stack.home
    )
    store = open_store(url)
    publisher = TerminatingPublisher(redis.Redis.from_url(settings.redis_url), "xlrel-job:")
    from xlimport.store.files import open_file_store

    files = open_file_store(settings, store)
    ctx = WorkerContext(settings, store, files, JobStore(store.engine), publisher, stack.home / "w")
    data = wide_workbook(seed=5)
    digest = hashlib.sha256(data).hexdigest()
    spool = stack.home / "wide5.xlsx"
    spool.write_bytes(data)
    files.put(digest, spool)
    job = ctx.jobs.create(
        kind="import", runner="rq", params={}, file_hash=digest, model_name="wide5"
    )
    assert execute_job(ctx, job["id"]) == "failed"
    row = ctx.jobs.get(job["id"])
    assert publisher.done and row["error"]["code"] == "store_error"
    assert "closed the connection" in row["error"]["message"]
    assert row["error"]["stage"] == "insertion"
    assert pg.count("models", "file_hash = %s", digest) == 0
    assert pg.count("files", "file_hash = %s", digest) == 0


# ---- Redis -----------------------------------------------------------------------------------------
class RedisServer:
    """A redis-server of our own on a free port, started and stopped by the test."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        cmd += ["--appendonly", "no", "--dir", str(self.folder)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: _pings(client), 10, what="redis-server")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _pings(client) -> bool:  # noqa: ANN001
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.fixture
def own_redis(tmp_path: Path):  # noqa: ANN201
    import shutil

    if not shutil.which("redis-server"):
        pytest.skip("redis-server not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_redis_down_at_upload_and_during_a_job(own_redis: RedisServer, pg, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "home").mkdir()
    stack = RelStack.start(tmp_path / "home", pg, own_redis.url)
    try:
        client = stack.client()
        # During a job: progress is lost, the job is not; its final state comes from the database.
        data = heavy_workbook(1200, 1200, seed=6)
        reply = stack.upload_bytes(data, filename="during.xlsx")
        job_id = reply.body["job_id"]
        stack.wait_stage(job_id, "evaluation")
        own_redis.stop()
        job = wait_for(lambda: _final_or_none(client, job_id), 90, 0.2, "the job's end")
        assert job["status"] == "success", job
        digest = hashlib.sha256(data).hexdigest()
        assert stack.pg.count("models", "file_hash = %s", digest) == 1
        # At upload: a 503 in the one error shape, naming Redis; nothing is queued or kept.
        jobs_before = stack.pg.count("job_runs")
        reply = stack.upload_bytes(good_workbook(6006), filename="down.xlsx")
        assert reply.status == 503, reply.body
        assert reply.body["error"] == "service_unavailable" and "Redis" in reply.body["detail"]
        assert stack.pg.count("job_runs") == jobs_before
        assert client.get("/health").status == 503
        assert stack.server.poll() is None
        # Redis back: the same processes carry on.
        own_redis.start()
        wait_for(lambda: client.get("/health").status == 200, 30, 0.2, "health")
        reply = stack.upload_bytes(good_workbook(6007), filename="back.xlsx")
        assert reply.status == 202
        # ...the worker too: it waited for Redis instead of exiting.
        assert client.wait_final(reply.body["job_id"], timeout=60)["status"] == "success"
        assert all(w.poll() is None for w in stack.workers)
    finally:
        stack.stop()


def _final_or_none(client, job_id: str):  # noqa: ANN001, ANN202
    reply = client.get(f"/api/import/job/{job_id}")
    if reply.status == 200 and reply.body["status"] in ("success", "failed", "cancelled"):
        return reply.body
    return None


# ---- the HTTP server -------------------------------------------------------------------------------
def test_server_restart_closes_websockets_and_jobs_go_on(stack: RelStack) -> None:
    data = heavy_workbook(1500, 1500, seed=7)
    reply = stack.upload_bytes(data, filename="restart.xlsx")
    job_id = reply.body["job_id"]
    stack.wait_stage(job_id, "evaluation")
    url = stack.base_url.replace("http", "ws", 1) + f"/ws/import/{job_id}"

    async def watch_and_restart() -> list[tuple[str, object]]:
        seen: list[tuple[str, object]] = []
        headers = {"X-API-Key": stack.api_key}
        async with aiohttp.ClientSession(headers=headers) as session:
            sockets = [await session.ws_connect(url, autoclose=False) for _ in range(3)]
            for ws in sockets:
                first = await ws.receive(timeout=10)
                assert first.type == aiohttp.WSMsgType.TEXT
                assert json.loads(first.data)["type"] == "state"
            stack.server.send_signal(signal.SIGTERM)
            for ws in sockets:
                while True:
                    msg = await ws.receive(timeout=20)
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        seen.append((msg.type.name, ws.close_code))
                        break
                await ws.close()
        return seen

    seen = asyncio.run(watch_and_restart())
    assert seen == [("CLOSE", 1001)] * 3, seen  # a close frame: "going away"
    stack.server.wait(timeout=30)
    stack.start_server()  # same port; the worker never stopped
    job = stack.client().wait_final(job_id, timeout=90)
    assert job["status"] == "success", job
