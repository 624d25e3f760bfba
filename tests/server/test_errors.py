"""Every error path answers with the one JSON shape {error, detail, timestamp, path}."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

from xlimport_server.auth import KeyStore

from .helpers import AppHarness, assert_error, make_workbook, server_settings


def _key(harness: AppHarness) -> str:
    from xlimport_server import state

    return KeyStore(harness.app[state.DB]).create("errors")[1]


def test_every_error_status_has_the_one_shape(sqlite_url: str, tmp_path: Path) -> None:
    book = make_workbook(tmp_path / "book.xlsx", 1).read_bytes()
    settings = server_settings(
        sqlite_url,
        tmp_path / "home",
        xlimport_max_upload_mb=len(book) * 3 / 1024 / 1024,
        xlimport_upload_rate_limit=6,
    )

    async def scenario() -> None:
        async with AppHarness(settings) as h:
            key = _key(h)
            # 401: missing key, wrong key (HTTP and WebSocket)
            assert_error(await h.call("GET", "/api/models"), 401, "unauthorized")
            assert_error(await h.call("GET", "/api/models", key="xlk_wrong"), 401, "unauthorized")
            assert_error(await h.call("GET", "/ws/import/abc?api_key=nope"), 401)
            # 404: unknown route, job, model
            assert_error(await h.call("GET", "/api/nothing", key=key), 404, "not_found")
            assert_error(await h.call("GET", "/api/import/job/nope", key=key), 404, "job_not_found")
            assert_error(await h.call("GET", "/ws/import/nope", key=key), 404, "job_not_found")
            assert_error(await h.call("GET", "/api/models/999", key=key), 404, "model_not_found")
            assert_error(await h.call("DELETE", "/api/models/999", key=key), 404)
            assert_error(await h.call("GET", "/api/models/999/cells", key=key), 404)
            assert_error(await h.call("POST", "/api/models/999/validate", key=key), 404)
            assert_error(await h.call("POST", "/api/import/job/nope/cancel", key=key), 404)
            # 405
            assert_error(await h.call("PUT", "/api/models", key=key), 405)
            # 422: bad parameters
            for path in (
                "/api/models?page_size=5000",
                "/api/models?page=0",
                "/api/models/abc",
                "/api/models/1/cells?has_formula=maybe",
                "/api/jobs?status=sleeping",
                "/api/jobs?limit=x",
            ):
                assert_error(await h.call("GET", path, key=key), 422, "invalid_parameter")
            assert_error(
                await h.call("POST", "/api/import/upload", key=key, data=b"x"), 422
            )  # not multipart
            assert_error(await h.upload(book, key=_key(h), validate="perhaps"), 422)
            assert_error(await h.upload(book, key=_key(h), tolerance="-1"), 422)
            # 400: not a workbook, whatever its name
            assert_error(
                await h.upload(b"hello, world", "fake.xlsx", key=_key(h)), 400, "not_a_zip"
            )
            assert_error(await h.upload(b"", "empty.xlsx", key=_key(h)), 400, "invalid_workbook")
            ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
            assert_error(await h.upload(ole, "old.xls", key=_key(h)), 400, "encrypted_workbook")
            assert_error(
                await h.upload(book[:300], "cut.xlsx", key=_key(h)), 400, "corrupt_workbook"
            )
            other = io.BytesIO()
            with zipfile.ZipFile(other, "w") as archive:
                archive.writestr("[Content_Types].xml", "<Types/>")
                archive.writestr("word/document.xml", "<doc/>")
            assert_error(await h.upload(other.getvalue(), "doc.xlsx", key=_key(h)), 400)
            # 413: over the size cap (streamed; nothing kept)
            assert_error(await h.upload(book * 4, key=_key(h)), 413, "payload_too_large")
            # 429: the per-key upload limit (6 per minute here; each key above was fresh)
            second = _key(h)
            for _ in range(6):
                reply = await h.upload(b"not a workbook", key=second)
                assert reply.status == 400
            limited = await h.upload(book, key=second)
            assert_error(limited, 429, "rate_limited")
            assert int(limited.headers["Retry-After"]) >= 1

    asyncio.run(scenario())


def test_dependency_down_is_503(sqlite_url: str, tmp_path: Path) -> None:
    settings = server_settings(
        sqlite_url, tmp_path / "home", redis_url="redis://127.0.0.1:1/0", xlimport_auth=False
    )
    book = make_workbook(tmp_path / "book.xlsx", 2).read_bytes()

    async def scenario() -> None:
        async with AppHarness(settings) as h:
            body = assert_error(await h.call("GET", "/health"), 503, "service_unavailable")
            assert "redis" in body["detail"]
            assert_error(await h.upload(book), 503, "service_unavailable")

    asyncio.run(scenario())
