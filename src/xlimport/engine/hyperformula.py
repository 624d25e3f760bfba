"""Client of the HyperFormula engine: one long-lived Node.js process speaking JSON lines.

One process serves every import of this Python process (:func:`get_engine`); it is started on
first use, restarted with a larger heap when a workbook needs more memory, and restarted after it
dies. A request that outlives its timeout kills the process (:class:`EngineTimeoutError`); a
process that dies mid-request fails that request (:class:`EngineError`) and the next call gets a
fresh process. Requests are serialized by a lock; hold :meth:`HyperFormulaEngine.session` around a
load and the reads that belong to it when several threads share the engine.

The protocol is described in ``hyperformula/README.md``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import math
import os
import subprocess
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EngineError, EngineTimeoutError
from .base import (
    EngineErrorValue,
    EngineName,
    EngineSettings,
    EngineSheet,
    FormulaColumns,
    LoadReport,
)
from .install import ensure_engine_installed, node_executable

logger = logging.getLogger(__name__)

HEAP_FLOOR_MB = 512
HEAP_BYTES_PER_CELL = 2560  # measured need of HyperFormula, with margin
LARGE_HEAP_MB = 1536  # from this heap on (~600K cells), larger young generations
SEMI_SPACE_MB = 64
CHUNK_CELLS = 200_000  # cells per message when a workbook is sent in several
STDERR_LINES = 400
DEFAULT_TIMEOUT = 600.0

_live_engines: weakref.WeakSet[HyperFormulaEngine] = weakref.WeakSet()


def heap_mb_for(cells: int) -> int:
    """Node heap (MB) for a workbook of ``cells`` cells: ~2.5 KB per cell, 512 MB at least,
    rounded up to 256 MB and capped at 80 % of the machine's memory."""
    need = max(HEAP_FLOOR_MB, math.ceil(cells * HEAP_BYTES_PER_CELL / 2**20))
    need = -(-need // 256) * 256
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
        need = min(need, max(HEAP_FLOOR_MB, int(total_mb * 0.8)))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        pass
    cap = max_heap_mb()
    return min(need, cap) if cap else need


def max_heap_mb() -> int | None:
    """The configured ceiling of the engine's heap (``XLIMPORT_ENGINE_MAX_HEAP_MB``), if any."""
    raw = os.environ.get("XLIMPORT_ENGINE_MAX_HEAP_MB", "").strip()
    if not raw:
        return None
    try:
        return max(HEAP_FLOOR_MB, int(raw))
    except ValueError:
        return None


def encode_value(value: Any) -> Any:
    """A Python cell value in the engine's wire form (text stays text; errors as {"e": code})."""
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else {"e": "#NUM!"}
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return value
    if isinstance(value, EngineErrorValue):
        return {"e": value.code}
    if isinstance(value, (int, float)):  # numpy scalars and other number types
        number = float(value)
        return number if math.isfinite(number) else {"e": "#NUM!"}
    raise TypeError(f"cannot send a {kind.__name__} to the engine: {value!r}")


def decode_value(value: Any) -> Any:
    """The engine's wire form back to Python: float | str | bool | None | EngineErrorValue."""
    kind = type(value)
    if kind is float or kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return float(value)
    if kind is list:
        return EngineErrorValue(value[0], value[1] if len(value) > 1 else None)
    return value


def _decode_list(values: list[Any]) -> list[Any]:
    return [
        v if (type(v) is float or type(v) is str or v is None) else decode_value(v) for v in values
    ]


def _release(sheets: list[EngineSheet]) -> None:
    for sheet in sheets:
        sheet.constants = []
        sheet.formulas = []


def _sheet_chunks(sheet: EngineSheet, chunk: int) -> Iterator[dict[str, Any]]:
    """The sheet as one or more ``sheet`` messages of at most ``chunk`` cells each."""
    consts = [c for c in sheet.constants if c[2] is not None]
    forms = sheet.formulas
    total = len(consts) + len(forms)
    arrays = [list(a) for a in sheet.arrays]
    if total == 0:
        yield {"name": sheet.name, "arrays": arrays} if arrays else {"name": sheet.name}
        return
    for start in range(0, total, chunk):
        stop = min(total, start + chunk)
        part: dict[str, Any] = {"name": sheet.name}
        if start == 0 and arrays:
            part["arrays"] = arrays  # [anchor row, col, height, width], 1-based
        if start == 0 and sheet.hidden_rows:
            part["hidden"] = list(sheet.hidden_rows)  # 1-based rows, for SUBTOTAL / AGGREGATE
            part["filtered"] = list(sheet.filtered_rows)
        c_part = consts[start:stop] if start < len(consts) else []
        if c_part:
            part["constants"] = {
                "rows": [c[0] for c in c_part],
                "cols": [c[1] for c in c_part],
                "values": [encode_value(c[2]) for c in c_part],
            }
        f_start = max(0, start - len(consts))
        f_stop = max(0, stop - len(consts))
        if isinstance(forms, FormulaColumns):
            if f_stop > f_start:  # the columns as they are; the engine puts back the "="
                part["formulas"] = {
                    "rows": forms.rows[f_start:f_stop],
                    "cols": forms.cols[f_start:f_stop],
                    "texts": forms.texts[f_start:f_stop],
                    "bare": True,
                }
            yield part
            continue
        f_part = forms[f_start:f_stop]
        if f_part:
            part["formulas"] = {
                "rows": [f[0] for f in f_part],
                "cols": [f[1] for f in f_part],
                "texts": [f[2] if f[2].startswith("=") else "=" + f[2] for f in f_part],
            }
        yield part


class HyperFormulaEngine:
    """The :class:`~xlimport.engine.base.Engine` backed by HyperFormula in a Node.js process."""

    def __init__(
        self,
        *,
        node: str | None = None,
        engine_dir: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        heap_mb: int | None = None,
    ) -> None:
        self._node = node
        self._engine_dir = engine_dir
        self._timeout = timeout
        self._min_heap_mb = heap_mb or HEAP_FLOOR_MB
        self._heap_mb = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.RLock()
        self._stderr: deque[str] = deque(maxlen=STDERR_LINES)
        self._next_id = 0
        self._functions: frozenset[str] | None = None
        self._info: dict[str, Any] = {}
        _live_engines.add(self)

    # ---- process ------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The Node process id, or None when no process is running."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    @property
    def heap_mb(self) -> int:
        return self._heap_mb

    @contextlib.contextmanager
    def session(self) -> Iterator[HyperFormulaEngine]:
        """Hold the engine for a sequence of requests (load, reads, solving) in one thread."""
        with self._lock:
            yield self

    def start(self, heap_mb: int | None = None) -> None:
        """Start the Node process now (otherwise it starts on first use)."""
        with self._lock:
            self._ensure_process(heap_mb or self._min_heap_mb)

    def _ensure_process(self, heap_mb: int) -> subprocess.Popen[bytes]:
        proc = self._proc
        if proc is not None and proc.poll() is None and self._heap_mb >= heap_mb:
            return proc
        if proc is not None:
            if proc.poll() is None:
                logger.info("restarting the engine with a %d MB heap", heap_mb)
            else:
                logger.warning("the engine process had exited (code %s): restarting", proc.poll())
            self._stop_process()
        folder = self._engine_dir or ensure_engine_installed(node=self._node)
        heap = max(heap_mb, self._min_heap_mb)
        cmd = [self._node or node_executable(), f"--max-old-space-size={heap}"]
        if heap >= LARGE_HEAP_MB:
            # A big build allocates fast: young generations of 64 MB instead of V8's 16 MB
            # promote fewer short-lived objects (~15 % less CPU at 1M formulas, ~200 MB more).
            cmd.append(f"--max-semi-space-size={SEMI_SPACE_MB}")
        cmd.append(str(folder / "engine.js"))
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=folder,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=1 << 20,
            )
        except OSError as exc:
            raise EngineError(f"could not start the formula engine: {exc}") from exc
        self._proc = proc
        self._heap_mb = heap
        threading.Thread(
            target=self._drain_stderr, args=(proc,), name="xlimport-engine-stderr", daemon=True
        ).start()
        logger.debug("engine started: pid %d, heap %d MB", proc.pid, heap)
        return proc

    def _drain_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self._stderr.append(line)
                logger.debug("engine[%d]: %s", proc.pid, line)

    def stderr_tail(self, lines: int = 20) -> str:
        """The last lines the engine wrote to stderr."""
        return "\n".join(list(self._stderr)[-lines:])

    def _stop_process(self) -> None:
        proc, self._proc = self._proc, None
        self._heap_mb = 0
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()

    # ---- requests -----------------------------------------------------------------------------
    def request(
        self, op: str, *, timeout: float | None = None, heap_mb: int = 0, **fields: Any
    ) -> dict[str, Any]:
        """Send one protocol request and return its response (raises on failure)."""
        with self._lock:
            proc = self._ensure_process(max(heap_mb, self._min_heap_mb))
            return self._call(proc, {"op": op, **fields}, timeout or self._timeout)

    def _call(
        self,
        proc: subprocess.Popen[bytes],
        msg: dict[str, Any],
        timeout: float,
        on_sent: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        return self._exchange(proc, [msg], timeout, on_sent)

    def _exchange(
        self,
        proc: subprocess.Popen[bytes],
        msgs: Iterable[dict[str, Any]],
        timeout: float,
        on_sent: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        """Send ``msgs`` back to back, then read their answers in order; the last answer.

        The engine takes each message while the next is encoded (no wait for an answer in
        between); ``on_sent`` is called once all are written. ``timeout`` covers the whole
        exchange. The first failed answer raises, once every answer is read."""
        sent: list[tuple[int, str]] = []  # (id, op) in the order written
        timed_out = threading.Event()

        def on_timeout() -> None:
            timed_out.set()
            with contextlib.suppress(OSError):
                proc.kill()

        watchdog = threading.Timer(max(timeout, 0.001), on_timeout)
        watchdog.daemon = True
        watchdog.start()
        lines: list[bytes] = []
        op = "?"
        died = False  # the pipe broke while writing
        try:
            assert proc.stdin is not None and proc.stdout is not None
            try:
                for msg in msgs:
                    self._next_id += 1
                    msg["id"] = self._next_id
                    op = msg["op"]
                    payload = json.dumps(msg, separators=(",", ":"), allow_nan=False).encode()
                    try:
                        proc.stdin.write(payload + b"\n")
                        proc.stdin.flush()
                    except (BrokenPipeError, OSError, ValueError):
                        died = True
                        break
                    sent.append((self._next_id, op))
                    del payload
            except BaseException:
                # A message that could not be made (a value the wire cannot carry): the engine
                # holds part of an exchange and answers nobody will read. A fresh one follows.
                self._stop_process()
                raise
            if not died:
                if on_sent is not None:
                    on_sent()
                try:
                    for _, waiting in sent:
                        op = waiting  # named if the engine times out or dies meanwhile
                        line = proc.stdout.readline()
                        if not line:
                            break
                        lines.append(line)
                except (OSError, ValueError):
                    pass
        finally:
            watchdog.cancel()
        if timed_out.is_set():
            self._stop_process()
            raise EngineTimeoutError(
                f"the formula engine did not answer {op!r} within {timeout:g} s; it was stopped",
                stage="evaluation",
            )
        if died or len(lines) < len(sent):
            if not died:
                op = sent[len(lines)][1]
            heap = self._heap_mb
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=2)  # let its last words reach the stderr buffer
            time.sleep(0.05)
            code = proc.poll()
            tail = self.stderr_tail()
            self._stop_process()
            if "heap out of memory" in tail or "Allocation failed" in tail:
                cap = max_heap_mb()
                raise EngineError(
                    f"the formula engine ran out of memory during {op!r} (heap limit "
                    f"{heap} MB; XLIMPORT_ENGINE_MAX_HEAP_MB="
                    f"{cap if cap else 'unset'}): the workbook is too large for this limit",
                    detail=tail or None,
                    stage="evaluation",
                )
            raise EngineError(
                f"the formula engine process died during {op!r} (exit code {code})",
                detail=tail or None,
                stage="evaluation",
            )
        failed: EngineError | None = None
        response: dict[str, Any] = {}
        for (msg_id, op), line in zip(sent, lines, strict=True):
            try:
                response = json.loads(line)
            except ValueError as exc:
                self._stop_process()
                raise EngineError(
                    f"the formula engine sent an unreadable answer to {op!r}", detail=line[:500]
                ) from exc
            if response.get("id") != msg_id:
                self._stop_process()
                raise EngineError(f"the formula engine answered out of turn during {op!r}")
            if not response.get("ok") and failed is None:
                failed = EngineError(
                    f"the formula engine failed on {op!r}: {response.get('error')}",
                    detail=self.stderr_tail() or None,
                    stage="evaluation",
                )
        if failed is not None:
            raise failed
        return response

    # ---- the Engine protocol ------------------------------------------------------------------
    def ping(self) -> dict[str, Any]:
        """Engine facts: ``version``, ``node``, ``functions``, ``patched``, ``rss`` (bytes)."""
        info = self.request("ping")
        self._functions = frozenset(name.upper() for name in info["functions"])
        self._info = {k: v for k, v in info.items() if k not in ("id", "ok", "functions")}
        return info

    def function_names(self) -> frozenset[str]:
        with self._lock:
            if self._functions is None or self.pid is None:
                self.ping()
            assert self._functions is not None
            return self._functions

    def version(self) -> str:
        return str(self.ping()["version"])

    def memory_usage(self) -> dict[str, int]:
        """The engine process's ``rss`` and ``heap_used`` in bytes."""
        info = self.ping()
        return {"rss": int(info["rss"]), "heap_used": int(info["heap_used"])}

    def load(
        self,
        sheets: list[EngineSheet],
        names: list[EngineName],
        settings: EngineSettings,
        *,
        patch: bool = True,
        count_edge_work: bool = False,
        on_sent: Callable[[], None] | None = None,
        release: bool = False,
        functions: list[dict[str, Any]] | None = None,
        formats: dict[str, list[tuple[int, int, str]]] | None = None,
    ) -> LoadReport:
        """Build the whole workbook in one bulk call (replacing any previous one).

        ``functions``: the workbook's translated VBA functions, registered for this workbook
        only (``formats``: the number formats their ``.NumberFormat`` reads).

        ``on_sent`` is called once the whole workbook is written to the engine, while it
        builds (work that overlaps the build goes there); ``release`` empties each sheet's
        constants and formulas once they are sent, so their memory can go during the build.

        ``patch=False`` builds with HyperFormula's own (quadratic) edge insertion, and
        ``count_edge_work`` makes the report's ``stats`` count the edge-list entries scanned:
        both for tests and benchmarks of the build patch."""
        started = time.perf_counter()
        cells = sum(len(s.constants) + len(s.formulas) for s in sheets)
        wire_settings = {
            "date1904": settings.date1904,
            "charset": settings.charset,
            "excel_version": settings.excel_version,
            "tables": settings.tables,
            "patch": patch,
            "count_edge_work": count_edge_work,
        }
        wire_names = [{"name": n.name, "expression": n.expression, "scope": n.scope} for n in names]
        extra: dict[str, Any] = {"functions": functions or []}
        if formats:
            extra["formats"] = formats
        timeout = settings.timeout
        with self._lock:
            self._timeout = timeout
            proc = self._ensure_process(heap_mb_for(cells))
            if cells <= CHUNK_CELLS:
                parts = [p for s in sheets for p in _sheet_chunks(s, CHUNK_CELLS)]
                if release:
                    _release(sheets)
                resp = self._call(
                    proc,
                    {
                        "op": "load",
                        "settings": wire_settings,
                        "names": wire_names,
                        "sheets": parts,
                        **extra,
                    },
                    timeout,
                    on_sent,
                )
            else:
                # Sent chunk by chunk, back to back: the engine takes in each chunk while the
                # next one is encoded here.
                def messages() -> Iterator[dict[str, Any]]:
                    yield {
                        "op": "load",
                        "settings": wire_settings,
                        "names": wire_names,
                        "build": False,
                        **extra,
                    }
                    for sheet in sheets:
                        for part in _sheet_chunks(sheet, CHUNK_CELLS):
                            yield {"op": "sheet", **part}
                        if release:
                            _release([sheet])
                    yield {"op": "build"}

                resp = self._exchange(proc, messages(), timeout, on_sent)
        report = LoadReport(
            seconds=time.perf_counter() - started,
            rejected_names=[(str(n), str(reason)) for n, reason in resp.get("rejected_names", [])],
            warnings=list(resp.get("warnings", [])),
            stats={"build_seconds": resp.get("seconds"), **resp.get("stats", {})},
        )
        for name, reason in report.rejected_names:
            logger.info("defined name %s skipped by the engine: %s", name, reason)
        return report

    def formula_values(self) -> list[list[Any]]:
        resp = self.request("values")
        return [_decode_list(values) for values in resp["values"]]

    def set_and_read(
        self,
        updates: list[tuple[str, int, int, Any]],
        reads: list[tuple[str, int, int]],
    ) -> list[Any]:
        wire_updates = [
            [
                sheet,
                row,
                col,
                {"f": value}
                if type(value) is str and value.startswith("=")
                else encode_value(value),
            ]
            for sheet, row, col, value in updates
        ]
        resp = self.request("set_and_read", updates=wire_updates, reads=[list(r) for r in reads])
        return _decode_list(resp["values"])

    def add_sheet(self, name: str) -> None:
        self.request("add_sheet", name=name)

    def settle_dynamic(self, *, targets: bool = False) -> DynamicReport:
        """Settle INDIRECT / OFFSET cells of the loaded workbook (the engine already does after
        every recalculation; this is one more check) and report: rounds of recomputation so far,
        dynamic cells, and with ``targets`` the references each one resolved to, as
        ``(sheet, row, col, [(sheet, r1, c1, r2, c2), ...])``, 1-based."""
        resp = self.request("settle_dynamic", targets=targets)
        found = [
            (str(s), int(r), int(c), [(str(t[0]), *map(int, t[1:])) for t in refs])
            for s, r, c, refs in resp.get("targets") or []
        ]
        return DynamicReport(
            rounds=int(resp["rounds"]),
            last_rounds=int(resp["last_rounds"]),
            cells=int(resp["cells"]),
            unconverged=int(resp["unconverged"]),
            targets=found,
        )

    def close(self) -> None:
        """Stop the Node process (a later call starts a new one)."""
        with self._lock:
            proc = self._proc
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(EngineError):
                    self._call(proc, {"op": "shutdown"}, 5.0)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
            self._stop_process()

    def __enter__(self) -> HyperFormulaEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(slots=True)
class DynamicReport:
    """What :meth:`HyperFormulaEngine.settle_dynamic` found."""

    rounds: int  # recomputation rounds of dynamic cells since the workbook was loaded
    last_rounds: int  # rounds this call needed (0: everything was already settled)
    cells: int  # formula cells (and names) holding INDIRECT / OFFSET evaluated at run time
    unconverged: int  # settles that hit the round limit
    targets: list[tuple[str, int, int, list[tuple[str, int, int, int, int]]]] = field(
        default_factory=list
    )


_shared: HyperFormulaEngine | None = None
_shared_lock = threading.Lock()


def get_engine() -> HyperFormulaEngine:
    """The engine shared by this Python process (created on first call, started lazily)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            from ..config import get_settings

            settings = get_settings()
            _shared = HyperFormulaEngine(
                node=settings.xlimport_node, timeout=settings.xlimport_engine_timeout
            )
        return _shared


@atexit.register
def _close_all() -> None:
    for engine in list(_live_engines):
        with contextlib.suppress(Exception):
            if engine._lock.acquire(timeout=2):
                try:
                    engine.close()
                finally:
                    engine._lock.release()
            else:  # another thread is mid-request: just stop the process
                engine._stop_process()
