"""Results that depend on the workbook's structure rather than on one function: rows hidden by
hand or by an AutoFilter (SUBTOTAL, AGGREGATE), nested subtotals, table column names with spaces.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (quoted where used).
"""

from __future__ import annotations

from typing import Any

import openpyxl
from engine_cases import check, import_and_check
from openpyxl.worksheet.table import Table

from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet, HyperFormulaEngine
from xlimport.reader import read_workbook


def evaluate_hidden(
    engine: HyperFormulaEngine,
    formulas: list[str],
    constants: list[tuple[int, int, Any]],
    hidden: list[int],
    filtered: list[int],
) -> list[Any]:
    """Values of `formulas` (column Z) on a sheet whose rows `hidden` are hidden, `filtered` of
    them by a filter."""
    tested = [(r, 26, f) for r, f in enumerate(formulas, 1)]
    sheet = EngineSheet("S", constants, tested, hidden_rows=hidden, filtered_rows=filtered)
    engine.load([sheet], [], EngineSettings())
    [values] = engine.formula_values()
    return [v.code if isinstance(v, EngineErrorValue) else v for v in values]


# A1:A6 = 1, 2, 3, 4, 5, 6 with row 2 hidden by hand and row 4 hidden by a filter.
NUMBERS = [(r, 1, float(r)) for r in range(1, 7)]


def test_subtotal_skips_filtered_rows_always_and_hidden_rows_from_101(engine):
    # Microsoft ("SUBTOTAL function"): 1-11 include manually hidden rows, 101-111 exclude them;
    # rows not included in the result of a filter are always excluded.
    got = evaluate_hidden(
        engine,
        [
            "=SUBTOTAL(9,A1:A6)",
            "=SUBTOTAL(109,A1:A6)",
            "=SUBTOTAL(2,A1:A6)",
            "=SUBTOTAL(102,A1:A6)",
            "=SUBTOTAL(104,A1:A6)",
            "=SUBTOTAL(105,A1:A6)",
            "=SUBTOTAL(101,A1:A6)",
            "=SUBTOTAL(9,A2)",
            "=SUBTOTAL(109,A2)",
            "=SUBTOTAL(9,A4)",
            "=SUBTOTAL(101.2,A1:A6)",  # function_num truncated
            "=SUBTOTAL(109,A1:A6,A2)",
            "=SUM(A1:A6)",
        ],
        NUMBERS,
        hidden=[2, 4],
        filtered=[4],
    )
    assert got == [17, 15, 5, 4, 6, 1, 15 / 4, 2, 0, 0, 15 / 4, 15, 21]


def test_subtotal_ignores_nested_subtotals(engine):
    # Microsoft: "If there are other subtotals within ref1, ref2,... (or nested subtotals),
    # these nested subtotals are ignored to avoid double counting." Cached in
    # ironcalc__calc_test_no_export_tables.xlsx (Escape): SUBTOTAL(10,B2:E3) = 3.5 where E2:E3
    # are SUBTOTALs; SUBTOTAL(109,B6:B7) = 0 where both cells are SUBTOTALs. A formula calling
    # SUBTOTAL or AGGREGATE anywhere (2*AGGREGATE(...)) is left out too.
    check(
        engine,
        [
            ("=SUBTOTAL(9,A1:A4)", 3),
            ("=SUBTOTAL(9,A1:A5)", 3),
            ("=SUBTOTAL(10,C1:E2)", 2.5),
            ("=SUBTOTAL(9,A3:A4)", 0),
            ("=SUM(A1:A4)", 8),
        ],
        [
            (1, 1, 1.0),
            (2, 1, 2.0),
            (3, 1, "=SUBTOTAL(9,A1:A2)"),
            (4, 1, "=2*AGGREGATE(9,0,A1)"),
            (5, 1, "text"),
            (1, 3, 1.0),
            (1, 4, 2.0),
            (1, 5, 3.0),
            (2, 3, 4.0),
            (2, 4, 5.0),
            (2, 5, "=SUBTOTAL(9,C1:E1)"),
        ],
    )


def test_subtotal_functions_and_errors(engine):
    # Microsoft's example: SUBTOTAL(9,A2:A5) = 303 and SUBTOTAL(1,A2:A5) = 75.75 for 120, 10,
    # 150, 23. COUNTA counts every non-empty cell, errors too; an error is the result otherwise.
    check(
        engine,
        [
            ("=SUBTOTAL(9,A2:A5)", 303),
            ("=SUBTOTAL(1,A2:A5)", 75.75),
            ("=SUBTOTAL(3,A1:A7)", 6),
            ("=SUBTOTAL(2,A1:A7)", 4),
            ("=SUBTOTAL(9,A1:A7)", "#DIV/0!"),
            ("=SUBTOTAL(6,A2:A3)", 1200),
            ("=SUBTOTAL(8,A2:A3)", 55),
            ("=SUBTOTAL(11,A2:A3)", 3025),
            ("=SUBTOTAL(1,A1)", "#DIV/0!"),
            ("=SUBTOTAL(4,A1)", 0),
            ("=SUBTOTAL(12,A2:A5)", "#VALUE!"),
            ("=SUBTOTAL(0,A2:A5)", "#VALUE!"),
        ],
        [
            (1, 1, "head"),
            (2, 1, 120.0),
            (3, 1, 10.0),
            (4, 1, 150.0),
            (5, 1, 23.0),
            (6, 1, "=1/0"),
        ],
    )


def test_aggregate_options(engine):
    # Microsoft ("AGGREGATE function"): options 1/3/5/7 ignore hidden rows, 2/3/6/7 error
    # values, 0-3 nested SUBTOTAL and AGGREGATE. Its example, A1:A11 = #DIV/0!, 72, 30, #NUM!,
    # 31, 96, 32, 81, 33, 53, 34 and B1:B11 = 82, 65, 95, 63, 53, 71, 55, 83, 100, 91, 89:
    # AGGREGATE(4,6,A1:A11) = 96, AGGREGATE(14,6,A1:A11,3) = 72, AGGREGATE(15,6,A1:A11)
    # #VALUE! (no k), AGGREGATE(12,6,A1:A11,B1:B11) = 68. The others follow from MEDIAN, SMALL,
    # PERCENTILE.INC and QUARTILE.INC of the same numbers.
    column_a = ["=1/0", 72, 30, "=SQRT(-1)", 31, 96, 32, 81, 33, 53, 34]
    column_b = [82, 65, 95, 63, 53, 71, 55, 83, 100, 91, 89]
    constants = [(r, 1, v if isinstance(v, str) else float(v)) for r, v in enumerate(column_a, 1)]
    constants += [(r, 2, float(v)) for r, v in enumerate(column_b, 1)]
    check(
        engine,
        [
            ("=AGGREGATE(4,6,A1:A11)", 96),
            ("=AGGREGATE(14,6,A1:A11,3)", 72),
            ("=AGGREGATE(15,6,A1:A11)", "#VALUE!"),
            ("=AGGREGATE(12,6,A1:A11,B1:B11)", 68),
            ("=AGGREGATE(12,6,A1:A11)", 34),
            ("=AGGREGATE(9,4,A1:A11)", "#DIV/0!"),
            ("=AGGREGATE(2,4,A1:A11)", 9),
            ("=AGGREGATE(15,6,A1:A11,1)", 30),
            ("=AGGREGATE(16,6,B1:B11,0.5)", 82),
            ("=AGGREGATE(17,6,B1:B11,1)", 64),
            ("=AGGREGATE(1,8,B1:B11)", "#VALUE!"),
            ("=AGGREGATE(20,0,B1:B11)", "#VALUE!"),
        ],
        constants,
    )


def test_aggregate_hidden_rows(engine):
    # Cached in sheetjs__formula_stress_test.xlsx: AGGREGATE(1,2,C1:K1) = 7 over 3..11.
    got = evaluate_hidden(
        engine,
        [
            "=AGGREGATE(9,0,A1:A6)",
            "=AGGREGATE(9,1,A1:A6)",
            "=AGGREGATE(9,5,A1:A6)",
            "=AGGREGATE(9,4,A1:A6)",
            "=AGGREGATE(1,2,C1:K1)",
        ],
        NUMBERS + [(1, c, float(c)) for c in range(3, 12)],
        hidden=[2, 4],
        filtered=[4],
    )
    assert got == [21, 15, 15, 21, 7]


# --- the reader: hidden and filtered rows -------------------------------------------------------


def test_reader_records_hidden_and_filtered_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 9):
        ws.cell(r, 1, r)
    ws.auto_filter.ref = "A1:A6"
    ws.auto_filter.add_filter_column(0, ["1", "3"])
    for r in (2, 4, 8):
        ws.row_dimensions[r].hidden = True
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    [sheet] = read_workbook(path).sheets
    assert sheet.hidden_rows == [2, 4, 8]
    assert sheet.filtered_rows == [2, 4]  # row 8 is outside the filter: hidden by hand


def test_reader_without_active_filter_rows_are_hidden_by_hand(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 5):
        ws.cell(r, 1, r)
    ws.auto_filter.ref = "A1:A4"  # AutoFilter buttons, no filter applied
    ws.row_dimensions[3].hidden = True
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    [sheet] = read_workbook(path).sheets
    assert (sheet.hidden_rows, sheet.filtered_rows) == ([3], [])


def test_pipeline_subtotal_with_hidden_and_filtered_rows(tmp_path):
    # As in ironcalc__calc_test_no_export_tables.xlsx ("filters": SUBTOTAL(9,B3:B6) = 4 with
    # the filtered rows left out; "Hidden": SUBTOTAL(109,...) leaves out a row hidden by hand).
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Dogs"
    for r, v in enumerate([10, 20, 30, 40, 50], 2):
        ws.cell(r, 1, v)
    ws.auto_filter.ref = "A1:A6"
    ws.auto_filter.add_filter_column(0, ["10", "30", "50"])
    ws.row_dimensions[3].hidden = True  # 20, filtered
    ws.row_dimensions[5].hidden = True  # 40, filtered
    for r, v in enumerate([1, 2, 3], 10):
        ws.cell(r, 1, v)
    ws.row_dimensions[11].hidden = True  # 2, hidden by hand
    import_and_check(
        wb,
        {
            "C1": ("=SUBTOTAL(9,A2:A6)", 90),
            "C2": ("=SUBTOTAL(109,A2:A6)", 90),
            "C3": ("=SUBTOTAL(9,A10:A12)", 6),
            "C4": ("=SUBTOTAL(109,A10:A12)", 4),
            "C5": ("=SUM(A2:A6)", 150),
            "C6": ("=SUBTOTAL(9,C1:C4)", 0),
        },
        tmp_path,
    )


def test_pipeline_table_column_names_with_spaces(tmp_path):
    # Cached in poi__table-sample.xlsx: Tabelle1[[#Totals],[Field 4 ]] names the column
    # "Field 4 " (a trailing space); ironcalc's Table3[[the two ]] the same.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Field 4 "])
    ws.append(["a", 1])
    ws.append(["b", 2])
    ws.append(["c", 3])
    ws.add_table(Table(displayName="T1", ref="A1:B4"))
    import_and_check(
        wb,
        {
            "D1": ("=SUM(T1[[Field 4 ]])", 6),
            "D2": ("=SUM(T1[Field 4 ])", 6),
        },
        tmp_path,
    )


def test_pipeline_defined_name_with_table_reference(tmp_path):
    # Cached in poi__simple-monthly-budget.xlsx: TotalMonthlyIncome = SUM(tblIncome[Amount])
    # used as =TotalMonthlyIncome and =TotalMonthlyIncome-TotalMonthlyExpenses.
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Item", "Amount"])
    ws.append(["pay", 3000])
    ws.append(["other", 750])
    ws.add_table(Table(displayName="tblIncome", ref="A1:B3"))
    wb.defined_names["TotalIncome"] = DefinedName("TotalIncome", attr_text="SUM(tblIncome[Amount])")
    import_and_check(
        wb,
        {"D1": ("=TotalIncome", 3750), "D2": ("=TotalIncome/2", 1875)},
        tmp_path,
    )
