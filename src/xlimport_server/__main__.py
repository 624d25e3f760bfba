"""``python -m xlimport_server``: serve with settings from the environment."""

from __future__ import annotations

import os

from .app import run_server
from .settings import ServerSettings

if __name__ == "__main__":
    run_server(
        ServerSettings(),
        host=os.environ.get("XLIMPORT_HOST", "127.0.0.1"),
        port=int(os.environ.get("XLIMPORT_PORT", "8000")),
    )
