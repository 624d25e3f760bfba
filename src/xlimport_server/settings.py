"""Server settings: the core's :class:`xlimport.config.Settings` plus what the server needs.

Every field reads the environment variable of the same name (upper case) or ``.env``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import NoDecode

from xlimport.config import ImportOptions, Settings


class ServerSettings(Settings):
    """Settings of ``xlimport serve`` and ``xlimport worker``.

    - ``REDIS_URL``: set = jobs go to an RQ queue run by ``xlimport worker``; unset = jobs run
      in the server process (a bounded thread pool).
    - ``XLIMPORT_STORAGE_DIR``: folder where uploads are spooled while they stream in
      (default ``<XLIMPORT_HOME>/uploads``); the bytes then go to the core's file store.
    - ``XLIMPORT_MAX_UPLOAD_MB``: upload size cap.
    - ``XLIMPORT_AUTH``: ``false`` turns API-key checks off (local use only).
    """

    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "XLIMPORT_REDIS_URL", "redis_url")
    )
    xlimport_redis_prefix: str = "xlimport:"
    xlimport_queue: str = "xlimport"
    xlimport_storage_dir: Path | None = None
    xlimport_max_upload_mb: float = Field(default=200.0, gt=0)
    xlimport_tolerance: float | None = Field(default=None, ge=0)
    xlimport_max_iterations: int | None = Field(default=None, ge=1)
    xlimport_max_change: float | None = Field(default=None, gt=0)
    xlimport_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    xlimport_log_level: str = "INFO"
    xlimport_auth: bool = True
    xlimport_upload_rate_limit: int = Field(default=5, ge=0)  # uploads per window; 0 = no limit
    xlimport_upload_rate_window: float = Field(default=60.0, gt=0)  # seconds
    xlimport_job_timeout: int = Field(default=7200, gt=0)  # seconds
    xlimport_workers: int = Field(default=2, ge=1)  # in-process runner pool size
    xlimport_heartbeat_interval: float = Field(default=10.0, gt=0)
    xlimport_stale_after: float = Field(default=120.0, gt=0)  # no heartbeat this long = dead
    xlimport_sweep_interval: float = Field(default=60.0, gt=0)
    xlimport_ws_heartbeat: float = Field(default=20.0, gt=0)
    xlimport_ws_queue_size: int = Field(default=64, ge=2)
    xlimport_result_ttl: int = Field(default=7 * 86400, gt=0)  # RQ result/failure lifetime
    xlimport_auto_migrate: bool = True

    @field_validator("xlimport_cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def upload_dir(self) -> Path:
        return self.xlimport_storage_dir or (self.xlimport_home / "uploads")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.xlimport_max_upload_mb * 1024 * 1024)

    @property
    def runner_kind(self) -> str:
        return "rq" if self.redis_url else "inprocess"

    def default_options(self) -> dict:
        """Import options the server applies unless a request overrides them."""
        out = {}
        if self.xlimport_tolerance is not None:
            out["tolerance"] = self.xlimport_tolerance
        if self.xlimport_max_iterations is not None:
            out["max_iterations"] = self.xlimport_max_iterations
        if self.xlimport_max_change is not None:
            out["max_change"] = self.xlimport_max_change
        return ImportOptions(**out).model_dump(exclude_defaults=True)
