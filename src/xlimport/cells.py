"""Turning a read, analysed and evaluated workbook into stored cell rows, classifying each
formula cell (matched, mismatch, engine error, unsupported, volatile, external, ...) as it goes.

Rows are generated lazily, straight into the store's bulk insert: no list of all rows is built.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from .engine.base import EngineErrorValue
from .evaluate import _LETTERS, Analysis, col_letter
from .reader import _column_index
from .store.base import full_result
from .validation import (
    ENGINE_DIFFERENCE,
    EXTERNAL,
    ITERATION_OFF,
    KNOWN_DIFFERENCES,
    LOCALE,
    MATCHED,
    MISMATCH,
    NO_CACHED,
    NOT_VALIDATED,
    OTHER_APPLICATION,
    UNCONVERGED,
    UNSUPPORTED,
    VOLATILE,
    ValidationReport,
    compare,
    locale_dependent_date,
    shows_signature,
)
from .workbook import CELL_TYPE_NAMES, WorkbookData

# Text constants of a formula, and its single-cell references (an optional sheet prefix).
_STRING_LITERAL = re.compile(r'"((?:[^"]|"")*)"')
_CELL_REF = re.compile(
    r"(?<![\w.$:])((?:'(?:[^']|'')+'|[^\W\d][\w.]*)!)?\$?([A-Za-z]{1,3})\$?(\d{1,7})(?![\w.(!:])"
)

_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def serial_to_iso(serial: float, date1904: bool) -> str | None:
    """Excel serial number → ISO date (or date-time) text, 1900 leap-year bug included."""
    if not isinstance(serial, (int, float)) or not math.isfinite(serial) or serial < 0:
        return None
    try:
        if date1904:
            dt = _EPOCH_1904 + timedelta(days=serial)
        elif serial < 60:
            # Before Excel's fictitious 1900-02-29 serials are one day off the real calendar.
            dt = _EPOCH_1900 + timedelta(days=serial + 1)
        elif int(serial) == 60:
            return "1900-02-29"
        else:
            dt = _EPOCH_1900 + timedelta(days=serial)
    except OverflowError:
        return None
    if dt.hour == dt.minute == dt.second == dt.microsecond == 0:
        return dt.date().isoformat()
    return dt.isoformat(timespec="seconds")


def split_value(type_: str, value: Any, date1904: bool) -> tuple[str, float | None, str | None]:
    """(type name, numeric value, text value) of a cached or constant value."""
    if type_ == "n":
        return "number", float(value), None
    if type_ == "d":
        return "date", float(value), serial_to_iso(value, date1904)
    if type_ == "s":
        return "text", None, value
    if type_ == "b":
        return "boolean", 1.0 if value else 0.0, "TRUE" if value else "FALSE"
    if type_ == "e":
        return "error", None, value
    return CELL_TYPE_NAMES.get(type_, "empty"), None, None


def split_calculated(value: Any) -> tuple[str, float | None, str | None]:
    if value is None:
        return "empty", None, None
    if isinstance(value, bool):
        return "boolean", 1.0 if value else 0.0, "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return "number", float(value), None
    if isinstance(value, EngineErrorValue):
        return "error", None, value.code
    return "text", None, str(value)


# The result columns of a constant cell.
CONSTANT_RESULT = (None, None, None, False, False, "constant")


def expected_result(tname: str, rv: float | None, rt: str | None) -> tuple:
    """The result columns of a formula cell recomputed to exactly its cached value (``tname``,
    ``rv``, ``rt`` as :func:`split_value` gives them), not circular: what most formula cells
    come to, so a store may write it ahead of the engine and update only the cells that differ
    (:meth:`RowBuilder.changed_results`)."""
    if tname == "date":
        return ("number", rv, None, False, False, MATCHED)
    return (tname, rv, rt, False, False, MATCHED)


def _same_zero(a: Any, b: Any) -> bool:
    """Whether two numbers equal to zero have the same sign (-0.0 is stored as such)."""
    return isinstance(b, (int, float)) and math.copysign(1.0, a) == math.copysign(1.0, b)


def _written(formula: str | None, array: bool) -> str | None:
    """A formula as stored: with its "=", in braces for an array formula."""
    if formula is None:
        return None
    return "{=" + formula + "}" if array else "=" + formula


def static_rows(wb: WorkbookData) -> Iterator[tuple]:
    """Every cell's columns that need no recomputed value (:data:`~xlimport.store.base.STATIC_COLUMNS`), in sheet
    and cell order: a store prepares them while the engine computes."""
    d1904 = wb.date1904
    letters = _LETTERS
    for sheet in wb.sheets:
        s, name = sheet.index, sheet.name
        rows, cols, types, vals = sheet.rows, sheet.cols, sheet.types, sheet.values
        formulas, formats, arrays = sheet.formulas, sheet.formats, sheet.array_ranges
        for i in range(len(rows)):
            r, c = rows[i], cols[i]
            letter = letters.get(c) or col_letter(c)
            tname, rv, rt = split_value(types[i], vals[i], d1904)
            f = formulas[i]  # None: a constant, or a member cell of an array formula
            formula = _written(f, bool(arrays) and (r, c) in arrays)
            yield (name, s, r, c, f"{letter}{r}", letter, tname, rv, rt, formula, formats[i])


class RowBuilder:
    """Produces the rows of every sheet and the validation report in the same pass."""

    def __init__(
        self,
        wb: WorkbookData,
        analysis: Analysis,
        values: list[dict[int, Any]],
        *,
        validate: bool,
        tolerance: float,
        unconverged: set[tuple[int, int]],
        sample_limit: int = 20,
    ) -> None:
        self.wb = wb
        self.analysis = analysis
        self.values = values
        self.validate = validate
        self.tolerance = tolerance
        self.unconverged = unconverged
        self.sample_limit = sample_limit
        self.report = ValidationReport(tolerance=tolerance)
        self.engine_errors = 0
        # LibreOffice saves logical results as numbers (no boolean cells).
        self.booleans_as_numbers = "libreoffice" in (wb.application or "").lower()
        self.saved_by_excel = wb.saved_by_excel
        self._sheet_ids = {sh.name.lower(): sh.index for sh in wb.sheets}
        self._cell_index: dict[int, dict[tuple[int, int], int]] = {}

    def status(self, s: int, i: int, type_: str, cached: Any, calc: Any) -> str:
        a = self.analysis
        cell = (s, i)
        # A cell filled by an array formula shares its anchor's causes.
        cell = a.array_anchor.get(cell, cell)
        if cell in a.external_roots:
            return EXTERNAL
        if cell in self.unconverged:
            return UNCONVERGED
        if not self.validate:
            return NOT_VALIDATED
        outcome = compare(type_, cached, calc, self.tolerance, self.booleans_as_numbers)
        if outcome in (MATCHED, NO_CACHED):
            return outcome
        # Not matched: explain by cause when there is one.
        if cell in a.volatile_roots:
            return VOLATILE
        if cell in a.unsupported_roots:
            return UNSUPPORTED
        cause = a.downstream.get(cell)
        if cause == "circular" or (cell in a.circular_cells and not self.wb.calc.iterate):
            return ITERATION_OFF
        if cause == "external":
            return EXTERNAL
        if cause == "volatile":
            return VOLATILE
        if cause == "unsupported":
            return UNSUPPORTED
        if outcome == MISMATCH:
            if not self.saved_by_excel:
                return OTHER_APPLICATION
            return self._cause(cell, type_, cached, calc) or outcome
        return outcome

    def _cause(self, cell: tuple[int, int], type_: str, cached: Any, calc: Any) -> str | None:
        """The known cause of a difference (``cached`` against ``calc``) in a cell whose formula
        is at ``cell`` (its array formula's anchor), if any: a function with a known difference
        whose signature the values show, called by the formula or by a cell it names whose own
        value shows it or came out a hair off Excel's (a root a few digits off moves a result
        computed from it); a dynamic array whose spill Excel found blocked; or date text read
        by regional settings (a text constant of the formula or a text cell it names)."""
        s, i = cell
        formula = self.wb.sheets[s].formulas[i]
        if not formula:
            return None
        kinds = self._known_differences(s, i)
        if any(shows_signature(kind, type_, cached, calc) for kind in kinds):
            return ENGINE_DIFFERENCE
        if self.wb.localized_excel and "TEXT" in self._functions(s, i):
            # TEXT reads its format codes with the regional settings of the computer that
            # computed it ("0,00" is two decimals in German, "0.00" a thousands grouping)
            return LOCALE
        if type_ == "e" and cached == "#SPILL!" and self._one_cell_array(s, i):
            # Excel found no room to spill the result (a blocked dynamic array); the engine
            # fills the range the file recorded and lays out no spill of its own
            return ENGINE_DIFFERENCE
        texts = [t.replace('""', '"') for t in _STRING_LITERAL.findall(formula)]
        for m in _CELL_REF.finditer(formula):
            target = s
            if m.group(1):
                name = m.group(1).rstrip("!")
                name = name[1:-1].replace("''", "'") if name.startswith("'") else name
                target = self._sheet_ids.get(name.lower(), -1)
            j = self._index_of(target, int(m.group(3)), m.group(2))
            if j is None:
                continue
            sh = self.wb.sheets[target]
            if sh.formulas[j] is not None:
                # a precedent with a known difference whose value is not exactly Excel's
                if self._known_differences(target, j) and self._explains(target, j):
                    return ENGINE_DIFFERENCE
            elif sh.types[j] == "s":
                texts.append(sh.values[j])
        if any(locale_dependent_date(t) for t in texts):
            return LOCALE
        return None

    def _explains(self, s: int, i: int) -> bool:
        """Whether the known-difference cell ``i`` of sheet ``s`` (a precedent) shows its
        signature, or was recomputed within the tolerance of its cached number but not to it."""
        computed = self.values[s] if s < len(self.values) else {}
        if i not in computed:
            return False
        calc, sh = computed[i], self.wb.sheets[s]
        type_, cached = sh.types[i], sh.values[i]
        if any(shows_signature(k, type_, cached, calc) for k in self._known_differences(s, i)):
            return True
        return (
            type_ == "n"
            and isinstance(calc, float)
            and calc != cached
            and compare(type_, cached, calc, self.tolerance) == MATCHED
        )

    def _one_cell_array(self, s: int, i: int) -> bool:
        sheet = self.wb.sheets[s]
        ref = sheet.array_ranges.get((sheet.rows[i], sheet.cols[i]))
        return ref is not None and ":" not in ref

    def _known_differences(self, s: int, i: int) -> list[str]:
        """The kinds of known difference of the functions cell ``i`` of sheet ``s`` calls."""
        return [KNOWN_DIFFERENCES[f] for f in self._functions(s, i) if f in KNOWN_DIFFERENCES]

    def _functions(self, s: int, i: int) -> tuple[str, ...]:
        """The functions the formula of cell ``i`` of sheet ``s`` calls (as analysed)."""
        per = self.analysis.infos[s]
        k = per.ordinal(i)
        return per.functions[k] if k >= 0 else ()

    def _index_of(self, s: int, row: int, letters: str) -> int | None:
        """The cell index at (row, column letters) of sheet ``s``, if the cell is stored."""
        if s < 0:
            return None
        index = self._cell_index.get(s)
        if index is None:
            sh = self.wb.sheets[s]
            index = self._cell_index[s] = {
                (r, c): j for j, (r, c) in enumerate(zip(sh.rows, sh.cols, strict=True))
            }
        try:
            return index.get((row, _column_index(letters)))
        except ValueError:  # beyond column XFD: a name, not a cell
            return None

    def results(self) -> Iterator[tuple]:
        """Every cell's recomputed columns (:data:`~xlimport.store.base.RESULT_COLUMNS`, or a bare
        float: see :data:`~xlimport.store.base.MATCHED_NUMBER`), in the order of
        :func:`static_rows`; the report's counts are complete once the generator is exhausted."""
        return self._results(changed_only=False)

    def changed_results(self) -> Iterator[tuple]:
        """``(ordinal, sheet_index, row_num, col_num, *result)`` of the cells whose result
        differs from :func:`expected_result` (what a store that wrote the expected results ahead
        of the engine must update; ``ordinal`` is the cell's place in :func:`static_rows`);
        ``(ordinal, sheet_index, row_num, col_num, number)`` where only the recomputed number
        differs. Counts the report like :meth:`results`."""
        return self._results(changed_only=True)

    def rows(self) -> Iterator[tuple]:
        """Every cell's whole row (:data:`CELL_COLUMNS`), in sheet and cell order; the report's
        counts are complete once the generator is exhausted."""
        for st, res in zip(static_rows(self.wb), self.results(), strict=True):
            yield (*st[:10], *full_result(res), st[10])

    def _results(self, changed_only: bool) -> Iterator[tuple]:
        wb = self.wb
        d1904 = wb.date1904
        circular = self.analysis.circular_cells
        report = self.report
        counts: Counter = Counter()
        # With no external or unconverged cells, a number recomputed to its cached value, or
        # within half the tolerance of it (compare() rounds both to 15 digits first, which moves
        # them by far less than the other half), is MATCHED without further checks (most cells
        # of a model; a workbook cached by LibreOffice differs in the last bits).
        fast = self.validate and not self.analysis.external_roots and not self.unconverged
        near = self.tolerance / 2 if self.tolerance >= 1e-12 else 0.0
        constant = CONSTANT_RESULT
        matched = 0  # counted apart (most cells), into counts at the end
        offset = 0  # cells of the sheets before: offset + i is a cell's place in static_rows()
        for sheet in wb.sheets:
            s = sheet.index
            computed = self.values[s] if s < len(self.values) else {}
            rows, cols, types, vals = sheet.rows, sheet.cols, sheet.types, sheet.values
            get = computed.get
            for i, f in enumerate(sheet.formulas):
                if f is None and i not in computed:
                    if not changed_only:
                        yield constant
                    continue
                type_ = types[i]
                calc = get(i)
                if (
                    fast
                    and type(calc) is float
                    and (type_ == "n" or type_ == "d")
                    and (
                        calc == (rv := vals[i])
                        or abs(calc - rv) <= near * max(1.0, abs(calc), abs(rv))
                    )
                ):
                    if not matched:
                        counts[MATCHED] += 0  # its place among the statuses, as first seen
                    matched += 1
                    if circular and (s, i) in circular:
                        result = ("number", calc, None, True, False, MATCHED)
                    elif not changed_only:
                        yield calc  # short for ("number", calc, None, False, False, MATCHED)
                        continue
                    elif f is not None:
                        if calc == rv and (calc or _same_zero(calc, rv)):
                            continue  # the expected result: a formula recomputed to its cache
                        # written ahead as its cached number: only the number changes
                        yield (offset + i, s, rows[i], cols[i], calc)
                        continue
                    else:
                        result = ("number", calc, None, False, False, MATCHED)
                    if changed_only:
                        yield (offset + i, s, rows[i], cols[i], *result)
                    else:
                        yield result
                    continue
                tname, rv, rt = split_value(type_, vals[i], d1904)
                if f is not None and i not in computed:
                    # Not evaluated (external link): the cached value stands, flagged.
                    ctype, cv, ct = tname, rv, rt
                else:
                    ctype, cv, ct = split_calculated(calc)
                status = self.status(s, i, type_, vals[i], calc)
                if status in ("engine_error", UNSUPPORTED, UNCONVERGED):
                    self.engine_errors += 1
                counts[status] += 1
                if status not in (MATCHED, NO_CACHED, NOT_VALIDATED) and (
                    len(report.samples) < self.sample_limit
                ):
                    r, c = rows[i], cols[i]
                    report.samples.append(
                        {
                            "sheet": sheet.name,
                            "cell": f"{_LETTERS.get(c) or col_letter(c)}{r}",
                            "formula": _written(f, (r, c) in sheet.array_ranges),
                            "cached": rt if rv is None else rv,
                            "calculated": ct if cv is None else cv,
                            "status": status,
                        }
                    )
                result = (ctype, cv, ct, (s, i) in circular, status == MISMATCH, status)
                if not changed_only:
                    yield result
                elif (
                    f is None
                    or result != (expected := expected_result(tname, rv, rt))
                    or (cv == 0 and not _same_zero(cv, expected[1]))
                ):
                    yield (offset + i, s, rows[i], cols[i], *result)
            offset += len(rows)
        if matched:
            counts[MATCHED] += matched
        for status, n in counts.items():
            report.count(status, n)
