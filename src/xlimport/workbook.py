"""In-memory shape of a workbook as the reader produces it and the pipeline consumes it.

Cells are held column-wise per sheet (parallel arrays), not as one Python object per cell: a
million-cell model costs a few lists, and the engine, the graph and the store can all walk the
same arrays by index.

Cell type codes (``SheetData.types``), for the value Excel cached (or the constant itself):
``"n"`` number, ``"s"`` text, ``"b"`` boolean, ``"d"`` date (value is the serial number, as a
float), ``"e"`` error (value is the error code such as ``"#DIV/0!"``), ``""`` no value (a formula
cell without a cached value).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

CELL_TYPE_NAMES = {
    "n": "number",
    "s": "text",
    "b": "boolean",
    "d": "date",
    "e": "error",
    "": "empty",
}

# Excel's limits.
MAX_ROWS = 1_048_576
MAX_COLS = 16_384


@dataclass(slots=True)
class SheetData:
    """All non-empty cells of one worksheet, in reading order (row-major)."""

    name: str
    index: int
    state: str = "visible"  # visible | hidden | veryHidden
    dimension: str | None = None  # as declared in the sheet XML (not trusted)
    rows: array = field(default_factory=lambda: array("i"))  # 1-based
    cols: array = field(default_factory=lambda: array("i"))  # 1-based
    types: list[str] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)  # float | str | bool | None
    formulas: list[str | None] = field(default_factory=list)  # without the leading "="
    formats: list[str | None] = field(default_factory=list)  # number format code, None = General
    # Array (CSE) formulas: anchor (row, col) -> range text such as "B2:C5".
    array_ranges: dict[tuple[int, int], str] = field(default_factory=dict)
    # Data-table formulas (what-if tables, <f t="dataTable">): anchor -> range text.
    data_tables: dict[tuple[int, int], str] = field(default_factory=dict)
    # Rows marked <row hidden="1"> (1-based), and those of them inside an AutoFilter range with
    # an active filter: Excel's SUBTOTAL and AGGREGATE skip filtered rows, and SUBTOTAL(101..111)
    # skips every hidden row.
    hidden_rows: list[int] = field(default_factory=list)
    filtered_rows: list[int] = field(default_factory=list)
    max_row: int = 0
    max_col: int = 0

    def add(
        self,
        row: int,
        col: int,
        type_: str,
        value: Any,
        formula: str | None = None,
        fmt: str | None = None,
    ) -> None:
        self.rows.append(row)
        self.cols.append(col)
        self.types.append(type_)
        self.values.append(value)
        self.formulas.append(formula)
        self.formats.append(fmt)
        if row > self.max_row:
            self.max_row = row
        if col > self.max_col:
            self.max_col = col

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def formula_count(self) -> int:
        return sum(1 for f in self.formulas if f is not None)


@dataclass(slots=True)
class DefinedName:
    name: str
    value: str  # formula text without "=", e.g. "Inputs!$B$2" or "0.25" or "#REF!"
    scope: str | None = None  # sheet name for sheet-scoped names, None = workbook
    hidden: bool = False


@dataclass(slots=True)
class TableDef:
    """An Excel table (ListObject), used to resolve structured references."""

    name: str
    sheet: str
    ref: str  # "A1:D10", header row included
    columns: list[str]
    header_rows: int = 1
    totals_rows: int = 0


@dataclass(slots=True)
class CalcSettings:
    """The workbook's ``<calcPr>``: Excel's own calculation settings."""

    iterate: bool = False
    iterate_count: int = 100
    iterate_delta: float = 0.001
    full_calc_on_load: bool = False
    calc_mode: str | None = None  # auto | manual | autoNoTable


@dataclass(slots=True)
class WorkbookData:
    sheets: list[SheetData]
    defined_names: list[DefinedName] = field(default_factory=list)
    tables: list[TableDef] = field(default_factory=list)
    date1904: bool = False
    calc: CalcSettings = field(default_factory=CalcSettings)
    application: str | None = None  # "Microsoft Excel", "LibreOffice", ...
    app_version: str | None = None
    # docProps/app.xml's first HeadingPairs label: "Worksheets" in the display language of the
    # Excel that saved the file ("Arbeitsblätter" from a German one); None if not written.
    app_heading: str | None = None
    # appName of the workbook part's <fileVersion> ("xl" when Excel saved it, "Calc" for
    # LibreOffice); None when the writer left it out (libraries usually do).
    file_app: str | None = None
    has_macros: bool = False
    external_links: list[str] = field(default_factory=list)  # targets, in [1], [2] order
    warnings: list[str] = field(default_factory=list)
    vba_functions: list[Any] = field(default_factory=list)  # translated (xlimport.vba)

    @property
    def saved_by_excel(self) -> bool:
        """Whether Excel saved the file (so its cached values are Excel's results): Excel
        always writes ``<fileVersion appName="xl">`` and names itself in docProps/app.xml."""
        if self.file_app != "xl":
            return False
        return self.application is None or "excel" in self.application.lower()

    @property
    def localized_excel(self) -> bool:
        """Whether an Excel in another display language than English saved the file: its
        regional settings, which TEXT's format codes follow, were likely not English either."""
        return self.saved_by_excel and self.app_heading not in (None, "Worksheets")

    @property
    def cell_count(self) -> int:
        return sum(len(s) for s in self.sheets)

    @property
    def formula_count(self) -> int:
        return sum(s.formula_count for s in self.sheets)

    def sheet(self, name: str) -> SheetData:
        lowered = name.lower()
        for s in self.sheets:
            if s.name.lower() == lowered:
                return s
        raise KeyError(name)

    def metadata(self) -> dict[str, Any]:
        """JSON-ready description of the workbook (stored with the model)."""
        return {
            "sheets": [
                {
                    "name": s.name,
                    "index": s.index,
                    "state": s.state,
                    "cells": len(s),
                    "formula_cells": s.formula_count,
                    "max_row": s.max_row,
                    "max_col": s.max_col,
                    "array_formulas": len(s.array_ranges),
                }
                for s in self.sheets
            ],
            "defined_names": [
                {"name": n.name, "value": n.value, "scope": n.scope, "hidden": n.hidden}
                for n in self.defined_names
            ],
            "tables": [
                {"name": t.name, "sheet": t.sheet, "ref": t.ref, "columns": t.columns}
                for t in self.tables
            ],
            "date_system": 1904 if self.date1904 else 1900,
            "calc": {
                "iterate": self.calc.iterate,
                "iterate_count": self.calc.iterate_count,
                "iterate_delta": self.calc.iterate_delta,
                "full_calc_on_load": self.calc.full_calc_on_load,
                "calc_mode": self.calc.calc_mode,
            },
            "application": self.application,
            "app_version": self.app_version,
            "file_app": self.file_app,
            "app_heading": self.app_heading,
            "saved_by_excel": self.saved_by_excel,
            "has_macros": self.has_macros,
            "external_links": self.external_links,
        }
