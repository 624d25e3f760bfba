"""One exception hierarchy for the whole library.

Every error carries a user-facing ``message`` and a stable ``code``. Adapters map codes to exit
statuses (CLI) and HTTP statuses (server) through :attr:`XlImportError.http_status` and
:attr:`XlImportError.exit_code`; nothing outside this module decides what an error means.
"""

from __future__ import annotations

from typing import Any


class XlImportError(Exception):
    """Base class of every error raised by xlimport."""

    code: str = "error"
    http_status: int = 500
    exit_code: int = 1

    def __init__(self, message: str, *, detail: Any = None, stage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.stage = stage

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.stage:
            out["stage"] = self.stage
        if self.detail is not None:
            out["detail"] = self.detail
        return out

    def __str__(self) -> str:
        return self.message


# ---- bad input (the user's file) -------------------------------------------------------------
class InvalidWorkbookError(XlImportError):
    """The file is not a readable .xlsx/.xlsm workbook."""

    code = "invalid_workbook"
    http_status = 400
    exit_code = 2


class FileNotFoundError_(InvalidWorkbookError):  # noqa: N801 - keeps the builtin name free
    code = "file_not_found"


class NotAZipError(InvalidWorkbookError):
    code = "not_a_zip"


class CorruptWorkbookError(InvalidWorkbookError):
    code = "corrupt_workbook"


class EncryptedWorkbookError(InvalidWorkbookError):
    code = "encrypted_workbook"


class LegacyFormatError(InvalidWorkbookError):
    """A legacy .xls (BIFF) or a binary .xlsb workbook."""

    code = "unsupported_format"


class WorkbookLimitError(InvalidWorkbookError):
    """The workbook exceeds a configured limit (inflated size, cells, formula length...)."""

    code = "limit_exceeded"
    http_status = 413


# ---- engine ----------------------------------------------------------------------------------
class EngineError(XlImportError):
    """The formula engine failed as a whole (not a single cell's error)."""

    code = "engine_error"
    http_status = 500
    exit_code = 3


class EngineNotAvailableError(EngineError):
    """Node.js is missing or too old, or the engine's dependencies could not be installed."""

    code = "engine_not_available"
    http_status = 503


class EngineTimeoutError(EngineError):
    code = "engine_timeout"


# ---- storage ---------------------------------------------------------------------------------
class StoreError(XlImportError):
    code = "store_error"
    http_status = 503
    exit_code = 4


class ModelNotFoundError(XlImportError):
    code = "model_not_found"
    http_status = 404
    exit_code = 5


class InvalidOptionsError(XlImportError):
    code = "invalid_options"
    http_status = 422
    exit_code = 2


class ImportCancelled(XlImportError):
    """Raised (typically from a progress callback) to stop an import; nothing is kept."""

    code = "cancelled"
    http_status = 409
    exit_code = 130


# ---- server (HTTP adapter) -------------------------------------------------------------------
class AuthError(XlImportError):
    """Missing, unknown or revoked API key."""

    code = "unauthorized"
    http_status = 401
    exit_code = 2


class RateLimitedError(XlImportError):
    """Too many requests for this key; ``retry_after`` is in seconds."""

    code = "rate_limited"
    http_status = 429
    exit_code = 2

    def __init__(self, message: str, *, retry_after: float = 1.0, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServiceUnavailableError(XlImportError):
    """A dependency (database, Redis, engine) is down."""

    code = "service_unavailable"
    http_status = 503
    exit_code = 4


class PayloadTooLargeError(XlImportError):
    """The upload exceeds the configured size cap."""

    code = "payload_too_large"
    http_status = 413
    exit_code = 2


class InvalidParameterError(InvalidOptionsError):
    """A request parameter is missing or malformed."""

    code = "invalid_parameter"


class JobNotFoundError(XlImportError):
    code = "job_not_found"
    http_status = 404
    exit_code = 5


class JobConflictError(XlImportError):
    """The job is in a state that does not allow the request (e.g. cancel a finished job)."""

    code = "job_conflict"
    http_status = 409
    exit_code = 2


class JobTimeoutError(XlImportError):
    """A job ran longer than the configured job timeout."""

    code = "job_timeout"
    http_status = 504
    exit_code = 3


class DuplicateModelError(StoreError):
    """A model with the same file hash is already stored (e.g. two concurrent imports of one
    file). ``model_id`` is the existing model's id when it could be found."""

    code = "duplicate_model"
    http_status = 409

    def __init__(
        self, message: str, *, model_id: int | None = None, file_hash: str | None = None
    ) -> None:
        super().__init__(message, detail={"model_id": model_id, "file_hash": file_hash})
        self.model_id = model_id
        self.file_hash = file_hash


# ---- remote client (the CLI and xlimport.Client against a server) ----------------------------
class RemoteError(XlImportError):
    """An error answered by an xlimport server that has no more precise local class.

    ``status`` is the HTTP status (None when no answer came); ``code`` the server's error code."""

    code = "remote_error"
    exit_code = 1

    def __init__(
        self, message: str, *, status: int | None = None, code: str | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.status = status
        if code:
            self.code = code


class RemoteAuthError(RemoteError):
    """The server refused the API key (HTTP 401)."""

    code = "unauthorized"
    http_status = 401
    exit_code = 6


class RemotePayloadTooLargeError(RemoteError):
    """The server refused the upload as too large (HTTP 413)."""

    code = "payload_too_large"
    http_status = 413
    exit_code = 7


class RemoteRateLimitedError(RemoteError):
    """The server's upload rate limit was hit (HTTP 429); ``retry_after`` is in seconds."""

    code = "rate_limited"
    http_status = 429
    exit_code = 8

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerUnavailableError(RemoteError):
    """The server cannot be reached, or answered that a dependency is down (HTTP 503)."""

    code = "server_unavailable"
    http_status = 503
    exit_code = 9


class RemoteJobFailedError(RemoteError):
    """A job failed on the server for a reason with no local equivalent (worker lost, internal
    error). ``job_id`` names the job."""

    code = "job_failed"
    exit_code = 10

    def __init__(self, message: str, *, job_id: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.job_id = job_id
