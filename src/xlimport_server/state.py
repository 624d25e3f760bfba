"""Typed application state keys (``app[KEY]``)."""

from __future__ import annotations

import weakref
from typing import Any

import sqlalchemy as sa
from aiohttp import web

from .auth import KeyStore
from .jobs import JobStore
from .progress import ProgressHub
from .runner import Runner
from .settings import ServerSettings

SETTINGS = web.AppKey("settings", ServerSettings)
STORE = web.AppKey("store", Any)  # the core's Store
FILES = web.AppKey("file_store", Any)
DB = web.AppKey("db_engine", sa.Engine)
JOBS = web.AppKey("jobs", JobStore)
KEYS = web.AppKey("api_keys", KeyStore)
HUB = web.AppKey("progress_hub", ProgressHub)
RUNNER = web.AppKey("runner", Runner)
LIMITER = web.AppKey("rate_limiter", Any)
REDIS = web.AppKey("redis", Any)  # redis.asyncio.Redis | None
WEBSOCKETS = web.AppKey("websockets", weakref.WeakSet)
BACKGROUND = web.AppKey("background_tasks", set)  # upload hand-offs still running

# The API key of the request (an ``auth.ApiKey``, or None when auth is off).
API_KEY: Any = web.RequestKey("api_key", object) if hasattr(web, "RequestKey") else "api_key"
