"""Reliability under load: 200 uploads from 20 concurrent clients, 2 workers, 100 WebSocket
watchers, all on loopback.

Starts `xlimport serve` (auth on, one API key) and 2 `xlimport worker` processes on the local
PostgreSQL (a fresh schema, dropped at the end) and Redis (a dedicated database, flushed). 20
client tasks upload 200 distinct small workbooks between them, while 100 watcher tasks each follow
one job over its WebSocket. Then it checks that every job ended in a final state, that there is
exactly one model per upload (none lost, none duplicated), and prints p50/p95 upload latency and
the delay from a worker's progress event to the WebSocket client.

Usage: python benchmarks/load_reliability.py [--uploads 200] [--clients 20] [--watchers 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_server import PG_BASE, ROOT, free_port, make_workbook, percentile, start  # noqa: E402

REDIS_URL = os.environ.get("XLIMPORT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
FINAL = {"success", "failed", "cancelled"}


async def uploader(session, base, files, jobs, latencies, watch_q, errors) -> None:  # noqa: ANN001
    while files:
        path = files.pop()
        form = aiohttp.FormData()
        form.add_field("file", path.read_bytes(), filename=path.name)
        sent = time.perf_counter()
        async with session.post(base + "/api/import/upload", data=form) as resp:
            body = await resp.json()
        latencies.append((time.perf_counter() - sent) * 1000)
        if resp.status != 202:
            errors.append(f"{path.name}: HTTP {resp.status} {body}")
            continue
        jobs.append(body["job_id"])
        watch_q.put_nowait(body)


async def watcher(session, watch_q, delays, finals) -> None:  # noqa: ANN001
    body = await watch_q.get()
    async with session.ws_connect(body["websocket_url"]) as ws:
        async with asyncio.timeout(600):
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                event = json.loads(msg.data)
                if event["type"] in ("progress", "final") and "ts" in event:
                    delays.append((time.time() - event["ts"]) * 1000)
                if event["type"] == "final":
                    finals[body["job_id"]] = event["status"]


async def run(base: str, key: str, files: list[Path], clients: int, watchers: int) -> dict:
    jobs: list[str] = []
    latencies: list[float] = []
    delays: list[float] = []
    errors: list[str] = []
    ws_finals: dict[str, str] = {}
    watch_q: asyncio.Queue = asyncio.Queue()
    pending = list(reversed(files))
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(headers={"X-API-Key": key}, connector=connector) as session:
        started = time.perf_counter()
        watch_tasks = [
            asyncio.create_task(watcher(session, watch_q, delays, ws_finals))
            for _ in range(watchers)
        ]
        await asyncio.gather(
            *(
                uploader(session, base, pending, jobs, latencies, watch_q, errors)
                for _ in range(clients)
            )
        )
        upload_wall = time.perf_counter() - started
        statuses: dict[str, str] = {}
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and len(statuses) < len(jobs):
            for job_id in jobs:
                if job_id in statuses:
                    continue
                async with session.get(f"{base}/api/import/job/{job_id}") as resp:
                    job = await resp.json()
                if job["status"] in FINAL:
                    statuses[job_id] = (job["status"], job["model_id"])
            await asyncio.sleep(0.5)
        wall = time.perf_counter() - started
        for task in watch_tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*watch_tasks, return_exceptions=True)
        async with session.get(base + "/api/models", params={"page_size": "1000"}) as resp:
            models = await resp.json()
        async with session.get(base + "/api/jobs", params={"limit": "500"}) as resp:
            job_rows = await resp.json()
    return {
        "jobs": jobs,
        "latencies": latencies,
        "delays": delays,
        "errors": errors,
        "statuses": statuses,
        "ws_finals": ws_finals,
        "models": models,
        "job_rows": job_rows,
        "upload_wall": upload_wall,
        "wall": wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import psycopg2
    import redis

    schema = f"xlload_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_BASE.replace("postgresql://", "postgres://", 1))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    rds = redis.Redis.from_url(REDIS_URL)
    rds.flushdb()
    work = Path(tempfile.mkdtemp(prefix="xlimport-rel-load-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("XLIMPORT_DATABASE_URL",)}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        DATABASE_URL=f"{PG_BASE}?options=-csearch_path%3D{schema}",
        REDIS_URL=REDIS_URL,
        XLIMPORT_HOME=str(work / "home"),
        XLIMPORT_UPLOAD_RATE_LIMIT="0",
        XLIMPORT_LOG_LEVEL="WARNING",
    )
    procs: list[subprocess.Popen] = []
    try:
        key = subprocess.run(
            [sys.executable, "-m", "xlimport_cli.main", "keys", "create", "load"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[0]
        procs.append(start(env, work / "serve.log", "serve", "--port", str(port)))
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=2).close()
                break
            except Exception:
                time.sleep(0.1)
        for i in range(args.workers):
            procs.append(start(env, work / f"worker{i}.log", "worker", "--name", f"rel-{i}"))
        files = [make_workbook(work / f"book{i}.xlsx", 10_000 + i) for i in range(args.uploads)]
        out = asyncio.run(run(base, key, files, args.clients, args.watchers))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        with admin.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()
        rds.flushdb()

    statuses = out["statuses"]
    final = [s for s, _ in statuses.values()]
    model_ids = {m for _, m in statuses.values() if m is not None}
    stored = out["models"]["total"]
    rows = out["job_rows"]["count"]
    lat, dly = out["latencies"], out["delays"]
    print(
        f"{args.uploads} uploads from {args.clients} clients, {args.workers} workers, "
        f"{args.watchers} WebSocket watchers"
    )
    print(
        f"uploads accepted in {out['upload_wall']:.1f} s; all jobs final after {out['wall']:.1f} s"
    )
    print(
        f"jobs: {len(out['jobs'])} accepted, {len(statuses)} final, {final.count('success')} "
        f"success, others {sorted(set(final) - {'success'})}, upload errors {len(out['errors'])}"
    )
    print(f"models: {len(model_ids)} distinct ids, {stored} stored; job rows {rows}")
    print(f"watchers that saw the final event: {len(out['ws_finals'])}/{args.watchers}")
    print(f"upload latency ms: p50 {percentile(lat, 50):.1f}  p95 {percentile(lat, 95):.1f}")
    print(
        f"progress event -> WebSocket delay ms ({len(dly)} events): "
        f"p50 {percentile(dly, 50):.1f}  p95 {percentile(dly, 95):.1f}"
    )
    good = (
        len(out["jobs"]) == args.uploads
        and final.count("success") == args.uploads
        and len(model_ids) == args.uploads == stored == rows
        and len(out["ws_finals"]) == min(args.watchers, args.uploads)
    )
    print("RESULT:", "ok" if good else "PROBLEM")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
