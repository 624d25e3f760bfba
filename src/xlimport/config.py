"""Settings from the environment (and a ``.env`` file), plus per-import options."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide settings. Environment variables win over ``.env``.

    - ``DATABASE_URL`` (or ``XLIMPORT_DATABASE_URL``): SQLAlchemy URL; unset = the embedded
      SQLite file ``<XLIMPORT_HOME>/xlimport.db``.
    - ``XLIMPORT_HOME``: folder for the embedded database and the kept workbook files
      (default ``.xlimport`` in the working folder).
    - ``XLIMPORT_FILE_STORE``: ``local`` (a folder under XLIMPORT_HOME) or ``database``
      (bytes in the ``files`` table, so workers on other hosts can read them). Default: local
      with SQLite, database with PostgreSQL.
    - ``XLIMPORT_NODE``: the Node.js executable (default ``node`` on PATH).
    - ``XLIMPORT_ENGINE_DIR``: where the engine's Node dependencies are installed
      (default: the user cache folder).
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    xlimport_database_url: str | None = None
    xlimport_home: Path = Path(".xlimport")
    xlimport_file_store: str | None = None
    xlimport_node: str = "node"
    xlimport_engine_dir: Path | None = None
    xlimport_engine_timeout: float = 1800.0

    @property
    def effective_database_url(self) -> str:
        url = self.xlimport_database_url or self.database_url
        if url:
            # Heroku-style URLs name the scheme "postgres"; SQLAlchemy wants "postgresql".
            if url.startswith("postgres://"):
                url = "postgresql://" + url[len("postgres://") :]
            return url
        return f"sqlite:///{(self.xlimport_home / 'xlimport.db').as_posix()}"


def get_settings() -> Settings:
    return Settings()


class ImportOptions(BaseModel):
    """Options of one import (``import_workbook(..., options=...)``); ``None`` fields fall back
    to the workbook's own settings (calcPr) or the defaults below."""

    model_config = {"extra": "forbid"}

    tolerance: float = Field(default=1e-6, ge=0, description="relative and absolute tolerance")
    iterate: bool | None = Field(
        default=None,
        description="solve circular references; None = always (like Excel with "
        "iterative calculation on); the workbook's calcPr gives count and delta when present",
    )
    max_iterations: int | None = Field(default=None, ge=1, le=100_000)
    max_change: float | None = Field(default=None, gt=0)
    engine_timeout: float | None = Field(default=None, gt=0)
    sample_mismatches: int = Field(default=20, ge=0, le=10_000)
