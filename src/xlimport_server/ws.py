"""``WS /ws/import/{job_id}``: the job's current state, then every change as it happens, then
the final status with the result or the error; then the server closes the socket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from . import state
from .jobs import job_to_dict
from .jsonutil import dumps
from .progress import Subscription, final_event
from .tables import FINAL_STATUSES

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()

RECHECK = 10.0  # seconds without events before the job row is read again (missed-final guard)
SEND_TIMEOUT = 30.0  # a client that cannot take one message in this time is dropped
_CLOSED = {"type": "_closed"}


@routes.get("/ws/import/{job_id}")
async def watch_job(request: web.Request) -> web.WebSocketResponse:
    app = request.app
    job_id = request.match_info["job_id"]
    jobs = app[state.JOBS]
    await asyncio.to_thread(jobs.get, job_id)  # 404 (plain HTTP) for an unknown job
    ws = web.WebSocketResponse(
        heartbeat=app[state.SETTINGS].xlimport_ws_heartbeat, max_msg_size=64 * 1024
    )
    sub = app[state.HUB].subscribe(job_id)  # before reading the state: nothing slips between
    try:
        await ws.prepare(request)
        app[state.WEBSOCKETS].add(ws)
        reader = asyncio.create_task(_read_until_closed(ws, sub))
        try:
            await _stream(app, ws, sub, job_id)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
    finally:
        sub.close()
        if not ws.closed:
            await ws.close()
    return ws


async def _stream(
    app: web.Application, ws: web.WebSocketResponse, sub: Subscription, job_id: str
) -> None:
    jobs = app[state.JOBS]
    job = await asyncio.to_thread(jobs.get, job_id)
    if job["status"] in FINAL_STATUSES:
        await _send(ws, final_event(job_id, 0, job_to_dict(job)))
        return
    latest = await app[state.HUB].latest(job_id)
    if latest and latest.get("type") == "final":
        await _send(ws, latest)
        return
    seen = int(latest.get("seq", 0)) if latest else 0
    await _send(
        ws, {"type": "state", "job_id": job_id, "seq": seen, "job": job_to_dict(job, latest)}
    )
    while not ws.closed:
        event = await sub.get(timeout=RECHECK)
        if event is _CLOSED:
            return
        if event is None:  # quiet for a while: make sure the end was not missed
            job = await asyncio.to_thread(jobs.get, job_id)
            if job["status"] in FINAL_STATUSES:
                await _send(ws, final_event(job_id, seen + 1, job_to_dict(job)))
                return
            continue
        if event.get("type") == "final":
            await _send(ws, event)
            return
        if int(event.get("seq", 0)) <= seen:
            continue  # already part of the state sent first
        seen = int(event.get("seq", 0))
        await _send(ws, event)


async def _send(ws: web.WebSocketResponse, message: dict[str, Any]) -> None:
    if ws.closed:
        return
    try:
        await asyncio.wait_for(ws.send_str(dumps(message)), SEND_TIMEOUT)
    except asyncio.TimeoutError:
        logger.info("dropping a WebSocket client that does not read")
        await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"client too slow")


async def _read_until_closed(ws: web.WebSocketResponse, sub: Subscription) -> None:
    """Read (and ignore) what the client sends, so pongs and close frames are processed."""
    try:
        async for msg in ws:
            if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
    finally:
        sub.put(_CLOSED)


async def close_all(app: web.Application) -> None:
    """``on_shutdown``: close every open WebSocket."""
    for ws in list(app[state.WEBSOCKETS]):
        try:
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
        except Exception as exc:
            logger.warning("closing a WebSocket on shutdown: %r", exc)
