"""Load check of the server: concurrent uploads, RQ workers, WebSocket progress delay.

Starts `xlimport serve` and N `xlimport worker` processes on the local PostgreSQL (a fresh
schema, dropped at the end) and Redis (a dedicated database, flushed), uploads distinct small
workbooks concurrently, follows each job over its WebSocket, and reports:

- whether every job ended `success`, with exactly one model per upload (none duplicated or lost);
- upload latency (request sent -> 202) p50 / p95, and for one 10 MB upload;
- the delay from a worker publishing a progress event to the WebSocket client receiving it
  (both clocks are this machine's), p50 / p95.

Usage: python benchmarks/load_server.py [--uploads 50] [--workers 2]
Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("XLIMPORT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("XLIMPORT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def make_workbook(path: Path, value: int, pad_mb: float = 0) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = value
    for row in range(2, 21):
        ws.cell(row=row, column=1, value=row * 1.5)
        ws.cell(row=row, column=2, value=f"=A{row}*2+A1")
    ws["C1"] = "=SUM(B2:B20)"
    wb.save(path)
    if pad_mb:
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("xl/media/padding.bin", os.urandom(int(pad_mb * 1024 * 1024)))
    return path


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "xlimport_cli.main", *args],
        env=env,
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # noqa: SIM115
    )


async def one_job(session: aiohttp.ClientSession, base: str, path: Path, out: dict) -> None:
    form = aiohttp.FormData()
    form.add_field("file", path.read_bytes(), filename=path.name)
    sent = time.perf_counter()
    async with session.post(base + "/api/import/upload", data=form) as resp:
        body = await resp.json()
        out["upload_latency"] = time.perf_counter() - sent
        if resp.status != 202:
            out["final"] = {"status": f"http {resp.status}", "detail": body}
            return
    delays = []
    async with session.ws_connect(body["websocket_url"]) as ws:
        async with asyncio.timeout(300):
            async for msg in ws:
                now = time.time()
                event = json.loads(msg.data)
                if event["type"] in ("progress", "final") and "ts" in event:
                    delays.append(now - event["ts"])
                if event["type"] == "final":
                    out["final"] = event
    out["delays"] = delays


async def run_load(base: str, files: list[Path], big: Path) -> dict:
    async with aiohttp.ClientSession() as session:
        results: list[dict] = [{} for _ in files]
        started = time.perf_counter()
        await asyncio.gather(
            *(one_job(session, base, f, r) for f, r in zip(files, results, strict=True))
        )
        wall = time.perf_counter() - started
        big_result: dict = {}
        await one_job(session, base, big, big_result)
        async with session.get(base + "/api/models", params={"page_size": "1000"}) as resp:
            models = await resp.json()
    return {"results": results, "wall": wall, "big": big_result, "models": models}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import psycopg2
    import redis

    schema = f"xlbench_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_BASE.replace("postgresql://", "postgres://", 1))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    rds = redis.Redis.from_url(REDIS_URL)
    rds.flushdb()
    work = Path(tempfile.mkdtemp(prefix="xlimport-load-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("XLIMPORT_DATABASE_URL",)}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        DATABASE_URL=f"{PG_BASE}?options=-csearch_path%3D{schema}",
        REDIS_URL=REDIS_URL,
        XLIMPORT_HOME=str(work / "home"),
        XLIMPORT_AUTH="false",
        XLIMPORT_UPLOAD_RATE_LIMIT="0",
        XLIMPORT_LOG_LEVEL="WARNING",
    )
    procs = [start(env, work / "serve.log", "serve", "--port", str(port))]
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=2).close()
                break
            except Exception:
                time.sleep(0.1)
        for i in range(args.workers):
            procs.append(start(env, work / f"worker{i}.log", "worker", "--name", f"load-{i}"))
        files = [make_workbook(work / f"book{i}.xlsx", i) for i in range(args.uploads)]
        big = make_workbook(work / "big.xlsx", 10**6, pad_mb=10)
        out = asyncio.run(run_load(base, files, big))
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

    results = out["results"]
    statuses = [r.get("final", {}).get("status") for r in results]
    model_ids = [r.get("final", {}).get("model_id") for r in results]
    latencies = [r["upload_latency"] * 1000 for r in results if "upload_latency" in r]
    delays = [d * 1000 for r in results for d in r.get("delays", [])]
    ok = statuses.count("success") == len(results)
    distinct = len(set(model_ids) - {None}) == len(results)
    stored = out["models"]["total"]
    print(f"uploads: {len(results)} with {args.workers} workers, all done in {out['wall']:.1f} s")
    print(
        f"jobs success: {statuses.count('success')}/{len(results)}  other: "
        f"{sorted(set(statuses) - {'success'})}"
    )
    print(
        f"models: {len(set(model_ids) - {None})} distinct ids, {stored} stored "
        f"(expected {len(results) + 1} with the 10 MB one)"
    )
    print(
        f"upload latency ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}"
    )
    big = out["big"]
    print(
        f"10 MB upload latency ms: {big.get('upload_latency', float('nan')) * 1000:.1f} "
        f"(job {big.get('final', {}).get('status')})"
    )
    print(
        f"progress event -> WebSocket delay ms ({len(delays)} events): "
        f"p50 {percentile(delays, 50):.1f}  p95 {percentile(delays, 95):.1f}"
    )
    good = ok and distinct and stored == len(results) + 1
    print("RESULT:", "ok" if good else "PROBLEM")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
