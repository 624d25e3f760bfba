"""The engine contract; ``engine/hyperformula.py`` implements it.

Values coming back from an engine are plain Python: ``float`` (numbers), ``str`` (text),
``bool``, ``None`` (empty), or :class:`EngineErrorValue` (an Excel error such as ``#DIV/0!``,
``#NAME?``, or an engine-only one such as ``#CYCLE!`` / ``#ERROR!``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, overload


@dataclass(frozen=True, slots=True)
class EngineErrorValue:
    code: str  # "#DIV/0!", "#N/A", "#NAME?", "#REF!", "#VALUE!", "#NUM!", "#NULL!", "#CYCLE!", "#ERROR!", "#SPILL!"
    message: str | None = None  # the engine's explanation, when it gives one


class FormulaColumns(Sequence[tuple[int, int, str]]):
    """A sheet's formulas as three columns: rows, columns and texts *without* their leading
    "=" (what a million formulas cost least to build and to send). Reads like a list of
    ``(row, col, "=...")``."""

    __slots__ = ("rows", "cols", "texts")

    def __init__(self, rows: list[int], cols: list[int], texts: list[str]) -> None:
        if not len(rows) == len(cols) == len(texts):
            raise ValueError("columns of different lengths")
        self.rows, self.cols, self.texts = rows, cols, texts

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, i: int) -> tuple[int, int, str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[int, int, str]]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return list(
                zip(self.rows[i], self.cols[i], ["=" + t for t in self.texts[i]], strict=True)
            )
        return (self.rows[i], self.cols[i], "=" + self.texts[i])

    def __iter__(self) -> Iterator[tuple[int, int, str]]:
        for r, c, t in zip(self.rows, self.cols, self.texts, strict=True):
            yield (r, c, "=" + t)


@dataclass(slots=True)
class EngineSheet:
    """One sheet to load: constants and formulas kept apart, so text is never mistaken for a
    formula and "123" typed as text stays text."""

    name: str
    constants: list[tuple[int, int, Any]] = field(default_factory=list)  # (row, col, value)
    # value: float | str | bool | None | EngineErrorValue; rows/cols are 1-based
    # (row, col, "=...") each, or a FormulaColumns
    formulas: Sequence[tuple[int, int, str]] = field(default_factory=list)
    # array formula ranges (CSE or spilled): (anchor row, anchor col, height, width), 1-based;
    # functions whose result size depends on data take the size Excel gave the range
    arrays: list[tuple[int, int, int, int]] = field(default_factory=list)
    # hidden rows (1-based) and the filtered ones among them, for SUBTOTAL and AGGREGATE
    hidden_rows: list[int] = field(default_factory=list)
    filtered_rows: list[int] = field(default_factory=list)


@dataclass(slots=True)
class EngineName:
    name: str
    expression: str  # "=Inputs!$B$2"
    scope: str | None = None  # sheet name, None = workbook


@dataclass(slots=True)
class EngineSettings:
    date1904: bool = False
    # Character set of CHAR/CODE: "windows-1252" (Excel for Windows) or "mac-roman" (Excel for
    # Mac), after the application that last saved the workbook.
    charset: str = "windows-1252"
    # Major version of the Excel that last saved the workbook (12 = Excel 2007/2008, 16 = 2016
    # and later), None when another application saved it: number formats follow its rules.
    excel_version: int | None = None
    # The workbook's tables, for INDIRECT of a structured reference text: {name, sheet, ref
    # ("A1:D10", header included), columns, header_rows, totals_rows}.
    tables: list[dict[str, Any]] = field(default_factory=list)
    timeout: float = 600.0  # seconds for one request


@dataclass(slots=True)
class LoadReport:
    seconds: float
    rejected_names: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # engine facts (formulas, patched, ...)


class Engine(Protocol):
    def load(
        self,
        sheets: list[EngineSheet],
        names: list[EngineName],
        settings: EngineSettings,
        *,
        on_sent: Callable[[], None] | None = None,
        release: bool = False,
        functions: list[dict[str, Any]] | None = None,
        formats: dict[str, list[tuple[int, int, str]]] | None = None,
    ) -> LoadReport:
        """Build the whole workbook in one bulk call (replacing any previous one); call
        ``on_sent`` once it is sent, while the engine builds; ``release``: empty the sheets'
        lists once sent. ``functions``: the workbook's translated VBA functions
        (:meth:`xlimport.vba.VbaFunction.wire`), registered for this workbook only;
        ``formats``: per sheet, (row, col, number format) of the cells they read the
        ``NumberFormat`` of."""
        ...

    def formula_values(self) -> list[list[Any]]:
        """Values of every formula cell, per sheet, in the order of ``EngineSheet.formulas``."""
        ...

    def set_and_read(
        self,
        updates: list[tuple[str, int, int, Any]],
        reads: list[tuple[str, int, int]],
    ) -> list[Any]:
        """Set cells (sheet name, row, col, value or "=formula") in one batch, recalculate,
        then return the values of ``reads``."""
        ...

    def add_sheet(self, name: str) -> None: ...

    def function_names(self) -> frozenset[str]:
        """Upper-case names of every function the engine knows."""
        ...

    def close(self) -> None: ...
