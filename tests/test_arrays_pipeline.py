"""Array formulas, spill references and range-valued names through the whole import pipeline:
workbooks made with openpyxl, imported into SQLite, every recomputed value checked.

Expected values follow Excel's documented behaviour (quoted per test) and the values it cached
in the shared corpus for the same shapes of formula.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from engine_cases import recomputed_values
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula


def _define(wb: openpyxl.Workbook, name: str, ref: str) -> None:
    dn = DefinedName(name, attr_text=ref)
    if hasattr(wb.defined_names, "add"):
        wb.defined_names.add(dn)
    else:  # openpyxl < 3.1
        wb.defined_names.append(dn)


def test_array_ranges_filled_as_excel_fills_them(tmp_path: Path, sqlite_url: str) -> None:
    # Microsoft ("Guidelines and examples of array formulas"): an array formula's result fills
    # its range; a single value or a single row/column is repeated, cells past the result show
    # #N/A. Cached in poi__matrixformulaevaltestdata.xlsx and ironcalc__spill_operator.xlsx.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r, v in enumerate([12, 24, 34, 1245], start=1):
        ws.cell(r, 1, v)
    ws["C1"] = ArrayFormula("C1:C4", "=A1:A4")
    ws["D1"] = ArrayFormula("D1:E2", "=A1:A2*2")
    ws["F1"] = ArrayFormula("F1:F3", "={1;2}")
    ws["G1"] = ArrayFormula("G1:H1", "=5")
    ws["J1"] = "=SUM(_xlfn.ANCHORARRAY(C1))"
    ws["J2"] = "=SUM(_xlfn.ANCHORARRAY(A1))"
    # Excel writes every cell of an array range with its cached value; openpyxl writes only the
    # anchor, so the other cells get a placeholder here
    for ref in ("C2", "C3", "C4", "E1", "D2", "E2", "F2", "F3", "H1"):
        ws[ref] = 0
    cells = recomputed_values(wb, tmp_path, sqlite_url)
    assert [cells[f"C{i}"] for i in range(1, 5)] == [12, 24, 34, 1245]
    assert [cells[a] for a in ("D1", "E1", "D2", "E2")] == [24, 24, 48, 48]
    assert [cells[f"F{i}"] for i in range(1, 4)] == [1, 2, "#N/A"]
    assert [cells["G1"], cells["H1"]] == [5, 5]
    assert [cells["J1"], cells["J2"]] == [1315, "#REF!"]


def test_names_for_ranges_and_names_shaped_like_cells(tmp_path: Path, sqlite_url: str) -> None:
    # Excel accepts a name such as "Liste2" (column LISTE lies past XFD); an ordinary formula
    # that is a name for a range takes the implicit intersection with its row or column.
    # Cached in koala__advanced.xlsx: =Liste2 in rows 1-3 gives 10, 20, 30; =-Liste2 -10 ...;
    # =EmptyRange (a row of empty cells) gives 0 in each column.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r, v in enumerate([10, 20, 30], start=1):
        ws.cell(r, 2, v)
    _define(wb, "Liste2", "Sheet1!$B$1:$B$3")
    _define(wb, "EmptyRange", "Sheet1!$A$12:$C$12")
    for r in (1, 2, 3):
        ws[f"L{r}"] = "=Liste2"
        ws[f"M{r}"] = "=-Liste2"
    ws["N1"] = "=SUM(Liste2)"
    ws["O1"] = '="Liste2"'
    for col in "ABC":
        ws[f"{col}13"] = "=EmptyRange"
    cells = recomputed_values(wb, tmp_path, sqlite_url)
    assert [cells[f"L{r}"] for r in (1, 2, 3)] == [10, 20, 30]
    assert [cells[f"M{r}"] for r in (1, 2, 3)] == [-10, -20, -30]
    assert [cells["N1"], cells["O1"]] == [60, "Liste2"]
    assert [cells[f"{col}13"] for col in "ABC"] == [0, 0, 0]


def test_3d_references(tmp_path: Path, sqlite_url: str) -> None:
    # Microsoft ("Create a 3-D reference to the same cell range on multiple worksheets"): SUM,
    # AVERAGE, COUNT, COUNTA, MIN, MAX ... take Sheet1:Sheet3!A1, the cell on every sheet from
    # the first to the last. Cached in poi__55906-multisheetrefs.xlsx: SUM = 66, AVERAGE = 22,
    # COUNTA over texts 3 and over empty cells 0, SUM(Sheet1:Sheet3!A1:B2) = 110.
    wb = openpyxl.Workbook()
    sheets = [wb.active, wb.create_sheet("Sheet2"), wb.create_sheet("Sheet 3")]
    sheets[0].title = "Sheet1"
    for ws, a1, c1 in zip(sheets, (11, 22, 33), ("Hello!", "Middle!", "Bye!"), strict=True):
        ws["A1"], ws["C1"] = a1, c1
    sheets[1]["B1"] = 44
    ws = sheets[0]
    ws["A3"] = "=SUM('Sheet1:Sheet 3'!A1)"
    ws["B3"] = "=AVERAGE('Sheet1:Sheet 3'!A1)"
    ws["C3"] = "=COUNTA('Sheet1:Sheet 3'!C1)"
    ws["D3"] = "=COUNTA('Sheet1:Sheet 3'!D1)"
    ws["H3"] = "=SUM('Sheet1:Sheet 3'!A1:B2)"
    ws["I3"] = "=MAX('Sheet2:Sheet 3'!$A$1)+1"
    ws["J3"] = '="SUM(Sheet1:Sheet2!A1)"'
    cells = recomputed_values(wb, tmp_path, sqlite_url)
    got = [cells[a] for a in ("A3", "B3", "C3", "D3", "H3", "I3", "J3")]
    assert got == [66, 22, 3, 0, 110, 34, "SUM(Sheet1:Sheet2!A1)"]
