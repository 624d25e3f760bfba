"""Some sheets of a big workbook read and analysed in a second process, beside the first.

Reading and formula analysis are Python work that must finish before the engine can build the
workbook, so they add to every import's time; on a machine with a second core a helper process
takes about half of the sheets (by size) while this process reads and analyses the others.

The helper is started (a fresh interpreter, safe beside threads) the first time a big
workbook is imported, kept warm for the next ones like the engine, and used only once it is
ready and not busy with another import of this process; otherwise, and whenever it fails, this
process reads everything itself (reading then reports what is wrong with the file). It exits
with the process that started it. ``XLIMPORT_READ_PROCESS=0`` turns it off.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from . import errors
from .reader import ReaderLimits, _cells_limit, read_workbook, worksheet_sizes
from .workbook import WorkbookData

log = logging.getLogger(__name__)

ENV = "XLIMPORT_READ_PROCESS"
# Worksheet bytes (inflated XML) from which a second process pays for itself: its start-up
# is paid once, but sending the sheets and their analysis back costs about a tenth of reading.
MIN_BYTES = 4_000_000
# Worksheet bytes from which an import waits (up to a second) for a helper still starting.
WAIT_BYTES = 40_000_000
# The helper's share of the sheet bytes: a little over half, as this process also reads the
# workbook's structure and takes the helper's sheets back.
SHARE = 0.55

_lock = threading.Lock()
_helper: _Helper | None = None
# Helpers that ended without ever being ready (a broken interpreter or install): after
# MAX_FAILED_STARTS of them this process stops starting new ones.
_failed_starts = 0
MAX_FAILED_STARTS = 2


def enabled() -> bool:
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def prepare(path: str | os.PathLike) -> None:
    """Start the helper in the background if ``path`` is big enough to use it (no wait)."""
    global _helper
    if not enabled() or (os.cpu_count() or 1) < 2:
        return
    try:
        if os.path.getsize(path) * 4 < MIN_BYTES:  # sheets inflate 4-15 times
            return
    except OSError:
        return
    global _failed_starts
    with _lock:
        if _helper is not None and _helper.owner == os.getpid() and not _helper.alive():
            if not _helper.was_ready:
                _failed_starts += 1
                log.warning("the reading helper process ended before it was ready")
            _helper = None
        if _failed_starts >= MAX_FAILED_STARTS:
            return
        if _helper is None or _helper.owner != os.getpid():
            try:
                _helper = _Helper()
            except (OSError, ValueError) as exc:  # no second process here: read alone
                log.info("no reading helper process: %s", exc)
                _helper = None


def begin(path: str | os.PathLike, limits: ReaderLimits) -> SheetsElsewhere | None:
    """Hand about half of the workbook's sheets to the helper, if it is ready and idle and the
    workbook is big enough; None means this process reads every sheet."""
    helper = _helper
    if helper is None or helper.owner != os.getpid() or not enabled():
        return None
    sizes = worksheet_sizes(path)
    positions = _split(sizes)
    if not positions or not helper.busy.acquire(False):
        return None
    try:
        # a helper still starting is worth a short wait when reading takes seconds
        if not helper.ready(1.0 if sum(sizes) >= WAIT_BYTES else 0.0):
            helper.busy.release()
            return None
        skip = frozenset(range(len(sizes))) - positions
        job = helper.send(os.fspath(path), skip, limits)
    except BaseException:
        helper.busy.release()
        raise
    log.debug("sheets %s read by the helper process", sorted(positions))
    return SheetsElsewhere(helper, job, positions, os.fspath(path), limits)


def _split(sizes: list[int]) -> frozenset[int]:
    """The positions of the sheets for the helper: the biggest first to whichever side is
    further below its share; nothing when the sheets are too small or cannot be shared."""
    total = sum(sizes)
    if total < MIN_BYTES or len(sizes) < 2:
        return frozenset()
    mine, theirs = 0.0, 0.0
    out = set()
    for k in sorted(range(len(sizes)), key=lambda k: -sizes[k]):
        if theirs / SHARE <= mine / (1 - SHARE):
            out.add(k)
            theirs += sizes[k]
        else:
            mine += sizes[k]
    if not out or theirs < 0.2 * total or theirs > 0.8 * total:
        return frozenset()
    return frozenset(out)


class SheetsElsewhere:
    """The sheets the helper reads for one import: :meth:`merge` puts them into the workbook
    this process read, :meth:`analyses` gives their formula analysis. Falls back to reading
    (or analysing) here when the helper fails. :meth:`close` frees the helper."""

    def __init__(
        self,
        helper: _Helper,
        job: int,
        positions: frozenset[int],
        path: str,
        limits: Any,
    ) -> None:
        self.positions = positions
        self._helper = helper
        self._job = job
        self._path = path
        self._limits = limits
        self._closed = False
        self._merged = False

    def merge(self, wb: WorkbookData) -> None:
        """The helper's sheets into ``wb`` (read with these positions skipped); once."""
        if self._merged:
            return
        self._merged = True
        got = self._receive("sheets")
        if got is None:
            self.close()
            skip = frozenset(range(len(wb.sheets))) - self.positions
            try:
                here = read_workbook(self._path, limits=self._limits, skip=skip)
            except errors.XlImportError as exc:
                if exc.stage is None:
                    exc.stage = "parsing"
                raise
            got = ([here.sheets[k] for k in sorted(self.positions)], here.warnings)
        sheets, warnings = got
        for sheet in sheets:
            if wb.sheets[sheet.index].name != sheet.name:  # the file changed meanwhile
                raise RuntimeError(f"sheet {sheet.index} is {sheet.name!r} in the helper")
            wb.sheets[sheet.index] = sheet
        for warning in warnings:
            if warning not in wb.warnings:
                wb.warnings.append(warning)
        if wb.cell_count > self._limits.max_cells:
            exc = _cells_limit(self._limits)
            exc.stage = "parsing"
            raise exc

    def analyses(self) -> dict[int, Any] | None:
        """The helper's analysis of its sheets (:class:`~xlimport.references.SheetAnalysis` by
        sheet index), or None: analyse them here."""
        try:
            return self._receive("analyses")
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._helper.busy.release()

    def _receive(self, kind: str) -> Any:
        if self._closed:
            return None
        try:
            return self._helper.receive(self._job, kind)
        except _Failed as exc:  # this workbook: the reading here says what is wrong
            log.info("reading helper process: %s; reading here", exc)
        except Exception as exc:  # noqa: BLE001 - the helper is optional: work here instead
            log.warning("reading helper process failed (%s); reading here", exc)
            self._helper.stop()
        self.close()
        return None


class _Failed(Exception):
    """The helper's own error for a job (it stays usable)."""


class _Helper:
    def __init__(self) -> None:
        # A fresh interpreter running this module (not multiprocessing's spawn, which runs the
        # caller's main script again in the child), talking over a socket pair.
        ours, theirs = socket.socketpair()
        package = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package, env.get("PYTHONPATH")]))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(theirs.fileno()), str(os.getpid())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            theirs.close()
        self._conn = Connection(ours.detach())
        self.owner = os.getpid()  # a forked child starts its own
        self.busy = threading.Lock()
        self._ready = False
        self._ever_ready = False
        self._jobs = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def was_ready(self) -> bool:
        return self._ever_ready

    def ready(self, wait: float = 0.0) -> bool:
        """Whether the helper has started (waiting up to ``wait`` seconds for it)."""
        if not self._ready and self.alive():
            try:
                if self._conn.poll(wait):
                    self._ready = self._conn.recv() == ("ready",)
                    self._ever_ready = self._ever_ready or self._ready
            except (EOFError, OSError):
                return False
        return self._ready and self.alive()

    def send(self, path: str, skip: frozenset[int], limits: Any) -> int:
        self._jobs += 1
        self._conn.send((self._jobs, path, skip, limits))
        return self._jobs

    def receive(self, job: int, kind: str) -> Any:
        while True:
            if not self._conn.poll(600):
                raise TimeoutError("no answer in 600 s")
            got_job, got_kind, payload = self._conn.recv()
            if got_job != job:
                continue  # an answer for an import that was given up
            if got_kind == "error":
                raise _Failed(payload)
            if got_kind == kind:
                return payload

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
            self.process.wait()
        self._ready = False


_CHILD = (
    "import sys; from xlimport._parallel import _main; _main(int(sys.argv[1]), int(sys.argv[2]))"
)


def _main(fd: int, parent: int) -> None:  # pragma: no cover - runs in the helper
    _serve(Connection(fd), parent)


def _serve(conn: Connection, parent: int) -> None:  # pragma: no cover - runs in the helper
    """The helper's loop: read the sheets asked for, send them, then send their analysis.

    Messages are pickled here and written by a sender thread, so the analysis goes on while
    the importing process, busy with its own sheets, has not taken the sheets yet."""
    import pickle
    import queue

    from .references import AnalysisContext, analyze_sheet

    threading.Thread(target=_watch, args=(parent,), name="xlimport-watch", daemon=True).start()
    outbox: queue.Queue = queue.Queue()

    def sender() -> None:
        while True:
            conn.send_bytes(outbox.get())

    threading.Thread(target=sender, name="xlimport-send", daemon=True).start()

    def send(message: tuple) -> None:
        outbox.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    send(("ready",))
    while True:
        try:
            job, path, skip, limits = conn.recv()
        except (EOFError, OSError):
            return
        try:
            wb = read_workbook(path, limits=limits, skip=skip)
            mine = [s for s in wb.sheets if s.index not in skip]
            send((job, "sheets", (mine, wb.warnings)))
            ctx = AnalysisContext(wb)
            send((job, "analyses", {s.index: analyze_sheet(s, ctx) for s in mine}))
        except BaseException as exc:  # noqa: BLE001 - told to the parent, which reads itself
            send((job, "error", f"{type(exc).__name__}: {exc}"))
        wb = mine = ctx = None  # type: ignore[assignment]


def _watch(parent: int) -> None:  # pragma: no cover - runs in the helper
    """Ends the helper when the process that started it is gone (even killed, or ended with
    ``os._exit`` as a forked job runner does)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)
