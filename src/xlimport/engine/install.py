"""Finding (and if needed installing) the Node.js side of the formula engine.

Two layouts:

- a source checkout: ``<repo>/hyperformula/engine.js``; its ``node_modules`` is installed with
  ``npm ci`` on first use when missing;
- an installed package: ``engine.js``, ``package.json`` and ``package-lock.json`` ship as package
  data in ``xlimport/_engine/``; they are copied into a cache folder (``XLIMPORT_ENGINE_DIR``, or
  ``~/.cache/xlimport/engine-<hash>``) and ``npm ci`` runs there once, under a file lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import EngineNotAvailableError

logger = logging.getLogger(__name__)

MIN_NODE_MAJOR = 18
ENGINE_FILES = ("engine.js", "package.json", "package-lock.json")
ENGINE_DIRS = ("lib", "functions")
_MARKER = ".xlimport-installed"
_NODE_HINT = (
    "install Node.js 18 or newer (for example `apt-get install nodejs npm`, `brew install node`, "
    "or the installer from nodejs.org), or point XLIMPORT_NODE at a node executable"
)


def node_executable() -> str:
    """The Node.js executable: ``XLIMPORT_NODE`` or ``node`` on PATH."""
    return os.environ.get("XLIMPORT_NODE") or "node"


def check_node(node: str | None = None) -> str:
    """Return the Node.js version (``"20.11.1"``); raise :class:`EngineNotAvailableError` when
    node is missing or older than 18."""
    exe = node or node_executable()
    try:
        out = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineNotAvailableError(
            f"Node.js was not found ({exe}): {_NODE_HINT}", detail=str(exc)
        ) from exc
    match = re.match(r"v?(\d+)\.(\d+)\.(\d+)", out.stdout.strip())
    if out.returncode != 0 or not match:
        raise EngineNotAvailableError(
            f"Node.js did not run ({exe} --version failed): {_NODE_HINT}",
            detail=(out.stdout + out.stderr)[-2000:],
        )
    if int(match.group(1)) < MIN_NODE_MAJOR:
        raise EngineNotAvailableError(
            f"Node.js {match.group(0)} is too old: {_NODE_HINT}", detail=out.stdout.strip()
        )
    return ".".join(match.groups())


def checkout_engine_dir() -> Path | None:
    """``<repo>/hyperformula`` when running from a source checkout, else None."""
    repo = Path(__file__).resolve().parents[3]
    folder = repo / "hyperformula"
    if (folder / "engine.js").is_file() and (folder / "package-lock.json").is_file():
        return folder
    return None


def is_installed(folder: Path) -> bool:
    return (folder / "node_modules" / "hyperformula" / "package.json").is_file()


def ensure_engine_installed(*, node: str | None = None) -> Path:
    """Return the folder holding ``engine.js`` with its Node dependencies installed, installing
    them first when needed. Raises :class:`EngineNotAvailableError` when that is impossible."""
    check_node(node)
    folder = checkout_engine_dir()
    if folder is not None:
        if not is_installed(folder):
            with _file_lock(folder / ".npm-install.lock"):
                if not is_installed(folder):
                    _npm_ci(folder, omit_dev=False)
        return folder
    return _ensure_packaged_engine()


def engine_files(base: Any) -> dict[str, bytes]:
    """The engine's source files under ``base`` (a folder or an importlib resource): the three
    top-level files and every ``.js`` module of its ``lib/`` and ``functions/`` folders, as
    relative path → bytes."""
    out: dict[str, bytes] = {}
    for name in ENGINE_FILES:
        item = base / name
        if not item.is_file():
            raise EngineNotAvailableError(
                "the formula engine's files are missing from this installation of xlimport "
                f"(xlimport/_engine/{name}); reinstall the package"
            )
        out[name] = item.read_bytes()
    for sub in ENGINE_DIRS:
        folder = base / sub
        if folder.is_dir():
            for item in folder.iterdir():
                if item.is_file() and item.name.endswith(".js"):
                    out[f"{sub}/{item.name}"] = item.read_bytes()
    return out


def _packaged_files() -> dict[str, bytes]:
    return engine_files(resources.files("xlimport") / "_engine")


def _ensure_packaged_engine() -> Path:
    files = _packaged_files()
    digest_input = hashlib.sha256()
    for name in sorted(files):
        digest_input.update(name.encode() + b"\0" + files[name] + b"\0")
    digest = digest_input.hexdigest()
    configured = os.environ.get("XLIMPORT_ENGINE_DIR")
    if configured:
        folder = Path(configured).expanduser()
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = cache / "xlimport" / f"engine-{digest[:16]}"
    marker = folder / _MARKER
    if marker.is_file() and marker.read_text().strip() == digest and is_installed(folder):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with _file_lock(folder / ".npm-install.lock"):
        if marker.is_file() and marker.read_text().strip() == digest and is_installed(folder):
            return folder
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        _npm_ci(folder, omit_dev=True)
        marker.write_text(digest)
    return folder


def _npm_ci(folder: Path, *, omit_dev: bool) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise EngineNotAvailableError(
            "npm was not found: it is needed once to install the formula engine's dependencies; "
            + _NODE_HINT
        )
    cmd = [npm, "ci", "--no-audit", "--no-fund"]
    if omit_dev:
        cmd.insert(2, "--omit=dev")
    logger.info("installing the formula engine's Node dependencies in %s", folder)
    try:
        out = subprocess.run(
            cmd, cwd=folder, capture_output=True, text=True, timeout=900, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineNotAvailableError(f"npm ci failed in {folder}: {exc}") from exc
    if out.returncode != 0 or not is_installed(folder):
        tail = "\n".join((out.stdout + "\n" + out.stderr).strip().splitlines()[-20:])
        raise EngineNotAvailableError(
            f"npm ci failed in {folder} (exit {out.returncode}):\n{tail}", detail=tail
        )


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes installing into the same folder."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, installs are idempotent anyway
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
