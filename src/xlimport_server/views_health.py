"""``GET /health`` (database, Redis, engine) and the OpenAPI document."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import sqlalchemy as sa
from aiohttp import web

from xlimport.errors import ServiceUnavailableError

from . import state
from .jsonutil import json_response
from .openapi import openapi_document

routes = web.RouteTableDef()

MIN_NODE_MAJOR = 18
_engine_state: dict[str, str] = {}


def _check_database(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return "ok"


def check_engine(node: str) -> str:
    """Is the Node.js runtime of the formula engine there (cached after the first success)?"""
    if _engine_state.get(node) == "ok":
        return "ok"
    path = shutil.which(node)
    if not path:
        raise RuntimeError(f"Node.js executable {node!r} not found")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    version = out.stdout.strip().lstrip("v")
    major = int(version.split(".")[0]) if version[:1].isdigit() else 0
    if major < MIN_NODE_MAJOR:
        raise RuntimeError(f"Node.js {version or '?'} is too old (need {MIN_NODE_MAJOR}+)")
    _engine_state[node] = "ok"
    return "ok"


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    app = request.app
    settings = app[state.SETTINGS]
    checks: dict[str, str] = {}
    problems: list[str] = []

    async def run(name: str, coro) -> None:  # noqa: ANN001
        try:
            checks[name] = await asyncio.wait_for(coro, 5)
        except Exception as exc:
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            checks[name] = f"down: {text}"
            problems.append(f"{name}: {text}")

    await run("database", asyncio.to_thread(_check_database, app[state.DB]))
    redis = app[state.REDIS]
    if redis is not None:
        await run("redis", _ping(redis))
    else:
        checks["redis"] = "not configured"
    await run("engine", asyncio.to_thread(check_engine, settings.xlimport_node))
    if problems:
        raise ServiceUnavailableError("unhealthy: " + "; ".join(problems))
    return json_response({"status": "ok", "runner": app[state.RUNNER].kind, "checks": checks})


async def _ping(redis) -> str:  # noqa: ANN001
    await redis.ping()
    return "ok"


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return json_response(openapi_document())
