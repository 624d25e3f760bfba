"""Security checks: every route but the public ones needs a valid key (walking the app's router),
WebSocket auth, keys stored hashed, no stack traces or SQL in answers, CORS off by default."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
import pytest
from server.helpers import AppHarness, server_settings

PUBLIC = {"/health", "/api/openapi.json"}  # the OpenAPI document describes, it holds no data
# Stack traces, SQL, driver names and the server's own file paths must never reach a client.
_ROOT = re.escape(str(Path(__file__).resolve().parents[2]))
LEAKS = re.compile(
    rf"Traceback|File \"|sqlalchemy|psycopg2|SELECT |INSERT |UPDATE cells|{_ROOT}|site-packages"
)


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "1" if "id" in m.group(1) else "x", path)


def test_every_route_needs_a_valid_key(sqlite_url: str, tmp_path: Path) -> None:
    async def run() -> None:
        settings = server_settings(sqlite_url, tmp_path)
        async with AppHarness(settings) as h:
            routes = [
                (r.method, r.resource.canonical)
                for r in h.app.router.routes()
                if r.method not in ("HEAD", "OPTIONS") and r.resource is not None
            ]
            assert len(routes) >= 10
            for method, path in routes:
                for key in (None, "xlk_not-a-key", ""):
                    reply = await h.call(method, _concrete(path), key=key)
                    if path in PUBLIC:
                        assert reply.status == 200, (method, path)
                        break
                    assert reply.status == 401, (method, path, key, reply.status)
                    assert set(reply.body) == {"error", "detail", "timestamp", "path"}
            # WebSocket: the handshake itself is refused without a key (header or query).
            with pytest.raises(aiohttp.WSServerHandshakeError) as info:
                await h.session.ws_connect(h.ws_url("0" * 32))
            assert info.value.status == 401
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await h.session.ws_connect(h.ws_url("0" * 32, "?api_key=xlk_wrong"))

    asyncio.run(run())


def test_keys_are_stored_only_as_hashes(stack) -> None:  # noqa: ANN001
    rows = stack.pg.count("api_keys", "key_hash = encode(sha256(%s::bytea), 'hex')", stack.api_key)
    assert rows == 1
    assert (
        stack.pg.count("api_keys", "key_hash = %s OR name = %s", stack.api_key, stack.api_key) == 0
    )


def test_no_stack_traces_or_sql_in_answers(stack) -> None:  # noqa: ANN001
    client = stack.client()
    probes = [
        client.get("/api/models/99999999999999999999"),  # overflows PostgreSQL's integer
        client.get("/api/models/99999999999999999999/cells"),
        client.get("/api/models", page="99999999999999999999"),
        client.get("/api/models/1/cells", page="-1", page_size="0"),
        client.get("/api/models/1/cells", sheet_name="'; DROP TABLE cells; --"),
        client.get("/api/import/job/' OR 1=1 --"),
        client.post(
            "/api/models/1/validate", data="{not json", headers={"Content-Type": "application/json"}
        ),
        client.post(
            "/api/import/upload",
            data=b"--x\r\nbroken",
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        ),
        client.post("/api/import/upload", data=b"plain", headers={"Content-Type": "text/plain"}),
        client.delete("/api/models/abc"),
    ]
    for reply in probes:
        assert 400 <= reply.status < 600, reply
        assert isinstance(reply.body, dict) and set(reply.body) == {
            "error",
            "detail",
            "timestamp",
            "path",
        }, reply.body
        assert not LEAKS.search(reply.body["detail"]), reply.body
    assert stack.pg.count("cells") >= 0  # still there
    assert client.get("/health").status == 200


def test_cors_is_off_by_default(stack) -> None:  # noqa: ANN001
    client = stack.client()
    origin = {"Origin": "https://evil.example"}
    reply = client.request("GET", "/api/models", headers=origin)
    assert reply.status == 200 and "Access-Control-Allow-Origin" not in reply.headers
    pre = client.request(
        "OPTIONS",
        "/api/import/upload",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in pre.headers
