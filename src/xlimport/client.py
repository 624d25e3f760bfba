"""``xlimport.Client``: a small synchronous client of an xlimport server (HTTP + WebSocket).

>>> client = xlimport.Client("http://127.0.0.1:8000", api_key="...")   # doctest: +SKIP
>>> result = client.import_workbook("model.xlsx")                         # doctest: +SKIP

Plain requests use the standard library (``http.client``); uploads stream the file in chunks
(never whole in memory). Following a job uses the server's WebSocket (aiohttp, on a private event
loop) and falls back to polling the job's status when the socket cannot be opened or drops, so
the final result is never lost. Server errors become the library's exceptions
(:mod:`xlimport.errors`), mapped from the error code the server answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from . import errors
from .result import ImportResult

log = logging.getLogger(__name__)

FINAL_STATUSES = ("success", "failed", "cancelled")
UPLOAD_CHUNK = 1024 * 1024
SERVER_PAGE_LIMIT = 1000
OPTION_FIELDS = ("tolerance", "max_iterations", "max_change")
UploadProgress = Callable[[int, int], None]  # (bytes sent, file size)
ProgressFn = Callable[[str, float, str], None]


class Client:
    """A client of one xlimport server.

    ``api_url`` and ``api_key`` default to ``XLIMPORT_API_URL`` and ``XLIMPORT_API_KEY``.
    ``timeout`` bounds each network operation (seconds); ``poll_interval`` is the pause between
    two status requests when a job is followed by polling.
    """

    def __init__(
        self,
        api_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        poll_interval: float = 0.5,
    ) -> None:
        url = api_url or os.environ.get("XLIMPORT_API_URL") or ""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise errors.InvalidOptionsError(
                f"the server URL must be http(s)://host[:port], not {url!r} "
                "(pass api_url or set XLIMPORT_API_URL)"
            )
        self.api_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.api_key = api_key if api_key is not None else os.environ.get("XLIMPORT_API_KEY")
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")

    def __repr__(self) -> str:
        return f"Client({self.api_url!r}, api_key={'***' if self.api_key else None})"

    # ---- plain requests --------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """``GET /health``: the server's runner and the state of its dependencies."""
        return self._request("GET", "/health")

    def job(self, job_id: str) -> dict[str, Any]:
        """One job as ``GET /api/import/job/{job_id}`` shows it."""
        return self._request("GET", f"/api/import/job/{quote(job_id, safe='')}")

    def jobs(
        self, *, status: str | None = None, kind: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Recent jobs, newest first."""
        query = {"status": status, "kind": kind, "limit": limit}
        return self._request("GET", "/api/jobs", query=query)["items"]

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Ask the server to cancel a job (a running one stops at its next progress report)."""
        return self._request("POST", f"/api/import/job/{quote(job_id, safe='')}/cancel")

    def models(self, *, page: int = 1, page_size: int = 50) -> dict[str, Any]:
        """A page of stored models: ``{"items", "total", "page", "page_size"}``."""
        return self._request("GET", "/api/models", query={"page": page, "page_size": page_size})

    def model(self, model_id: int) -> dict[str, Any]:
        """One stored model (with its metadata and import summary)."""
        return self._request("GET", f"/api/models/{int(model_id)}")

    def cells(
        self,
        model_id: int,
        *,
        sheet_name: str | None = None,
        has_formula: bool | None = None,
        has_mismatch: bool | None = None,
        is_circular: bool | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> dict[str, Any]:
        """A page of a model's cells: ``{"items", "total", "page", "page_size"}`` (the server
        caps ``page_size`` at 1000)."""
        query = {
            "sheet_name": sheet_name,
            "has_formula": has_formula,
            "has_mismatch": has_mismatch,
            "is_circular": is_circular,
            "page": page,
            "page_size": page_size,
        }
        return self._request("GET", f"/api/models/{int(model_id)}/cells", query=query)

    def validate(
        self, model_id: int, *, options: dict[str, Any] | Any | None = None
    ) -> dict[str, Any]:
        """Start re-validating a stored model; returns the job (``job_id``, ``status_url``...)."""
        body = json.dumps(_option_fields(options)).encode()
        return self._request(
            "POST",
            f"/api/models/{int(model_id)}/validate",
            body=body,
            headers={"Content-Type": "application/json"},
        )

    def upload(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        validate: bool = True,
        force: bool = False,
        options: dict[str, Any] | Any | None = None,
        progress: UploadProgress | None = None,
    ) -> dict[str, Any]:
        """Upload a workbook; returns the accepted job (``job_id``, ``status``, ``status_url``,
        ``websocket_url``, ``duplicate``, ``model_id``, ``warnings``). ``progress(sent, size)``
        is called as the file's bytes go out."""
        file = Path(path)
        if not file.is_file():
            raise errors.FileNotFoundError_(f"no such file: {file}")
        fields: dict[str, str] = {
            "validate": "true" if validate else "false",
            "force": "true" if force else "false",
        }
        if name:
            fields["model_name"] = name
        fields.update({k: str(v) for k, v in _option_fields(options).items()})
        return self._upload(file, fields, progress)

    # ---- following a job -------------------------------------------------------------------
    def follow(
        self, job_id: str, *, websocket: bool = True, timeout: float | None = None
    ) -> Iterator[dict[str, Any]]:
        """Events of a job until it ends, each a dict with a ``type``:

        - ``progress``: ``status``, ``stage``, ``percent``, ``message`` (percent never goes back);
        - ``fallback``: ``reason``: the WebSocket could not be opened or dropped; the job is
          followed by polling from then on;
        - ``final`` (always the last): ``status`` (success, failed, cancelled), ``model_id``,
          ``result`` (the import result's dict) or ``error`` (``code``, ``message``, ``stage``).

        ``timeout`` (seconds) bounds the whole wait; ``websocket=False`` polls from the start.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        last: list[float] = [-1.0]
        if websocket:
            reason = None
            try:
                for event in self._ws_events(job_id, deadline):
                    yield from _progressive(event, last)
                    if event["type"] == "final":
                        return
                reason = "the WebSocket closed before the job ended"
            except _WebSocketUnavailable as exc:
                reason = exc.reason
            if reason:
                log.info("job %s: %s; polling instead", job_id, reason)
                yield {"type": "fallback", "job_id": job_id, "reason": reason}
        for event in self._poll_events(job_id, deadline):
            yield from _progressive(event, last)

    def wait(
        self,
        job_id: str,
        *,
        progress: ProgressFn | None = None,
        websocket: bool = True,
        timeout: float | None = None,
    ) -> ImportResult:
        """Follow a job to its end and return its result; a failed or cancelled job raises the
        matching :mod:`xlimport.errors` exception. ``progress(stage, percent, message)`` is
        called on each change, as with :func:`xlimport.import_workbook`."""
        for event in self.follow(job_id, websocket=websocket, timeout=timeout):
            if event["type"] == "progress" and progress is not None:
                progress(event["stage"], event["percent"], event["message"])
            elif event["type"] == "fallback":
                log.warning("job %s: %s; following it by polling", job_id, event["reason"])
            elif event["type"] == "final":
                return self.result_of(event)
        raise errors.RemoteError(f"job {job_id} did not end")  # pragma: no cover

    def result_of(self, final: dict[str, Any]) -> ImportResult:
        """The :class:`ImportResult` of a ``final`` event or of an ended job's dict; raises the
        job's error when it failed or was cancelled."""
        job_id = final.get("job_id", "?")
        status = final.get("status")
        if status != "success":
            raise job_error(job_id, status, final.get("error"))
        result = final.get("result") or {}
        model_id = result.get("model_id", final.get("model_id"))
        if "stats" not in result:  # a duplicate upload: the server answered the model's id only
            model = self.model(model_id)
            summary = dict(model.get("import_summary") or {})
            extra = [
                w for w in result.get("warnings") or [] if w not in summary.get("warnings", [])
            ]
            summary["warnings"] = extra + list(summary.get("warnings") or [])
            return ImportResult.from_summary(
                model["id"], model["name"], model["file_hash"], summary, duplicate=True
            )
        return ImportResult.from_summary(
            model_id,
            result.get("name", ""),
            result.get("file_hash", ""),
            result,
            duplicate=bool(result.get("duplicate")),
        )

    # ---- one call, like the library's functions -----------------------------------------
    def import_workbook(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        progress: ProgressFn | None = None,
        validate: bool = True,
        force: bool = False,
        options: dict[str, Any] | Any | None = None,
    ) -> ImportResult:
        """Upload a workbook and wait for its import: :func:`xlimport.import_workbook`, run on
        the server."""
        accepted = self.upload(path, name=name, validate=validate, force=force, options=options)
        return self.wait(accepted["job_id"], progress=progress)

    def validate_model(
        self,
        model_id: int,
        *,
        progress: ProgressFn | None = None,
        options: dict[str, Any] | Any | None = None,
    ) -> ImportResult:
        """Re-validate a stored model on the server and wait: :func:`xlimport.validate_model`."""
        accepted = self.validate(model_id, options=options)
        return self.wait(accepted["job_id"], progress=progress)

    # ---- plumbing: HTTP --------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=self.timeout)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "xlimport-client"}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        return headers

    def _target(self, path: str, query: dict[str, Any] | None = None) -> str:
        pairs = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        return self._prefix + path + (f"?{urlencode(pairs)}" if pairs else "")

    def _request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        conn = self._connection()
        try:
            try:
                conn.request(
                    method,
                    self._target(path, query),
                    body=body,
                    headers={**self._headers(), **(headers or {})},
                )
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                raise self._unreachable(exc) from exc
            return self._decode(response, data, path)
        finally:
            conn.close()

    def _upload(
        self, file: Path, fields: dict[str, str], progress: UploadProgress | None
    ) -> dict[str, Any]:
        boundary = f"xlimport-{uuid.uuid4().hex}"
        head, tail = _multipart_frame(boundary, fields, file.name)
        size = file.stat().st_size
        headers = {
            **self._headers(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
        }
        conn = self._connection()
        try:
            try:
                conn.putrequest("POST", self._target("/api/import/upload"))
                for key, value in headers.items():
                    conn.putheader(key, value)
                conn.endheaders()
            except OSError as exc:
                raise self._unreachable(exc) from exc
            try:
                self._send_body(conn, file, head, tail, size, progress)
            except OSError as exc:
                # The server may have answered early (413, 401, 429) and closed: read it.
                log.debug("upload interrupted by the server: %s", exc)
            try:
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                raise self._unreachable(exc, "the connection broke during the upload") from exc
            return self._decode(response, data, "/api/import/upload")
        finally:
            conn.close()

    @staticmethod
    def _send_body(
        conn: http.client.HTTPConnection,
        file: Path,
        head: bytes,
        tail: bytes,
        size: int,
        progress: UploadProgress | None,
    ) -> None:
        conn.send(head)
        sent = 0
        with file.open("rb") as handle:
            while chunk := handle.read(UPLOAD_CHUNK):
                conn.send(chunk)
                sent += len(chunk)
                if progress is not None:
                    progress(sent, size)
        conn.send(tail)

    def _unreachable(self, exc: BaseException, what: str | None = None) -> errors.XlImportError:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        what = what or "cannot reach the server"
        return errors.ServerUnavailableError(f"{what} at {self.api_url} ({reason})")

    def _decode(self, response: http.client.HTTPResponse, data: bytes, path: str) -> Any:
        body: Any = data.decode("utf-8", errors="replace")
        if "json" in (response.getheader("Content-Type") or "") and body:
            with contextlib.suppress(ValueError):
                body = json.loads(body)
        if response.status >= 400:
            raise http_error(
                response.status, body, response.getheader("Retry-After"), self.api_url + path
            )
        return body

    # ---- plumbing: following ---------------------------------------------------------------
    def _ws_url(self, job_id: str) -> str:
        scheme = "wss" if self._https else "ws"
        return f"{scheme}://{self.api_url.split('://', 1)[1]}/ws/import/{quote(job_id, safe='')}"

    def _ws_events(self, job_id: str, deadline: float | None) -> Iterator[dict[str, Any]]:
        """The WebSocket's messages, as events; raises _WebSocketUnavailable when it cannot be
        opened. Runs aiohttp on a private event loop, one receive at a time."""
        import aiohttp

        loop = asyncio.new_event_loop()
        holder: dict[str, Any] = {}

        async def open_socket() -> None:
            holder["session"] = aiohttp.ClientSession(headers=self._headers())
            holder["ws"] = await holder["session"].ws_connect(
                self._ws_url(job_id), heartbeat=20.0, timeout=aiohttp.ClientWSTimeout(ws_close=5)
            )

        try:
            try:
                loop.run_until_complete(asyncio.wait_for(open_socket(), self.timeout))
            except aiohttp.WSServerHandshakeError as exc:
                if exc.status in (401, 404):  # polling answers with the precise error
                    raise _WebSocketUnavailable(None) from exc
                raise _WebSocketUnavailable(
                    f"the server refused the WebSocket (HTTP {exc.status})"
                ) from exc
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                raise _WebSocketUnavailable(
                    f"could not open the WebSocket: {_reason(exc)}"
                ) from exc
            ws = holder["ws"]
            while True:
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    msg = loop.run_until_complete(ws.receive(timeout=wait))
                except asyncio.TimeoutError:
                    raise errors.RemoteError(f"job {job_id} did not end in time") from None
                except (aiohttp.ClientError, OSError):
                    return
                if msg.type != aiohttp.WSMsgType.TEXT:
                    return  # closed, closing or an error: the caller falls back to polling
                try:
                    message = json.loads(msg.data)
                except ValueError:
                    continue
                event = _ws_event(job_id, message)
                if event is not None:
                    yield event
        finally:
            _close_loop(loop, holder)

    def _poll_events(self, job_id: str, deadline: float | None) -> Iterator[dict[str, Any]]:
        failures = 0
        while True:
            try:
                job = self.job(job_id)
                failures = 0
            except errors.ServerUnavailableError:
                failures += 1
                if failures > 10:
                    raise
                log.info("job %s: status request failed; trying again", job_id)
                time.sleep(min(5.0, self.poll_interval * 2**failures))
                continue
            if job["status"] in FINAL_STATUSES:
                yield {
                    "type": "final",
                    "job_id": job_id,
                    "status": job["status"],
                    "model_id": job.get("model_id"),
                    "result": job.get("result"),
                    "error": job.get("error"),
                }
                return
            event = _job_progress(job_id, job)
            if event is not None:
                yield event
            if deadline is not None and time.monotonic() > deadline:
                raise errors.RemoteError(f"job {job_id} did not end in time")
            time.sleep(self.poll_interval)


class _WebSocketUnavailable(Exception):
    """The WebSocket cannot be used; ``reason`` None means: poll without saying so."""

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason)
        self.reason = reason


# ---- events ----------------------------------------------------------------------------------
def _job_progress(job_id: str, job: dict[str, Any]) -> dict[str, Any] | None:
    progress = job.get("progress") or {}
    if not progress.get("stage"):
        return None
    return {
        "type": "progress",
        "job_id": job_id,
        "status": job.get("status"),
        "stage": progress["stage"],
        "percent": float(progress.get("percent") or 0.0),
        "message": progress.get("message") or "",
    }


def _ws_event(job_id: str, message: dict[str, Any]) -> dict[str, Any] | None:
    kind = message.get("type")
    if kind == "state":
        return _job_progress(job_id, message.get("job") or {})
    if kind == "progress":
        return {
            "type": "progress",
            "job_id": job_id,
            "status": message.get("status", "processing"),
            "stage": message.get("stage") or "",
            "percent": float(message.get("percent") or 0.0),
            "message": message.get("message") or "",
        }
    if kind == "final":
        return {k: message.get(k) for k in ("type", "status", "model_id", "result", "error")} | {
            "job_id": job_id
        }
    return None


def _progressive(event: dict[str, Any], last: list[float]) -> Iterator[dict[str, Any]]:
    """Drop progress events that would move the percent backwards (polling after the socket)."""
    if event["type"] == "progress":
        if event["percent"] < last[0]:
            return
        last[0] = event["percent"]
    yield event


def _close_loop(loop: asyncio.AbstractEventLoop, holder: dict[str, Any]) -> None:
    """Cancel what is pending (an interrupted receive), close the socket, the session, the
    loop; never raises."""
    try:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))

        async def close() -> None:
            if "ws" in holder:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(holder["ws"].close(), 2)
            if "session" in holder:
                await holder["session"].close()

        loop.run_until_complete(close())
    except BaseException as exc:  # noqa: BLE001 - cleanup must not hide the real outcome
        log.debug("closing the WebSocket: %r", exc)
    finally:
        loop.close()


# ---- errors ----------------------------------------------------------------------------------
def _local_classes() -> dict[str, type[errors.XlImportError]]:
    """Error code → the library's exception class (breadth first: a base class wins)."""
    found: dict[str, type[errors.XlImportError]] = {}
    queue = [errors.XlImportError]
    while queue:
        cls = queue.pop(0)
        if not issubclass(cls, errors.RemoteError):
            found.setdefault(cls.code, cls)
        queue.extend(cls.__subclasses__())
    return found


def _make(cls: type[errors.XlImportError], message: str, stage: str | None) -> errors.XlImportError:
    try:
        return cls(message, stage=stage)
    except TypeError:
        return cls(message)


def http_error(
    status: int, body: Any, retry_after: str | None = None, url: str = ""
) -> errors.XlImportError:
    """The exception for a server's error answer (``{error, detail, timestamp, path}``)."""
    code = body.get("error") if isinstance(body, dict) else None
    detail = body.get("detail") if isinstance(body, dict) else None
    detail = str(detail or (body if isinstance(body, str) and body else "") or f"HTTP {status}")
    if status == 401:
        return errors.RemoteAuthError(
            f"the server refused the API key: {detail}", status=status, code=code
        )
    if status == 413:
        return errors.RemotePayloadTooLargeError(
            f"the server refused the upload: {detail}", status=status, code=code
        )
    if status == 429:
        seconds = _float(retry_after)
        wait = f"; retry in {seconds:g} s" if seconds is not None else ""
        return errors.RemoteRateLimitedError(
            f"rate limited by the server: {detail}{wait}",
            status=status,
            code=code,
            retry_after=seconds,
        )
    if status in (502, 503, 504):
        where = f" ({url})" if url else ""
        return errors.ServerUnavailableError(
            f"the server is unavailable{where}: {detail}", status=status, code=code
        )
    cls = _local_classes().get(code or "")
    if cls is not None:
        return _make(cls, detail, None)
    return errors.RemoteError(f"{detail} (HTTP {status})", status=status, code=code)


def job_error(
    job_id: str, status: str | None, error: dict[str, Any] | None
) -> errors.XlImportError:
    """The exception for a job that did not succeed: the local class of its error code where
    there is one (a bad workbook → InvalidWorkbookError...), else RemoteJobFailedError."""
    error = error or {}
    code = error.get("code") or ""
    message = str(error.get("message") or f"job {job_id} ended with status {status}")
    stage = error.get("stage")
    if status == "cancelled":
        return errors.ImportCancelled(f"job {job_id} was cancelled: {message}", stage=stage)
    cls = _local_classes().get(code)
    if cls is not None and cls is not errors.XlImportError:
        return _make(cls, message, stage)
    return errors.RemoteJobFailedError(
        f"job {job_id} failed: {message}", job_id=job_id, code=code or None, stage=stage
    )


# ---- small helpers ---------------------------------------------------------------------------
def _option_fields(options: dict[str, Any] | Any | None) -> dict[str, Any]:
    if options is None:
        return {}
    raw = options.model_dump(exclude_defaults=True) if hasattr(options, "model_dump") else options
    raw = {k: v for k, v in dict(raw).items() if v is not None}
    unknown = sorted(set(raw) - set(OPTION_FIELDS))
    if unknown:
        raise errors.InvalidOptionsError(
            f"the server takes only {', '.join(OPTION_FIELDS)} as options, not {', '.join(unknown)}"
        )
    return raw


def _multipart_frame(boundary: str, fields: dict[str, str], filename: str) -> tuple[bytes, bytes]:
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    safe = filename.encode("ascii", "replace").decode().replace('"', "_").replace("\\", "_")
    disposition = f'form-data; name="file"; filename="{safe}"'
    if safe != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    parts.append(
        f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    return "".join(parts).encode("utf-8"), f"\r\n--{boundary}--\r\n".encode()


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


__all__ = ["Client", "http_error", "job_error"]
