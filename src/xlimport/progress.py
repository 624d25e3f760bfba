"""The progress protocol: ``progress(stage, percent, message)``.

The core only calls a plain callable; tqdm lives in the CLI and WebSocket fan-out in the server.
:class:`ProgressReporter` maps each stage's own fraction (0..1) into the stage's percent band,
keeps percent from ever going backwards, and rate-limits: it reports when the percent moved by
at least 1 point or a second has passed, so a long stage is never silent for long and a fast one
does not flood the callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

STAGES: dict[str, tuple[float, float]] = {
    "hashing": (0.0, 5.0),
    "parsing": (5.0, 30.0),
    "dependencies": (30.0, 40.0),
    "evaluation": (40.0, 80.0),
    "insertion": (80.0, 95.0),
    "validation": (95.0, 99.0),
    "complete": (100.0, 100.0),
}


class ProgressCallback(Protocol):
    def __call__(self, stage: str, percent: float, message: str) -> None: ...


def _noop(stage: str, percent: float, message: str) -> None:
    return None


class ProgressReporter:
    """Turns stage fractions into monotonic, rate-limited percent reports."""

    def __init__(
        self,
        callback: ProgressCallback | Callable[[str, float, str], None] | None,
        *,
        min_step: float = 1.0,
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._callback = callback or _noop
        self._min_step = min_step
        self._min_interval = min_interval
        self._clock = clock
        self._last_percent = -1.0
        self._last_time = 0.0
        self._stage: str | None = None
        self.stage_started: dict[str, float] = {}

    @property
    def percent(self) -> float:
        return max(self._last_percent, 0.0)

    def stage(self, stage: str, message: str = "") -> None:
        """Enter a stage: always reported, at the start of its band."""
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        self._stage = stage
        self.stage_started[stage] = self._clock()
        self._emit(stage, STAGES[stage][0], message or stage, force=True)

    def update(self, fraction: float, message: str = "") -> None:
        """Report progress within the current stage (``fraction`` from 0 to 1)."""
        if self._stage is None:
            return
        lo, hi = STAGES[self._stage]
        fraction = min(max(fraction, 0.0), 1.0)
        self._emit(self._stage, lo + (hi - lo) * fraction, message, force=False)

    def sub(self, start: float, end: float) -> Callable[[float, str], None]:
        """A ``(fraction, message)`` callable covering ``start..end`` of the current stage."""

        def report(fraction: float, message: str = "") -> None:
            self.update(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

        return report

    def complete(self, message: str = "done") -> None:
        self._stage = "complete"
        self._emit("complete", 100.0, message, force=True)

    def _emit(self, stage: str, percent: float, message: str, *, force: bool) -> None:
        percent = round(max(percent, self._last_percent, 0.0), 2)
        now = self._clock()
        if not force:
            moved = percent - self._last_percent
            if moved <= 0 and now - self._last_time < self._min_interval:
                return
            if moved < self._min_step and now - self._last_time < self._min_interval:
                return
        self._last_percent = percent
        self._last_time = now
        self._callback(stage, percent, message)
