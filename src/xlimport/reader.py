"""The workbook reader: one streaming pass per sheet over the sheet XML.

Each ``<c>`` element carries both the formula (``<f>``) and the value the saving application
cached (``<v>``), so one lxml ``iterparse`` pass per sheet gives everything, with flat memory
(elements are cleared as they are read). Workbook-level parts (sheet list, defined names, calcPr,
styles, shared strings, tables, external links, properties) are small and parsed with the same
hardened parser (see :mod:`xlimport._xml`).

Usage::

    data = read_workbook("model.xlsx", progress=lambda fraction, message: ...)
"""

from __future__ import annotations

import logging
import os
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree

from . import _xml
from .errors import (
    CorruptWorkbookError,
    EncryptedWorkbookError,
    FileNotFoundError_,
    InvalidOptionsError,
    InvalidWorkbookError,
    LegacyFormatError,
    NotAZipError,
    WorkbookLimitError,
)
from .workbook import (
    MAX_COLS,
    MAX_ROWS,
    CalcSettings,
    DefinedName,
    SheetData,
    TableDef,
    WorkbookData,
)

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

__all__ = [
    "ReaderLimits",
    "check_package",
    "read_workbook",
    "translate_formula",
    "SharedFormula",
]

# "lxml" reads every sheet with the lxml pass (the scanner of _fastsheet is the default).
SHEET_READER_ENV = "XLIMPORT_SHEET_READER"

# Environment variables of the limits (read by ReaderLimits.from_env, the default of every read).
LIMIT_ENV = {
    "max_inflated_bytes": "XLIMPORT_MAX_INFLATED_MB",
    "max_compression_ratio": "XLIMPORT_MAX_COMPRESSION_RATIO",
    "max_cells": "XLIMPORT_MAX_CELLS",
    "max_formula_length": "XLIMPORT_MAX_FORMULA_LENGTH",
    "max_formula_depth": "XLIMPORT_MAX_FORMULA_DEPTH",
}


@dataclass(frozen=True, slots=True)
class ReaderLimits:
    """Bounds on what one workbook may cost to read (the file is untrusted input)."""

    max_inflated_bytes: int = 2 * 1024**3  # sum of the zip members' uncompressed sizes
    max_compression_ratio: float = 200.0  # per member, for members of ratio_min_bytes or more
    ratio_min_bytes: int = 1024 * 1024
    max_cells: int = 20_000_000
    max_formula_length: int = 8192  # Excel's own limit, in characters
    # Parentheses nesting. Excel allows 64 levels of nested functions; the engine's parser
    # overflows its stack somewhere above 120, failing the whole workbook.
    max_formula_depth: int = 100

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ReaderLimits:
        """The defaults, overridden by ``XLIMPORT_MAX_INFLATED_MB``, ``XLIMPORT_MAX_CELLS``,
        ``XLIMPORT_MAX_FORMULA_LENGTH``, ``XLIMPORT_MAX_FORMULA_DEPTH`` and
        ``XLIMPORT_MAX_COMPRESSION_RATIO`` when set."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field_name, var in LIMIT_ENV.items():
            raw = (env.get(var) or "").strip()
            if not raw:
                continue
            try:
                number = float(raw)
            except ValueError:
                raise InvalidOptionsError(f"{var} must be a number, not {raw!r}") from None
            if number <= 0:
                raise InvalidOptionsError(f"{var} must be positive, not {raw!r}")
            if field_name == "max_inflated_bytes":
                values[field_name] = int(number * 1024 * 1024)
            elif field_name == "max_compression_ratio":
                values[field_name] = number
            else:
                values[field_name] = int(number)
        return cls(**values)


# ---- entry point -----------------------------------------------------------------------------
def read_workbook(
    path: str | os.PathLike,
    *,
    progress: Progress | None = None,
    limits: ReaderLimits | None = None,
    skip: frozenset[int] = frozenset(),
) -> WorkbookData:
    """Read an .xlsx/.xlsm workbook: every non-empty cell with its formula, cached value and
    number format, plus sheets, defined names, tables, calcPr, date system and properties.

    ``progress(fraction, message)`` is called as the sheets are read (fraction 0..1, by bytes).
    Raises an :class:`~xlimport.errors.InvalidWorkbookError` subclass for a file that is not a
    readable workbook; either the whole workbook is returned or nothing. The worksheets at the
    positions in ``skip`` are listed with no cell read (another process reads them).
    """
    limits = limits or ReaderLimits.from_env()
    filename = os.fspath(path)
    _check_signature(filename)
    try:
        zf = zipfile.ZipFile(filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise CorruptWorkbookError(
            f"the file is a truncated or corrupt zip archive ({exc})", detail=str(exc)
        ) from exc
    with zf:
        try:
            return _WorkbookReader(zf, limits, progress).read(skip)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise CorruptWorkbookError(
                f"corrupt data inside the zip archive ({exc})", detail=str(exc)
            ) from exc
        except (RuntimeError, NotImplementedError) as exc:  # encrypted or exotic zip entries
            raise CorruptWorkbookError(
                f"cannot read the zip archive ({exc})", detail=str(exc)
            ) from exc


def worksheet_sizes(path: str | os.PathLike) -> list[int]:
    """The inflated size in bytes of each worksheet's part, in the order :func:`read_workbook`
    numbers the sheets; an empty list for a file it cannot tell (reading then says why)."""
    try:
        with zipfile.ZipFile(os.fspath(path)) as zf:
            reader = _WorkbookReader(zf, ReaderLimits.from_env(), None)
            _, _, entries = reader.structure()
            return [reader.sizes[e[3]] for e in entries if e[2] == "worksheet"]
    except Exception:  # noqa: BLE001 - read_workbook() reports what is wrong
        return []


def check_package(path: str | os.PathLike, *, limits: ReaderLimits | None = None) -> None:
    """The cheap checks of :func:`read_workbook`, without reading any sheet: the file's
    signature (not a zip, legacy .xls, encrypted), the zip's directory (truncated), the
    members' inflated size and compression ratio (zip bombs), .xlsb, and a workbook part.
    Raises the same errors as :func:`read_workbook`."""
    limits = limits or ReaderLimits.from_env()
    filename = os.fspath(path)
    _check_signature(filename)
    try:
        with zipfile.ZipFile(filename) as zf:
            _WorkbookReader(zf, limits, None)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise CorruptWorkbookError(
            f"the file is a truncated or corrupt zip archive ({exc})", detail=str(exc)
        ) from exc
    except (RuntimeError, NotImplementedError, zlib.error) as exc:
        raise CorruptWorkbookError(f"cannot read the zip archive ({exc})", detail=str(exc)) from exc


# ---- file signature --------------------------------------------------------------------------
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _check_signature(filename: str) -> None:
    if not os.path.exists(filename):
        raise FileNotFoundError_(f"no such file: {filename}")
    if os.path.isdir(filename):
        raise FileNotFoundError_(f"not a file but a folder: {filename}")
    try:
        with open(filename, "rb") as fh:
            head = fh.read(8)
            if head[:4] in _ZIP_MAGICS:
                return
            encrypted = head == _OLE_MAGIC and _contains(fh, _ENCRYPTION_INFO)
    except OSError as exc:
        raise InvalidWorkbookError(f"cannot read {filename}: {exc.strerror or exc}") from exc
    if encrypted:
        raise EncryptedWorkbookError(
            "the workbook is password-protected (encrypted); remove the password in Excel and "
            "save it again"
        )
    if head == _OLE_MAGIC:
        raise LegacyFormatError(
            "this is a legacy Excel 97-2003 .xls file; save it as .xlsx in Excel first"
        )
    raise NotAZipError(f"not an Excel workbook: the file {_describe(head)}")


def _contains(fh: IO[bytes], needle: bytes, chunk: int = 1 << 20) -> bool:
    fh.seek(0)
    tail = b""
    while block := fh.read(chunk):
        if needle in tail + block:
            return True
        tail = block[-len(needle) :]
    return False


def _describe(head: bytes) -> str:
    if not head:
        return "is empty"
    if head.startswith(b"%PDF"):
        return "looks like a PDF document"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<?xml", b"<")):
        return "looks like an XML or HTML document (not a zip)"
    if head.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        return "is a compressed archive but not a zip"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "looks like an image"
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "looks like plain text (CSV?), not a zip"
    return "is not a zip archive"


# ---- the reader ------------------------------------------------------------------------------
class _ProgressMeter:
    """Maps bytes read to a fraction; calls back about every 1 % or every second."""

    def __init__(self, callback: Progress | None, total: int) -> None:
        self.callback = callback
        self.total = max(total, 1)
        self.done = 0  # bytes of the parts already finished
        self.last_fraction = -1.0
        self.last_time = 0.0

    def report(self, current: int, message: str, force: bool = False) -> None:
        if self.callback is None:
            return
        fraction = min(1.0, (self.done + current) / self.total)
        now = time.monotonic()
        if force or fraction - self.last_fraction >= 0.01 or now - self.last_time >= 1.0:
            self.last_fraction = fraction
            self.last_time = now
            self.callback(fraction, message)


class _WorkbookReader:
    def __init__(self, zf: zipfile.ZipFile, limits: ReaderLimits, progress: Progress | None):
        self.zf = zf
        self.limits = limits
        self.progress_cb = progress
        infos = zf.infolist()
        self.names = {info.filename for info in infos}
        self.sizes = {info.filename: info.file_size for info in infos}
        self._check_members(infos)
        self.warnings: list[str] = []

    # -- structure and limits
    def _check_members(self, infos: list[zipfile.ZipInfo]) -> None:
        limits = self.limits
        total = sum(info.file_size for info in infos)
        if total > limits.max_inflated_bytes:
            raise WorkbookLimitError(
                f"the workbook inflates to {total:,} bytes, over the limit max_inflated_bytes="
                f"{limits.max_inflated_bytes:,}"
            )
        for info in infos:
            if info.file_size >= limits.ratio_min_bytes:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_compression_ratio:
                    raise WorkbookLimitError(
                        f"zip member {info.filename} is compressed {ratio:,.0f}:1, over the limit "
                        f"max_compression_ratio={limits.max_compression_ratio:g} (a zip bomb?)"
                    )
        names = self.names
        if "xl/workbook.bin" in names:
            raise LegacyFormatError(
                "this is a binary .xlsb workbook; save it as .xlsx in Excel first"
            )
        if "[Content_Types].xml" not in names or not self._main_part_name():
            kind = ""
            if any(n.startswith("word/") for n in names):
                kind = " (it looks like a Word document)"
            elif any(n.startswith("ppt/") for n in names):
                kind = " (it looks like a PowerPoint presentation)"
            raise InvalidWorkbookError(f"not an Excel workbook: a zip without a workbook{kind}")

    def _main_part_name(self) -> str | None:
        if "xl/workbook.xml" in self.names:
            return "xl/workbook.xml"
        if "_rels/.rels" in self.names:
            for kind, target, _ in _xml.read_rels(self.zf, self.names, "").values():
                if kind == "officeDocument" and target in self.names:
                    return target
        return None

    # -- the whole workbook
    def _vba_functions(self) -> list[Any]:
        """The simple, pure functions of the workbook's VBA project, translated (never run)."""
        from .vba import MAX_PROJECT_BYTES, vba_project_functions

        part = next((n for n in self.names if n.lower() == "xl/vbaproject.bin"), None)
        if part is None or self.sizes.get(part, 0) > MAX_PROJECT_BYTES:
            return []
        try:
            return vba_project_functions(self.zf.read(part))
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
            log.info("VBA project not read: %s", exc)
            return []

    def structure(
        self,
    ) -> tuple[etree._Element, dict[str, tuple[str, str, bool]], list[tuple[str, str, str, str]]]:
        """The workbook part's root, its relationships and its sheet entries
        (:meth:`_sheet_entries`); sets the namespace the other parts are read with."""
        wb_part = self._main_part_name() or "xl/workbook.xml"
        root = _xml.parse_member(self.zf, wb_part, "the workbook part")
        ns = _xml.namespace_of(root.tag)
        if _xml.local_name(root.tag) != "workbook":
            raise InvalidWorkbookError(f"not an Excel workbook: {wb_part} is not a workbook part")
        if ns not in (_xml.MAIN_NS, _xml.STRICT_MAIN_NS):  # e.g. Excel 2007 beta files
            log.info("workbook namespace %r is not the usual one; reading it anyway", ns)
        rel_ns = _xml.STRICT_REL_NS if ns == _xml.STRICT_MAIN_NS else _xml.REL_NS
        self.ns, self.rel_id = ns, f"{{{rel_ns}}}id"
        rels = _xml.read_rels(self.zf, self.names, wb_part)
        return root, rels, self._sheet_entries(root, rels)

    def read(self, skip: frozenset[int] = frozenset()) -> WorkbookData:
        zf, names = self.zf, self.names
        root, rels, entries = self.structure()
        ns = self.ns

        pr = root.find(f"{{{ns}}}workbookPr")
        date1904 = _xml.parse_bool(pr.get("date1904")) if pr is not None else False
        calc = self._calc_settings(root.find(f"{{{ns}}}calcPr"))

        worksheets = [e for e in entries if e[2] == "worksheet"]
        sst_part = _first_target(rels, "sharedStrings", "xl/sharedStrings.xml", names)
        styles_part = _first_target(rels, "styles", "xl/styles.xml", names)
        total = sum(self.sizes[e[3]] for k, e in enumerate(worksheets) if k not in skip)
        total += self.sizes.get(sst_part, 0) if sst_part else 0
        meter = _ProgressMeter(self.progress_cb, total)
        meter.report(0, "reading workbook structure", force=True)

        sst: list[str] = []
        if sst_part:
            sst = _xml.read_shared_strings(
                zf, sst_part, ns, lambda n: meter.report(n, "reading shared strings")
            )
            meter.done += self.sizes[sst_part]
        formats = _xml.read_cell_formats(zf, styles_part, ns) if styles_part else []

        ctx = _SheetContext(sst, formats, date1904, self.limits, meter, ns)
        sheets: list[SheetData] = []
        tables: list[TableDef] = []
        for name, state, _, part in worksheets:
            sheet = SheetData(name=name, index=len(sheets), state=state)
            filters = [] if sheet.index in skip else self._read_sheet(sheet, part, ctx)
            sheets.append(sheet)
            tables.extend(self._tables(name, part, filters))
            _mark_filtered(sheet, filters)
        self.warnings.extend(ctx.warnings)
        codes = _richerrors.error_codes(self.zf)
        if codes:  # errors stored as rich values (#SPILL!, #CALC!, ...): rare, read again
            for sheet, (_, _, _, part) in zip(sheets, worksheets, strict=True):
                if sheet.index not in skip:
                    _apply_rich_errors(sheet, self._blocks(part), codes)

        application, app_version, app_heading = self._app_properties()
        data = WorkbookData(
            sheets=sheets,
            defined_names=self._defined_names(root, [e[0] for e in entries]),
            tables=tables,
            date1904=date1904,
            calc=calc,
            application=application,
            app_version=app_version,
            app_heading=app_heading,
            file_app=_file_app(root, ns),
            has_macros=any(n.rpartition("/")[2].lower() == "vbaproject.bin" for n in names),
            vba_functions=self._vba_functions(),
            external_links=self._external_links(root, rels),
            warnings=self.warnings,
        )
        meter.report(meter.total - meter.done, f"read {ctx.cells_total:,} cells", force=True)
        return data

    def _sheet_entries(
        self, root: etree._Element, rels: dict[str, tuple[str, str, bool]]
    ) -> list[tuple[str, str, str, str]]:
        """Every ``<sheet>`` in order: (name, state, kind, part); kind "worksheet" for the
        ones we read (chart, dialog and macro sheets are listed but skipped)."""
        out = []
        sheets_el = root.find(f"{{{self.ns}}}sheets")
        for el in sheets_el if sheets_el is not None else ():
            if not isinstance(el.tag, str) or _xml.local_name(el.tag) != "sheet":
                continue
            name = el.get("name") or ""
            state = el.get("state") or "visible"
            kind, part, _ = rels.get(el.get(self.rel_id) or "", ("", "", False))
            if kind == "worksheet" and part not in self.names:
                raise CorruptWorkbookError(
                    f"sheet {name!r}: its part {part or '(none)'} is missing from the file"
                )
            if kind != "worksheet":
                log.debug("skipping sheet %r of type %r", name, kind or "unknown")
            out.append((name, state, kind, part))
        return out

    @staticmethod
    def _calc_settings(el: etree._Element | None) -> CalcSettings:
        calc = CalcSettings()
        if el is None:
            return calc
        calc.iterate = _xml.parse_bool(el.get("iterate"))
        calc.full_calc_on_load = _xml.parse_bool(el.get("fullCalcOnLoad"))
        calc.calc_mode = el.get("calcMode")
        try:
            if el.get("iterateCount") is not None:
                calc.iterate_count = int(el.get("iterateCount"))
            if el.get("iterateDelta") is not None:
                calc.iterate_delta = float(el.get("iterateDelta"))
        except ValueError as exc:
            raise CorruptWorkbookError(f"unreadable calcPr in the workbook part: {exc}") from exc
        return calc

    def _defined_names(self, root: etree._Element, sheet_names: list[str]) -> list[DefinedName]:
        out: list[DefinedName] = []
        container = root.find(f"{{{self.ns}}}definedNames")
        for el in container.iter(f"{{{self.ns}}}definedName") if container is not None else ():
            name = el.get("name") or ""
            if not name or name.startswith("_xlnm."):
                continue  # built-ins (print areas, filter ranges) are not used by formulas
            scope = None
            local_id = el.get("localSheetId")
            if local_id is not None:
                try:
                    scope = sheet_names[int(local_id)]
                except (ValueError, IndexError):
                    self.warnings.append(f"defined name {name!r}: bad localSheetId {local_id!r}")
                    continue
            value = (el.text or "").strip()
            if value.startswith("="):
                value = value[1:]
            out.append(DefinedName(name, value, scope, _xml.parse_bool(el.get("hidden"))))
        return out

    def _tables(self, sheet_name: str, part: str, filters: list[str]) -> list[TableDef]:
        """The sheet's tables; the ranges of their AutoFilters with an active filter are added
        to ``filters``."""
        out = []
        for kind, target, external in _xml.read_rels(self.zf, self.names, part).values():
            if kind != "table" or external:
                continue
            if target not in self.names:
                self.warnings.append(f"sheet {sheet_name!r}: table part {target} is missing")
                continue
            root = _xml.parse_member(self.zf, target, f"table {target}")
            name, ref, columns, headers, totals = _xml.read_table(root, self.ns)
            af = root.find(f"{{{self.ns}}}autoFilter")
            if af is not None and af.find(f"{{{self.ns}}}filterColumn") is not None:
                filters.append(af.get("ref") or "")
            out.append(TableDef(name, sheet_name, ref, columns, headers, totals))
        return out

    def _external_links(
        self, root: etree._Element, rels: dict[str, tuple[str, str, bool]]
    ) -> list[str]:
        """Targets of external workbooks in ``<externalReferences>`` order ([1] is first)."""
        out: list[str] = []
        container = root.find(f"{{{self.ns}}}externalReferences")
        for el in (
            container.iter(f"{{{self.ns}}}externalReference") if container is not None else ()
        ):
            _, part, _ = rels.get(el.get(self.rel_id) or "", ("", "", False))
            target = ""
            if part in self.names:
                link_rels = _xml.read_rels(self.zf, self.names, part)
                link = _xml.parse_member(self.zf, part, f"external link {part}")
                book = link.find(f"{{{self.ns}}}externalBook")
                rid = book.get(self.rel_id) if book is not None else None
                if rid in link_rels:
                    target = link_rels[rid][1]
                elif link_rels:
                    target = next(iter(link_rels.values()))[1]
            out.append(target)
        return out

    def _app_properties(self) -> tuple[str | None, str | None, str | None]:
        part = None
        for kind, target, _ in _xml.read_rels(self.zf, self.names, "").values():
            if kind == "extended-properties" and target in self.names:
                part = target
        if part is None and "docProps/app.xml" in self.names:
            part = "docProps/app.xml"
        if part is None:
            return None, None, None
        return _xml.read_app_properties(_xml.parse_member(self.zf, part, "docProps/app.xml"))

    def _read_sheet(self, sheet: SheetData, part: str, ctx: _SheetContext) -> list[str]:
        """Read the sheet's cells into ``sheet``; return the ranges of its active AutoFilter.

        The scanner of :mod:`xlimport._fastsheet` reads the sheets in the form it handles (it
        gives exactly what the lxml pass gives); any other sheet, or any trouble, is read with
        lxml from the start. ``XLIMPORT_SHEET_READER=lxml`` turns the scanner off."""
        if os.environ.get(SHEET_READER_ENV, "").strip().lower() != "lxml":
            filters = self._read_sheet_fast(sheet, part, ctx)
            if filters is not None:
                return filters
        try:
            with self.zf.open(part) as raw:
                stream = _xml.CountingStream(raw, f"sheet {sheet.name!r}")
                filters = _read_cells(stream, sheet, ctx)
                ctx.meter.done += self.sizes[part]
                return filters
        except etree.XMLSyntaxError as exc:
            raise CorruptWorkbookError(
                f"sheet {sheet.name!r}: malformed XML in {part} ({exc})", detail=str(exc)
            ) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise CorruptWorkbookError(
                f"sheet {sheet.name!r}: corrupt data in {part} ({exc})", detail=str(exc)
            ) from exc

    def _blocks(self, part: str, size: int = 1 << 22) -> Iterator[bytes]:
        """The member's bytes in blocks of ``size`` (a sheet read again without holding it)."""
        try:
            with self.zf.open(part) as raw:
                while block := raw.read(size):
                    yield block
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise CorruptWorkbookError(f"corrupt zip member {part}: {exc}") from exc

    def _read_sheet_fast(self, sheet: SheetData, part: str, ctx: _SheetContext) -> list[str] | None:
        """The scanner's pass, or None (nothing read) when the sheet must go through lxml."""
        try:
            with self.zf.open(part) as raw:
                stream = _xml.CountingStream(raw, f"sheet {sheet.name!r}")
                filters = _fastsheet.read_cells(stream, sheet, ctx)
        except _fastsheet.CallbackError as exc:
            raise exc.original from None
        except Exception as exc:  # Fallback, and whatever else: lxml says what it is
            log.debug("sheet %r: read with lxml (%s)", sheet.name, exc)
            return None
        ctx.meter.done += self.sizes[part]
        return filters


def _first_target(
    rels: dict[str, tuple[str, str, bool]], kind: str, fallback: str, names: set[str]
) -> str | None:
    for rel_kind, target, external in rels.values():
        if rel_kind == kind and not external and target in names:
            return target
    return fallback if fallback in names else None


# ---- cells: the hot loop ---------------------------------------------------------------------
_CHECK_EVERY = 4096  # cells between progress reports / limit checks
_DIGITS = "0123456789"
_ERROR_CODES = {
    code: code
    for code in (
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
        "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
    )
}  # fmt: skip


class _SheetContext:
    """What every sheet's pass needs from the workbook, and what it reports back."""

    def __init__(
        self,
        sst: list[str],
        formats: list[tuple[str | None, bool]],
        date1904: bool,
        limits: ReaderLimits,
        meter: _ProgressMeter,
        ns: str,
    ) -> None:
        self.sst = sst
        self.formats = formats
        self.date1904 = date1904
        self.limits = limits
        self.meter = meter
        self.ns = ns
        self.cells_total = 0
        self.warnings: list[str] = []

    def style_format(self, s: str | None) -> tuple[str | None, bool]:
        try:
            return self.formats[int(s or 0)]
        except (ValueError, IndexError):
            return (None, False)  # unknown style index: General, as Excel does


def _column_index(letters: str) -> int:
    col = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"bad column {letters!r}")
        col = col * 26 + ord(ch) - 64
    if not 0 < col <= MAX_COLS:
        raise ValueError(f"column {letters!r} out of range")
    return col


def _read_cells(stream: _xml.CountingStream, sheet: SheetData, ctx: _SheetContext) -> list[str]:
    """One pass over a worksheet's XML, appending every non-empty cell to ``sheet`` and its
    hidden rows to ``sheet.hidden_rows``; returns the range of the sheet's AutoFilter when a
    filter is applied (one or none)."""
    ns = ctx.ns
    c_tag, row_tag = f"{{{ns}}}c", f"{{{ns}}}row"
    af_tag, fc_tag = f"{{{ns}}}autoFilter", f"{{{ns}}}filterColumn"
    hidden_append = sheet.hidden_rows.append
    filters: list[str] = []
    v_tag, f_tag, is_tag = f"{{{ns}}}v", f"{{{ns}}}f", f"{{{ns}}}is"
    sst, date1904, meter = ctx.sst, ctx.date1904, ctx.meter
    max_formula = ctx.limits.max_formula_length
    max_depth = ctx.limits.max_formula_depth
    depth_from = 2 * max_depth  # a formula this short cannot be nested too deep
    max_cells = ctx.limits.max_cells - ctx.cells_total
    rows_append, cols_append = sheet.rows.append, sheet.cols.append
    types_append, values_append = sheet.types.append, sheet.values.append
    formulas_append, formats_append = sheet.formulas.append, sheet.formats.append
    col_cache: dict[str, int] = {}
    fmt_cache: dict[str | None, tuple[str | None, bool]] = {}
    shared: dict[str | None, SharedFormula] = {}
    pending: list[tuple[int, str | None, int, int]] = []  # shared members seen before the anchor
    errors_get = _ERROR_CODES.get
    count = empty_formulas = bad_dates = 0
    next_check = _CHECK_EVERY
    row_base = prev_col = 0
    first = True
    r: str | None = None
    context = etree.iterparse(
        stream, events=("end",), tag=(c_tag, row_tag, af_tag), **_xml.PARSER_OPTIONS
    )
    try:
        for _, el in context:
            if first:
                first = False
                _sheet_header(el.getroottree().getroot(), sheet, ns)
            if el.tag == row_tag:
                rr = el.get("r")
                row_base = int(rr) if rr else row_base + 1
                if _xml.parse_bool(el.get("hidden")):
                    hidden_append(row_base)
                prev_col = 0
                el.clear()
                parent = el.getparent()
                while el.getprevious() is not None:
                    del parent[0]
                continue
            if el.tag == af_tag:
                # the sheet's own AutoFilter (a custom view's saved one is not applied)
                parent = el.getparent()
                if (
                    parent is not None
                    and parent.getparent() is None
                    and el.find(fc_tag) is not None
                ):
                    filters.append(el.get("ref") or "")
                continue
            r = el.get("r")
            if r is not None:
                letters = r.rstrip(_DIGITS)
                col = col_cache.get(letters)
                if col is None:
                    col = col_cache[letters] = _column_index(letters)
                row = int(r[len(letters) :])
                if not 0 < row <= MAX_ROWS:
                    raise ValueError(f"row {row} out of range")
            else:
                pr = el.getparent().get("r")
                row = int(pr) if pr else row_base + 1
                col = prev_col + 1
            prev_col = col

            v = f_el = is_el = None
            for ch in el:
                tag = ch.tag
                if tag == v_tag:
                    v = ch.text or ""
                elif tag == f_tag:
                    f_el = ch
                elif tag == is_tag:
                    is_el = ch
            if v is None and f_el is None and is_el is None:
                el.clear()  # a styled but empty cell
                continue

            formula = None
            if f_el is not None:
                ftext = f_el.text
                ftype = f_el.get("t")
                if ftext and ftext[0] == "=":
                    ftext = ftext[1:]
                if ftext and len(ftext) > max_formula and _visible_length(ftext) > max_formula:
                    raise WorkbookLimitError(
                        f"sheet {sheet.name!r}, cell {r or (row, col)}: formula of {len(ftext):,} "
                        f"characters, over the limit max_formula_length={max_formula:,}"
                    )
                if ftext and len(ftext) > depth_from and _nesting_depth(ftext) > max_depth:
                    raise WorkbookLimitError(
                        f"sheet {sheet.name!r}, cell {r or (row, col)}: formula nested "
                        f"{_nesting_depth(ftext):,} levels deep, over the limit "
                        f"max_formula_depth={max_depth:,}"
                    )
                formula = _formula_of(
                    ftype,
                    ftext,
                    f_el.get("ref"),
                    f_el.get("si"),
                    row,
                    col,
                    count,
                    sheet.array_ranges,
                    sheet.data_tables,
                    shared,
                    pending,
                )
                if formula is _EMPTY:
                    formula = None
                    empty_formulas += 1

            t = el.get("t")
            if t is None or t == "n":
                if v:
                    value = float(v)
                    typ = "n"
                else:
                    value = None
                    typ = ""
            elif t == "s":
                if v:
                    value = sst[int(v)]
                    typ = "s"
                else:
                    value = None
                    typ = ""
            else:
                typ, value = _typed_value(t, v, is_el, ns, date1904, errors_get)
                if typ == "s" and t == "d":
                    bad_dates += 1

            s = el.get("s")
            fi = fmt_cache.get(s)
            if fi is None:
                fi = fmt_cache[s] = ctx.style_format(s)
            if fi[1] and typ == "n":
                typ = "d"

            rows_append(row)
            cols_append(col)
            types_append(typ)
            values_append(value)
            formulas_append(formula)
            formats_append(fi[0])
            count += 1
            el.clear()
            if count >= next_check:
                next_check += _CHECK_EVERY
                if count > max_cells:
                    raise _cells_limit(ctx.limits)
                meter.report(stream.count, f"sheet {sheet.name}: {count:,} cells read")
    except (ValueError, IndexError, TypeError) as exc:
        where = f"cell {r}" if r else "a cell"
        raise CorruptWorkbookError(
            f"sheet {sheet.name!r}, {where}: unreadable cell data ({exc})", detail=str(exc)
        ) from exc

    if first:
        root = context.root
        if root is not None:
            _sheet_header(root, sheet, ns)
    if count > max_cells:
        raise _cells_limit(ctx.limits)
    ctx.cells_total += count
    if pending:
        _resolve_pending(sheet, shared, pending, ctx)
    if sheet.rows:
        sheet.max_row = max(sheet.rows)
        sheet.max_col = max(sheet.cols)
    if empty_formulas:
        ctx.warnings.append(
            f"sheet {sheet.name!r}: {empty_formulas:,} cells with an empty formula element "
            "kept as constants (their cached values)"
        )
    if sheet.data_tables:
        ctx.warnings.append(
            f"sheet {sheet.name!r}: {len(sheet.data_tables)} data tables (what-if TABLE) kept as "
            "constants with their cached values"
        )
    if bad_dates:
        ctx.warnings.append(
            f'sheet {sheet.name!r}: {bad_dates:,} date cells (t="d") with unreadable dates '
            "kept as text"
        )
    meter.report(stream.count, f"sheet {sheet.name}: {count:,} cells read")
    return filters


def _apply_rich_errors(sheet: SheetData, blocks: Iterator[bytes], codes: dict[int, str]) -> None:
    """Error cells whose value metadata holds the real error get it as their cached value."""
    found = [
        (ref, codes[vm])
        for ref, t, vm in _richerrors.cells_with_value_metadata(blocks)
        if t == "e" and vm in codes
    ]
    if not found:
        return
    index = {(r, c): i for i, (r, c) in enumerate(zip(sheet.rows, sheet.cols, strict=True))}
    for ref, code in found:
        letters = ref.rstrip(_DIGITS)
        try:
            i = index.get((int(ref[len(letters) :]), _column_index(letters)))
        except ValueError:
            continue
        if i is not None and sheet.types[i] == "e":
            sheet.values[i] = code


def _file_app(root: etree._Element, ns: str) -> str | None:
    """The ``appName`` of the workbook's ``<fileVersion>`` ("xl" for Excel), if any."""
    fv = root.find(f"{{{ns}}}fileVersion")
    return None if fv is None else fv.get("appName")


# A formula element without text where a formula is expected (counted, not stored).
_EMPTY = object()


def _formula_of(
    ftype: str | None,
    ftext: str | None,
    ref: str | None,
    si: str | None,
    row: int,
    col: int,
    count: int,
    arrays: dict[tuple[int, int], str],
    tables: dict[tuple[int, int], str],
    shared: dict[str | None, SharedFormula],
    pending: list[tuple[int, str | None, int, int]],
) -> str | None | object:
    """The formula of a cell from its ``<f>`` (type, text, ref, si), as both sheet passes read
    it: shared formulas expanded (a member seen before its anchor is put in ``pending``), array
    ranges and data tables recorded in ``arrays`` and ``tables``; :data:`_EMPTY` for a formula
    without text."""
    if ftype is None or ftype == "normal":
        return ftext or _EMPTY
    if ftype == "shared":
        if ftext:
            if ref is not None or si not in shared:
                shared[si] = SharedFormula(ftext, row, col)
            return ftext
        sf = shared.get(si)
        if sf is not None:
            return sf.at(row, col)
        pending.append((count, si, row, col))
        return None
    if ftype == "array":
        if not ftext:
            return _EMPTY
        arrays[(row, col)] = ref or _address(row, col)
        return ftext
    if ftype == "dataTable":
        tables[(row, col)] = ref or _address(row, col)
        return None
    return ftext or None


def _typed_value(
    t: str,
    v: str | None,
    is_el: Any,
    ns: str,
    date1904: bool,
    errors_get: Callable[[str, str], str],
) -> tuple[str, Any]:
    """(type code, value) of a cell of type ``t`` other than a number or a shared string, with
    ``v`` the text of its ``<v>`` (None without one) and ``is_el`` its ``<is>`` element; a date
    that does not parse stays text (type "s" for ``t`` "d")."""
    if t == "str":
        if v is None:
            return "", None
        # A formula's cached text escapes control characters as _xHHHH_ too.
        return "s", _xml.unescape_ooxml(v)
    if t == "b":
        return ("b", v == "1" or v.lower() == "true") if v else ("", None)
    if t == "e":
        return ("e", errors_get(v, v)) if v else ("", None)
    if t == "inlineStr":
        return "s", _xml.rich_text(is_el, ns) if is_el is not None else (v or "")
    if t == "d":
        if not v:
            return "", None
        try:
            return "d", _xml.iso_to_serial(v, date1904)
        except ValueError:
            return "s", v
    return ("s" if v is not None else ""), v


def _mark_filtered(sheet: SheetData, filters: list[str]) -> None:
    """Hidden rows below the header row of an AutoFilter with an active filter are the rows the
    filter hides: SUBTOTAL and AGGREGATE skip them whatever the function number."""
    if not sheet.hidden_rows or not filters:
        return
    spans = []
    for ref in filters:
        m = re.fullmatch(r"\$?[A-Za-z]{1,3}\$?(\d+)(?::\$?[A-Za-z]{1,3}\$?(\d+))?", ref.strip())
        if m:
            r1 = int(m.group(1))
            spans.append((r1, int(m.group(2) or r1)))
    sheet.filtered_rows = [r for r in sheet.hidden_rows if any(a < r <= b for a, b in spans)]


def _visible_length(formula: str) -> int:
    """Length of a formula as Excel counts it: without the file format's function prefixes."""
    return len(formula) - 6 * (formula.count("_xlfn.") + formula.count("_xlws."))


def _nesting_depth(formula: str) -> int:
    """The deepest parenthesis nesting of a formula, outside string literals and quoted names."""
    depth = deepest = 0
    quote = ""
    for ch in formula:
        if quote:
            if ch == quote:
                quote = ""  # a doubled quote closes and reopens: same result
        elif ch == '"' or ch == "'":
            quote = ch
        elif ch == "(":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch == ")":
            depth -= 1
    return deepest


def _sheet_header(root: etree._Element, sheet: SheetData, ns: str) -> None:
    """Checks done once per sheet, as soon as the parser has the root: no DTD; dimension."""
    _xml.reject_dtd(root, f"sheet {sheet.name!r}")
    dim = root.find(f"{{{ns}}}dimension")
    if dim is not None:
        sheet.dimension = dim.get("ref")


def _resolve_pending(
    sheet: SheetData,
    shared: dict[str | None, SharedFormula],
    pending: list[tuple[int, str | None, int, int]],
    ctx: _SheetContext,
) -> None:
    missing = 0
    for index, si, row, col in pending:
        sf = shared.get(si)
        if sf is None:
            missing += 1
        else:
            sheet.formulas[index] = sf.at(row, col)
    if missing:
        ctx.warnings.append(
            f"sheet {sheet.name!r}: {missing:,} shared-formula cells whose group has no "
            "formula text kept as constants"
        )


def _cells_limit(limits: ReaderLimits) -> WorkbookLimitError:
    return WorkbookLimitError(
        f"the workbook has more than {limits.max_cells:,} cells, over the limit max_cells"
    )


# ---- shared formulas -------------------------------------------------------------------------
_LETTERS: dict[int, str] = {}


def _column_letters(col: int) -> str:
    letters = _LETTERS.get(col)
    if letters is None:
        out = ""
        n = col
        while n:
            n, rem = divmod(n - 1, 26)
            out = chr(65 + rem) + out
        letters = _LETTERS[col] = out
    return letters


def _address(row: int, col: int) -> str:
    return f"{_column_letters(col)}{row}"


_BOUNDARY = r"(?<![\w.$\\?])"
_END = r"(?![\w.(!\[\\?])"
_TOKEN_RE = re.compile(
    r"""
    (?P<lit>
        "(?:[^"]|"")*"                                  # string literal
      | '(?:[^']|'')*'                                  # quoted sheet name
      | \[(?:[^\[\]']|'.|\[(?:[^\[\]']|'.)*\])*\]       # [1] external index, structured ref
      | \#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!)
    )
  | """
    + _BOUNDARY
    + r"""(?P<cells>(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})(?::(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7}))?)"""
    + _END
    + r"""
  | """
    + _BOUNDARY
    + r"""(?P<cols>(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3}))"""
    + _END
    + r"""
  | """
    + _BOUNDARY
    + r"""(?P<rows>(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7}))"""
    + _END
    + r"""
  | (?P<word>(?:[^\W\d]|\\)[\w.\\?]*)                   # names, functions, sheet names
    """,
    re.VERBOSE,
)

# Template parts: a str is copied as is; a tuple is a reference that moves.
_CELL, _AREA, _COLS, _ROWS = 1, 2, 3, 4


def _tokenize(formula: str) -> list[Any]:
    """Split a formula into literal text and the references that move when it is copied."""
    parts: list[Any] = []
    pos = 0
    for m in _TOKEN_RE.finditer(formula):
        kind = m.lastgroup
        if kind == "lit" or kind == "word":
            continue
        g = m.groups()
        ref: tuple | None = None
        try:
            if kind == "cells":
                c1, r1 = _column_index(g[3]), int(g[5])
                if g[7] is None:
                    if 0 < r1 <= MAX_ROWS and (g[2] == "" or g[4] == ""):
                        ref = (_CELL, g[2], c1, g[4], r1)
                else:
                    c2, r2 = _column_index(g[7]), int(g[9])
                    in_sheet = 0 < r1 <= MAX_ROWS and 0 < r2 <= MAX_ROWS
                    if in_sheet and "" in (g[2], g[4], g[6], g[8]):
                        ref = (_AREA, g[2], c1, g[4], r1, g[6], c2, g[8], r2)
            elif kind == "cols":
                c1, c2 = _column_index(g[12]), _column_index(g[14])
                if g[11] == "" or g[13] == "":
                    ref = (_COLS, g[11], c1, g[13], c2)
            elif kind == "rows":
                r1, r2 = int(g[17]), int(g[19])
                if 0 < r1 <= MAX_ROWS and 0 < r2 <= MAX_ROWS and (g[16] == "" or g[18] == ""):
                    ref = (_ROWS, g[16], r1, g[18], r2)
        except ValueError:
            ref = None  # a column beyond XFD: a name, not a reference
        if ref is None:
            continue
        parts.append(formula[pos : m.start()])
        parts.append(ref)
        pos = m.end()
    parts.append(formula[pos:])
    return [p for p in parts if p != ""]


def _render(parts: list[Any], dr: int, dc: int) -> str:
    out = []
    append = out.append
    letters = _column_letters
    for p in parts:
        if p.__class__ is str:
            append(p)
            continue
        kind = p[0]
        if kind == _CELL:
            c = p[2] if p[1] else p[2] + dc
            r = p[4] if p[3] else p[4] + dr
            if 0 < c <= MAX_COLS and 0 < r <= MAX_ROWS:
                append(f"{p[1]}{letters(c)}{p[3]}{r}")
            else:
                append("#REF!")
        elif kind == _AREA:
            c1 = p[2] if p[1] else p[2] + dc
            r1 = p[4] if p[3] else p[4] + dr
            c2 = p[6] if p[5] else p[6] + dc
            r2 = p[8] if p[7] else p[8] + dr
            if (
                0 < c1 <= MAX_COLS
                and 0 < r1 <= MAX_ROWS
                and 0 < c2 <= MAX_COLS
                and 0 < r2 <= MAX_ROWS
            ):
                append(f"{p[1]}{letters(c1)}{p[3]}{r1}:{p[5]}{letters(c2)}{p[7]}{r2}")
            else:
                append("#REF!")
        elif kind == _COLS:
            c1 = p[2] if p[1] else p[2] + dc
            c2 = p[4] if p[3] else p[4] + dc
            if 0 < c1 <= MAX_COLS and 0 < c2 <= MAX_COLS:
                append(f"{p[1]}{letters(c1)}:{p[3]}{letters(c2)}")
            else:
                append("#REF!")
        else:
            r1 = p[2] if p[1] else p[2] + dr
            r2 = p[4] if p[3] else p[4] + dr
            if 0 < r1 <= MAX_ROWS and 0 < r2 <= MAX_ROWS:
                append(f"{p[1]}{r1}:{p[3]}{r2}")
            else:
                append("#REF!")
    return "".join(out)


class SharedFormula:
    """One shared-formula group (``<f t="shared" si="n">``): the anchor's text, tokenized once,
    rendered for each member cell by its offset from the anchor."""

    __slots__ = ("text", "row", "col", "_parts")

    def __init__(self, text: str, row: int, col: int) -> None:
        self.text = text
        self.row = row
        self.col = col
        self._parts: list[Any] | None = None

    def at(self, row: int, col: int) -> str:
        """The formula text of the member cell at (row, col)."""
        if row == self.row and col == self.col:
            return self.text
        parts = self._parts
        if parts is None:
            parts = self._parts = _tokenize(self.text)
        if len(parts) == 1 and parts[0].__class__ is str:
            return parts[0]
        return _render(parts, row - self.row, col - self.col)


def translate_formula(formula: str, row_delta: int, col_delta: int) -> str:
    """``formula`` (without "=") copied ``row_delta`` rows down and ``col_delta`` columns
    right, as Excel does: relative references move, ``$`` parts stay, references that fall
    off the sheet become ``#REF!``; strings, names and functions are untouched."""
    if row_delta == 0 and col_delta == 0:
        return formula
    return _render(_tokenize(formula), row_delta, col_delta)


from . import _fastsheet, _richerrors  # noqa: E402  (they use the helpers above)
