"""Helpers of the server tests: workbooks, processes, a small synchronous API client."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
REDIS_TEST_URL = "redis://127.0.0.1:6379/13"
ERROR_KEYS = {"error", "detail", "timestamp", "path"}
_SCRUB = ("DATABASE_URL", "XLIMPORT_DATABASE_URL", "REDIS_URL", "XLIMPORT_REDIS_URL")


def make_workbook(path: Path, value: float, *, macros: bool = False) -> Path:
    """A small workbook: constants, formulas and a second sheet; distinct per ``value``."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Inputs"
    ws["A1"] = value
    for row in range(2, 6):
        ws.cell(row=row, column=1, value=row * 1.5)
    ws["B1"] = "=A1*2"
    ws["B2"] = "=SUM(A1:A5)"
    ws["C1"] = "label"
    calc = wb.create_sheet("Calc")
    calc["A1"] = "=Inputs!B2+1"
    calc["A2"] = "=A1/2"
    wb.save(path)
    if macros:
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake vba project")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    """The ``xlimport`` command, run from the source tree."""
    return [sys.executable, "-m", "xlimport_cli.main", *args]


def start_process(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    handle = open(log, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        cli_command(*args),
        env=child_env(env),
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=str(log.parent),
        start_new_session=True,
    )


def wait_healthy(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(base_url + "/health", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # up, though a dependency may be down
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


@dataclass
class Stack:
    env: dict[str, str]
    home: Path
    base_url: str = ""
    api_key: str | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            cli_command(*args),
            env=child_env(self.env),
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
            cwd=str(self.home),
        )

    def client(self, key: str | None = "default") -> ApiClient:
        return ApiClient(self.base_url, self.api_key if key == "default" else key)

    def serve(self) -> None:
        """Start `xlimport serve` on a free port with this stack's settings; wait until healthy."""
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        server = start_process(self.env, self.home / "serve.log", "serve", "--port", str(port))
        self.processes.append(server)
        wait_healthy(self.base_url, server)

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class ApiClient:
    """Synchronous wrapper over aiohttp for tests (one session per call)."""

    def __init__(self, base_url: str, api_key: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key

    def _headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key} if self.api_key else {}

    def request(self, method: str, path: str, **kwargs: Any) -> Reply:
        return asyncio.run(self._request(method, path, **kwargs))

    async def _request(self, method: str, path: str, **kwargs: Any) -> Reply:
        async with (
            aiohttp.ClientSession(headers=self._headers()) as session,
            session.request(method, self.base_url + path, **kwargs) as resp,
        ):
            text = await resp.text()
            body = json.loads(text) if text and "json" in resp.content_type else text
            return Reply(resp.status, body, dict(resp.headers))

    def get(self, path: str, **params: Any) -> Reply:
        return self.request("GET", path, params={k: str(v) for k, v in params.items()})

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str) -> Reply:
        return self.request("DELETE", path)

    def upload(self, path: Path | None, filename: str | None = None, **fields: Any) -> Reply:
        form = aiohttp.FormData()
        for name, value in fields.items():
            form.add_field(name, str(value))
        if path is not None:
            form.add_field("file", path.read_bytes(), filename=filename or path.name)
        return self.post("/api/import/upload", data=form)

    def watch(self, job_id: str, timeout: float = 120, query: str = "") -> list[dict[str, Any]]:
        """Every WebSocket message of a job until the server closes the socket."""
        return asyncio.run(self._watch(job_id, timeout, query))

    async def _watch(self, job_id: str, timeout: float, query: str) -> list[dict[str, Any]]:
        url = self.base_url.replace("http", "ws", 1) + f"/ws/import/{job_id}{query}"
        messages: list[dict[str, Any]] = []
        async with (
            aiohttp.ClientSession(headers=self._headers()) as session,
            session.ws_connect(url) as ws,
        ):
            async with asyncio.timeout(timeout):
                async for msg in ws:
                    if msg.type == aiohttp.WSMsgType.TEXT:
                        messages.append(json.loads(msg.data))
        return messages

    def wait_final(self, job_id: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/api/import/job/{job_id}").body
            if job["status"] in ("success", "failed", "cancelled"):
                return job
            time.sleep(0.2)
        raise TimeoutError(job_id)


def assert_error(reply: Reply, status: int, code: str | None = None) -> dict[str, Any]:
    assert reply.status == status, (reply.status, reply.body)
    assert isinstance(reply.body, dict) and set(reply.body) == ERROR_KEYS, reply.body
    assert isinstance(reply.body["detail"], str) and reply.body["detail"]
    if code:
        assert reply.body["error"] == code, reply.body
    return reply.body


# ---- in-process application (aiohttp TestServer on a real port) -------------------------------
class AppHarness:
    """A running ``create_app(settings)`` and an aiohttp session against it."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    async def __aenter__(self) -> AppHarness:
        from aiohttp.test_utils import TestServer

        from xlimport_server import create_app

        self.app = create_app(self.settings)
        self.server = TestServer(self.app, host="127.0.0.1")
        await self.server.start_server()
        self.base_url = str(self.server.make_url("")).rstrip("/")
        self.session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        await self.server.close()

    async def call(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> Reply:
        headers = {"X-API-Key": key} if key else {}
        async with self.session.request(
            method, self.base_url + path, headers=headers, **kwargs
        ) as resp:
            text = await resp.text()
            body = json.loads(text) if text and "json" in resp.content_type else text
            return Reply(resp.status, body, dict(resp.headers))

    async def upload(
        self, data: bytes, filename: str = "book.xlsx", key: str | None = None, **fields: Any
    ) -> Reply:
        form = aiohttp.FormData()
        for name, value in fields.items():
            form.add_field(name, str(value))
        form.add_field("file", data, filename=filename)
        return await self.call("POST", "/api/import/upload", key=key, data=form)

    def ws_url(self, job_id: str, query: str = "") -> str:
        return self.base_url.replace("http", "ws", 1) + f"/ws/import/{job_id}{query}"


def server_settings(database_url: str, home: Path, **overrides: Any) -> Any:
    from xlimport_server.settings import ServerSettings

    values: dict[str, Any] = {
        "database_url": database_url,
        "xlimport_database_url": None,
        "redis_url": None,
        "xlimport_home": home,
        "xlimport_log_level": "WARNING",
    }
    values.update(overrides)
    return ServerSettings(**values)
