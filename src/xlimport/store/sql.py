"""The SQLAlchemy (Core) store: SQLite (embedded default) and PostgreSQL (COPY for bulk work).

One SQLAlchemy engine per URL per process (:func:`get_engine`). The schema is created and kept
up to date by the alembic migrations in ``migrations/``; a store upgrades itself on first use
(under ``pg_advisory_lock`` on PostgreSQL), so the embedded default needs no setup.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from xlimport.errors import DuplicateModelError, ModelNotFoundError, StoreError, XlImportError
from xlimport.store.base import (
    CELL_COLUMNS,
    RESULT_COLUMNS,
    STATIC_COLUMNS,
    UPDATE_COLUMNS,
    CellFilter,
    ModelInfo,
    NewModel,
    Page,
)
from xlimport.store.pgcopy import CopyStream, format_chunk, join_chunk
from xlimport.store.schema import cells, models

log = logging.getLogger(__name__)

INSERT_CHUNK = 10_000
STREAM_CHUNK = 5_000
# Any constant shared by every xlimport process: the advisory lock serialising migrations.
_MIGRATION_LOCK_KEY = 0x786C696D  # "xlim"


def _copy_kinds(names: Iterable[str]) -> str:
    """pgcopy column kinds of ``cells`` columns: i(nteger), f(loat), b(oolean), s(tring)."""
    kinds = []
    for name in names:
        python_type = cells.c[name].type.python_type if name not in _DOUBLES else float
        kinds.append({int: "i", float: "f", bool: "b"}.get(python_type, "s"))
    return "".join(kinds)


_DOUBLES = {"raw_value", "calculated_value"}
_CELL_KINDS = _copy_kinds(CELL_COLUMNS)
_UPDATE_KINDS = _copy_kinds(UPDATE_COLUMNS)
_STATIC_KINDS = _copy_kinds(STATIC_COLUMNS)
_RESULT_KINDS = _copy_kinds(RESULT_COLUMNS)

_engines: dict[tuple[int, str], Engine] = {}
_ready: set[tuple[int, str]] = set()
_lock = threading.RLock()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    """Timestamps come back naive from SQLite (stored as UTC): make them aware UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _json_dumps(value: Any) -> str:
    return json.dumps(value, default=str)


def migrations_folder() -> Path:
    """The alembic script folder: ``migrations/`` of a source checkout, else the copy packaged in
    the wheel as ``xlimport/_migrations``."""
    checkout = Path(__file__).resolve().parents[3] / "migrations"
    if (checkout / "env.py").is_file():
        return checkout
    return Path(str(resources.files("xlimport").joinpath("_migrations")))


def _alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_folder()).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _prepare_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (so one import is one
        # transaction, DDL included), then set the pragmas outside any transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


def get_engine(url: str) -> Engine:
    """The process's engine for ``url`` (created on first use; a forked child makes its own)."""
    key = (os.getpid(), url)
    with _lock:
        engine = _engines.get(key)
        if engine is not None:
            return engine
        parsed = make_url(url)
        kwargs: dict[str, Any] = {"json_serializer": _json_dumps}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                folder = Path(database).expanduser().parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(
                        f"cannot create the folder of the SQLite database {database}: {exc}"
                    ) from exc
            kwargs["connect_args"] = {"timeout": 60, "check_same_thread": False}
        elif parsed.get_backend_name() == "postgresql":
            if parsed.drivername == "postgresql":
                # SQLAlchemy 2.1 defaults to psycopg 3; our dependency (and COPY path) is psycopg2.
                parsed = parsed.set(drivername="postgresql+psycopg2")
            kwargs["pool_pre_ping"] = True
            if parsed.get_driver_name() == "psycopg2":
                kwargs["client_encoding"] = "utf8"
        engine = sa.create_engine(parsed, **kwargs)
        if engine.dialect.name == "sqlite":
            _prepare_sqlite(engine)
        _engines[key] = engine
        return engine


def dispose_engine(url: str) -> None:
    """Close the pooled connections of ``url``'s engine and forget it."""
    key = (os.getpid(), url)
    with _lock:
        engine = _engines.pop(key, None)
        _ready.discard(key)
    if engine is not None:
        engine.dispose()


def _delete_model(conn: Connection, model_id: int) -> int:
    """Delete a model and its cells (no foreign key cascades: see migration 0003). On
    PostgreSQL the model's table of cells is dropped (see :func:`_drop_cells`)."""
    deleted = conn.execute(models.delete().where(models.c.id == model_id)).rowcount
    if conn.dialect.name == "postgresql":
        if deleted:
            _drop_cells(conn, model_id)
    else:
        conn.execute(cells.delete().where(cells.c.model_id == model_id))
    return deleted


# ---- PostgreSQL: one table of cells per model (migration 0004) -----------------------------
# ``cells`` is partitioned by model: an import fills a table of its own (no index while the
# rows go in), indexes it in one sorted build and attaches it just before it commits.
_KEY = ", ".join(c.name for c in cells.primary_key.columns)  # also the indexes' order
# Dropping a table of cells locks ``cells`` as a whole for a moment: waited for this long at
# most, so that readers of other models are never held up behind a delete for longer.
DROP_LOCK_TIMEOUT_MS = 200


def partition_name(model_id: int) -> str:
    """The PostgreSQL table holding model ``model_id``'s cells."""
    return f"cells_m{int(model_id)}"


def _create_partition(conn: Connection, model_id: int) -> None:
    """The model's table of cells, unattached and unindexed (filled, then
    :func:`_attach_partition`)."""
    name = partition_name(model_id)
    conn.exec_driver_sql(f"CREATE TABLE {name} (LIKE cells)")
    # The check lets ATTACH skip scanning the table for rows of another model.
    conn.exec_driver_sql(
        f"ALTER TABLE {name} ADD CONSTRAINT ck_{name}_model CHECK (model_id = {int(model_id)})"
    )


def _attach_partition(conn: Connection, model_id: int) -> None:
    """Index the filled table (the indexes ``cells`` declares, built by sorting) and attach it."""
    name = partition_name(model_id)
    conn.exec_driver_sql(f"ALTER TABLE {name} ADD CONSTRAINT pk_{name} PRIMARY KEY ({_KEY})")
    conn.exec_driver_sql(f"CREATE INDEX ix_{name}_mismatch ON {name} ({_KEY}) WHERE has_mismatch")
    conn.exec_driver_sql(f"CREATE INDEX ix_{name}_circular ON {name} ({_KEY}) WHERE is_circular")
    # Statistics at once, or the planner (guessing that a few hundred of the table's rows are
    # the model's) pages a big model by sorting all its rows instead of walking the primary
    # key. A small sample is enough for that (autovacuum takes a full one later): 1M cells
    # 18 ms instead of 150 ms.
    conn.exec_driver_sql("SET LOCAL default_statistics_target = 10")
    conn.exec_driver_sql(
        f"ANALYZE {name} (model_id, sheet_index, sheet_name, formula, has_mismatch, is_circular)"
    )
    conn.exec_driver_sql("SET LOCAL default_statistics_target TO DEFAULT")
    conn.exec_driver_sql(
        f"ALTER TABLE cells ATTACH PARTITION {name} FOR VALUES IN ({int(model_id)})"
    )


def _drop_cells(conn: Connection, model_id: int) -> None:
    """Remove a deleted model's cells (its ``models`` row already gone in this transaction).

    Its table is dropped, with any other model's left from an earlier delete, if ``cells`` can
    be locked within :data:`DROP_LOCK_TIMEOUT_MS` (dropping a partition locks its parent).
    Otherwise (a long read or an update of cells in progress) its rows are deleted instead and
    the empty table is dropped by a later delete."""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {DROP_LOCK_TIMEOUT_MS}")
            conn.exec_driver_sql("LOCK TABLE cells IN ACCESS EXCLUSIVE MODE")
            conn.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
            orphans = conn.exec_driver_sql(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'cells'::regclass AND NOT EXISTS "
                "(SELECT 1 FROM models m WHERE c.relname = 'cells_m' || m.id)"
            ).scalars()
            for name in list(orphans):
                conn.exec_driver_sql(f'DROP TABLE "{name}"')
    except sa.exc.OperationalError as exc:
        if getattr(exc.orig, "pgcode", None) != "55P03":  # lock_not_available
            raise
        log.info("model %s: cells in use, deleted row by row", model_id)
        conn.execute(cells.delete().where(cells.c.model_id == model_id))


def _filter_clauses(model_id: int, filters: CellFilter | None) -> list[Any]:
    clauses: list[Any] = [cells.c.model_id == model_id]
    if filters is None:
        return clauses
    if filters.sheet_name is not None:
        clauses.append(cells.c.sheet_name == filters.sheet_name)
    if filters.has_formula is not None:
        clauses.append(
            cells.c.formula.is_not(None) if filters.has_formula else cells.c.formula.is_(None)
        )
    if filters.has_mismatch is not None:
        clauses.append(cells.c.has_mismatch if filters.has_mismatch else ~cells.c.has_mismatch)
    if filters.is_circular is not None:
        clauses.append(cells.c.is_circular if filters.is_circular else ~cells.c.is_circular)
    return clauses


_CELL_SELECT_COLUMNS = [cells.c[name] for name in CELL_COLUMNS]
_ORDER_BY = (cells.c.sheet_index, cells.c.row_num, cells.c.col_num)


def _cell_dict(row: Any) -> dict[str, Any]:
    out = dict(zip(CELL_COLUMNS, row, strict=True))
    out["has_formula"] = out["formula"] is not None
    return out


def _model_info(row: Any) -> ModelInfo:
    return ModelInfo(
        id=row.id,
        name=row.name,
        original_filename=row.original_filename,
        file_hash=row.file_hash,
        file_size=row.file_size,
        uploaded_at=_aware(row.uploaded_at),
        updated_at=_aware(row.updated_at),
        workbook_metadata=row.workbook_metadata or {},
        import_summary=row.import_summary or {},
    )


def _copy(conn: Connection, sql: str, stream: CopyStream) -> None:
    """``COPY ... FROM STDIN`` in ``conn``'s transaction. An exception raised while producing
    the rows (a bad row, or a progress callback cancelling the import) is re-raised as itself,
    not as the driver's "COPY failed"."""
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cursor:
        try:
            cursor.copy_expert(sql, stream)
        except Exception as exc:
            stream.close()
            if stream.error is not None:
                raise stream.error from None
            # A connection dropped by the server mid-COPY (pg_terminate_backend, a restart)
            # surfaces from psycopg2 as a SystemError caused by the real error: raise that one,
            # and tell SQLAlchemy the connection is gone, so that the rollback does not mask the
            # reason with "connection already closed".
            real = _server_error(exc, getattr(conn.dialect.dbapi, "Error", ()))
            if getattr(raw, "closed", 0):
                conn.invalidate(real)
                if real is exc:  # psycopg2 printed the server's reason and lost it
                    raise StoreError(
                        "the database server closed the connection during the bulk insert "
                        f"(terminated, restarted or unreachable: {exc}); nothing was stored"
                    ) from exc
            if real is not exc:
                raise real from None
            raise


def _server_error(exc: BaseException, driver_error: Any) -> BaseException:
    """In ``exc``'s chain, the error the server sent (it has a SQLSTATE), else ``exc``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, driver_error) and getattr(current, "pgcode", None):
            return current
        current = current.__cause__ or current.__context__
    return exc


class PreparedCells:
    """What :meth:`SqlModelWriter.prepare_cells` did: the rows it saw (``count``), and, for
    COPY, their static columns as text chunks of ``(rows, lines joined by newlines)``."""

    def __init__(self, changes_only: bool) -> None:
        self.changes_only = changes_only
        self.count = 0
        self.chunks: list[tuple[int, str]] = []
        # SQLite: the rowid of the first row inserted, when the rows took consecutive rowids
        self.first_rowid: int | None = None


class SqlModelWriter:
    """The :class:`~xlimport.store.base.ModelWriter` of one import (one open transaction)."""

    def __init__(
        self, store: SqlStore, conn: Connection, model_id: int, replaces: int | None = None
    ) -> None:
        self._store = store
        self._replaces = replaces
        self._conn = conn
        self.model_id = model_id
        self._partitioned = conn.dialect.name == "postgresql"
        # PostgreSQL: the model's own table, attached to ``cells`` by :meth:`_finish`
        self._table = partition_name(model_id) if self._partitioned else "cells"
        if self._partitioned:
            _create_partition(conn, model_id)

    def _finish(self) -> None:
        """Before the import commits: the model's table of cells indexed and attached."""
        if self._partitioned:
            with self._store._db_errors("indexing cells"):
                _attach_partition(self._conn, self.model_id)
                if self._replaces is not None:  # last: it may lock cells until the commit
                    _drop_cells(self._conn, self._replaces)

    def insert_cells(self, rows: Iterable[tuple], progress: Any = None) -> int:
        with self._store._db_errors("inserting cells"):
            if self._store.uses_copy:
                return self._copy_cells(rows, progress)
            return self._executemany_cells(rows, progress)

    def prepare_cells(self, static_rows: Iterable[tuple], stop: Any = None) -> PreparedCells:
        """While the engine computes. PostgreSQL: the static columns as COPY text, chunk by
        chunk (the rows go in one COPY once the results are known). SQLite: every row inserted
        with the result most formula cells come to (:func:`~xlimport.cells.expected_result`),
        so that only the cells that differ are updated afterwards; within this transaction."""
        prepared = PreparedCells(changes_only=not self._store.uses_copy)
        iterator = iter(static_rows)
        with self._store._db_errors("inserting cells"):
            if self._store.uses_copy:
                prefix = f"{int(self.model_id)}\t"
                while not (stop is not None and stop.is_set()) and (
                    chunk := list(islice(iterator, INSERT_CHUNK))
                ):
                    text = format_chunk(chunk, _STATIC_KINDS, prefix).decode("utf-8")
                    prepared.chunks.append((len(chunk), text[:-1]))
                    prepared.count += len(chunk)
                return prepared
            from xlimport.cells import CONSTANT_RESULT, expected_result

            sql = self._insert_sql()
            rowids = f"SELECT max(rowid) FROM {self._table}"
            before = self._conn.exec_driver_sql(rowids).scalar() or 0
            while not (stop is not None and stop.is_set()) and (
                chunk := list(islice(iterator, INSERT_CHUNK))
            ):
                self._conn.exec_driver_sql(
                    sql,
                    [
                        (
                            *row[:10],
                            *(
                                CONSTANT_RESULT
                                if row[9] is None
                                else expected_result(row[6], row[7], row[8])
                            ),
                            row[10],
                        )
                        for row in chunk
                    ],
                )
                prepared.count += len(chunk)
            # This transaction is the one writer, so new rows take the next rowids: exactly
            # before + 1 .. before + count (checked), and the updates can go by rowid.
            after = self._conn.exec_driver_sql(rowids).scalar() or 0
            if prepared.count and after - before == prepared.count:
                prepared.first_rowid = before + 1
        return prepared

    def complete_cells(
        self, prepared: PreparedCells, results: Iterable[tuple], progress: Any = None
    ) -> int:
        """The rows prepared by :meth:`prepare_cells` stored with their results."""
        with self._store._db_errors("inserting cells"):
            if not prepared.changes_only:
                iterator = iter(results)

                def chunks() -> Iterator[tuple[int, bytes]]:
                    # each prepared chunk let go once joined (~130 bytes per cell at most)
                    pending = prepared.chunks
                    pending.reverse()
                    while pending:
                        n, heads = pending.pop()
                        yield n, join_chunk(heads, list(islice(iterator, n)), _RESULT_KINDS)

                stream = CopyStream(
                    (), "", chunk_size=INSERT_CHUNK, progress=progress, ahead=2, chunks=chunks()
                )
                columns = ", ".join((*STATIC_COLUMNS, *RESULT_COLUMNS))
                _copy(self._conn, self._copy_sql(f"model_id, {columns}"), stream)
                prepared.chunks.clear()
                if next(iterator, None) is not None:
                    raise ValueError("more results than prepared cells")
                return stream.count
            first = prepared.first_rowid
            table, model = self._table, int(self.model_id)
            if first is not None:  # by rowid: no search of the primary key
                where = "rowid = ?1"
                sets = ", ".join(f"{name} = ?{k}" for k, name in enumerate(RESULT_COLUMNS, 2))
            else:
                where = f"model_id = {model} AND sheet_index = ?1 AND row_num = ?2 AND col_num = ?3"
                sets = ", ".join(f"{name} = ?{k}" for k, name in enumerate(RESULT_COLUMNS, 4))
            full_sql = f"UPDATE {table} SET {sets} WHERE {where}"
            value_at = 2 if first is not None else 4
            number_sql = f"UPDATE {table} SET calculated_value = ?{value_at} WHERE {where}"
            iterator = iter(results)
            while chunk := list(islice(iterator, INSERT_CHUNK)):
                if first is not None:
                    numbers = [(first + u[0], u[4]) for u in chunk if len(u) == 5]
                    full = [(first + u[0], *u[4:]) for u in chunk if len(u) != 5]
                else:
                    numbers = [u[1:] for u in chunk if len(u) == 5]
                    full = [u[1:] for u in chunk if len(u) != 5]
                if numbers:
                    self._conn.exec_driver_sql(number_sql, numbers)
                if full:
                    self._conn.exec_driver_sql(full_sql, full)
            if progress is not None:
                progress(prepared.count)
            return prepared.count

    def _insert_sql(self) -> str:
        mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join(mark for _ in CELL_COLUMNS)
        return (
            f"INSERT INTO {self._table} (model_id, {', '.join(CELL_COLUMNS)}) "
            f"VALUES ({int(self.model_id)}, {marks})"
        )

    def _copy_cells(self, rows: Iterable[tuple], progress: Any) -> int:
        stream = CopyStream(
            rows,
            _CELL_KINDS,
            prefix=f"{int(self.model_id)}\t",
            chunk_size=INSERT_CHUNK,
            progress=progress,
            ahead=2,
        )
        _copy(self._conn, self._copy_sql(f"model_id, {', '.join(CELL_COLUMNS)}"), stream)
        return stream.count

    def _copy_sql(self, columns: str) -> str:
        # FREEZE: the table was created in this transaction, so its rows can be written
        # frozen and visible (no later pass of PostgreSQL's to mark them so)
        return f"COPY {self._table} ({columns}) FROM STDIN WITH (FREEZE)"

    def _executemany_cells(self, rows: Iterable[tuple], progress: Any) -> int:
        sql = self._insert_sql()
        iterator = iter(rows)
        done = 0
        while chunk := list(islice(iterator, INSERT_CHUNK)):
            self._conn.exec_driver_sql(sql, chunk)
            done += len(chunk)
            if progress is not None:
                progress(done)
        return done

    def update_summary(self, import_summary: dict[str, Any]) -> None:
        with self._store._db_errors("updating the import summary"):
            self._conn.execute(
                models.update()
                .where(models.c.id == self.model_id)
                .values(import_summary=import_summary, updated_at=_utcnow())
            )


class SqlStore:
    """:class:`~xlimport.store.base.Store` over SQLAlchemy: SQLite or PostgreSQL."""

    def __init__(self, url: str, *, auto_upgrade: bool = True) -> None:
        self.url = url
        self.engine = get_engine(url)
        self.display_url = make_url(url).render_as_string(hide_password=True)
        self.dialect = self.engine.dialect.name
        self.uses_copy = self.dialect == "postgresql" and self.engine.dialect.driver == "psycopg2"
        self._auto_upgrade = auto_upgrade

    def __repr__(self) -> str:
        return f"SqlStore({self.display_url!r})"

    # ---- plumbing ----------------------------------------------------------------------------
    @contextmanager
    def _db_errors(self, action: str) -> Iterator[None]:
        """Turn driver and SQLAlchemy errors into :class:`StoreError` naming the database."""
        dbapi_error = getattr(self.engine.dialect.dbapi, "Error", sa.exc.SQLAlchemyError)
        try:
            yield
        except XlImportError:
            raise
        except (sa.exc.SQLAlchemyError, dbapi_error) as exc:
            orig = getattr(exc, "orig", None) or exc
            reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
            if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)):
                message = f"database {self.display_url} failed while {action}: {reason}"
            else:
                message = f"database error on {self.display_url} while {action}: {reason}"
            raise StoreError(message, detail={"database": self.display_url}) from exc

    def _ensure_schema(self) -> None:
        if not self._auto_upgrade:
            return
        key = (os.getpid(), self.url)
        if key in _ready:
            return
        with _lock:
            if key in _ready:
                return
            try:
                self.upgrade()
            except StoreError:
                # Another process may have migrated the same database at the same moment
                # (SQLite has no advisory lock): fine if the schema is now current.
                if self.schema_revision() != _head_revision():
                    raise
            _ready.add(key)

    @contextmanager
    def _connect(self, action: str) -> Iterator[Connection]:
        """A connection in a transaction that commits on success."""
        self._ensure_schema()
        with self._db_errors(action), self.engine.begin() as conn:
            yield conn

    # ---- schema ------------------------------------------------------------------------------
    def schema_revision(self) -> str | None:
        """The database's alembic revision (None: no schema yet)."""
        from alembic.runtime.migration import MigrationContext

        with self._db_errors("reading the schema version"), self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self) -> None:
        """Bring the schema to the latest revision (alembic ``upgrade head``)."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(_alembic_config())
        head = script.get_current_head()
        with self._db_errors("upgrading the schema"), self.engine.connect() as conn:
            locked = self.dialect == "postgresql"
            if locked:
                conn.execute(sa.select(sa.func.pg_advisory_lock(_MIGRATION_LOCK_KEY)))
                conn.commit()
            try:
                current = MigrationContext.configure(conn).get_current_revision()
                if current == head:
                    conn.rollback()
                    return
                if current is not None and current not in {
                    s.revision for s in script.walk_revisions()
                }:
                    raise StoreError(
                        f"database {self.display_url} has schema revision {current}, unknown to "
                        "this version of xlimport (is a newer version in use?)"
                    )
                log.info("upgrading %s from %s to %s", self.display_url, current, head)
                conn.rollback()
                command.upgrade(_alembic_config(conn), "head")
                conn.commit()
            finally:
                if locked:
                    conn.rollback()
                    conn.execute(sa.select(sa.func.pg_advisory_unlock(_MIGRATION_LOCK_KEY)))
                    conn.commit()
        _ready.add((os.getpid(), self.url))

    def close(self) -> None:
        dispose_engine(self.url)

    # ---- models ------------------------------------------------------------------------------
    def find_by_hash(self, file_hash: str) -> ModelInfo | None:
        with self._connect("looking up a model by hash") as conn:
            row = conn.execute(sa.select(models).where(models.c.file_hash == file_hash)).first()
        return None if row is None else _model_info(row)

    def get_model(self, model_id: int) -> ModelInfo:
        with self._connect("reading a model") as conn:
            row = conn.execute(sa.select(models).where(models.c.id == model_id)).first()
        if row is None:
            raise ModelNotFoundError(f"model {model_id} not found", detail={"model_id": model_id})
        return _model_info(row)

    def list_models(self, page: int = 1, page_size: int = 50) -> Page:
        page, page_size = max(1, int(page)), max(1, int(page_size))
        with self._connect("listing models") as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(models)).scalar_one()
            rows = conn.execute(
                sa.select(models)
                .order_by(models.c.uploaded_at.desc(), models.c.id.desc())
                .limit(page_size)
                .offset((page - 1) * page_size)
            ).all()
        return Page([_model_info(r) for r in rows], total, page, page_size)

    def delete_model(self, model_id: int) -> None:
        with self._connect("deleting a model") as conn:
            deleted = _delete_model(conn, model_id)
        if not deleted:
            raise ModelNotFoundError(f"model {model_id} not found", detail={"model_id": model_id})

    @contextmanager
    def begin_import(
        self, model: NewModel, *, replace_model_id: int | None = None
    ) -> Iterator[SqlModelWriter]:
        """One import's transaction: the model row now, the cells through the writer; commits
        when the block ends, rolls back everything on an exception."""
        self._ensure_schema()
        duplicate = False
        with self._db_errors("importing a model"), self.engine.connect() as conn:
            try:
                with conn.begin():
                    replaces = None
                    if replace_model_id is not None and self.dialect == "postgresql":
                        # its cells go once this import's are in (SqlModelWriter._finish)
                        conn.execute(models.delete().where(models.c.id == replace_model_id))
                        replaces = replace_model_id
                    elif replace_model_id is not None:
                        _delete_model(conn, replace_model_id)
                    now = _utcnow()
                    try:
                        model_id = conn.execute(
                            models.insert()
                            .values(
                                name=model.name,
                                original_filename=model.original_filename,
                                file_hash=model.file_hash,
                                file_size=model.file_size,
                                uploaded_at=now,
                                updated_at=now,
                                workbook_metadata=model.workbook_metadata or {},
                                import_summary=model.import_summary or {},
                            )
                            .returning(models.c.id)
                        ).scalar_one()
                    except sa.exc.IntegrityError:
                        duplicate = True
                        raise
                    writer = SqlModelWriter(self, conn, model_id, replaces)
                    yield writer
                    writer._finish()
            except sa.exc.IntegrityError as exc:
                if not duplicate:
                    raise
                existing = self.find_by_hash(model.file_hash)
                raise DuplicateModelError(
                    f"a model of this file is already stored (hash {model.file_hash[:12]}…"
                    + (f", model {existing.id})" if existing else ")"),
                    model_id=existing.id if existing else None,
                    file_hash=model.file_hash,
                ) from exc

    # ---- cells -------------------------------------------------------------------------------
    def cells(
        self, model_id: int, filters: CellFilter | None = None, page: int = 1, page_size: int = 100
    ) -> Page:
        page, page_size = max(1, int(page)), max(1, int(page_size))
        where = _filter_clauses(model_id, filters)
        with self._connect("reading cells") as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(cells).where(*where)
            ).scalar_one()
            rows = conn.execute(
                sa.select(*_CELL_SELECT_COLUMNS)
                .where(*where)
                .order_by(*_ORDER_BY)
                .limit(page_size)
                .offset((page - 1) * page_size)
            ).all()
        return Page([_cell_dict(r) for r in rows], total, page, page_size)

    def iter_cells(self, model_id: int, filters: CellFilter | None = None) -> Iterator[dict]:
        """Every matching cell, in order, streamed (server-side cursor on PostgreSQL)."""
        for row in self.iter_cell_rows(model_id, filters):
            yield _cell_dict(row)

    def iter_cell_rows(self, model_id: int, filters: CellFilter | None = None) -> Iterator[tuple]:
        """Like :meth:`iter_cells`, as plain tuples in ``CELL_COLUMNS`` order (no dicts)."""
        query = (
            sa.select(*_CELL_SELECT_COLUMNS)
            .where(*_filter_clauses(model_id, filters))
            .order_by(*_ORDER_BY)
        )
        with self._connect("reading cells") as conn:
            result = conn.execution_options(stream_results=True, yield_per=STREAM_CHUNK).execute(
                query
            )
            for row in result:
                yield tuple(row)

    def update_cells(
        self,
        model_id: int,
        updates: Iterable[tuple],
        import_summary: dict[str, Any] | Callable[[], dict[str, Any]],
    ) -> int:
        """Bulk update of calculated values and flags (tuples in ``UPDATE_COLUMNS`` order) plus
        the model's import summary, in one transaction. Returns the number of cells updated.

        ``import_summary`` may be a callable: it is called after every update row has been
        consumed, so a summary computed while the rows stream is complete when stored."""
        with self._connect("updating cells") as conn:
            found = conn.execute(
                sa.select(models.c.id).where(models.c.id == model_id)
            ).scalar_one_or_none()
            if found is None:
                raise ModelNotFoundError(
                    f"model {model_id} not found", detail={"model_id": model_id}
                )
            if self.uses_copy:
                count = self._copy_updates(conn, model_id, updates)
            else:
                count = self._executemany_updates(conn, model_id, updates)
            summary = import_summary() if callable(import_summary) else import_summary
            conn.execute(
                models.update()
                .where(models.c.id == model_id)
                .values(import_summary=summary, updated_at=_utcnow())
            )
            return count

    def _copy_updates(self, conn: Connection, model_id: int, updates: Iterable[tuple]) -> int:
        conn.exec_driver_sql(
            "CREATE TEMP TABLE xlimport_cell_updates (sheet_index integer, row_num integer, "
            "col_num integer, calculated_type text, calculated_value double precision, "
            "calculated_text text, has_mismatch boolean, status text) ON COMMIT DROP"
        )
        stream = CopyStream(updates, _UPDATE_KINDS, chunk_size=INSERT_CHUNK)
        _copy(conn, f"COPY xlimport_cell_updates ({', '.join(UPDATE_COLUMNS)}) FROM STDIN", stream)
        conn.exec_driver_sql("ANALYZE xlimport_cell_updates")
        sets = ", ".join(f"{name} = u.{name}" for name in UPDATE_COLUMNS[3:])
        result = conn.exec_driver_sql(
            f"UPDATE cells AS c SET {sets} FROM xlimport_cell_updates AS u "
            "WHERE c.model_id = %(model_id)s AND c.sheet_index = u.sheet_index "
            "AND c.row_num = u.row_num AND c.col_num = u.col_num",
            {"model_id": int(model_id)},
        )
        conn.exec_driver_sql("DROP TABLE xlimport_cell_updates")
        return result.rowcount

    def _executemany_updates(
        self, conn: Connection, model_id: int, updates: Iterable[tuple]
    ) -> int:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sets = ", ".join(f"{name} = {mark}" for name in UPDATE_COLUMNS[3:])
        sql = (
            f"UPDATE cells SET {sets} WHERE model_id = {int(model_id)} "
            f"AND sheet_index = {mark} AND row_num = {mark} AND col_num = {mark}"
        )
        iterator = iter(updates)
        done = 0
        while chunk := list(islice(iterator, INSERT_CHUNK)):
            params = [(*u[3:], u[0], u[1], u[2]) for u in chunk]
            result = conn.exec_driver_sql(sql, params)
            done += result.rowcount if result.rowcount >= 0 else len(chunk)
        return done
