"""Workbook-defined VBA functions: reading the VBA project and translating simple, pure
``Function`` procedures into JavaScript for the engine.

A macro-enabled workbook keeps its VBA project in ``xl/vbaProject.bin``, an OLE compound file
([MS-CFB]). Its ``VBA/dir`` stream lists the modules (stream name and where the source text
starts in that stream); the ``dir`` stream and the module sources are compressed with the
algorithm of [MS-OVBA] 2.4.1. Nothing is ever executed: the source is parsed, and only a
whitelisted subset of the language (arithmetic, strings, If/Select Case, bounded For loops,
a few built-ins, worksheet functions) is translated, to JavaScript generated from the parsed
tree. A function using anything else stays unsupported, as before.
"""

from __future__ import annotations

import codecs
import io
import logging
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

__all__ = [
    "VbaFunction",
    "vba_project_functions",
    "decompress",
    "compress_raw",
    "read_vba_modules",
    "translate_modules",
]

# Bounds on what the VBA project may cost to read (it is untrusted input).
MAX_PROJECT_BYTES = 16 * 1024 * 1024  # vbaProject.bin itself
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # all module sources, decompressed
MAX_MODULES = 500
MAX_FUNCTION_LINES = 400  # longer functions are not translated
MAX_LOOP_ITERATIONS = 1_000_000  # a For loop with more iterations is an error at run time


# ---- [MS-OVBA] 2.4.1 decompression ------------------------------------------------------------
def decompress(data: bytes, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """Decompress a [MS-OVBA] CompressedContainer: a 0x01 signature byte, then chunks of at
    most 4096 decompressed bytes, each a 2-byte header (size - 3 in bits 0-11, signature 0b011
    in bits 12-14, "compressed" flag in bit 15) followed by either 4096 raw bytes or token
    sequences (a flag byte, then 8 tokens: a literal byte, or a 2-byte copy token whose
    offset/length split depends on the position in the chunk)."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed container")
    out = bytearray()
    pos, n = 1, len(data)
    while pos + 2 <= n:
        header = data[pos] | (data[pos + 1] << 8)
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError("bad chunk signature")
        end = min(pos + size, n)
        pos += 2
        start = len(out)
        if not header & 0x8000:
            out += data[pos : pos + 4096]
            pos += 4096
        else:
            while pos < end:
                flags = data[pos]
                pos += 1
                for bit in range(8):
                    if pos >= end:
                        break
                    if not (flags >> bit) & 1:
                        out.append(data[pos])
                        pos += 1
                        continue
                    if pos + 2 > end:
                        raise ValueError("truncated copy token")
                    token = data[pos] | (data[pos + 1] << 8)
                    pos += 2
                    diff = len(out) - start
                    bits = max((diff - 1).bit_length(), 4)
                    length_mask = 0xFFFF >> bits
                    length = (token & length_mask) + 3
                    offset = (token >> (16 - bits)) + 1
                    if offset > diff:
                        raise ValueError("copy token before the chunk")
                    src = len(out) - offset
                    for k in range(length):  # may overlap: byte by byte
                        out.append(out[src + k])
            pos = end
        if len(out) > limit:
            raise ValueError("decompressed source over the size limit")
    return bytes(out)


def compress_raw(data: bytes) -> bytes:
    """The simplest valid CompressedContainer of ``data``: uncompressed chunks of 4096 bytes
    (the spec allows them; the last chunk is padded with zeros, which decompress as NULs that
    the source reader drops). For building test projects."""
    out = bytearray(b"\x01")
    for i in range(0, max(len(data), 1), 4096):
        chunk = data[i : i + 4096].ljust(4096, b"\x00")
        out += struct.pack("<H", (4096 + 2 - 3) | 0x3000)  # size-3 = 4095, flag clear
        out += chunk
    return bytes(out)


# ---- the VBA project --------------------------------------------------------------------------
def _dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """(id, payload) records of the decompressed ``dir`` stream ([MS-OVBA] 2.3.4.2)."""
    out: list[tuple[int, bytes]] = []
    pos, n = 0, len(data)
    while pos + 6 <= n:
        rid, size = struct.unpack_from("<HI", data, pos)
        pos += 6
        if rid == 0x0009:  # PROJECTVERSION: its size field says 4 but 6 bytes follow
            size = 6
        out.append((rid, data[pos : pos + size]))
        pos += size
    return out


def read_vba_modules(project: bytes) -> dict[str, str]:
    """Module name -> VBA source text of the standard modules of a vbaProject.bin (empty when
    it cannot be read). Document and class modules are left out: cells cannot call them."""
    import olefile

    if len(project) > MAX_PROJECT_BYTES:
        log.info("VBA project of %d bytes not read (over the size limit)", len(project))
        return {}
    try:
        ole = olefile.OleFileIO(io.BytesIO(project))
    except Exception as exc:  # noqa: BLE001 - any malformed container: no VBA functions
        log.info("VBA project not readable: %s", exc)
        return {}
    try:
        root = next(
            (p[:-1] for p in ole.listdir() if [x.lower() for x in p[-2:]] == ["vba", "dir"]),
            None,
        )
        if root is None:
            return {}
        records = _dir_records(decompress(ole.openstream(root + ["dir"]).read()))
        codepage = 1252
        modules: list[dict[str, Any]] = []
        for rid, payload in records:
            if rid == 0x0003 and len(payload) >= 2:
                codepage = struct.unpack_from("<H", payload)[0]
            elif rid == 0x0019:  # MODULENAME starts a module record
                modules.append({"name": payload})
            elif modules and rid == 0x001A:
                modules[-1]["stream"] = payload
            elif modules and rid == 0x0031 and len(payload) >= 4:
                modules[-1]["offset"] = struct.unpack_from("<I", payload)[0]
            elif modules and rid == 0x0022:  # a document or class module: not callable from cells
                modules[-1]["class"] = True
        encoding = {10000: "mac_roman", 65001: "utf-8"}.get(codepage, f"cp{codepage}")
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = "cp1252"
        out: dict[str, str] = {}
        total = 0
        for m in modules[:MAX_MODULES]:
            if "stream" not in m or "offset" not in m or m.get("class"):
                continue
            name = m["stream"].decode(encoding, "replace")
            path = root + [name]
            if not ole.exists("/".join(path)):
                continue
            stream = ole.openstream(path).read()
            text = decompress(stream[m["offset"] :], MAX_SOURCE_BYTES - total)
            total += len(text)
            out[m["name"].decode(encoding, "replace")] = text.decode(encoding, "replace")
        return out
    except Exception as exc:  # noqa: BLE001 - a damaged project: no VBA functions
        log.info("VBA project not readable: %s", exc)
        return {}
    finally:
        ole.close()


def vba_project_functions(project: bytes) -> list[VbaFunction]:
    """The translatable functions of a vbaProject.bin (none when it cannot be read)."""
    return translate_modules(read_vba_modules(project))


# ---- translation ------------------------------------------------------------------------------
class Unsupported(Exception):
    """The function uses something outside the translated subset."""


@dataclass
class VbaFunction:
    """A translated VBA function: ``source`` is the body of a JavaScript factory
    ``($, F) => function`` generated from the parsed procedure ($: the runtime helpers, F: the
    workbook's other functions)."""

    name: str  # as declared
    params: list[dict[str, Any]]  # {name, optional, range}
    source: str
    volatile: bool = False
    public: bool = True
    calls: set[str] = field(default_factory=set)  # other workbook functions (upper case)
    # assigns a ByRef parameter: a caller's variable would change, which is not translated
    changes_arguments: bool = False
    worksheet_functions: set[str] = field(default_factory=set)  # engine functions (upper case)

    def wire(self) -> dict[str, Any]:
        return {
            "name": self.name.upper(),
            "params": self.params,
            "source": self.source,
            "volatile": self.volatile,
            "public": self.public,
        }


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"]|"")*")
    | (?P<num>&[Hh][0-9A-Fa-f]+&?|&[Oo][0-7]+&?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[%&!#@]?)
    | (?P<id>[A-Za-z][A-Za-z0-9_]*[$%&!#@]?)
    | (?P<op>:=|<=|>=|<>|[-+*/\\^&=<>(),.:])
    )""",
    re.X,
)

# Declared types and how a value assigned to them is converted.
_TYPES = {
    "integer": "Integer",
    "long": "Long",
    "longlong": "Long",
    "longptr": "Long",
    "byte": "Byte",
    "double": "Double",
    "single": "Double",
    "currency": "Currency",
    "decimal": "Double",
    "string": "String",
    "boolean": "Boolean",
    "variant": None,
    "date": "Double",
}
_DEFAULTS = {
    "Integer": "0",
    "Long": "0",
    "Byte": "0",
    "Double": "0",
    "Currency": "0",
    "String": '""',
    "Boolean": "false",
    None: "undefined",
}

# VBA built-ins: name -> (runtime helper, min args, max args)
_BUILTINS: dict[str, tuple[str, int, int]] = {
    "CLNG": ("CLng", 1, 1),
    "CINT": ("CInt", 1, 1),
    "CBYTE": ("CByte", 1, 1),
    "CLNGLNG": ("CLng", 1, 1),
    "CDBL": ("CDbl", 1, 1),
    "CSNG": ("CDbl", 1, 1),
    "CDEC": ("CDbl", 1, 1),
    "CCUR": ("CCur", 1, 1),
    "CSTR": ("CStr", 1, 1),
    "CBOOL": ("CBool", 1, 1),
    "CVAR": ("v", 1, 1),
    "VAL": ("Val", 1, 1),
    "INT": ("Int", 1, 1),
    "FIX": ("Fix", 1, 1),
    "ABS": ("Abs", 1, 1),
    "SGN": ("Sgn", 1, 1),
    "SQR": ("Sqr", 1, 1),
    "EXP": ("Exp", 1, 1),
    "LOG": ("Log", 1, 1),
    "ROUND": ("Round", 1, 2),
    "LEN": ("Len", 1, 1),
    "LEFT": ("Left", 2, 2),
    "RIGHT": ("Right", 2, 2),
    "MID": ("Mid", 2, 3),
    "UCASE": ("UCase", 1, 1),
    "LCASE": ("LCase", 1, 1),
    "TRIM": ("Trim", 1, 1),
    "LTRIM": ("LTrim", 1, 1),
    "RTRIM": ("RTrim", 1, 1),
    "SPACE": ("Space", 1, 1),
    "INSTR": ("InStr", 2, 3),
    "REPLACE": ("Replace", 3, 3),
    "CHR": ("Chr", 1, 1),
    "ASC": ("Asc", 1, 1),
    "FORMAT": ("Format", 1, 2),
    "IIF": ("IIf", 3, 3),
    "ISNUMERIC": ("IsNumeric", 1, 1),
    "ISEMPTY": ("IsEmpty", 1, 1),
    "ISMISSING": ("IsMissing", 1, 1),
    "ISERROR": ("IsError", 1, 1),
    "CVERR": ("CVErr", 1, 1),
}
_CONSTANTS = {
    "TRUE": "true",
    "FALSE": "false",
    "EMPTY": "undefined",
    "VBCRLF": '"\\r\\n"',
    "VBNEWLINE": '"\\r\\n"',
    "VBCR": '"\\r"',
    "VBLF": '"\\n"',
    "VBTAB": '"\\t"',
    "VBNULLSTRING": '""',
    "XLERRDIV0": "2007",
    "XLERRNA": "2042",
    "XLERRNAME": "2029",
    "XLERRNULL": "2000",
    "XLERRNUM": "2036",
    "XLERRREF": "2023",
    "XLERRVALUE": "2015",
}
_APPLICATION = ("APPLICATION", "WORKSHEETFUNCTION", "EXCEL")
_KEYWORDS = {
    "AND", "OR", "NOT", "XOR", "EQV", "IMP", "MOD", "LIKE", "IS", "THEN", "ELSE", "TO", "STEP",
}  # fmt: skip


def _tokens(line: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    line = line.rstrip()
    while pos < len(line):
        m = _TOKEN.match(line, pos)
        if not m or m.end() == pos:
            if line[pos:].strip() == "":
                break
            raise Unsupported(f"unexpected text {line[pos : pos + 10]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
    return out


def _logical_lines(source: str) -> list[str]:
    """Source lines without comments, continuations joined, ``:`` separated statements split,
    ``Attribute`` lines dropped."""
    lines: list[str] = []
    pending = ""
    for raw in source.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").split("\n"):
        # strip the comment: a ' outside a string
        code, in_str = [], False
        for ch in raw:
            if ch == '"':
                in_str = not in_str
            elif ch == "'" and not in_str:
                break
            code.append(ch)
        text = "".join(code).rstrip()
        if re.match(r"\s*rem(\s|$)", text, re.I):
            text = ""
        if text.endswith(" _") or text == "_":
            pending += text[:-1] + " "
            continue
        text = pending + text
        pending = ""
        if re.match(r"\s*attribute\s", text, re.I):
            continue
        # split on ':' outside strings (but not ':=')
        parts, cur, in_str = [], [], False
        for i, ch in enumerate(text):
            if ch == '"':
                in_str = not in_str
            if ch == ":" and not in_str and text[i + 1 : i + 2] != "=":
                parts.append("".join(cur))
                cur = []
                continue
            cur.append(ch)
        parts.append("".join(cur))
        lines.extend(p.strip() for p in parts if p.strip())
    return lines


_FUNC_HEAD = re.compile(
    r"(?:(public|private|friend)\s+)?(?:(static)\s+)?function\s+([A-Za-z][A-Za-z0-9_]*)[$%&!#@]?"
    r"\s*\((.*)\)\s*(?:as\s+([A-Za-z]+)(\s*\(\s*\))?)?\s*$",
    re.I,
)
_PROC_HEAD = re.compile(
    r"(?:(?:public|private|friend)\s+)?(?:static\s+)?(function|sub|property\s+\w+)\s", re.I
)


def translate_modules(modules: dict[str, str]) -> list[VbaFunction]:
    """The functions of standard modules that translate, with their callees; a function calling
    one that does not translate is dropped too."""
    procs: list[tuple[re.Match[str], list[str]]] = []
    module_vars: set[str] = set()
    consts: dict[str, tuple[str, Any]] = {}
    for source in modules.values():
        lines = _logical_lines(source)
        i = 0
        while i < len(lines):
            line = lines[i]
            head = _PROC_HEAD.match(line + " ")
            if head:
                kind = head.group(1).split()[0].lower()
                end = re.compile(rf"end\s+{kind}\s*$", re.I)
                j = i + 1
                while j < len(lines) and not end.match(lines[j]):
                    j += 1
                m = _FUNC_HEAD.match(line)
                if m and kind == "function" and j - i <= MAX_FUNCTION_LINES:
                    procs.append((m, lines[i + 1 : j]))
                i = j + 1
                continue
            decl = re.match(r"(?:(?:public|private|global)\s+)?const\s+(.*)$", line, re.I)
            if decl:
                for part in _split_commas(decl.group(1)):
                    cm = re.match(r"([A-Za-z]\w*)(?:\s+as\s+\w+)?\s*=\s*(.+)$", part.strip(), re.I)
                    if cm:
                        consts[cm.group(1).upper()] = ("raw", cm.group(2))
            elif re.match(r"(dim|public|private|global|static)\s", line, re.I):
                body = re.sub(r"^(dim|public|private|global|static)\s+", "", line, flags=re.I)
                for part in _split_commas(body):
                    vm = re.match(r"\s*(?:withevents\s+)?([A-Za-z]\w*)", part, re.I)
                    if vm:
                        module_vars.add(vm.group(1).upper())
            i += 1
    names = {m.group(3).upper() for m, _ in procs}
    const_js: dict[str, str] = {}
    for cname, (_, text) in consts.items():
        try:
            expr = _Parser(_tokens(text), _Scope(set(), {}, set(), {})).expression_all()
            if expr[0] in ("num", "str", "bool"):
                const_js[cname] = _emit_literal(expr)
        except Unsupported:
            pass
    translated: dict[str, VbaFunction] = {}
    for m, body in procs:
        name = m.group(3)
        try:
            fn = _translate(m, body, names, module_vars, const_js)
        except (Unsupported, RecursionError) as exc:
            log.debug("VBA function %s not translated: %s", name, exc)
            continue
        translated.setdefault(name.upper(), fn)
    changed = True
    while changed:  # drop functions calling an untranslated one
        changed = False
        for key, fn in list(translated.items()):
            if any(c not in translated or translated[c].changes_arguments for c in fn.calls):
                del translated[key]
                changed = True
    return list(translated.values())


def _split_commas(text: str) -> list[str]:
    parts, depth, cur, in_str = [], 0, [], False
    for ch in text:
        if ch == '"':
            in_str = not in_str
        elif not in_str and ch == "(":
            depth += 1
        elif not in_str and ch == ")":
            depth -= 1
        elif not in_str and ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts


@dataclass
class _Scope:
    functions: set[str]  # workbook functions (upper case)
    consts: dict[str, str]  # module constants -> JS literal
    module_vars: set[str]
    vars: dict[str, str | None]  # local variable (upper) -> declared type
    ranges: set[str] = field(default_factory=set)  # Range parameters
    params: set[str] = field(default_factory=set)
    loop_vars: list[str] = field(default_factory=list)
    calls: set[str] = field(default_factory=set)
    worksheet_functions: set[str] = field(default_factory=set)
    fname: str = ""
    volatile: bool = False
    assigned: set[str] = field(default_factory=set)
    param_lines: list[str] = field(default_factory=list)
    byref: set[str] = field(default_factory=set)  # parameters passed by reference


def _js_name(name: str) -> str:
    return "v_" + name.upper()


def _emit_literal(expr: tuple) -> str:
    import json

    if expr[0] == "num":
        if not math.isfinite(expr[1]):
            raise Unsupported("number out of range")
        return repr(float(expr[1])) if expr[1] != int(expr[1]) else str(int(expr[1]))
    if expr[0] == "str":
        return json.dumps(expr[1])
    return "true" if expr[1] else "false"


def _type_of(text: str | None) -> str | None:
    if text is None:
        return None
    key = text.lower()
    if key not in _TYPES:
        raise Unsupported(f"type {text}")
    return _TYPES[key]


def _parse_params(text: str, scope: _Scope) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    lines: list[str] = []
    for part in _split_commas(text):
        pm = re.match(
            r"\s*(optional\s+)?(?:(byval|byref)\s+)?(paramarray\s+)?([A-Za-z]\w*)[$%&!#@]?"
            r"\s*(\(\s*\))?\s*(?:as\s+([A-Za-z.]+))?\s*(?:=\s*(.+))?$",
            part,
            re.I,
        )
        if not pm or pm.group(3) or pm.group(5):
            raise Unsupported(f"parameter {part.strip()!r}")
        name, type_text, default = pm.group(4), pm.group(6), pm.group(7)
        if (pm.group(2) or "byref").lower() == "byref":  # VBA's default
            scope.byref.add(name.upper())
        is_range = bool(type_text) and type_text.lower() in ("range", "excel.range")
        ptype = None if is_range else _type_of(type_text)
        key = name.upper()
        scope.vars[key] = ptype
        scope.params.add(key)
        if is_range:
            scope.ranges.add(key)
        js = _js_name(name)
        if default is not None:
            value = _Parser(_tokens(default), scope).expression_all()
            if value[0] not in ("num", "str", "bool", "const") and not (
                value[0] == "neg" and value[1][0] == "num"
            ):
                raise Unsupported("parameter default")
            lines.append(f"if ({js} === undefined) {js} = {_emit(value, scope)};")
        elif pm.group(1) and ptype is not None:
            lines.append(f"if ({js} === undefined) {js} = {_DEFAULTS[ptype]};")
        if ptype is not None:
            lines.append(f"{js} = $.as({js}, {_quote(ptype)});")
        out.append({"name": key, "optional": bool(pm.group(1)), "range": is_range})
    scope.param_lines = lines
    return out


def _quote(text: str | None) -> str:
    return "null" if text is None else '"' + text + '"'


def _translate(
    head: re.Match[str],
    body: list[str],
    functions: set[str],
    module_vars: set[str],
    consts: dict[str, str],
) -> VbaFunction:
    access, _static, name, params_text, ret_text, ret_array = head.groups()
    if ret_array:
        raise Unsupported("array result")
    scope = _Scope(functions, consts, module_vars, {})
    scope.fname = name.upper()
    rtype = _type_of(ret_text)
    params = _parse_params(params_text, scope) if params_text.strip() else []
    if scope.fname in scope.vars:
        raise Unsupported("parameter named like the function")
    scope.vars[scope.fname] = rtype
    stmts = _StatementParser(body, scope).block(())
    lines = [f"let {_js_name(scope.fname)} = {_DEFAULTS[rtype]};"]
    for var, vtype in scope.vars.items():
        if var not in scope.params and var != scope.fname:
            lines.append(f"let {_js_name(var)} = {_DEFAULTS[vtype]};")
    lines += scope.param_lines
    lines += _emit_block(stmts, scope, 1)
    lines.append(f"return {_js_name(scope.fname)};")
    args = ", ".join(_js_name(p["name"]) for p in params)
    source = (
        f"return function {_js_name(scope.fname)}({args}) {{\n  $.tick();\n"
        + "\n".join("  " + s for s in lines)
        + "\n};"
    )
    return VbaFunction(
        name=name,
        params=params,
        source=source,
        volatile=scope.volatile,
        public=(access or "public").lower() != "private",
        calls=scope.calls - {scope.fname},
        worksheet_functions=scope.worksheet_functions,
        changes_arguments=bool(scope.assigned & scope.byref),
    )


# ---- statements ---------------------------------------------------------------------------------
class _StatementParser:
    def __init__(self, lines: list[str], scope: _Scope) -> None:
        self.lines, self.pos, self.scope = lines, 0, scope

    def _expr(self, toks: list[tuple[str, str]]) -> tuple:
        return _Parser(toks, self.scope).expression_all()

    def block(self, terminators: tuple[str, ...]) -> list[tuple]:
        """Statements up to a line matching one of ``terminators`` (left unread)."""
        out: list[tuple] = []
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if any(re.match(t, line, re.I) for t in terminators):
                return out
            self.pos += 1
            stmt = self.statement(line)
            if stmt is not None:
                out.append(stmt)
        if terminators:
            raise Unsupported("unterminated block")
        return out

    def statement(self, line: str) -> tuple | None:
        low = line.lower()
        s = self.scope
        if re.match(r"(dim|static)\s", low):
            if low.startswith("static"):
                raise Unsupported("Static variable")
            for part in _split_commas(line[4:]):
                dm = re.match(
                    r"\s*([A-Za-z]\w*)[$%&!#@]?\s*(\(.*\))?\s*(?:as\s+(new\s+)?(\w+))?\s*$",
                    part,
                    re.I,
                )
                if not dm or dm.group(2) or dm.group(3):
                    raise Unsupported(f"declaration {part.strip()!r}")
                key = dm.group(1).upper()
                if key in s.vars or key in _KEYWORDS:
                    raise Unsupported("redeclared variable")
                s.vars[key] = _type_of(dm.group(4))
            return None
        if re.match(r"const\s", low):
            for part in _split_commas(line[6:]):
                cm = re.match(r"\s*([A-Za-z]\w*)(?:\s+as\s+(\w+))?\s*=\s*(.+)$", part, re.I)
                if not cm:
                    raise Unsupported("constant")
                value = self._expr(_tokens(cm.group(3)))
                if value[0] not in ("num", "str", "bool"):
                    raise Unsupported("constant value")
                s.consts = {**s.consts, cm.group(1).upper(): _emit_literal(value)}
            return None
        if re.match(r"(option|debug\.print)\b", low):
            return None
        vm = re.match(r"application\.volatile(?:\s+(.*))?$", low)
        if vm:
            arg = (vm.group(1) or "true").strip()
            s.volatile = arg not in ("false", "0")
            return None
        if re.match(r"exit\s+function$", low):
            return ("exit_function",)
        if re.match(r"exit\s+for$", low):
            if not s.loop_vars:
                raise Unsupported("Exit For outside a loop")
            return ("exit_for",)
        if low.startswith("if ") or low.startswith("if("):
            return self.if_statement(line)
        if re.match(r"select\s+case\s", low):
            return self.select_statement(line)
        if re.match(r"for\s", low):
            return self.for_statement(line)
        if re.match(r"let\s", low):
            line = line[4:]
        toks = _tokens(line)
        if len(toks) >= 3 and toks[0][0] == "id" and toks[1] == ("op", "="):
            key = toks[0][1].rstrip("$%&!#@").upper()
            if key in _KEYWORDS or key in s.consts or key in s.ranges:
                raise Unsupported("assignment")
            if key in s.loop_vars:
                raise Unsupported("assignment to a loop variable")
            if key not in s.vars:
                if key in s.module_vars or key in s.functions:
                    raise Unsupported("assignment to module state")
                s.vars[key] = None  # an implicitly declared Variant
            s.assigned.add(key)
            return ("assign", key, self._expr(toks[2:]))
        raise Unsupported(f"statement {line[:30]!r}")

    def if_statement(self, line: str) -> tuple:
        m = re.match(r"if\s*(.*?)\s+then\b(.*)$", line, re.I)
        if not m:
            # "If(x)Then" without spaces is rare: tokenise to find Then
            raise Unsupported("If")
        cond = self._expr(_tokens(m.group(1)))
        rest = m.group(2).strip()
        if rest:  # single-line If: If c Then a [Else b]
            em = re.match(r"(.*?)\s*\belse\b\s*(.*)$", rest, re.I)
            then_text, else_text = (em.group(1), em.group(2)) if em else (rest, "")
            then = [x for x in [self.statement(then_text)] if x is not None]
            other = [x for x in [self.statement(else_text)] if x is not None] if else_text else []
            return ("if", [(cond, then)], other)
        branches = []
        body = self.block((r"else\s*if\s", r"else$", r"end\s+if$"))
        branches.append((cond, body))
        else_body: list[tuple] = []
        while True:
            line = self.lines[self.pos]
            self.pos += 1
            if re.match(r"end\s+if$", line, re.I):
                break
            em = re.match(r"else\s*if\s+(.*?)\s+then\s*$", line, re.I)
            if em:
                c = self._expr(_tokens(em.group(1)))
                branches.append((c, self.block((r"else\s*if\s", r"else$", r"end\s+if$"))))
                continue
            if re.match(r"else$", line, re.I):
                else_body = self.block((r"end\s+if$",))
                continue
            raise Unsupported("If")
        return ("if", branches, else_body)

    def select_statement(self, line: str) -> tuple:
        subject = self._expr(_tokens(re.sub(r"^select\s+case\s+", "", line, flags=re.I)))
        cases: list[tuple[list[tuple], list[tuple]]] = []
        else_body: list[tuple] | None = None
        # skip to the first Case
        while self.pos < len(self.lines) and not re.match(r"case\b", self.lines[self.pos], re.I):
            if re.match(r"end\s+select$", self.lines[self.pos], re.I):
                break
            raise Unsupported("Select Case")
        while True:
            if self.pos >= len(self.lines):
                raise Unsupported("unterminated Select")
            line = self.lines[self.pos]
            self.pos += 1
            if re.match(r"end\s+select$", line, re.I):
                break
            if re.match(r"case\s+else$", line, re.I):
                else_body = self.block((r"case\b", r"end\s+select$"))
                continue
            cm = re.match(r"case\s+(.*)$", line, re.I)
            if not cm:
                raise Unsupported("Select Case")
            tests = []
            for part in _split_commas(cm.group(1)):
                toks = _tokens(part)
                if toks and toks[0][0] == "id" and toks[0][1].upper() == "IS":
                    if len(toks) < 3 or toks[1][0] != "op":
                        raise Unsupported("Case Is")
                    tests.append(("is", toks[1][1], self._expr(toks[2:])))
                    continue
                to = [k for k, t in enumerate(toks) if t[0] == "id" and t[1].upper() == "TO"]
                if to:
                    k = to[0]
                    tests.append(("range", self._expr(toks[:k]), self._expr(toks[k + 1 :])))
                else:
                    tests.append(("eq", self._expr(toks)))
            cases.append((tests, self.block((r"case\b", r"end\s+select$"))))
        return ("select", subject, cases, else_body or [])

    def for_statement(self, line: str) -> tuple:
        if re.match(r"for\s+each\b", line, re.I):
            raise Unsupported("For Each")
        toks = _tokens(line)[1:]
        if len(toks) < 4 or toks[0][0] != "id" or toks[1] != ("op", "="):
            raise Unsupported("For")
        var = toks[0][1].rstrip("$%&!#@").upper()
        ids = [k for k, t in enumerate(toks) if t[0] == "id" and t[1].upper() in ("TO", "STEP")]
        to = next((k for k in ids if toks[k][1].upper() == "TO"), None)
        step = next((k for k in ids if toks[k][1].upper() == "STEP"), None)
        if to is None:
            raise Unsupported("For")
        start = self._expr(toks[2:to])
        end = self._expr(toks[to + 1 : step if step else len(toks)])
        step_e = self._expr(toks[step + 1 :]) if step else ("num", 1.0)
        s = self.scope
        if var not in s.vars:
            if var in s.module_vars or var in s.functions:
                raise Unsupported("module state")
            s.vars[var] = None
        if var in s.loop_vars or var in s.ranges:
            raise Unsupported("loop variable")
        s.loop_vars.append(var)
        s.assigned.add(var)
        body = self.block((r"next\b",))
        s.loop_vars.pop()
        nxt = self.lines[self.pos]
        self.pos += 1
        nm = re.match(r"next(?:\s+([A-Za-z]\w*))?\s*$", nxt, re.I)
        if not nm or (nm.group(1) and nm.group(1).upper() != var):
            raise Unsupported("Next")
        return ("for", var, start, end, step_e, body)


# ---- expressions --------------------------------------------------------------------------------
_COMPARE = {"=": "eq", "<>": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge"}


class _Parser:
    """Precedence climbing over VBA's operators: ^, unary -, * /, \\, Mod, + -, &,
    comparisons, Not, And, Or, Xor, Eqv, Imp."""

    def __init__(self, toks: list[tuple[str, str]], scope: _Scope) -> None:
        self.toks, self.pos, self.scope = toks, 0, scope

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def is_op(self, *ops: str) -> bool:
        t = self.peek()
        return t is not None and t[0] == "op" and t[1] in ops

    def is_kw(self, *words: str) -> bool:
        t = self.peek()
        return t is not None and t[0] == "id" and t[1].upper() in words

    def expect(self, op: str) -> None:
        if not self.is_op(op):
            raise Unsupported(f"expected {op}")
        self.pos += 1

    def expression_all(self) -> tuple:
        e = self.expression()
        if self.pos != len(self.toks):
            raise Unsupported("unexpected tokens")
        return e

    def expression(self) -> tuple:
        return self.binary(("IMP",), self.binary_eqv)

    def binary(self, words: tuple[str, ...], sub: Any) -> tuple:
        left = sub()
        while self.is_kw(*words):
            op = self.toks[self.pos][1].upper()
            self.pos += 1
            left = ("bin", op.lower(), left, sub())
        return left

    def binary_eqv(self) -> tuple:
        return self.binary(("EQV",), lambda: self.binary(("XOR",), self.binary_or))

    def binary_or(self) -> tuple:
        return self.binary(("OR",), lambda: self.binary(("AND",), self.unary_not))

    def unary_not(self) -> tuple:
        if self.is_kw("NOT"):
            self.pos += 1
            return ("not", self.unary_not())
        return self.comparison()

    def comparison(self) -> tuple:
        left = self.concat()
        while self.is_op(*_COMPARE) or self.is_kw("LIKE", "IS"):
            t = self.toks[self.pos]
            if t[0] == "id":
                raise Unsupported(t[1])
            self.pos += 1
            left = ("bin", _COMPARE[t[1]], left, self.concat())
        return left

    def concat(self) -> tuple:
        left = self.additive()
        while self.is_op("&"):
            self.pos += 1
            left = ("bin", "cat", left, self.additive())
        return left

    def additive(self) -> tuple:
        left = self.modulo()
        while self.is_op("+", "-"):
            op = self.toks[self.pos][1]
            self.pos += 1
            left = ("bin", "add" if op == "+" else "sub", left, self.modulo())
        return left

    def modulo(self) -> tuple:
        left = self.intdiv()
        while self.is_kw("MOD"):
            self.pos += 1
            left = ("bin", "mod", left, self.intdiv())
        return left

    def intdiv(self) -> tuple:
        left = self.multiplicative()
        while self.is_op("\\"):
            self.pos += 1
            left = ("bin", "idiv", left, self.multiplicative())
        return left

    def multiplicative(self) -> tuple:
        left = self.negation()
        while self.is_op("*", "/"):
            op = self.toks[self.pos][1]
            self.pos += 1
            left = ("bin", "mul" if op == "*" else "div", left, self.negation())
        return left

    def negation(self) -> tuple:
        if self.is_op("-"):
            self.pos += 1
            return ("neg", self.negation())
        if self.is_op("+"):
            self.pos += 1
            return ("pos", self.negation())
        return self.power()

    def power(self) -> tuple:
        left = self.primary()
        while self.is_op("^"):
            self.pos += 1
            if self.is_op("-"):  # 2 ^ -1
                self.pos += 1
                right: tuple = ("neg", self.primary())
            else:
                right = self.primary()
            left = ("bin", "pow", left, right)
        return left

    def args(self) -> list[tuple]:
        self.expect("(")
        out: list[tuple] = []
        if self.is_op(")"):
            self.pos += 1
            return out
        while True:
            if self.is_op(","):
                out.append(("missing",))
            else:
                if self.pos + 1 < len(self.toks) and self.toks[self.pos + 1] == ("op", ":="):
                    raise Unsupported("named argument")
                out.append(self.expression())
            if self.is_op(","):
                self.pos += 1
                continue
            self.expect(")")
            return out

    def primary(self) -> tuple:
        t = self.peek()
        if t is None:
            raise Unsupported("missing operand")
        kind, text = t
        self.pos += 1
        if kind == "num":
            return ("num", _number(text))
        if kind == "str":
            return ("str", text[1:-1].replace('""', '"'))
        if kind == "op" and text == "(":
            e = self.expression()
            self.expect(")")
            return e
        if kind != "id":
            raise Unsupported(f"operand {text!r}")
        s = self.scope
        key = text.rstrip("$%&!#@").upper()
        if key in _KEYWORDS:
            raise Unsupported(text)
        if key in _APPLICATION:
            return self.application(key)
        if self.is_op("."):
            if key not in s.ranges and not (key in s.vars and key in s.params):
                raise Unsupported("object member")
            self.pos += 1
            prop = self.peek()
            if prop is None or prop[0] != "id":
                raise Unsupported("member")
            self.pos += 1
            member = prop[1].upper()
            if member in ("VALUE", "VALUE2"):
                return ("value", key)
            if member == "NUMBERFORMAT":
                return ("numfmt", key)
            raise Unsupported(f"member {prop[1]}")
        if key in s.vars:
            if self.is_op("("):
                raise Unsupported("array element")
            return ("var", key)
        if key in s.consts:
            return ("const", s.consts[key])
        if key in _CONSTANTS and not self.is_op("("):
            return ("const", _CONSTANTS[key])
        if key in s.functions:
            args = self.args() if self.is_op("(") else []
            s.calls.add(key)
            return ("call", key, args)
        if key in _BUILTINS:
            helper, lo, hi = _BUILTINS[key]
            args = self.args() if self.is_op("(") else []
            if not lo <= len(args) <= hi or any(a[0] == "missing" for a in args):
                raise Unsupported(f"{text} arguments")
            return ("builtin", helper, args)
        raise Unsupported(f"name {text}")

    def application(self, key: str) -> tuple:
        """Application.WorksheetFunction.X(...), Application.X(...), WorksheetFunction.X(...):
        the worksheet function X (WorksheetFunction raises on an error result; Application.X
        returns it)."""
        strict = key == "WORKSHEETFUNCTION"
        while self.is_op("."):
            self.pos += 1
            t = self.peek()
            if t is None or t[0] != "id":
                raise Unsupported("member")
            self.pos += 1
            member = t[1].upper()
            if member == "WORKSHEETFUNCTION":
                strict = True
                continue
            if not self.is_op("("):
                raise Unsupported(f"Application.{t[1]}")
            args = self.args()
            if any(a[0] == "missing" for a in args):
                raise Unsupported("missing argument")
            self.scope.worksheet_functions.add(member)
            return ("wf", member, args, strict)
        raise Unsupported("Application")


def _number(text: str) -> float:
    body = text.rstrip("%&!#@")
    if body[:2].lower() == "&h":
        v = int(body[2:], 16)
        # &HFFFF is the Integer -1, &HFFFFFFFF& ... as VBA's two's complement literals
        if len(body) - 2 <= 4 and v >= 0x8000 and not text.endswith("&"):
            v -= 0x10000
        elif v >= 0x80000000:
            v -= 0x100000000
        return float(v)
    if body[:2].lower() == "&o":
        return float(int(body[2:], 8))
    return float(body)


# ---- JavaScript -----------------------------------------------------------------------------------
def _emit(e: tuple, s: _Scope) -> str:
    """JavaScript of an expression (the runtime helpers `$` implement VBA's semantics)."""
    kind = e[0]
    if kind in ("num", "str", "bool"):
        return _emit_literal(e)
    if kind == "const":
        return e[1]
    if kind == "var":
        return _js_name(e[1])
    if kind == "value":
        return f"$.v({_js_name(e[1])})"
    if kind == "numfmt":
        return f"$.numberFormat({_js_name(e[1])})"
    if kind == "neg":
        return f"$.neg({_emit(e[1], s)})"
    if kind == "pos":
        return f"$.pos({_emit(e[1], s)})"
    if kind == "not":
        return f"$.not({_emit(e[1], s)})"
    if kind == "bin":
        return f"$.{e[1]}({_emit(e[2], s)}, {_emit(e[3], s)})"
    if kind == "missing":
        return "undefined"
    if kind == "call":
        return f"F.{e[1]}({', '.join(_emit(a, s) for a in e[2])})"
    if kind == "builtin":
        return f"$.{e[1]}({', '.join(_emit(a, s) for a in e[2])})"
    if kind == "wf":
        args = ", ".join(_emit(a, s) for a in e[2])
        return f"$.wf({_quote(e[1])}, {'true' if e[3] else 'false'}, [{args}])"
    raise Unsupported(kind)


def _emit_block(stmts: list[tuple], s: _Scope, depth: int) -> list[str]:
    out: list[str] = []
    pad = "  " * (depth - 1)
    for st in stmts:
        kind = st[0]
        if kind == "assign":
            target = st[1]
            value = f"$.v({_emit(st[2], s)})"
            vtype = s.vars.get(target)
            if vtype is not None:
                value = f"$.as({value}, {_quote(vtype)})"
            out.append(f"{pad}{_js_name(target)} = {value};")
        elif kind == "exit_function":
            out.append(f"{pad}return {_js_name(s.fname)};")
        elif kind == "exit_for":
            out.append(f"{pad}break;")
        elif kind == "if":
            for n, (cond, body) in enumerate(st[1]):
                word = "if" if n == 0 else "} else if"
                out.append(f"{pad}{word} ($.truth({_emit(cond, s)})) {{")
                out += _emit_block(body, s, depth + 1)
            if st[2]:
                out.append(f"{pad}}} else {{")
                out += _emit_block(st[2], s, depth + 1)
            out.append(f"{pad}}}")
        elif kind == "select":
            out.append(f"{pad}{{ const $c = $.v({_emit(st[1], s)});")
            first = True
            for tests, body in st[2]:
                conds = []
                for t in tests:
                    if t[0] == "eq":
                        conds.append(f"$.truth($.eq($c, {_emit(t[1], s)}))")
                    elif t[0] == "range":
                        conds.append(
                            f"($.truth($.ge($c, {_emit(t[1], s)})) && "
                            f"$.truth($.le($c, {_emit(t[2], s)})))"
                        )
                    else:
                        op = _COMPARE.get(t[1])
                        if op is None:
                            raise Unsupported("Case Is")
                        conds.append(f"$.truth($.{op}($c, {_emit(t[2], s)}))")
                word = "if" if first else "} else if"
                first = False
                out.append(f"{pad}{word} ({' || '.join(conds)}) {{")
                out += _emit_block(body, s, depth + 1)
            if st[3]:
                out.append(f"{pad}{'} else {' if not first else '{'}")
                out += _emit_block(st[3], s, depth + 1)
                first = False
            if not first:
                out.append(f"{pad}}}")
            out.append(f"{pad}}}")
        elif kind == "for":
            _, var, start, end, step, body = st
            v = _js_name(var)
            vtype = s.vars.get(var)
            lv = f"$l{depth}"
            conv = f"$.as({{}}, {_quote(vtype)})" if vtype else "{}"
            out.append(
                f"{pad}{{ const {lv} = $.loop({_emit(start, s)}, {_emit(end, s)}, {_emit(step, s)});"
            )
            # VBA evaluates the bounds once; the variable is never assigned in the body (checked
            # when parsing), so the loop runs at most the count $.loop() checked.
            out.append(
                f"{pad}for ({v} = {conv.format(lv + '.start')}; {lv}.more({v}); "
                f"{v} = {conv.format(f'{v} + {lv}.step')}) {{"
            )
            out += _emit_block(body, s, depth + 1)
            out.append(f"{pad}}} }}")
        else:
            raise Unsupported(kind)
    return out
