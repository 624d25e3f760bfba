"""Iterative calculation of circular references, as Excel does it with iteration on.

HyperFormula has no iterative calculation: a cell on a cycle evaluates to ``#CYCLE!``. The solver
breaks every cycle by turning each member cell into a constant (its start value), evaluates each
member's formula in a *shadow* cell (same row and column on a shadow sheet, references qualified
with the member's own sheet so they still point at the original cells), writes the shadow values
back into the members, and repeats (Jacobi style) until the largest change of a group is below
``max_change`` or ``max_iterations`` rounds are done. One ``set_and_read`` round trip per
round serves every group; HyperFormula recalculates only what depends on the changed cells. A
group that settled is written again only when a group upstream of it moves it. At the end the member cells hold constants equal to their final values, so everything
downstream of them recomputes inside the engine by itself.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .base import Engine, EngineErrorValue

logger = logging.getLogger(__name__)

# (sheet_name, row, col, shadow_formula, start_value): one cell of a circular group.
Member = tuple[str, int, int, str, Any]
ProgressFn = Callable[[str, float, str], None]

SHADOW_PREFIX = "__xlimport_shadow_"


@dataclass(slots=True)
class GroupReport:
    """How one circular group was solved. ``values`` are in the order of the group's members."""

    size: int
    iterations: int
    max_change: float  # the largest change of the last iteration
    converged: bool
    cells: list[tuple[str, int, int]] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)


def shadow_sheet_name(index: int) -> str:
    return f"{SHADOW_PREFIX}{index}__"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def value_change(old: Any, new: Any) -> float:
    """Numbers: the absolute difference; anything else: 0 when equal, else infinity."""
    if _is_number(old) and _is_number(new):
        diff = abs(float(new) - float(old))
        return diff if not math.isnan(diff) else math.inf
    return 0.0 if old == new and type(old) is type(new) else math.inf


def _start_value(value: Any) -> Any:
    if value is None:
        return 0.0
    if _is_number(value):
        number = float(value)
        return number if math.isfinite(number) else 0.0
    if isinstance(value, (str, bool, EngineErrorValue)):
        return value
    return 0.0


class CircularSolver:
    """Solves the circular groups of the workbook currently loaded in ``engine``."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_iterations: int = 100,
        max_change: float = 0.001,
        progress: ProgressFn | None = None,
    ) -> None:
        if max_iterations < 1:
            raise ValueError("max_iterations must be at least 1")
        self.engine = engine
        self.max_iterations = max_iterations
        self.max_change = max_change
        self.progress = progress

    def solve(self, groups: Sequence[Sequence[Member]]) -> list[GroupReport]:
        groups = [list(g) for g in groups if g]
        if not groups:
            return []
        shadows = self._add_shadow_sheets(groups)
        reports = [
            GroupReport(
                size=len(g),
                iterations=0,
                max_change=math.inf,
                converged=False,
                cells=[(m[0], m[1], m[2]) for m in g],
                values=[_start_value(m[4]) for m in g],
            )
            for g in groups
        ]
        # First round: shadow formulas in place, every member a constant (its start value).
        updates: list[tuple[str, int, int, Any]] = []
        for group, report in zip(groups, reports, strict=True):
            for (sheet, row, col, formula, _), start in zip(group, report.values, strict=True):
                shadow_text = formula if formula.startswith("=") else "=" + formula
                updates.append((shadows[sheet], row, col, shadow_text))
                updates.append((sheet, row, col, start))
        # Every round reads the shadows of every group (cheap where nothing changed) and writes
        # back only the groups whose values moved: a group that settled early is picked up again
        # when a group upstream of it moves it by more than max_change.
        reads = [(shadows[m[0]], m[1], m[2]) for g in groups for m in g]
        last_report = time.monotonic()
        rounds = 0
        while True:
            values = self.engine.set_and_read(updates, reads)
            rounds += 1
            updates = []
            offset = 0
            for report in reports:
                new = values[offset : offset + report.size]
                offset += report.size
                change = max(value_change(o, n) for o, n in zip(report.values, new, strict=True))
                if report.converged and change < self.max_change:
                    continue  # settled, and nothing upstream moved it
                report.values = list(new)
                report.iterations += 1
                report.max_change = change
                report.converged = change < self.max_change
                updates.extend(
                    (c[0], c[1], c[2], v) for c, v in zip(report.cells, new, strict=True)
                )
            if not updates:
                break
            if rounds >= self.max_iterations:
                self.engine.set_and_read(updates, [])  # members keep their last values
                break
            if self.progress is not None and time.monotonic() - last_report >= 1.0:
                last_report = time.monotonic()
                moving = sum(1 for r in reports if not r.converged)
                self.progress(
                    "circular",
                    100.0 * rounds / self.max_iterations,
                    f"iteration {rounds}: {moving} of {len(groups)} circular groups moving",
                )
        for report in reports:
            if not report.converged:
                logger.warning(
                    "circular group of %d cells did not converge in %d iterations (change %g)",
                    report.size,
                    report.iterations,
                    report.max_change,
                )
        if self.progress is not None:
            self.progress("circular", 100.0, f"{len(groups)} circular groups solved")
        return reports

    def _add_shadow_sheets(self, groups: list[list[Member]]) -> dict[str, str]:
        shadows: dict[str, str] = {}
        for group in groups:
            for member in group:
                if member[0] not in shadows:
                    shadows[member[0]] = shadow_sheet_name(len(shadows))
        for name in shadows.values():
            self.engine.add_sheet(name)
        return shadows


def solve_circular(
    engine: Engine,
    groups: Sequence[Sequence[Member]],
    *,
    max_iterations: int,
    max_change: float,
    progress: ProgressFn | None = None,
) -> list[GroupReport]:
    """Solve every circular group of the loaded workbook; see :class:`CircularSolver`.

    ``groups``: each a list of ``(sheet_name, row, col, shadow_formula, start_value)``; the
    shadow formula is the member's formula with every unqualified reference qualified with its
    own sheet name. A group that does not converge is reported (``converged=False``) and keeps
    its last values. ``progress(stage, percent, message)`` is called with stage ``"circular"``.
    """
    solver = CircularSolver(
        engine, max_iterations=max_iterations, max_change=max_change, progress=progress
    )
    return solver.solve(groups)
