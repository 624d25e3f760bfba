"""The fast path of the worksheet reader: a regular-expression scanner over the sheet's bytes.

:func:`read_cells` produces exactly what ``reader._read_cells`` (the lxml ``iterparse`` pass)
produces, for the sheets in the form it handles, and raises :class:`Fallback` for anything
else, before it has touched the sheet: the caller then reads the sheet again with lxml, which
gives the canonical result or error.

How it stays exact:

- Only the content of ``<sheetData>`` is scanned here. Everything before and after it (the
  prolog, ``<dimension>``, AutoFilters...) goes through an lxml pull parser with the same
  hardened options, so the XML declaration, DTDs, namespaces and the well-formedness of those
  parts are judged by libxml2 itself.
- The scanner accepts only a strict grammar of ``row``/``c``/``f``/``v``/``is`` elements without
  prefixes, in the schema's order, separated by XML whitespace; every byte of ``sheetData``
  must belong to a matched element. Anything else (prefixed elements such as ``x:c``,
  comments, CDATA, ``xmlns`` declarations, ``extLst``, text between elements, nested rows)
  is a fallback.
- Text and attribute values get XML's treatment: line ends normalized, attribute whitespace
  turned into spaces, the five predefined entities and numeric character references
  replaced. Whatever libxml2 would reject (control characters, invalid UTF-8, undefined
  entities, ``]]>``, references to non-characters, duplicate attributes, undeclared
  prefixes) is a fallback, so the lxml path raises its own error.
- Every limit the lxml path enforces (cells, formula length and depth, row and column
  ranges) falls back when it is exceeded: the error is then raised by the lxml path.
- ``<is>`` (inline rich text) is parsed by lxml, inside the same element nesting.
"""

from __future__ import annotations

import gc
import operator
import re
from array import array
from typing import Any

import numpy as np
from lxml import etree

from . import _xml
from .reader import (
    _CHECK_EVERY,
    _DIGITS,
    _EMPTY,
    _ERROR_CODES,
    MAX_ROWS,
    SharedFormula,
    _column_index,
    _formula_of,
    _nesting_depth,
    _resolve_pending,
    _SheetContext,
    _typed_value,
    _visible_length,
)
from .workbook import SheetData

BLOCK = 1 << 20  # bytes read from the member at a time
MAX_PREFIX = 16 << 20  # bytes before <sheetData> the scanner is willing to buffer
MAX_TOKEN = 4 << 20  # one element (a cell, a row tag) larger than this: fallback
_CACHE_MAX = 8192  # parsed attribute strings kept per sheet
_MAX_NAMES = 1000  # distinct attribute names per sheet

XML_NS = "http://www.w3.org/XML/1998/namespace"


class Fallback(Exception):
    """The sheet is not in a form the scanner handles (or breaks a limit): read it with lxml."""


class CallbackError(Exception):
    """An exception that must reach the caller as is: raised by the progress callback, or
    past the point where the sheet has been handed over (the lxml pass would raise it too)."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


# ---- the grammar -----------------------------------------------------------------------------
_WS = rb"[ \t\r\n]*"
_NAME = rb"[A-Za-z_][A-Za-z0-9_.\-]{0,100}(?::[A-Za-z_][A-Za-z0-9_.\-]{0,100})?"
_AVAL = rb"(?:\"[^<\"]*\"|'[^<']*')"
_ATTRS = rb"(?:[ \t\r\n]+" + _NAME + _WS + rb"=" + _WS + _AVAL + rb")*" + _WS

_TOKEN = re.compile(
    _WS
    + rb"(?:<c("  # 1: the cell's attributes
    + rb'(?: r="([A-Z]{1,3})([0-9]{1,7})")?'  # 2, 3: the usual r
    + rb'(?: s="([0-9]{1,9})")?'  # 4: s
    + rb'(?: t="([A-Za-z]{1,9})")?'  # 5: t
    + rb"("
    + _ATTRS  # 6: any other attributes (parsed in full)
    + rb"))(?:/>|>"
    + _WS
    + rb"(?:<f("
    + _ATTRS  # 7
    + rb")(?:/>|>([^<]*)</f"  # 8
    + _WS
    + rb">)"
    + _WS
    + rb")?(?:<v("
    + _ATTRS  # 9
    + rb")(?:/>|>([^<]*)</v"  # 10
    + _WS
    + rb">)"
    + _WS
    + rb")?(?:<is("
    + _ATTRS  # 11
    + rb")(?:/>|>(.*?)</is"  # 12
    + _WS
    + rb">)"
    + _WS
    + rb")?</c"
    + _WS
    + rb">)"
    + rb"|(</row"  # 13
    + _WS
    + rb">)"
    + rb'|<row((?: r="([0-9]{1,7})")?('  # 14, 15
    + _ATTRS  # 16
    + rb"))(/?)>"  # 17
    + rb"|(</sheetData"  # 18
    + _WS
    + rb">))",
    re.DOTALL,
)
_ATTR = re.compile(
    rb"[ \t\r\n]+([A-Za-z_][A-Za-z0-9_.\-]{0,100})(?::([A-Za-z_][A-Za-z0-9_.\-]{0,100}))?"
    + _WS
    + rb"="
    + _WS
    + rb"(?:\"([^<\"]*)\"|'([^<']*)')"
)
_WS_ONLY = re.compile(_WS)
_SHEETDATA_OPEN = re.compile(rb"<sheetData[ \t\r\n]*(/?)>")
_XML_DECL = re.compile(
    rb"<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*([\"'])([^\"']*)\1"
    rb"(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*([\"'])([^\"']*)\3)?"
)

# The lane: whole rows of cells in the form Excel and LibreOffice write them (attributes r, s,
# t in that order, an optional <f> with plain attributes and a <v> without any), read in bulk
# with findall; any other byte (whitespace between elements, other attributes, <is>, a prefix)
# matches the last alternative, and the scanner reads those rows instead.
_LANE = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-z]{1,9})")?'  # 1-4
    rb'(?:/>|>(?:(<f)((?: [A-Za-z][A-Za-z0-9]{0,20}="[^"<&]*")*)(?:/>|>([^<]*)</f>))?'  # 5-7
    rb"(?:(<v>)([^<]*)</v>)?</c>)"  # 8, 9
    rb'|<row r="([0-9]{1,7})"((?: [A-Za-z][A-Za-z0-9]{0,40}(?::[A-Za-z][A-Za-z0-9]{0,40})?'
    rb'="[^"<&]*")*)>'  # 10, 11
    rb"|(</row>)"  # 12
    rb"|([\s\S])"  # 13
)
_LANE_KINDS = frozenset({b"", b"n", b"s"})  # cell types the lane reads without a call
_LANE_MIN = 64 << 10  # bytes of whole rows from which the lane is worth trying
_LANE_TRIES = 3  # segments the lane may give back to the scanner before it stops trying


# Bytes libxml2 refuses anywhere in a document (C0 controls other than tab, LF, CR).
_BAD = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(14, 32))
_KEEP = bytes(sorted(set(range(256)) - set(_BAD)))
_BAD_AMP = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos|#[0-9]{1,10}|#x[0-9a-fA-F]{1,8});)")
_REF = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ATTR_WS = re.compile(r"\r\n|[\r\n\t]")


def _valid_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _ref(m: re.Match) -> str:
    name, dec, hexa = m.groups()
    if name is not None:
        return _ENTITIES[name]
    code = int(dec) if dec is not None else int(hexa, 16)
    if not _valid_char(code):
        raise Fallback(f"character reference to {code:#x}")
    return chr(code)


def _text(s: str) -> str:
    """Character data as the XML parser hands it over: line ends normalized, references
    replaced (the caller calls this only when ``s`` holds ``&`` or ``\\r``)."""
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if "&#" in s:
        s = _REF.sub(_ref, s)
    elif "&" in s:  # only the five predefined entities (checked): "&amp;" last
        s = (
            s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", '"')
            .replace("&apos;", "'")
            .replace("&amp;", "&")
        )
    return s


def _attr_value(raw: bytes) -> str:
    s = raw.decode("utf-8")
    if "\r" in s or "\n" in s or "\t" in s:
        s = _ATTR_WS.sub(" ", s)
    if "&" in s:
        s = _REF.sub(_ref, s)
    return s


def _check_segment(buf: bytes, start: int, end: int) -> None:
    """What libxml2 would reject in ``buf[start:end]``, a run of complete elements."""
    seg = buf[start:end]
    if seg.translate(None, _KEEP):
        raise Fallback("control characters")
    if b"]]>" in seg:
        raise Fallback("']]>' in content")
    if b"&" in seg:
        if _BAD_AMP.search(seg):
            raise Fallback("an undefined entity or a bad reference")
        if b"&#" in seg:
            for m in _REF.finditer(seg.decode("utf-8", "replace")):
                _ref(m)  # raises on a reference to a character XML does not allow
    if not seg.isascii():
        if b"\xef\xbf\xbe" in seg or b"\xef\xbf\xbf" in seg:
            raise Fallback("U+FFFE or U+FFFF")
        seg.decode("utf-8")  # UnicodeDecodeError -> fallback


def _other_value(
    t: str, has_v: bool, vt: bytes | None, is_el: Any, ns: str, date1904: bool, errors_get: Any
) -> tuple[str, Any]:
    """(type code, value) of a cell of type ``t`` other than a number or a shared string, from
    the raw text of its ``<v>`` (``has_v``: it has one)."""
    if not has_v:
        v = None
    elif vt:
        v = vt.decode()
        if "&" in v or "\r" in v:
            v = _text(v)
    else:
        v = ""
    return _typed_value(t, v, is_el, ns, date1904, errors_get)


def _check_formula(ftext: str, max_formula: int, max_depth: int) -> None:
    """Fallback when a formula breaks the reader's length or nesting limit (the lxml pass then
    raises the limit's own error)."""
    if len(ftext) > max_formula and _visible_length(ftext) > max_formula:
        raise Fallback("formula over max_formula_length")
    if len(ftext) > 2 * max_depth and _nesting_depth(ftext) > max_depth:
        raise Fallback("formula over max_formula_depth")


def _decl_ok(head: bytes) -> bool:
    """UTF-8 (with or without BOM), XML 1.0: the only encoding the scanner reads."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith(b"<?xml"):
        m = _XML_DECL.match(head)
        if m is None or m.group(2) != b"1.0":
            return False
        encoding = m.group(4)
        return encoding is None or encoding.lower() in (b"utf-8", b"utf8")
    return head[:1] == b"<"


# ---- the pass --------------------------------------------------------------------------------
def read_cells(stream: _xml.CountingStream, sheet: SheetData, ctx: _SheetContext) -> list[str]:
    """Everything ``reader._read_cells`` reads, or :class:`Fallback` with nothing changed.

    The cells are gathered in local lists and moved into ``sheet`` (and the warnings into
    ``ctx``) only once the whole sheet has been read."""
    # Python's cyclic garbage collector paused: the cells make millions of small objects, none
    # in a cycle, and its passes over the growing heap would cost a fifth of the reading.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(stream, sheet, ctx)
    except (Fallback, CallbackError):
        raise
    except (
        ValueError,  # int(), float(), UnicodeDecodeError, bad columns and rows
        IndexError,
        TypeError,
        KeyError,
        AttributeError,
        etree.XMLSyntaxError,
    ) as exc:
        raise Fallback(f"{exc.__class__.__name__}: {exc}") from exc
    finally:
        if was_enabled:
            gc.enable()


def _read(stream: _xml.CountingStream, sheet: SheetData, ctx: _SheetContext) -> list[str]:
    ns = ctx.ns
    c_tag, row_tag, af_tag = f"{{{ns}}}c", f"{{{ns}}}row", f"{{{ns}}}autoFilter"
    sd_tag, fc_tag, dim_tag = f"{{{ns}}}sheetData", f"{{{ns}}}filterColumn", f"{{{ns}}}dimension"
    read = stream.read

    # -- the prolog, up to <sheetData>, parsed by lxml
    head = read(BLOCK)
    if not _decl_ok(head[:512]):
        raise Fallback("not UTF-8 XML 1.0")
    idx = head.find(b"<sheetData")
    while idx < 0:
        if len(head) > MAX_PREFIX:
            raise Fallback("no <sheetData> near the start")
        more = read(BLOCK)
        if not more:
            raise Fallback("no <sheetData>")
        tail = max(0, len(head) - 10)
        head += more
        idx = head.find(b"<sheetData", tail)
    sd_match = _SHEETDATA_OPEN.match(head, idx)
    if sd_match is None:
        raise Fallback("<sheetData> with attributes")
    parser = etree.XMLPullParser(
        events=("start", "end"), tag=(sd_tag, c_tag, row_tag, af_tag), **_xml.PARSER_OPTIONS
    )
    parser.feed(head[: sd_match.end()])
    sd_el = None
    for event, el in parser.read_events():
        if el.tag != sd_tag or sd_el is not None and event == "start":
            raise Fallback(f"{el.tag} before <sheetData>")
        sd_el = el
    if sd_el is None:
        raise Fallback("<sheetData> not where the scanner found it")
    root = sd_el.getparent()
    if root is None or root.getparent() is not None:
        raise Fallback("<sheetData> not a child of the root")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise Fallback("a DTD")
    nsmap = root.nsmap
    dim = root.find(dim_tag)
    had_dimension = dim is not None
    dimension = dim.get("ref") if dim is not None else None

    # -- what the lxml pass keeps
    sst, date1904, meter = ctx.sst, ctx.date1904, ctx.meter
    max_formula = ctx.limits.max_formula_length
    max_depth = ctx.limits.max_formula_depth
    check_from = min(max_formula, 2 * max_depth)  # a formula longer than this is checked
    max_cells = ctx.limits.max_cells - ctx.cells_total
    rows: array = array("i")
    cols: array = array("i")
    types: list[str] = []
    values: list[Any] = []
    formulas: list[str | None] = []
    formats: list[str | None] = []
    rows_append, cols_append = rows.append, cols.append
    types_append, values_append = types.append, values.append
    formulas_append, formats_append = formulas.append, formats.append
    hidden_rows: list[int] = []
    array_ranges: dict[tuple[int, int], str] = {}
    data_tables: dict[tuple[int, int], str] = {}
    col_cache: dict[Any, int] = {}
    fmt_cache: dict[Any, tuple[str | None, bool]] = {}
    shared: dict[str | None, SharedFormula] = {}
    pending: list[tuple[int, str | None, int, int]] = []
    errors_get = _ERROR_CODES.get
    count = empty_formulas = bad_dates = 0
    next_check = _CHECK_EVERY
    row_base = prev_col = 0
    in_row = False
    row_r: str | None = None
    row_hidden: str | None = None

    attr_cache: dict[bytes, dict[str, str]] = {}
    attr_cache_get = attr_cache.get
    names_seen: set[str] = set()

    def attrs(span: bytes) -> dict[str, str]:
        """The attributes of one start tag, as lxml gives them (``{uri}local`` keys)."""
        got = attr_cache.get(span)
        if got is not None:
            return got
        out: dict[str, str] = {}
        pos = 0
        for m in _ATTR.finditer(span):
            if m.start() != pos:
                raise Fallback("unreadable attributes")
            pos = m.end()
            first, local, dq, sq = m.groups()
            name = first.decode()
            if local is not None:
                prefix, lname = name, local.decode()
                if prefix == "xmlns":
                    raise Fallback("a namespace declaration inside <sheetData>")
                uri = XML_NS if prefix == "xml" else nsmap.get(prefix)
                if uri is None:
                    raise Fallback(f"undeclared prefix {prefix}")
                name = f"{{{uri}}}{lname}"
            elif name == "xmlns":
                raise Fallback("a namespace declaration inside <sheetData>")
            if name in out:
                raise Fallback(f"attribute {name} repeated")
            out[name] = _attr_value(dq if dq is not None else sq)
            names_seen.add(name)
        if _WS_ONLY.fullmatch(span, pos) is None:
            raise Fallback("unreadable attributes")
        if len(names_seen) > _MAX_NAMES:
            raise Fallback("too many attribute names")
        if len(attr_cache) < _CACHE_MAX:
            attr_cache[span] = out
        return out

    ns_decls = "".join(
        f' xmlns="{_escape(uri)}"' if prefix is None else f' xmlns:{prefix}="{_escape(uri)}"'
        for prefix, uri in nsmap.items()
    )
    root_name = root.tag.rpartition("}")[2]
    if root.prefix:
        root_name = f"{root.prefix}:{root_name}"

    def inline_string(span: bytes, inner: bytes | None, in_row: bool) -> etree._Element:
        """The ``<is>`` element, parsed by lxml at the depth it has in the sheet."""
        if span.strip():
            raise Fallback("<is> with attributes")
        body = (
            f"<{root_name}{ns_decls}><sheetData>{'<row>' if in_row else ''}<c><is>".encode()
            + (inner or b"")
            + f"</is></c>{'</row>' if in_row else ''}</sheetData></{root_name}>".encode()
        )
        doc = etree.fromstring(body, _xml.new_parser())
        if sum(1 for _ in doc.iter(c_tag, row_tag, af_tag)) != (2 if in_row else 1):
            raise Fallback("cells inside an inline string")
        path = (
            f"{sd_tag}/{row_tag}/{c_tag}/{{{ns}}}is" if in_row else f"{sd_tag}/{c_tag}/{{{ns}}}is"
        )
        el = doc.find(path)
        if el is None:
            raise Fallback("inline string not where expected")
        return el

    def report(count: int) -> None:
        try:
            meter.report(stream.count, f"sheet {sheet.name}: {count:,} cells read")
        except Exception as exc:
            raise CallbackError(exc) from exc

    lane_formats: dict[bytes, tuple[str | None, bool]] = {}
    lane_tries = _LANE_TRIES
    scanned_to = 0  # where the rows the lane gave back end (in the current buffer)

    def lane(seg: bytes) -> bool:
        """Whole rows of cells (``seg``, from a ``<row`` to a ``</row>``) read in bulk, as the
        scan below reads them; False, with nothing read, when a byte of them is in another
        form (the scan reads them then). Raises Fallback as the scan does."""
        nonlocal count, next_check, row_base, prev_col, empty_formulas, bad_dates
        toks = _LANE.findall(seg)
        if not toks:
            return False
        (letters, digits, styles, kinds, fmarks, fattrs, ftexts, vmarks, vtexts, row_rs,
         row_rests, closes, other) = zip(*toks, strict=True)  # fmt: skip
        if any(other):
            return False
        # the tokens are rows, one after the other, with cells only inside them
        opens = np.flatnonzero(np.fromiter(map(len, row_rs), np.int32, len(toks)))
        ends = np.flatnonzero(np.fromiter(map(len, closes), np.int32, len(toks)))
        if (
            not len(opens)
            or len(opens) != len(ends)
            or opens[0] != 0
            or ends[-1] != len(toks) - 1
            or not np.all(opens < ends)
            or not np.all(opens[1:] == ends[:-1] + 1)
        ):
            return False
        _check_segment(seg, 0, len(seg))
        # the rows: their attributes (the hidden ones are kept)
        row_numbers = [int(r) for r in row_rs if r]
        for number, rest in zip(row_numbers, [row_rests[k] for k in opens.tolist()], strict=True):
            if rest:
                d = attrs(rest)
                if "r" in d:
                    raise Fallback("attribute r repeated")
                if _xml.parse_bool(d.get("hidden")):
                    hidden_rows.append(number)
        # the cells with a formula or a value (an empty styled cell is not kept)
        size = len(toks)
        has_f = np.fromiter(map(len, fmarks), np.int8, size)
        has_v = np.fromiter(map(len, vmarks), np.int8, size)
        keep = np.flatnonzero(has_f | has_v).tolist()
        n = len(keep)
        if n > 1:
            column = operator.itemgetter(*keep)
        else:

            def column(values: tuple) -> tuple:
                return tuple(values[k] for k in keep)

        c_letters, c_digits, c_styles, c_kinds = map(column, (letters, digits, styles, kinds))
        c_fattrs, c_ftexts, c_vmarks, c_vtexts = map(column, (fattrs, ftexts, vmarks, vtexts))
        lane_rows = array("i", map(int, c_digits))
        if n and (min(lane_rows) < 1 or max(lane_rows) > MAX_ROWS):
            raise Fallback("a row out of range")
        for key in set(c_letters):
            if key not in col_cache:
                col_cache[key] = _column_index(key.decode())
        lane_cols = array("i", map(col_cache.__getitem__, c_letters))
        for key in set(c_styles):
            if key not in lane_formats:
                lane_formats[key] = ctx.style_format(key.decode() if key else None)
        infos = list(map(lane_formats.__getitem__, c_styles))

        # formulas: texts decoded together (NUL, which XML does not allow, between them),
        # then as the scan reads each
        at = np.flatnonzero(has_f[keep]).tolist() if n else []
        lane_formulas: list[str | None]
        if not at:
            lane_formulas = [None] * n
        else:
            raw = [c_ftexts[j] for j in at] if len(at) < n else list(c_ftexts)
            joined = b"\x00".join(raw)
            if b"&#" in joined or b"\r" in joined:
                texts = [_text(t.decode()) for t in raw]
                leading_eq = any(t[:1] == "=" for t in texts)
            else:
                if b"&" in joined:
                    joined = (
                        joined.replace(b"&lt;", b"<")
                        .replace(b"&gt;", b">")
                        .replace(b"&quot;", b'"')
                        .replace(b"&apos;", b"'")
                        .replace(b"&amp;", b"&")
                    )
                texts = joined.decode().split("\x00")
                leading_eq = joined.startswith(b"=") or b"\x00=" in joined
            kinds_of_f = {c_fattrs[j] for j in at} if len(at) < n else set(c_fattrs)
            plain = True
            for fa in kinds_of_f:
                fd = attr_cache_get(fa)
                if fd is None:
                    fd = attrs(fa)
                if fd.get("t", "normal") != "normal":
                    plain = False
            longest = max(map(len, texts))
            if plain and longest <= check_from and "" not in texts and not leading_eq:
                # the usual case: each formula is its text
                if len(at) == n:
                    lane_formulas = texts
                else:
                    lane_formulas = [None] * n
                    for j, text in zip(at, texts, strict=True):
                        lane_formulas[j] = text
            else:
                lane_formulas = [None] * n
                for j, text in zip(at, texts, strict=True):
                    ftext: str | None = text or None
                    if ftext is not None:
                        if ftext[0] == "=":
                            ftext = ftext[1:]
                        if len(ftext) > check_from:
                            _check_formula(ftext, max_formula, max_depth)
                    fa = c_fattrs[j]
                    fd = attr_cache_get(fa)
                    if fd is None:
                        fd = attrs(fa)
                    formula = _formula_of(
                        fd.get("t"),
                        ftext,
                        fd.get("ref"),
                        fd.get("si"),
                        lane_rows[j],
                        lane_cols[j],
                        count + j,
                        array_ranges,
                        data_tables,
                        shared,
                        pending,
                    )
                    if formula is _EMPTY:
                        empty_formulas += 1
                    else:
                        lane_formulas[j] = formula  # type: ignore[assignment]

        # values, as the scan reads them: numbers and shared strings here, other types after
        common = _LANE_KINDS
        lane_values: list[Any] = [
            ((sst[int(vt)] if kind == b"s" else float(vt)) if vt else None)
            if kind in common
            else None
            for kind, vt in zip(c_kinds, c_vtexts, strict=True)
        ]
        lane_types: list[str] = [
            ("s" if kind == b"s" else "d" if fi[1] else "n") if vt and kind in common else ""
            for kind, vt, fi in zip(c_kinds, c_vtexts, infos, strict=True)
        ]
        if not set(c_kinds) <= common:
            for j in [j for j, kind in enumerate(c_kinds) if kind not in common]:
                t = c_kinds[j].decode()
                typ, value = _other_value(
                    t, bool(c_vmarks[j]), c_vtexts[j], None, ns, date1904, errors_get
                )
                if typ == "s" and t == "d":
                    bad_dates += 1
                if infos[j][1] and typ == "n":
                    typ = "d"
                lane_types[j] = typ
                lane_values[j] = value

        rows.extend(lane_rows)
        cols.extend(lane_cols)
        types.extend(lane_types)
        values.extend(lane_values)
        formulas.extend(lane_formulas)
        formats.extend([fi[0] for fi in infos])
        count += n
        row_base = row_numbers[-1]
        prev_col = 0
        if count >= next_check:
            while count >= next_check:
                next_check += _CHECK_EVERY
            if count > max_cells:
                raise Fallback("over max_cells")
            report(count)
        return True

    # -- <sheetData>: the scan
    done = bool(sd_match.group(1))  # <sheetData/>
    buf = head
    pos = sd_match.end()
    suffix_at = pos
    eof = False
    while not done:
        if lane_tries and not in_row:
            cut = buf.rfind(b"</row>", pos)
            if cut - pos >= _LANE_MIN:
                cut += 6
                if lane(buf[pos:cut]):
                    pos = cut
                else:  # the scan reads these rows
                    lane_tries -= 1
                    scanned_to = cut
        start = pos
        resume = False  # back to the lane once this row is read
        m = None
        for m in iter(_TOKEN.scanner(buf, pos).match, None):
            (ca, rl, rd, sb, tb, crest, fa, ft, va, vt, ia, it, rclose, rattrs, rr, rrest, rself,
             sdclose) = m.groups()  # fmt: skip
            if ca is None:
                if rattrs is not None:
                    if in_row:
                        raise Fallback("a row inside a row")
                    d = attrs(rrest) if rrest else None
                    if rr is not None:
                        if d is not None and "r" in d:
                            raise Fallback("attribute r repeated")
                        row_r = rr.decode()
                    else:
                        row_r = d.get("r") if d is not None else None
                    row_hidden = d.get("hidden") if d is not None else None
                    in_row = True
                    if not rself:
                        continue
                elif rclose is None:  # </sheetData>
                    if in_row:
                        raise Fallback("</sheetData> inside a row")
                    done = True
                    suffix_at = m.start(18)
                    break
                elif not in_row:
                    raise Fallback("</row> without <row>")
                # the end of a row
                row_base = int(row_r) if row_r else row_base + 1
                if _xml.parse_bool(row_hidden):
                    hidden_rows.append(row_base)
                prev_col = 0
                in_row = False
                row_r = row_hidden = None
                if lane_tries and m.end() >= scanned_to:
                    resume = True
                    break
                continue

            # -- a cell
            r: str | None
            if crest:
                d = attrs(crest)
                if d:
                    if "r" in d and rl is not None:
                        raise Fallback("attribute r repeated")
                    if "s" in d:
                        if sb is not None:
                            raise Fallback("attribute s repeated")
                        sb = d["s"]
                    if "t" in d:
                        if tb is not None:
                            raise Fallback("attribute t repeated")
                        tb = d["t"]
                r = d.get("r")
            else:
                r = None
            if rl is not None:
                col = col_cache.get(rl)
                if col is None:
                    col = col_cache[rl] = _column_index(rl.decode())
                row = int(rd)
                if not 0 < row <= MAX_ROWS:
                    raise Fallback(f"row {row} out of range")
            elif r is not None:
                letters = r.rstrip(_DIGITS)
                col = col_cache.get(letters)
                if col is None:
                    col = col_cache[letters] = _column_index(letters)
                row = int(r[len(letters) :])
                if not 0 < row <= MAX_ROWS:
                    raise Fallback(f"row {row} out of range")
            else:
                row = int(row_r) if (in_row and row_r) else row_base + 1
                col = prev_col + 1
            prev_col = col

            if va is None:
                if fa is None and ia is None:
                    continue  # a styled but empty cell
            elif va:
                attrs(va)
            is_el = inline_string(ia, it, in_row) if ia is not None else None

            formula = None
            if fa is not None:
                fd = attr_cache_get(fa)
                if fd is None:
                    fd = attrs(fa)
                if ft:
                    ftext = ft.decode()
                    if "&" in ftext or "\r" in ftext:
                        ftext = _text(ftext)
                    if ftext[0] == "=":
                        ftext = ftext[1:]
                    if len(ftext) > check_from:
                        _check_formula(ftext, max_formula, max_depth)
                else:
                    ftext = None
                formula = _formula_of(
                    fd.get("t"),
                    ftext,
                    fd.get("ref"),
                    fd.get("si"),
                    row,
                    col,
                    count,
                    array_ranges,
                    data_tables,
                    shared,
                    pending,
                )
                if formula is _EMPTY:
                    formula = None
                    empty_formulas += 1

            # numbers and shared strings straight from the bytes (float() and int() read
            # ASCII bytes as they read the text; anything else raises and falls back)
            if tb is None or tb == b"n" or tb == "n":
                if vt:
                    value = float(vt)
                    typ = "n"
                else:
                    value = None
                    typ = ""
            elif tb == b"s" or tb == "s":
                if vt:
                    value = sst[int(vt)]
                    typ = "s"
                else:
                    value = None
                    typ = ""
            else:
                t = tb.decode() if tb.__class__ is bytes else tb
                typ, value = _other_value(t, va is not None, vt, is_el, ns, date1904, errors_get)
                if typ == "s" and t == "d":
                    bad_dates += 1

            fi = fmt_cache.get(sb)
            if fi is None:
                fi = fmt_cache[sb] = ctx.style_format(sb.decode() if sb.__class__ is bytes else sb)
            if fi[1] and typ == "n":
                typ = "d"

            rows_append(row)
            cols_append(col)
            types_append(typ)
            values_append(value)
            formulas_append(formula)
            formats_append(fi[0])
            count += 1
            if count >= next_check:
                next_check += _CHECK_EVERY
                if count > max_cells:
                    raise Fallback("over max_cells")
                report(count)

        end = m.end() if m is not None else start
        if end > start:
            _check_segment(buf, start, end)
        if done:
            break
        if resume:
            pos = end
            continue
        rest = buf[end:]
        if eof:
            raise Fallback("unreadable or truncated <sheetData>")
        if len(rest) > MAX_TOKEN:
            raise Fallback("an element the scanner does not read")
        block = read(BLOCK)
        if not block:
            eof = True
        buf = rest + block
        pos = 0
        scanned_to = max(0, scanned_to - end)

    # -- after </sheetData>: lxml again (AutoFilters, and the well-formedness of the rest)
    filters: list[str] = []

    def drain() -> None:
        for event, el in parser.read_events():
            tag = el.tag
            if tag in (c_tag, row_tag):
                raise Fallback("cells outside <sheetData>")
            if tag == af_tag and event == "end":
                parent = el.getparent()
                if (
                    parent is not None
                    and parent.getparent() is None
                    and el.find(fc_tag) is not None
                ):
                    filters.append(el.get("ref") or "")

    parser.feed(buf[suffix_at:])
    del buf, head
    drain()
    while block := read(BLOCK):
        parser.feed(block)
        drain()
    final = parser.close()
    drain()
    docinfo = final.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise Fallback("a DTD")
    if not had_dimension and final.find(dim_tag) is not None:
        raise Fallback("<dimension> after <sheetData>")
    if count > max_cells:
        raise Fallback("over max_cells")

    # -- done: hand everything over (no fallback past this point)
    try:
        if had_dimension:
            sheet.dimension = dimension
        for field, got in (
            ("rows", rows),
            ("cols", cols),
            ("types", types),
            ("values", values),
            ("formulas", formulas),
            ("formats", formats),
            ("hidden_rows", hidden_rows),
        ):
            if len(getattr(sheet, field)):
                getattr(sheet, field).extend(got)
            else:  # the usual case, a fresh sheet: no copy
                setattr(sheet, field, got)
        sheet.array_ranges.update(array_ranges)
        sheet.data_tables.update(data_tables)
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
        if data_tables:
            ctx.warnings.append(
                f"sheet {sheet.name!r}: {len(data_tables)} data tables (what-if TABLE) kept as "
                "constants with their cached values"
            )
        if bad_dates:
            ctx.warnings.append(
                f'sheet {sheet.name!r}: {bad_dates:,} date cells (t="d") with unreadable dates '
                "kept as text"
            )
    except Exception as exc:
        raise CallbackError(exc) from exc
    report(count)
    return filters


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
