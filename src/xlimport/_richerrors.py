"""Error values Excel stores as rich values (Excel 365).

Errors newer than the file format (``#SPILL!``, ``#CALC!``, ``#FIELD!``, ...) are written as
``<c t="e" vm="N"><v>#VALUE!</v></c>``: ``#VALUE!`` for older readers, the real error in the
workbook's value metadata. ``vm`` is a 1-based index into ``xl/metadata.xml``'s
``valueMetadata``, whose record points (through ``futureMetadata name="XLRICHVALUE"``) at a rich
value of ``xl/richData/rdrichvalue.xml``; a rich value of the ``_error`` structure
(``xl/richData/rdrichvaluestructure.xml``) carries the ``errorType`` key, Excel's ERROR.TYPE number
less one. Read here so that the cached value is the error Excel shows, not its stand-in.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable

from . import _xml

METADATA = "xl/metadata.xml"
RICH_VALUES = "xl/richData/rdrichvalue.xml"
STRUCTURES = "xl/richData/rdrichvaluestructure.xml"

# errorType -> code (ERROR.TYPE numbers 1..14, less one)
ERROR_TYPES = {
    0: "#NULL!",
    1: "#DIV/0!",
    2: "#VALUE!",
    3: "#REF!",
    4: "#NAME?",
    5: "#NUM!",
    6: "#N/A",
    7: "#GETTING_DATA",
    8: "#SPILL!",
    9: "#CONNECT!",
    10: "#BLOCKED!",
    11: "#UNKNOWN!",
    12: "#FIELD!",
    13: "#CALC!",
}

# A cell with value metadata: its attributes (r, t, vm in any order).
_CELL_WITH_VM = re.compile(rb"<c\s([^>]*?\bvm\s*=\s*[\"']\d+[\"'][^>]*)>")
_ATTR = re.compile(rb"""(\w+)\s*=\s*["']([^"']*)["']""")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def error_codes(zf: zipfile.ZipFile) -> dict[int, str]:
    """``vm`` index -> the error code its rich value stands for; empty when the workbook has
    no error rich values (the common case: nothing else is read)."""
    names = set(zf.namelist())
    if not {METADATA, RICH_VALUES, STRUCTURES} <= names:
        return {}
    structures: list[tuple[str | None, list[str]]] = [
        (s.get("t"), [k.get("n") or "" for k in s if _local(k.tag) == "k"])
        for s in _xml.parse_member(zf, STRUCTURES, "the rich value structures")
        if _local(s.tag) == "s"
    ]
    if not any(t == "_error" for t, _ in structures):
        return {}
    errors: list[str | None] = []  # per rich value: its error code, if it is an error
    for rv in _xml.parse_member(zf, RICH_VALUES, "the rich values"):
        if _local(rv.tag) != "rv":
            continue
        code = None
        try:
            kind, keys = structures[int(rv.get("s") or -1)]
        except (ValueError, IndexError):
            kind, keys = None, []
        if kind == "_error" and "errorType" in keys:
            values = [v.text or "" for v in rv if _local(v.tag) == "v"]
            try:
                code = ERROR_TYPES.get(int(values[keys.index("errorType")]))
            except (ValueError, IndexError):
                code = None
        errors.append(code)
    meta = _xml.parse_member(zf, METADATA, "the value metadata")
    types = [
        t.get("name")
        for c in meta
        if _local(c.tag) == "metadataTypes"
        for t in c
        if _local(t.tag) == "metadataType"
    ]
    rich: list[int | None] = []  # futureMetadata XLRICHVALUE blocks -> rich value index
    for c in meta:
        if _local(c.tag) == "futureMetadata" and c.get("name") == "XLRICHVALUE":
            for bk in c:
                if _local(bk.tag) != "bk":
                    continue
                rvb = next((e for e in bk.iter() if _local(e.tag) == "rvb"), None)
                try:
                    rich.append(int(rvb.get("i")) if rvb is not None else None)
                except (TypeError, ValueError):
                    rich.append(None)
    out: dict[int, str] = {}
    for c in meta:
        if _local(c.tag) != "valueMetadata":
            continue
        for n, bk in enumerate((b for b in c if _local(b.tag) == "bk"), 1):
            rc = next((e for e in bk if _local(e.tag) == "rc"), None)
            if rc is None:
                continue
            try:
                kind = types[int(rc.get("t") or 0) - 1]
                index = rich[int(rc.get("v") or -1)]
                code = errors[index] if kind == "XLRICHVALUE" and index is not None else None
            except (ValueError, IndexError, TypeError):
                code = None
            if code is not None:
                out[n] = code
    return out


def cells_with_value_metadata(
    blocks: Iterable[bytes],
) -> list[tuple[str, str | None, int]]:
    """(reference, type, vm) of every ``<c>`` carrying a ``vm`` attribute in a sheet's XML given
    as consecutive blocks (a start tag cut by a block's end is completed by the next block)."""
    found = []
    carry = b""
    for block in blocks:
        data = carry + block
        cut = data.rfind(b"<")
        if cut >= 0 and data.find(b">", cut) < 0:  # an unfinished tag: scan it with the next
            data, carry = data[:cut], data[cut:]
        else:
            carry = b""
        for m in _CELL_WITH_VM.finditer(data):
            attrs = {k.decode(): v.decode() for k, v in _ATTR.findall(m.group(1))}
            try:
                found.append((attrs.get("r", ""), attrs.get("t"), int(attrs["vm"])))
            except (KeyError, ValueError):
                continue
    return found
