"""The engine contract; ``engine/hyperformula.py`` implements it.

Values coming back from an engine are plain Python: ``float`` (numbers), ``str`` (text),
``bool``, ``None`` (empty), or :class:`EngineErrorValue` (an Excel error such as ``#DIV/0!``,
``#NAME?``, or an engine-only one such as ``#CYCLE!`` / ``#ERROR!``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class EngineErrorValue:
    code: str  # "#DIV/0!", "#N/A", "#NAME?", "#REF!", "#VALUE!", "#NUM!", "#NULL!", "#CYCLE!", "#ERROR!", "#SPILL!"
    message: str | None = None  # the engine's explanation, when it gives one


@dataclass(slots=True)
class EngineSheet:
    """One sheet to load: constants and formulas kept apart, so text is never mistaken for a
    formula and "123" typed as text stays text."""

    name: str
    constants: list[tuple[int, int, Any]] = field(default_factory=list)  # (row, col, value)
    # value: float | str | bool | None | EngineErrorValue; rows/cols are 1-based
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, "=...")
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
