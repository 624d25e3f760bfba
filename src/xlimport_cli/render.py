"""Terminal output: the progress display (tqdm on a terminal, plain lines otherwise), tables,
JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import click


class ProgressDisplay:
    """A ``progress(stage, percent, message)`` callable drawing one tqdm bar on a terminal and
    one plain line per stage otherwise (logs and CI stay readable)."""

    def __init__(self, *, enabled: bool = True, stream: Any = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._bar: Any = None
        self._stage: str | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.enabled and self.tty:
            from tqdm import tqdm

            self._bar = tqdm(
                total=100,
                unit="%",
                file=self.stream,
                dynamic_ncols=True,
                bar_format="{desc:<14} {bar} {n:5.1f}% {elapsed} {postfix}",
            )
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __call__(self, stage: str, percent: float, message: str) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            if stage != self._stage:
                self._bar.set_description_str(stage)
            self._bar.n = percent
            self._bar.set_postfix_str(message[:60], refresh=False)
            self._bar.refresh()
        elif stage != self._stage:
            self.stream.write(f"[{percent:5.1f}%] {stage}: {message}\n")
            self.stream.flush()
        self._stage = stage

    def note(self, text: str) -> None:
        """One line on the display's stream (above the bar on a terminal), even when the
        progress itself is hidden."""
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        self.__exit__(None, None, None)


class UploadBar:
    """An ``(sent, size)`` callable drawing a bytes bar for big uploads on a terminal; silent
    otherwise."""

    MIN_SIZE = 4 * 1024 * 1024

    def __init__(self, size: int, *, enabled: bool = True, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.show = enabled and tty and size >= self.MIN_SIZE
        self.size = size
        self._bar: Any = None

    def __enter__(self) -> UploadBar:
        if self.show:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.size,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc="uploading",
                file=self.stream,
                dynamic_ncols=True,
            )
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __call__(self, sent: int, size: int) -> None:
        if self._bar is not None:
            self._bar.update(sent - self._bar.n)


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None) -> None:
    all_rows = [list(header)] + [list(r) for r in rows] if header else [list(r) for r in rows]
    if not all_rows:
        return
    widths = [
        max(len(str(r[i])) for r in all_rows if i < len(r))
        for i in range(max(len(r) for r in all_rows))
    ]
    for n, row in enumerate(all_rows):
        cells = [str(v).ljust(widths[i]) for i, v in enumerate(row)]
        click.echo("  ".join(cells).rstrip())
        if header and n == 0:
            click.echo("  ".join("-" * w for w in widths))


def _default(obj: Any) -> Any:
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    return str(obj)


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, default=_default, allow_nan=False)
