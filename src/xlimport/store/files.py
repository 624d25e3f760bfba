"""Where the imported workbooks' bytes are kept, once per SHA-256 hash.

- :class:`LocalFileStore`: a folder (``<folder>/<hash[:2]>/<hash>.xlsx``), written atomically.
- :class:`DatabaseFileStore`: the ``files`` table, so that workers on other hosts need only the
  database URL. Written and read in chunks (the client never holds the whole file twice).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from xlimport.config import Settings
from xlimport.errors import InvalidOptionsError, StoreError
from xlimport.store.schema import files

log = logging.getLogger(__name__)

CHUNK = 1 << 20  # bytes per read/write chunk
_HASH = re.compile(r"[0-9a-f]{64}")


def _utc_naive_text() -> str:
    """Now, as SQLAlchemy's SQLite DateTime stores it (naive UTC text)."""
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


def _check_hash(file_hash: str) -> str:
    if not isinstance(file_hash, str) or not _HASH.fullmatch(file_hash):
        raise InvalidOptionsError(f"not a SHA-256 hex digest: {file_hash!r}")
    return file_hash


class FileStore(Protocol):
    def put(self, file_hash: str, path: str | os.PathLike[str]) -> None:
        """Keep the file at ``path`` under ``file_hash`` (a no-op when already kept)."""
        ...

    def open(self, file_hash: str) -> IO[bytes]:
        """The kept bytes, as a binary file object (the caller closes it)."""
        ...

    def exists(self, file_hash: str) -> bool: ...

    def delete(self, file_hash: str) -> None:
        """Forget the file (a no-op when absent)."""
        ...


class LocalFileStore:
    """Files in a folder: ``<folder>/<hash[:2]>/<hash>.xlsx``."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"LocalFileStore({str(self.folder)!r})"

    def path_of(self, file_hash: str) -> Path:
        file_hash = _check_hash(file_hash)
        return self.folder / file_hash[:2] / f"{file_hash}.xlsx"

    def put(self, file_hash: str, path: str | os.PathLike[str]) -> None:
        target = self.path_of(file_hash)
        if target.is_file():
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                    shutil.copyfileobj(src, out, CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError(f"cannot keep file {file_hash[:12]}… in {self.folder}: {exc}") from exc

    def open(self, file_hash: str) -> IO[bytes]:
        try:
            return open(self.path_of(file_hash), "rb")  # noqa: SIM115 - returned to the caller
        except FileNotFoundError as exc:
            raise StoreError(f"file {file_hash} is not in the file store {self.folder}") from exc

    def exists(self, file_hash: str) -> bool:
        return self.path_of(file_hash).is_file()

    def delete(self, file_hash: str) -> None:
        self.path_of(file_hash).unlink(missing_ok=True)


class DatabaseFileStore:
    """Files as rows of the ``files`` table (``bytea`` on PostgreSQL, ``BLOB`` on SQLite)."""

    def __init__(self, store_or_engine: Any) -> None:
        if isinstance(store_or_engine, Engine):
            from xlimport.store.sql import SqlStore

            self._store = SqlStore(store_or_engine.url.render_as_string(hide_password=False))
        else:
            self._store = store_or_engine
        self.engine: Engine = self._store.engine

    def __repr__(self) -> str:
        return f"DatabaseFileStore({self._store.display_url!r})"

    def exists(self, file_hash: str) -> bool:
        _check_hash(file_hash)
        with self._store._connect("looking up a kept file") as conn:
            found = conn.execute(
                sa.select(files.c.file_hash).where(files.c.file_hash == file_hash)
            ).first()
        return found is not None

    def put(self, file_hash: str, path: str | os.PathLike[str]) -> None:
        _check_hash(file_hash)
        if self.exists(file_hash):
            return
        size = os.path.getsize(path)
        with self._store._connect("keeping a file") as conn, open(path, "rb") as src:
            if self._store.uses_copy:
                self._copy_in(conn, file_hash, size, src)
            elif self.engine.dialect.name == "sqlite":
                self._sqlite_in(conn, file_hash, size, src)
            else:
                self._insert(conn, file_hash, size, src.read())

    def _insert(self, conn: Any, file_hash: str, size: int, content: bytes) -> None:
        values = {
            "file_hash": file_hash,
            "size": size,
            "content": content,
            "created_at": datetime.now(timezone.utc),
        }
        stmt = sa.insert(files).values(**values)
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(files).values(**values).on_conflict_do_nothing()
        conn.execute(stmt)

    def _copy_in(self, conn: Any, file_hash: str, size: int, src: IO[bytes]) -> None:
        """Stream the bytes to PostgreSQL as one COPY row (hex bytea, chunk by chunk)."""
        created = datetime.now(timezone.utc).isoformat()
        conn.exec_driver_sql(
            "CREATE TEMP TABLE xlimport_file_in (LIKE files INCLUDING DEFAULTS) ON COMMIT DROP"
        )

        class _Stream:
            def __init__(self) -> None:
                self.parts = iter(
                    [f"{file_hash}\t{size}\t\\\\x".encode()]
                    + [None]  # marker: the file's chunks, hex-encoded
                    + [f"\t{created}\n".encode()]
                )
                self.reading = False

            def read(self, n: int = -1) -> bytes:
                if self.reading:
                    data = src.read(CHUNK)
                    if data:
                        return data.hex().encode()
                    self.reading = False
                part = next(self.parts, b"")
                if part is None:
                    self.reading = True
                    return self.read(n)
                return part

        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            cursor.copy_expert(
                "COPY xlimport_file_in (file_hash, size, content, created_at) FROM STDIN", _Stream()
            )
        conn.exec_driver_sql(
            "INSERT INTO files SELECT * FROM xlimport_file_in ON CONFLICT (file_hash) DO NOTHING"
        )
        conn.exec_driver_sql("DROP TABLE xlimport_file_in")

    def _sqlite_in(self, conn: Any, file_hash: str, size: int, src: IO[bytes]) -> None:
        """Insert a zero-filled blob of the right size, then write it chunk by chunk."""
        raw = conn.connection.dbapi_connection
        if not hasattr(raw, "blobopen"):  # Python < 3.11
            self._insert(conn, file_hash, size, src.read())
            return
        result = conn.exec_driver_sql(
            "INSERT OR IGNORE INTO files (file_hash, size, content, created_at) "
            "VALUES (?, ?, zeroblob(?), ?)",
            (file_hash, size, size, _utc_naive_text()),
        )
        if result.rowcount != 1 or size == 0:
            return
        rowid = conn.exec_driver_sql(
            "SELECT rowid FROM files WHERE file_hash = ?", (file_hash,)
        ).scalar_one()
        with raw.blobopen("files", "content", rowid) as blob:
            while data := src.read(CHUNK):
                blob.write(data)

    def open(self, file_hash: str) -> IO[bytes]:
        """The bytes in a temporary file (spooled in memory up to 16 MB), read in chunks."""
        _check_hash(file_hash)
        out = tempfile.SpooledTemporaryFile(max_size=16 * CHUNK)  # noqa: SIM115
        with self._store._connect("reading a kept file") as conn:
            size = conn.execute(
                sa.select(files.c.size).where(files.c.file_hash == file_hash)
            ).scalar()
            if size is None:
                out.close()
                raise StoreError(f"file {file_hash} is not in the file store of the database")
            for start in range(1, size + 1, CHUNK):
                part = conn.execute(
                    sa.select(sa.func.substr(files.c.content, start, CHUNK)).where(
                        files.c.file_hash == file_hash
                    )
                ).scalar_one()
                out.write(bytes(part))
        out.seek(0)
        return out

    def delete(self, file_hash: str) -> None:
        _check_hash(file_hash)
        with self._store._connect("deleting a kept file") as conn:
            conn.execute(files.delete().where(files.c.file_hash == file_hash))


def open_file_store(settings: Settings | None = None, store: Any = None) -> FileStore:
    """The file store chosen by ``XLIMPORT_FILE_STORE`` (``local`` | ``database``); by default
    local with SQLite (``<XLIMPORT_HOME>/files``) and database with PostgreSQL."""
    from xlimport.store import open_store

    settings = settings or Settings()
    kind = (settings.xlimport_file_store or "").strip().lower()
    if not kind:
        if store is None:
            store = open_store(settings.effective_database_url)
        kind = "database" if store.engine.dialect.name == "postgresql" else "local"
    if kind == "local":
        return LocalFileStore(settings.xlimport_home / "files")
    if kind == "database":
        if store is None:
            store = open_store(settings.effective_database_url)
        return DatabaseFileStore(store)
    raise InvalidOptionsError(
        f"XLIMPORT_FILE_STORE must be 'local' or 'database', not {settings.xlimport_file_store!r}"
    )
