"""Hand-off of uploaded bytes from the server to a worker through the core's file store
(a local folder, or the database when workers run on other hosts)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def open_files(settings: Any, store: Any) -> Any:
    from xlimport.store.files import open_file_store

    return open_file_store(settings, store)


def put_file(file_store: Any, file_hash: str, path: Path) -> None:
    file_store.put(file_hash, path)


def materialize(file_store: Any, file_hash: str, work_dir: Path, suffix: str = ".xlsx") -> Path:
    """A local file with the stored bytes (a temporary copy; the caller deletes it)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    handle = file_store.open(file_hash)
    fd, name = tempfile.mkstemp(prefix=f"{file_hash[:12]}-", suffix=suffix, dir=work_dir)
    with os.fdopen(fd, "wb") as out:
        if isinstance(handle, (str, os.PathLike)):
            with open(handle, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
        elif isinstance(handle, (bytes, bytearray, memoryview)):
            out.write(handle)
        else:
            with handle as src:
                shutil.copyfileobj(src, out, 1 << 20)
    return Path(name)
