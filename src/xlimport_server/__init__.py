"""xlimport's HTTP + WebSocket server (aiohttp) and its job runners (in-process or RQ)."""

from __future__ import annotations

from .app import create_app, run_server
from .settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "run_server"]
