"""Rows to PostgreSQL ``COPY ... FROM STDIN`` text format, chunk by chunk.

Formatting is done column-wise per chunk (a handful of list comprehensions per chunk instead of
one Python call per field), and :class:`CopyStream` hands the chunks to psycopg2's
``copy_expert`` as a file-like object, so rows stream from the producer's iterator to the server
without ever being held all at once.

Column kinds: ``"s"`` text, ``"i"`` integer, ``"f"`` double, ``"b"`` boolean. Every kind takes
``None`` (written as ``\\N``). Doubles are written with ``repr()`` (shortest round-trip form, so
the server parses back the very same double); NaN becomes NULL (as SQLite stores it) and the
infinities ``Infinity``/``-Infinity``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from xlimport._background import Prefetch
from xlimport.store.base import MATCHED_NUMBER

_MATCHED_KEY = (MATCHED_NUMBER[0], *MATCHED_NUMBER[2:])

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": ""})
_SPECIAL = re.compile("[\\\\\t\n\r\x00]")
_FLOAT_SPECIALS = {"nan": NULL, "inf": "Infinity", "-inf": "-Infinity"}
_float_repr = float.__repr__


def _text_column(col: Sequence[Any]) -> list[str]:
    present = [v for v in col if v is not None]
    try:
        probe = "".join(present)
    except TypeError:  # a non-str value: format it as text
        col = [None if v is None else str(v) for v in col]
        probe = "".join(v for v in col if v is not None)
    if _SPECIAL.search(probe):
        return [NULL if v is None else v.translate(_ESCAPES) for v in col]
    return [NULL if v is None else v for v in col]


def _int_column(col: Sequence[Any]) -> list[str]:
    return [NULL if v is None else str(int(v)) for v in col]


def _float_column(col: Sequence[Any]) -> list[str]:
    try:
        out = [NULL if v is None else _float_repr(v) for v in col]
    except TypeError:  # ints, bools, numpy scalars...
        out = [NULL if v is None else repr(float(v)) for v in col]
    if "nan" in out or "inf" in out or "-inf" in out:
        out = [_FLOAT_SPECIALS.get(s, s) for s in out]
    return out


def _bool_column(col: Sequence[Any]) -> list[str]:
    return [NULL if v is None else ("t" if v else "f") for v in col]


_FORMATTERS: dict[str, Callable[[Sequence[Any]], list[str]]] = {
    "s": _text_column,
    "i": _int_column,
    "f": _float_column,
    "b": _bool_column,
}


def format_lines(rows: Sequence[Sequence[Any]], kinds: str) -> Iterator[str]:
    """The COPY text lines of ``rows`` (each with ``len(kinds)`` values), without line ends."""
    if not rows:
        return iter(())
    lengths = set(map(len, rows))
    if lengths != {len(kinds)}:
        raise ValueError(f"each row must have {len(kinds)} values, got lengths {sorted(lengths)}")
    columns = [
        _FORMATTERS[kind](col) for kind, col in zip(kinds, zip(*rows, strict=True), strict=True)
    ]
    return map("\t".join, zip(*columns, strict=True))


def format_chunk(rows: Sequence[Sequence[Any]], kinds: str, prefix: str = "") -> bytes:
    """COPY text of ``rows`` (each with ``len(kinds)`` values), each line starting with
    ``prefix`` (already formatted, e.g. ``"42\\t"`` for a constant leading column)."""
    text = "".join([prefix + line + "\n" for line in format_lines(rows, kinds)])
    return text.encode("utf-8")


def result_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """:func:`format_lines` for rows of kinds ``"sfsbbs"`` (a cell's result: type, number,
    text, two flags, status; or a bare float, a matched number: see
    :data:`~xlimport.store.base.MATCHED_NUMBER`), where the number varies from row to row and the rest mostly
    does not: the text around the number is formatted once per distinct set of the others."""
    around: dict[tuple, tuple[str, str]] = {}
    out = []
    add = out.append
    for row in rows:
        if type(row) is float:  # a matched number (xlimport.store.base.MATCHED_NUMBER)
            number, key, result = row, _MATCHED_KEY, MATCHED_NUMBER
        else:
            if len(row) != 6:
                raise ValueError(f"each row must have 6 values, got {len(row)}")
            number, key, result = row[1], (row[0], row[2], row[3], row[4], row[5]), row
        parts = around.get(key)
        if parts is None:
            line = next(format_lines([(result[0], None, *result[2:])], "sfsbbs"))
            first, rest = line.split("\t", 1)
            parts = (first + "\t", rest[2:])  # rest starts with the number's "\\N"
            if result[2] is None or len(around) < 1000:
                around[key] = parts
        if number is None:
            add(parts[0] + NULL + parts[1])
        else:
            text = _float_repr(number) if type(number) is float else repr(float(number))
            if text[-1] in "nf":  # nan, inf, -inf
                text = _FLOAT_SPECIALS[text]
            add(parts[0] + text + parts[1])
    return out


def join_chunk(heads: str, rows: Sequence[Sequence[Any]], kinds: str) -> bytes:
    """COPY text of lines made of ``heads`` (lines already formatted, joined by newlines, as
    :func:`format_chunk` gives them without their last newline) each followed by the
    formatted values of its row of ``rows``."""
    parts = heads.split("\n")
    if len(parts) != len(rows):
        raise ValueError(f"{len(parts)} prepared lines for {len(rows)} rows")
    if kinds == "sfsbbs":
        return "".join(_result_join(parts, rows)).encode("utf-8")
    tails = format_lines(rows, kinds)
    return "".join(
        [head + "\t" + tail + "\n" for head, tail in zip(parts, tails, strict=True)]
    ).encode("utf-8")


def _matched_parts() -> tuple[str, str]:
    """The text before and after the number in a matched number's line (after its head)."""
    line = next(format_lines([(MATCHED_NUMBER[0], None, *MATCHED_NUMBER[2:])], "sfsbbs"))
    first, rest = line.split("\t", 1)
    return "\t" + first + "\t", rest[len(NULL) :] + "\n"


_MATCHED_BEFORE, _MATCHED_AFTER = _matched_parts()


def _result_join(heads: list[str], rows: Sequence[Any]) -> list[str]:
    """The lines of :func:`join_chunk` for results (kinds ``"sfsbbs"``): the matched numbers
    (bare floats, most rows) formatted together, the other rows by :func:`result_lines`."""
    others = [j for j, row in enumerate(rows) if type(row) is not float]
    numbers = [row for row in rows if type(row) is float] if others else rows
    texts = list(map(_float_repr, numbers))
    if "nan" in texts or "inf" in texts or "-inf" in texts:
        texts = [_FLOAT_SPECIALS.get(t, t) for t in texts]
    before, after = _MATCHED_BEFORE, _MATCHED_AFTER
    if not others:
        return [f"{head}{before}{text}{after}" for head, text in zip(heads, texts, strict=True)]
    following = iter(texts).__next__
    lines = [
        f"{head}{before}{following()}{after}" if type(row) is float else ""
        for head, row in zip(heads, rows, strict=True)
    ]
    for j, tail in zip(others, result_lines([rows[j] for j in others]), strict=True):
        lines[j] = f"{heads[j]}\t{tail}\n"
    return lines


class CopyStream:
    """A read-only file-like object over ``rows``, for ``cursor.copy_expert(sql, stream)``.

    Each ``read()`` returns the next chunk of ``chunk_size`` rows as COPY text (psycopg2 sends
    whatever a read returns); ``progress(done)`` is called after each chunk with the running row
    count. With ``ahead`` > 0 a thread produces and formats up to that many chunks ahead while
    psycopg2 sends the previous ones (it releases the GIL while the server takes them), so the
    server's work and ours overlap; ``progress`` still runs in the caller's thread.
    ``chunks`` gives ``(row count, COPY text)`` pairs made by the caller instead (``rows``
    and ``kinds`` are then not used).
    """

    def __init__(
        self,
        rows: Iterable[Sequence[Any]],
        kinds: str,
        *,
        prefix: str = "",
        chunk_size: int = 10_000,
        progress: Callable[[int], Any] | None = None,
        ahead: int = 0,
        chunks: Iterable[tuple[int, bytes]] | None = None,
    ) -> None:
        self._rows: Iterator[Sequence[Any]] = iter(rows)
        self._kinds = kinds
        self._prefix = prefix
        self._chunk_size = chunk_size
        self._progress = progress
        self.count = 0
        # psycopg2 turns an exception raised in read() into "COPY failed": keep the original
        # so the caller can re-raise it (ImportCancelled from a progress callback, bad rows).
        self.error: BaseException | None = None
        self._chunks: Iterator[tuple[int, bytes]] = self._formatted()
        if chunks is not None:
            self._chunks = iter(chunks)
        if ahead > 0:
            self._chunks = Prefetch(self._chunks, ahead, "xlimport-copy")

    def _formatted(self) -> Iterator[tuple[int, bytes]]:
        while True:
            chunk = list(islice(self._rows, self._chunk_size))
            yield len(chunk), format_chunk(chunk, self._kinds, self._prefix)
            if not chunk:
                return

    def close(self) -> None:
        """Stop the producing thread (when the COPY ends early)."""
        if isinstance(self._chunks, Prefetch):
            self._chunks.close()

    def read(self, size: int = -1) -> bytes:
        try:
            n, data = next(self._chunks, (0, b""))
            if not n:
                return b""
            self.count += n
            if self._progress is not None:
                self._progress(self.count)
            return data
        except BaseException as exc:
            self.error = exc
            self.close()
            raise

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - psycopg2 uses read()
        return self.read(size)
