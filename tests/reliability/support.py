"""Helpers of the reliability suite: hostile workbooks made by code, the process stack, PostgreSQL
inspection, and finding processes by parent (for ``kill -9``)."""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.helpers import (
    ApiClient,
    Stack,
    free_port,
    make_workbook,
    start_process,
    wait_healthy,
)

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
FINAL = ("success", "failed", "cancelled")

__all__ = ["ApiClient", "free_port", "make_workbook"]


# ---- workbooks by code -----------------------------------------------------------------------
def sheet_xml(rows: str, before: str = "", prolog: str = '<?xml version="1.0"?>') -> str:
    return (
        f'{prolog}<worksheet xmlns="{NS}" xmlns:r="{R_NS}">{before}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def package(
    sheet: str, extra: dict[str, str | bytes] | None = None, sst: str | None = None
) -> bytes:
    """A minimal one-sheet workbook as zip bytes (raw parts, for what openpyxl cannot write)."""
    rels = f'<Relationship Id="rId1" Type="{R_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    if sst is not None:
        rels += f'<Relationship Id="rId2" Type="{R_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
        f'Type="{R_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG_NS}">{rels}</Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{R_NS}"><sheets>'
        f'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    if sst is not None:
        parts["xl/sharedStrings.xml"] = sst
    parts.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return out.getvalue()


def _cell(ref: str, formula: str | None = None, value: str = "1") -> str:
    f = f"<f>{formula}</f>" if formula is not None else ""
    return f'<c r="{ref}">{f}<v>{value}</v></c>'


def good_workbook(seed: int = 1) -> bytes:
    return package(
        sheet_xml(f'<row r="1">{_cell("A1", value=str(seed))}{_cell("B1", "A1*2")}</row>')
    )


def entity_bomb() -> bytes:
    ents = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    prolog = f'<?xml version="1.0"?><!DOCTYPE worksheet [{ents}]>'
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
    return package(sheet_xml(rows, prolog=prolog))


def xxe(secret: Path) -> bytes:
    sst = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        f'<sst xmlns="{NS}"><si><t>&x;</t></si></sst>'
    )
    return package(sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), sst=sst)


def zip_bomb(megabytes: int = 64) -> bytes:
    """A real one: a member of ``megabytes`` MB of zeros, deflated to a few dozen KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        base = zipfile.ZipFile(io.BytesIO(good_workbook()))
        for info in base.infolist():
            zf.writestr(info.filename, base.read(info.filename))
        with zf.open("xl/media/zeros.bin", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(megabytes):
                member.write(block)
    return out.getvalue()


def lying_zip(claimed: int = 3 * 1024**3) -> bytes:
    """A small workbook whose zip directory claims a member inflates to ``claimed`` bytes."""
    data = bytearray(good_workbook())
    end = data.rfind(b"PK\x05\x06")
    (cd_offset,) = struct.unpack("<I", data[end + 16 : end + 20])
    pos = cd_offset
    while data[pos : pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        name = bytes(data[pos + 46 : pos + 46 + name_len])
        if name == b"xl/worksheets/sheet1.xml":
            data[pos + 24 : pos + 28] = struct.pack("<I", min(claimed, 0xFFFFFFFE))
        pos += 46 + name_len + extra_len + comment_len
    return bytes(data)


def huge_dimension() -> bytes:
    rows = f'<row r="1">{_cell("A1", value="5")}</row><row r="1048576">{_cell("XFD1048576", "A1+1", "6")}</row>'
    return package(sheet_xml(rows, before='<dimension ref="A1:XFD1048576"/>'))


def long_formula() -> bytes:
    formula = "+".join(["A1"] * 3000)  # 8,999 characters; Excel's limit is 8,192
    return package(sheet_xml(f'<row r="1">{_cell("A1")}{_cell("B1", formula)}</row>'))


def deep_formula(depth: int = 400) -> bytes:
    formula = "ABS(" * depth + "A1" + ")" * depth
    return package(sheet_xml(f'<row r="1">{_cell("A1")}{_cell("B1", formula)}</row>'))


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def encrypted() -> bytes:
    return OLE2 + b"\x00" * 600 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64


def legacy_xls() -> bytes:
    return OLE2 + b"\x00" * 600 + "Workbook".encode("utf-16-le") + b"\x00" * 64


def xlsb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return out.getvalue()


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def truncated() -> bytes:
    data = good_workbook(7)
    return data[: len(data) // 2]


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"

# name -> (bytes factory, error code, phrase in the message). Rejected at upload (HTTP 400/413)
# when ``at_upload``, else by the job (failed, same code and phrase).
HOSTILE: dict[str, tuple[Any, str, str, bool]] = {
    "not_a_zip": (lambda: b"just some text, not a workbook\n", "not_a_zip", "plain text", True),
    "pdf_named_xlsx": (lambda: PDF, "not_a_zip", "PDF", True),
    "empty": (lambda: b"", "not_a_zip", "empty", True),
    "zip_without_workbook": (zip_without_workbook, "invalid_workbook", "without a workbook", True),
    "truncated_zip": (truncated, "corrupt_workbook", "zip", True),
    "zip_bomb": (zip_bomb, "limit_exceeded", "max_compression_ratio", True),
    "zip_claiming_gigabytes": (lying_zip, "limit_exceeded", "max_inflated_bytes", True),
    "encrypted": (encrypted, "encrypted_workbook", "password", True),
    "legacy_xls": (legacy_xls, "unsupported_format", ".xls", True),
    "xlsb": (xlsb, "unsupported_format", "xlsb", True),
    "entity_bomb": (entity_bomb, "corrupt_workbook", "DTD", False),
    "formula_too_long": (long_formula, "limit_exceeded", "max_formula_length", False),
    "formula_too_deep": (deep_formula, "limit_exceeded", "max_formula_depth", False),
}


# ---- PostgreSQL --------------------------------------------------------------------------------
def pg_admin(base_url: str) -> Any:
    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    conn = psycopg2.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=url.database or "test",
        connect_timeout=5,
    )
    conn.autocommit = True
    return conn


@dataclass
class Pg:
    url: str
    schema: str
    admin: Any

    def tagged(self, role: str) -> str:
        """The URL with an ``application_name`` naming ``role`` (to find its backends)."""
        return f"{self.url}&application_name={self.app_name(role)}"

    def app_name(self, role: str) -> str:
        return f"xlrel-{self.schema}-{role}"

    def scalar(self, sql: str, *args: Any) -> Any:
        with self.admin.cursor() as cur:
            cur.execute(f'SET search_path TO "{self.schema}"')
            cur.execute(sql, args)
            row = cur.fetchone()
            cur.execute("RESET search_path")
        return row[0] if row else None

    def count(self, table: str, where: str = "TRUE", *args: Any) -> int:
        try:
            return int(self.scalar(f"SELECT count(*) FROM {table} WHERE {where}", *args))
        except Exception as exc:  # table not created yet
            if "does not exist" in str(exc):
                return 0
            raise

    def terminate(self, role: str, query_like: str = "%") -> int:
        """``pg_terminate_backend`` on the backends of ``role`` running a matching query."""
        with self.admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND query ILIKE %s AND state = 'active'",
                (self.app_name(role), query_like),
            )
            return len(cur.fetchall())


# ---- processes ---------------------------------------------------------------------------------
def children_of(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        if ppid == pid:
            out.append(int(entry))
    return out


def engine_pid_of(pid: int) -> int | None:
    """The Node engine process started by process ``pid`` (or None)."""
    for child in children_of(pid):
        try:
            cmd = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"engine.js" in cmd:
            return child
    return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def wait_for(predicate: Any, timeout: float = 30, every: float = 0.05, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"timed out waiting for {what or predicate}")


@dataclass
class RelStack(Stack):
    """``xlimport serve`` + ``xlimport worker`` with a quick sweep; worker connections tagged."""

    pg: Pg | None = None
    worker_env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)
    port: int = 0

    @classmethod
    def start(cls, home: Path, pg: Pg, redis_url: str, **extra: str) -> RelStack:
        tag = uuid.uuid4().hex[:8]
        env = {
            "DATABASE_URL": pg.url,
            "REDIS_URL": redis_url,
            "XLIMPORT_HOME": str(home),
            "XLIMPORT_REDIS_PREFIX": f"xlrel{tag}:",
            "XLIMPORT_QUEUE": f"xlrel{tag}",
            "XLIMPORT_UPLOAD_RATE_LIMIT": "100000",
            "XLIMPORT_LOG_LEVEL": "WARNING",
            "XLIMPORT_HEARTBEAT_INTERVAL": "0.5",
            "XLIMPORT_STALE_AFTER": "3",
            "XLIMPORT_SWEEP_INTERVAL": "0.5",
            **extra,
        }
        stack = cls(env=env, home=home, pg=pg)
        stack.worker_env = {**env, "DATABASE_URL": pg.tagged("worker")}
        stack.api_key = stack.cli("keys", "create", "reliability").stdout.strip().splitlines()[0]
        stack.port = free_port()
        stack.base_url = f"http://127.0.0.1:{stack.port}"
        stack.start_server()
        stack.start_worker()
        return stack

    def start_server(self) -> subprocess.Popen:
        log = self.home / f"serve-{len(self.processes)}.log"
        self.server = start_process(self.env, log, "serve", "--port", str(self.port))
        self.processes.append(self.server)
        wait_healthy(self.base_url, self.server)
        return self.server

    def start_worker(self) -> subprocess.Popen:
        n = len(self.workers) + 1
        proc = start_process(
            self.worker_env,
            self.home / f"worker{n}.log",
            "worker",
            "--name",
            f"rel{n}-{uuid.uuid4().hex[:8]}",
        )
        self.workers.append(proc)
        self.processes.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        proc.send_signal(sig)
        proc.wait(timeout=30)

    def upload_bytes(self, data: bytes, filename: str = "book.xlsx", **fields: Any) -> Any:
        import aiohttp

        form = aiohttp.FormData()
        for name, value in fields.items():
            form.add_field(name, str(value))
        form.add_field("file", data, filename=filename)
        return self.client().post("/api/import/upload", data=form)

    def wait_stage(self, job_id: str, stage: str, timeout: float = 60) -> dict[str, Any]:
        client = self.client()

        def reached() -> dict[str, Any] | None:
            job = client.get(f"/api/import/job/{job_id}").body
            if job["status"] in FINAL:
                raise AssertionError(f"job ended before {stage}: {job}")
            return job if (job["progress"] or {}).get("stage") == stage else None

        return wait_for(reached, timeout, 0.05, f"job {job_id} at {stage}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in self.home.glob("*.log")
        )


def redis_ok(url: str) -> bool:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return False
    return True


def heavy_workbook(rows: int = 2000, formulas: int = 2000, seed: int = 0) -> bytes:
    """Slow to evaluate (each formula a SUMPRODUCT over ``rows`` rows: seconds in the engine),
    quick to build and read; distinct per ``seed``."""
    cells = []
    for r in range(1, rows + 1):
        extra = (
            f'<c r="C{r}"><f>SUMPRODUCT($A$1:$A${rows}*$B$1:$B${rows})+{r}</f><v>0</v></c>'
            if r <= formulas
            else ""
        )
        cells.append(
            f'<row r="{r}"><c r="A{r}"><v>{r * 0.5 + seed}</v></c><c r="B{r}"><v>{r % 7}</v></c>'
            f"{extra}</row>"
        )
    return package(sheet_xml("".join(cells)))


def wide_workbook(cells: int = 30_000, seed: int = 0) -> bytes:
    """Many constant cells and a few formulas: quick everywhere, but several insert chunks."""
    rows = []
    per_row = 10
    for r in range(1, cells // per_row + 1):
        vals = "".join(
            f'<c r="{chr(65 + c)}{r}"><v>{r * per_row + c + seed}</v></c>' for c in range(per_row)
        )
        rows.append(f'<row r="{r}">{vals}<c r="K{r}"><f>SUM(A{r}:J{r})</f><v>0</v></c></row>')
    return package(sheet_xml("".join(rows)))
