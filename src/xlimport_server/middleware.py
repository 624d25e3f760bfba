"""Middlewares: one JSON error shape, API-key auth, CORS."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

import sqlalchemy.exc
from aiohttp import web

from xlimport.errors import RateLimitedError, StoreError, XlImportError

from . import state
from .db import wrap_db_error
from .jsonutil import json_response

logger = logging.getLogger(__name__)

PUBLIC_PATHS = {"/health", "/api/openapi.json"}
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_parameter",
    429: "rate_limited",
    503: "service_unavailable",
}


def error_body(request: web.Request, status: int, error: str, detail: str) -> web.Response:
    """The one error shape: ``{error, detail, timestamp, path}``."""
    body = {
        "error": error,
        "detail": detail,
        "timestamp": datetime.now(timezone.utc).isoformat(),
        "path": request.path,
    }
    return json_response(body, status=status)


def _is_redis_error(exc: BaseException) -> bool:
    try:
        import redis.exceptions
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)


@web.middleware
async def error_middleware(request: web.Request, handler):  # noqa: ANN001, ANN201
    try:
        return await handler(request)
    except XlImportError as exc:
        response = error_body(request, exc.http_status, exc.code, exc.message)
        if isinstance(exc, RateLimitedError):
            response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return response
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        detail = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
        response = error_body(request, exc.status, HTTP_CODES.get(exc.status, "http_error"), detail)
        for name in ("Allow", "Retry-After"):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError) as exc:
        err: StoreError = wrap_db_error(exc)
        logger.warning("%s %s: %s", request.method, request.path, err.message)
        return error_body(request, err.http_status, err.code, err.message)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if _is_redis_error(exc):
            return error_body(request, 503, "service_unavailable", f"Redis unavailable: {exc}")
        logger.exception("%s %s failed", request.method, request.path)
        return error_body(request, 500, "internal_error", "internal server error")


def api_key_of(request: web.Request) -> str | None:
    key = request.headers.get("X-API-Key")
    if not key and request.path.startswith("/ws/"):
        key = request.query.get("api_key")
    return key


@web.middleware
async def auth_middleware(request: web.Request, handler):  # noqa: ANN001, ANN201
    settings = request.app[state.SETTINGS]
    request[state.API_KEY] = None
    needs_key = request.path.startswith(("/api/", "/ws/")) and request.path not in PUBLIC_PATHS
    if settings.xlimport_auth and needs_key and request.method != "OPTIONS":
        keys = request.app[state.KEYS]
        request[state.API_KEY] = await asyncio.to_thread(keys.verify, api_key_of(request))
    return await handler(request)


def cors_middleware_factory(origins: list[str]):  # noqa: ANN201
    allow_all = "*" in origins

    @web.middleware
    async def cors_middleware(request: web.Request, handler):  # noqa: ANN001, ANN201
        origin = request.headers.get("Origin")
        allowed = origin and (allow_all or origin in origins)
        if (
            request.method == "OPTIONS"
            and allowed
            and "Access-Control-Request-Method" in request.headers
        ):
            response: web.StreamResponse = web.Response(status=204)
        else:
            response = await handler(request)
        if allowed and not response.prepared:
            response.headers["Access-Control-Allow-Origin"] = "*" if allow_all else origin
            response.headers["Vary"] = "Origin"
            response.headers["Access-Control-Allow-Headers"] = "X-API-Key, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
        return response

    return cors_middleware
