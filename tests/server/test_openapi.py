"""The OpenAPI document and docs/api.md match the routes the application serves."""

from __future__ import annotations

import re
from pathlib import Path

from xlimport_server import create_app
from xlimport_server.openapi import openapi_document
from xlimport_server.settings import ServerSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _routes() -> set[tuple[str, str]]:
    app = create_app(ServerSettings(redis_url=None))
    out = set()
    for route in app.router.routes():
        if route.method in ("HEAD", "OPTIONS"):
            continue
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        out.add((route.method.lower(), path))
    return out


def test_every_route_is_in_the_openapi_document() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.")
    documented = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert _routes() == documented


def test_every_route_is_in_the_api_docs() -> None:
    text = (DOCS / "api.md").read_text()
    for method, path in _routes():
        pattern = rf"{method.upper()}\s+`?{re.escape(path)}`?"
        if path.startswith("/ws/"):
            pattern = rf"WS\s+`?{re.escape(path)}`?"
        assert re.search(pattern, text), f"{method.upper()} {path} is not documented"


def test_operations_doc_names_the_commands() -> None:
    text = (DOCS / "operations.md").read_text()
    for command in (
        "xlimport serve",
        "xlimport worker",
        "xlimport keys create",
        "REDIS_URL",
        "DATABASE_URL",
    ):
        assert command in text
