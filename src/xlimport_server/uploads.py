"""Receiving an upload: streamed to a spool file in chunks (hashed on the way, size-capped),
then checked by magic bytes and zip structure, never by the file name."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from aiohttp import BodyPartReader, web

from xlimport.errors import (
    CorruptWorkbookError,
    EncryptedWorkbookError,
    InvalidParameterError,
    InvalidWorkbookError,
    PayloadTooLargeError,
)
from xlimport.reader import check_package

CHUNK = 256 * 1024
MAX_FIELD = 64 * 1024
MAX_FILENAME = 255
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx
MACRO_WARNING = "the workbook contains macros (VBA); they are kept but never run"


@dataclass
class Upload:
    path: Path
    filename: str
    size: int
    file_hash: str
    fields: dict[str, str] = field(default_factory=dict)
    suffix: str = ".xlsx"
    warnings: list[str] = field(default_factory=list)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


async def receive_upload(request: web.Request, spool_dir: Path, max_bytes: int) -> Upload:
    """Read a multipart form with a ``file`` part and small text fields."""
    if request.content_length is not None and request.content_length > max_bytes + MAX_FIELD * 4:
        raise PayloadTooLargeError(_too_large(max_bytes))
    if not request.content_type.startswith("multipart/"):
        raise InvalidParameterError("expected a multipart/form-data body with a 'file' part")
    try:
        reader = await request.multipart()
    except Exception as exc:
        raise InvalidParameterError(f"unreadable multipart body: {exc}") from exc
    fields: dict[str, str] = {}
    upload: Upload | None = None
    try:
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "file" and upload is None:
                upload = await _spool(part, spool_dir, max_bytes)
            elif part.name:
                fields[part.name] = await _read_field(part)
    except (PayloadTooLargeError, InvalidParameterError):
        if upload:
            upload.discard()
        raise
    except Exception as exc:
        if upload:
            upload.discard()
        raise InvalidParameterError(f"unreadable multipart body: {exc}") from exc
    if upload is None:
        raise InvalidParameterError("missing the 'file' part")
    upload.fields = fields
    return upload


async def _read_field(part: BodyPartReader) -> str:
    data = bytearray()
    while chunk := await part.read_chunk(8192):
        data += chunk
        if len(data) > MAX_FIELD:
            raise InvalidParameterError(f"form field {part.name!r} is too long")
    return data.decode(part.get_charset("utf-8"), errors="replace")


async def _spool(part: BodyPartReader, spool_dir: Path, max_bytes: int) -> Upload:
    spool_dir.mkdir(parents=True, exist_ok=True)
    filename = safe_filename(part.filename)
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=spool_dir)
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := await part.read_chunk(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLargeError(_too_large(max_bytes))
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Upload(path=path, filename=filename, size=size, file_hash=digest.hexdigest())


def safe_filename(raw: str | None) -> str:
    """The client's file name reduced to a harmless label: its last path component, without
    control characters (NUL included), at most 255 characters. It is only ever recorded, never
    used as a path (the bytes are spooled under a generated name and kept by hash)."""
    text = "".join(ch for ch in (raw or "") if ord(ch) >= 32 and not 127 <= ord(ch) < 160)
    name = PurePath(text.replace("\\", "/")).name.strip()
    if name in ("", ".", ".."):
        name = "upload.xlsx"
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = name[: MAX_FILENAME - len(ext) - 1] + ("." + ext if ext else "")
    return name


def _too_large(max_bytes: int) -> str:
    return f"the upload exceeds the size cap of {max_bytes / 1024 / 1024:g} MB"


def inspect_workbook(upload: Upload) -> None:
    """Check that the bytes are an .xlsx/.xlsm workbook, by content (the reader's cheap
    checks: signature, zip directory, inflated size and ratio, workbook part); note macros.
    Raises a 400 error (413 for a limit)."""
    if upload.size == 0:
        raise InvalidWorkbookError("the uploaded file is empty")
    with open(upload.path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE2_MAGIC):
        raise EncryptedWorkbookError(
            "the file is an OLE2 compound document: a legacy .xls or a password-protected "
            "workbook; save it as an unencrypted .xlsx"
        )
    check_package(upload.path)
    try:
        with zipfile.ZipFile(upload.path) as archive:
            macros = any(
                n.rpartition("/")[2].lower() == "vbaproject.bin" for n in archive.namelist()
            )
    except zipfile.BadZipFile as exc:  # pragma: no cover - check_package read it already
        raise CorruptWorkbookError(f"the workbook is corrupt: {exc}") from exc
    if macros:
        upload.warnings.append(MACRO_WARNING)
        upload.suffix = ".xlsm"
