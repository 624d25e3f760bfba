"""Storage: models and cells in SQLite or PostgreSQL, workbook files kept by hash.

``open_store()`` gives the :class:`Store` of the settings (``DATABASE_URL``, else the embedded
SQLite file), of a URL, or passes a store through; ``open_file_store()`` the matching file store.
"""

from __future__ import annotations

from xlimport.store.base import (
    CELL_COLUMNS,
    CELL_RESULT_KEYS,
    UPDATE_COLUMNS,
    CellFilter,
    CellRow,
    ModelInfo,
    ModelWriter,
    NewModel,
    Page,
    Store,
)
from xlimport.store.files import DatabaseFileStore, FileStore, LocalFileStore, open_file_store
from xlimport.store.sql import SqlModelWriter, SqlStore, get_engine, migrations_folder

__all__ = [
    "CELL_COLUMNS",
    "CELL_RESULT_KEYS",
    "UPDATE_COLUMNS",
    "CellFilter",
    "CellRow",
    "DatabaseFileStore",
    "FileStore",
    "LocalFileStore",
    "ModelInfo",
    "ModelWriter",
    "NewModel",
    "Page",
    "SqlModelWriter",
    "SqlStore",
    "Store",
    "get_engine",
    "migrations_folder",
    "open_file_store",
    "open_store",
]


def open_store(store: Store | str | None = None) -> Store:
    """``None``: the store of the settings; a URL: a :class:`SqlStore` on it; a store: itself."""
    if store is None:
        from xlimport.config import get_settings

        return SqlStore(get_settings().effective_database_url)
    if isinstance(store, str):
        return SqlStore(store)
    return store
