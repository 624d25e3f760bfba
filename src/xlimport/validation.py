"""Comparison of recomputed values with the values Excel cached.

Rules (one home for them, used at import and by :func:`xlimport.validate_model`):

- numbers (and dates, and booleans cached as numbers) are first cleaned to 15 significant
  digits, as Excel displays and compares them, then match when the difference is within the
  tolerance either absolutely or relative to the larger magnitude;
- text and booleans must be equal exactly; an empty result matches a cached empty string or a
  cached 0 (Excel shows a reference to a blank cell as 0);
- errors match by code (``#DIV/0!`` == ``#DIV/0!``); an error that only an engine produces
  (``#CYCLE!``, ``#ERROR!``, ``#NAME?`` for a function the engine lacks, ...) while Excel cached
  something else is an *engine error*, not a model mismatch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .engine.base import EngineErrorValue

EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
ENGINE_ONLY_ERRORS = frozenset({"#CYCLE!", "#ERROR!", "#LIC!"})

# Statuses of a formula cell (the ``status`` column); constants get "constant".
MATCHED = "matched"
MISMATCH = "mismatch"
ENGINE_ERROR = "engine_error"
UNSUPPORTED = "unsupported"
VOLATILE = "volatile"
EXTERNAL = "external"
NO_CACHED = "no_cached"
NOT_VALIDATED = "not_validated"
UNCONVERGED = "circular_unconverged"
# A circular cell (or a dependent of one) in a workbook saved with iterative calculation off:
# Excel did not compute it, so its cached value is not a result to compare with.
ITERATION_OFF = "circular_iteration_off"

# Statuses that are explained (not counted as model mismatches).
EXPLAINED = {
    UNSUPPORTED: "unsupported function",
    VOLATILE: "volatile function",
    EXTERNAL: "external link",
    ENGINE_ERROR: "engine error",
    UNCONVERGED: "circular group did not converge",
}


def excel_round15(x: float) -> float:
    """``x`` rounded to 15 significant digits, as Excel keeps numbers."""
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.15g}")


def numbers_match(a: float, b: float, tolerance: float) -> bool:
    if a == b:
        return True
    a, b = excel_round15(a), excel_round15(b)
    if a == b:
        return True
    diff = abs(a - b)
    return diff <= tolerance or diff <= tolerance * max(abs(a), abs(b))


def compare(
    cached_type: str,
    cached: Any,
    calculated: Any,
    tolerance: float,
    booleans_as_numbers: bool = False,
) -> str:
    """Status of one formula cell: MATCHED, MISMATCH, ENGINE_ERROR or NO_CACHED.

    ``cached_type`` is the reader's code (n s b d e or ""); ``calculated`` is an engine value.
    ``booleans_as_numbers``: the saving application stores logical results as the numbers 1
    and 0 (LibreOffice writes no boolean cells), so TRUE matches a cached 1 and FALSE a 0.
    """
    if cached_type == "":
        return NO_CACHED
    if isinstance(calculated, EngineErrorValue):
        if cached_type == "e" and cached == calculated.code:
            return MATCHED
        if calculated.code in ENGINE_ONLY_ERRORS or (
            calculated.code == "#NAME?" and not (cached_type == "e" and cached == "#NAME?")
        ):
            return ENGINE_ERROR
        return MISMATCH
    if cached_type in ("n", "d"):
        if type(calculated) is float and calculated == cached:
            return MATCHED  # the common case, before any rounding
        if calculated is None:
            calculated = 0.0
        if isinstance(calculated, bool):
            return MATCHED if booleans_as_numbers and cached == float(calculated) else MISMATCH
        if isinstance(calculated, (int, float)):
            return (
                MATCHED if numbers_match(float(cached), float(calculated), tolerance) else MISMATCH
            )
        return MISMATCH
    if cached_type == "s":
        if calculated is None:
            return MATCHED if cached == "" else MISMATCH
        return MATCHED if isinstance(calculated, str) and calculated == cached else MISMATCH
    if cached_type == "b":
        return MATCHED if isinstance(calculated, bool) and calculated == bool(cached) else MISMATCH
    if cached_type == "e":
        return MISMATCH
    return MISMATCH


@dataclass
class ValidationReport:
    """Counts of formula cells by outcome, with a few examples of each problem."""

    tolerance: float
    formula_cells: int = 0
    compared: int = 0  # cells with a cached value that count toward the match rate
    matched: int = 0
    mismatched: int = 0
    engine_errors: int = 0
    not_comparable: int = 0  # no cached value, volatile, external
    by_status: dict[str, int] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def match_rate(self) -> float | None:
        return self.matched / self.compared if self.compared else None

    def count(self, status: str, n: int = 1) -> None:
        """Count ``n`` formula cells of ``status``."""
        self.by_status[status] = self.by_status.get(status, 0) + n
        self.formula_cells += n
        if status == MATCHED:
            self.matched += n
            self.compared += n
        elif status == MISMATCH:
            self.mismatched += n
            self.compared += n
        elif status in (ENGINE_ERROR, UNSUPPORTED, UNCONVERGED):
            self.engine_errors += n
            self.compared += n
        else:
            self.not_comparable += n

    def to_dict(self) -> dict[str, Any]:
        return {
            "tolerance": self.tolerance,
            "formula_cells": self.formula_cells,
            "compared": self.compared,
            "matched": self.matched,
            "mismatched": self.mismatched,
            "engine_errors": self.engine_errors,
            "not_comparable": self.not_comparable,
            "match_rate": self.match_rate,
            "by_status": dict(sorted(self.by_status.items())),
            "samples": self.samples,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        fields = {
            k: data[k]
            for k in (
                "tolerance",
                "formula_cells",
                "compared",
                "matched",
                "mismatched",
                "engine_errors",
                "not_comparable",
                "by_status",
                "samples",
            )
            if k in data
        }
        return cls(**fields)
