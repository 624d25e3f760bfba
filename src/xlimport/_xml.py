"""Hardened XML helpers for the workbook reader, and the small parts a workbook is made of
(relationships, shared strings, number formats, document properties).

Every XML document inside a workbook is untrusted input: parsers never resolve entities, never
touch the network, keep libxml2's size limits (no ``huge_tree``), and any document with a DTD is
rejected, so entity bombs and external entities (XXE) go nowhere.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from lxml import etree

from .errors import CorruptWorkbookError

log = logging.getLogger(__name__)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
STRICT_APP_NS = "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"

PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

# Excel's built-in number formats by id (ECMA-376 Part 1, 18.8.30), as openpyxl lists them:
# a format id a workbook uses without declaring it means one of these.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)",
    38: "#,##0_);[Red](#,##0)",
    39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}


def new_parser() -> etree.XMLParser:
    return etree.XMLParser(**PARSER_OPTIONS)


_PROLOG_BYTES = 64 * 1024


def reject_dtd_bytes(head: bytes, what: str) -> None:
    """Refuse a DTD seen in the first bytes of a document, before the parser sees it."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore").encode("utf-8")
    else:
        text = head
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
        raise _dtd_error(what)


def _dtd_error(what: str) -> CorruptWorkbookError:
    return CorruptWorkbookError(
        f"{what} declares a DTD (<!DOCTYPE ...>), which workbooks never contain; refusing it "
        "as a possible entity bomb or external-entity attack"
    )


def reject_dtd(element: etree._Element, what: str) -> None:
    """Raise if the document holding ``element`` declares a DTD (entity bombs, XXE)."""
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _dtd_error(what)


def read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """The bytes of one zip member; corrupt data raises :class:`CorruptWorkbookError`."""
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise CorruptWorkbookError(f"corrupt zip member {name}: {exc}") from exc
    except RuntimeError as exc:  # encrypted zip entry
        raise CorruptWorkbookError(f"cannot read zip member {name}: {exc}") from exc


def parse_member(zf: zipfile.ZipFile, name: str, what: str | None = None) -> etree._Element:
    """Parse one (small) zip member into an element tree, hardened."""
    data = read_member(zf, name)
    what = what or name
    reject_dtd_bytes(data[:_PROLOG_BYTES], what)
    try:
        root = etree.fromstring(data, new_parser())
    except etree.XMLSyntaxError as exc:
        raise CorruptWorkbookError(f"malformed XML in {what}: {exc}") from exc
    if root is None:
        raise CorruptWorkbookError(f"empty XML document in {what}")
    reject_dtd(root, what)
    return root


def iter_end(source: IO[bytes], tag: str | tuple[str, ...]) -> Iterator[etree._Element]:
    """Hardened streaming parse: yield each ``tag`` element at its end (caller clears it)."""
    for _, element in etree.iterparse(source, events=("end",), tag=tag, **PARSER_OPTIONS):
        yield element


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def parse_bool(text: str | None, default: bool = False) -> bool:
    """XML schema booleans: "1"/"true" and "0"/"false"."""
    if text is None:
        return default
    return text.strip().lower() in ("1", "true")


# ---- relationships ---------------------------------------------------------------------------
def rels_path(part: str) -> str:
    """``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels``."""
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def resolve_target(source_part: str, target: str) -> str:
    """Resolve a relationship target (relative to the source part's folder, or absolute)."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    folder = source_part.rpartition("/")[0]
    return posixpath.normpath(posixpath.join(folder, target))


def read_rels(zf: zipfile.ZipFile, names: set[str], part: str) -> dict[str, tuple[str, str, bool]]:
    """Relationships of ``part``: Id -> (type suffix, resolved target, external)."""
    path = rels_path(part)
    if path not in names:
        return {}
    root = parse_member(zf, path)
    out: dict[str, tuple[str, str, bool]] = {}
    for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
        rid = rel.get("Id")
        target = rel.get("Target") or ""
        kind = (rel.get("Type") or "").rpartition("/")[2]
        external = (rel.get("TargetMode") or "").lower() == "external"
        if rid:
            out[rid] = (kind, target if external else resolve_target(part, target), external)
    return out


# ---- strings ---------------------------------------------------------------------------------
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Excel writes control characters as ``_xHHHH_`` (and a literal ``_x`` as ``_x005F_x``)."""
    if "_x" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def rich_text(element: etree._Element, ns: str) -> str:
    """Text of an ``<si>`` or ``<is>``: its ``<t>``, or its runs' ``<t>`` joined; phonetic
    guides (``<rPh>``) left out."""
    t_tag = f"{{{ns}}}t"
    r_tag = f"{{{ns}}}r"
    parts: list[str] = []
    for child in element:
        if child.tag == t_tag:
            parts.append(child.text or "")
        elif child.tag == r_tag:
            for sub in child:
                if sub.tag == t_tag:
                    parts.append(sub.text or "")
    return unescape_ooxml("".join(parts))


class CountingStream:
    """A read-only stream that counts the (inflated) bytes handed to the parser, and refuses
    a DTD in the document's first bytes (see :func:`reject_dtd_bytes`)."""

    __slots__ = ("raw", "count", "what")

    def __init__(self, raw: IO[bytes], what: str) -> None:
        self.raw = raw
        self.count = 0
        self.what = what

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.count < _PROLOG_BYTES and data:
            reject_dtd_bytes(data[:_PROLOG_BYTES], self.what)
        self.count += len(data)
        return data


def read_shared_strings(
    zf: zipfile.ZipFile, name: str, ns: str, progress: Callable[[int], None] | None = None
) -> list[str]:
    """The shared-string table, streamed (it can be large); ``progress(bytes_read)`` is
    called every few thousand strings."""
    item_tags = (f"{{{ns}}}si", f"{{{ns}}}sstItem")  # sstItem: Excel 2007 beta files
    out: list[str] = []
    try:
        with zf.open(name) as raw:
            fh = CountingStream(raw, "the shared strings")
            checked = False
            for si in iter_end(fh, item_tags):
                if not checked:
                    reject_dtd(si, "the shared strings")
                    checked = True
                out.append(rich_text(si, ns))
                if progress is not None and not len(out) % 4096:
                    progress(fh.count)
                si.clear()
                while si.getprevious() is not None:
                    del si.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise CorruptWorkbookError(f"malformed XML in the shared strings ({name}): {exc}") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise CorruptWorkbookError(f"corrupt zip member {name}: {exc}") from exc
    return out


# ---- number formats --------------------------------------------------------------------------
DATE_FORMAT_IDS = frozenset(range(14, 23)) | frozenset((45, 46, 47))
# Quoted text, escaped characters, padding/fill characters and bracketed parts other than the
# elapsed-time codes [h] [hh] [m] [mm] [s] [ss].
_FORMAT_NOISE_RE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?!(?:hh?|mm?|ss?)\])[^\]]*\]', re.IGNORECASE)
_DATE_CHARS_RE = re.compile(r"[dmyhs]", re.IGNORECASE)


def is_date_format(code: str | None) -> bool:
    """True for a number format that shows a date or a time."""
    if not code or code.lower() == "general":
        return False
    return _DATE_CHARS_RE.search(_FORMAT_NOISE_RE.sub("", code)) is not None


def read_cell_formats(zf: zipfile.ZipFile, name: str, ns: str) -> list[tuple[str | None, bool]]:
    """Per cell style index (``<c s="..">``): (number format code or None for General,
    whether it is a date/time format)."""
    root = parse_member(zf, name, "the styles")
    custom: dict[int, str] = {}
    numfmts = root.find(f"{{{ns}}}numFmts")
    if numfmts is not None:
        for nf in numfmts.iter(f"{{{ns}}}numFmt"):
            try:
                custom[int(nf.get("numFmtId", ""))] = nf.get("formatCode") or ""
            except ValueError:
                continue
    out: list[tuple[str | None, bool]] = []
    xfs = root.find(f"{{{ns}}}cellXfs")
    if xfs is None:
        return out
    for xf in xfs.iter(f"{{{ns}}}xf"):
        try:
            fmt_id = int(xf.get("numFmtId") or 0)
        except ValueError:
            fmt_id = 0
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
        if not code or code.lower() == "general":
            out.append((None, False))  # General, or an id without a known code
        else:
            is_date = is_date_format(code) if fmt_id in custom else fmt_id in DATE_FORMAT_IDS
            out.append((code, is_date))
    return out


# ---- dates -----------------------------------------------------------------------------------
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def datetime_to_serial(value: datetime, date1904: bool) -> float:
    """Excel serial number of a date-time (1900 system keeps Excel's phantom 1900-02-29)."""
    delta = value - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400.0
    if not date1904 and serial < 61:
        serial -= 1  # before 1900-03-01 Excel counts from 1900-01-01 = 1
    return serial


def iso_to_serial(text: str, date1904: bool) -> float:
    """``<c t="d"><v>2024-01-31T12:00:00</v>`` -> serial number; ValueError if unreadable."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1]
    if "T" not in text and ":" in text:  # a time of day only
        t = time.fromisoformat(text)
        return (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400.0
    if "T" in text or " " in text:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is not None:
            parsed = parsed.replace(tzinfo=None)
    else:
        parsed = datetime.combine(date.fromisoformat(text), time())
    return datetime_to_serial(parsed, date1904)


def serial_to_datetime(serial: float, date1904: bool = False) -> datetime:
    """Inverse of :func:`datetime_to_serial` (for tests and display)."""
    if date1904:
        return _EPOCH_1904 + timedelta(days=serial)
    if serial < 61:
        serial += 1
    return _EPOCH_1900 + timedelta(days=serial)


# ---- workbook-level parts ----------------------------------------------------------------------
def read_app_properties(root: etree._Element) -> tuple[str | None, str | None, str | None]:
    """(Application, AppVersion, the first HeadingPairs label) from ``docProps/app.xml``.
    Excel writes that label, the name of the worksheets' group ("Worksheets"), in its own
    display language ("Arbeitsblätter", "Feuilles de calcul", ...)."""
    application = version = heading = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        name = local_name(child.tag)
        if name == "Application":
            application = (child.text or "").strip() or None
        elif name == "AppVersion":
            version = (child.text or "").strip() or None
        elif name == "HeadingPairs":
            for el in child.iter():
                if isinstance(el.tag, str) and local_name(el.tag) == "lpstr":
                    heading = (el.text or "").strip() or None
                    break
    return application, version, heading


def read_table(root: etree._Element, ns: str) -> tuple[str, str, list[str], int, int]:
    """(display name, ref, column names, header rows, totals rows) of ``xl/tables/tableN.xml``."""
    name = root.get("displayName") or root.get("name") or ""
    columns = [unescape_ooxml(col.get("name") or "") for col in root.iter(f"{{{ns}}}tableColumn")]
    header_rows = _int_attr(root.get("headerRowCount"), 1)
    totals_rows = _int_attr(root.get("totalsRowCount"), 0)
    return name, root.get("ref") or "", columns, header_rows, totals_rows


def _int_attr(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
