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
import re
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
# A difference in a workbook that Excel did not save (LibreOffice, a library): its cached values
# are another program's results, so they are no evidence about Excel's.
OTHER_APPLICATION = "cached_by_other_application"

# A difference in a cell that reads date text whose day and month order only the computer's
# regional settings decide ("10-12-1999", "26/08"): Excel read it with the settings of the
# computer that saved the file.
LOCALE = "locale_dependent"
# A difference in a cell calling a function listed in KNOWN_DIFFERENCES.
ENGINE_DIFFERENCE = "engine_difference"

# Functions whose results differ from Excel's in known ways on some inputs (see docs/library.md,
# "Known engine differences"), each with the signature of that difference: a difference in a cell
# calling one counts as that known difference only when its values show the signature, so a
# plain error in the same function still shows as a mismatch.
COLLINEAR = "collinear"  # one side is exactly 0: a coefficient or statistic of a dropped column
NOT_CONVERGED = "not_converged"  # one side is #NUM!: that iteration stopped, the other converged
RANGE_LIMIT = "range_limit"  # Excel's #NUM! where the engine computes a number
KNOWN_DIFFERENCES: dict[str, str] = {
    # Excel's least squares drops collinear x columns with a pivoted QR decomposition and
    # reports 0 for them: which column it drops is not documented.
    "LINEST": COLLINEAR,
    "LOGEST": COLLINEAR,
    "TREND": COLLINEAR,
    "GROWTH": COLLINEAR,
    # Root finding from a guess: Excel's iteration (undocumented) can stop with #NUM! where ours
    # converges, or the other way round.
    "XIRR": NOT_CONVERGED,
    "IRR": NOT_CONVERGED,
    "RATE": NOT_CONVERGED,
    # Excel's binomial distribution gives up (#NUM!) on huge trial counts, at a limit it does not
    # document (1E30 trials in ironcalc's Excel-computed tests; 1E6 still computes); the engine
    # computes the probability.
    "BINOM.DIST": RANGE_LIMIT,
    "BINOMDIST": RANGE_LIMIT,
}


def shows_signature(kind: str, cached_type: str, cached: Any, calculated: Any) -> bool:
    """Whether a cached/recomputed pair shows the signature of a known difference ``kind``."""
    calc_error = isinstance(calculated, EngineErrorValue)
    if kind == COLLINEAR:
        numbers = cached_type == "n" and isinstance(calculated, float)
        return numbers and (cached == 0 or calculated == 0)
    if kind == NOT_CONVERGED:
        if cached_type == "e":
            return cached == "#NUM!" and isinstance(calculated, float)
        return cached_type == "n" and calc_error and calculated.code == "#NUM!"
    if kind == RANGE_LIMIT:
        return cached_type == "e" and cached == "#NUM!" and isinstance(calculated, float)
    return False


# Statuses that are explained (not counted as model mismatches).
EXPLAINED = {
    UNSUPPORTED: "unsupported function",
    VOLATILE: "volatile function",
    EXTERNAL: "external link",
    ENGINE_ERROR: "engine error",
    UNCONVERGED: "circular group did not converge",
    OTHER_APPLICATION: "cached by another application than Excel",
    LOCALE: "read by regional settings (date text, TEXT formats)",
    ENGINE_DIFFERENCE: "known engine difference",
}
# Explained statuses of cells that count as compared (against the match rate), as not matched.
COMPARED_EXPLAINED = frozenset({OTHER_APPLICATION, LOCALE, ENGINE_DIFFERENCE})

# Day and month in either order, with or without a year: "26/08", "10-12-1999", "2.3.2023".
_DATE_TEXT = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{1,4}))?\s*$")


def locale_dependent_date(text: str) -> bool:
    """True for date text whose reading depends on the order of day and month (the
    computer's regional settings): its two readings differ, or only one is a date."""
    m = _DATE_TEXT.match(text)
    if m is None:
        return False
    a, b = int(m.group(1)), int(m.group(3))
    if a == b or not (1 <= a <= 31 and 1 <= b <= 31):
        return False
    return a <= 12 or b <= 12  # at least one reading is a date


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


# Excel's complex-number text (COMPLEX, IM* functions): "a+bi", "a-bj", "bi", "-i", "a".
_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_COMPLEX = re.compile(
    rf"^(?:({_NUM})?(?:([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-])?([ij])))$|^({_NUM})$"
)


_LINE_BREAKS = re.compile("\r\n?")


def parse_complex(text: str) -> tuple[float, float] | None:
    """``text`` as Excel writes a complex number, as (real, imaginary); None if it is not one."""
    if not text or len(text) > 64:
        return None
    m = _COMPLEX.match(text)
    if m is None:
        return None
    if m.group(4) is not None:
        return float(m.group(4)), 0.0
    real, imag = m.group(1), m.group(2)
    if real is not None and imag is None:  # "3i" parsed the digits as the real part
        real, imag = None, real
    if imag in (None, "+", ""):
        im = 1.0
    elif imag == "-":
        im = -1.0
    else:
        im = float(imag)
    return (float(real) if real else 0.0), im


def texts_match(cached: str, calculated: str, tolerance: float) -> bool:
    """Exact text (line breaks in any form), or the same complex number written with a
    different last digit (the IM* functions' results are numbers rendered as text: 15 digits,
    then the tolerance, apply)."""
    if cached == calculated:
        return True
    if "\r" in cached or "\r" in calculated:
        # A line break read from XML is a line feed whatever the file held (XML normalises CR
        # LF and CR to LF), while cached formula results keep Excel's own (_x000D_): line breaks
        # compare equal in any of the three forms.
        return _LINE_BREAKS.sub("\n", cached) == _LINE_BREAKS.sub("\n", calculated)
    if not cached or cached[-1] not in "ij" or not calculated or calculated[-1] != cached[-1]:
        return False
    a, b = parse_complex(cached), parse_complex(calculated)
    if a is None or b is None:
        return False
    # Parts are compared against the number's magnitude: a part that is rounding noise next to
    # the other (3.32-8.3E-15i against 3.32-8.1E-15i) matches as the numbers themselves do.
    scale = max(abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]))
    return all(
        numbers_match(x, y, tolerance) or abs(x - y) <= tolerance * scale
        for x, y in zip(a, b, strict=True)
    )


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
        if isinstance(calculated, str) and texts_match(cached, calculated, tolerance):
            return MATCHED
        return MISMATCH
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
    # Compared, not matched, with a known cause that is not an engine failure (cached by another
    # application, text read by regional settings, a known engine difference): they still
    # count against the match rate.
    explained: int = 0
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
        elif status in COMPARED_EXPLAINED:
            self.explained += n
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
            "explained": self.explained,
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
                "explained",
                "not_comparable",
                "by_status",
                "samples",
            )
            if k in data
        }
        return cls(**fields)
