"""Functions added or corrected by hyperformula/functions/fixb_*.js: GROUPBY and PIVOTBY.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx), quoted where used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from engine_cases import check
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula


def spilled_values(wb: Any, arrays: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    """Import `wb` with each array formula of `arrays` (range -> formula) and return the
    recomputed value of every cell of those ranges (text and error codes as text)."""
    import xlimport

    ws = wb.active
    for ref, formula in arrays.items():
        c1, r1, c2, r2 = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                ws.cell(r, c, 0)  # a cell of the range, as Excel saves the values it spilled
        ws[ref.split(":")[0]] = ArrayFormula(ref, formula)
    path = tmp_path / "groupby.xlsx"
    wb.save(path)
    url = f"sqlite:///{tmp_path / 'groupby.db'}"
    result = xlimport.import_workbook(path, store=url)
    return {
        c["cell"]: c["calculated_value"] if c["calculated_text"] is None else c["calculated_text"]
        for c in xlimport.open_store(url).iter_cells(result.model_id)
    }


def block(got: dict[str, Any], ref: str) -> list[list[Any]]:
    """The values of range `ref` row by row (blank results as "")."""
    c1, r1, c2, r2 = range_boundaries(ref)
    out = []
    for r in range(r1, r2 + 1):
        row = []
        for c in range(c1, c2 + 1):
            v = got.get(f"{get_column_letter(c)}{r}")
            row.append("" if v is None else v)
        out.append(row)
    return out


def sales_workbook() -> Any:
    wb = openpyxl.Workbook()
    ws = wb.active
    rows = [
        ("Region", "Item", "Sales", "Keep"),
        ("East", "a", 10, 1),
        ("West", "b", 5, 1),
        ("East", "b", 7, 0),
        ("East", "a", 3, 1),
        ("West", "a", 2, 1),
    ]
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
    ws["F1"] = "=NA()"
    return wb


def test_groupby_headers_subtotals_sort_filter(tmp_path):
    # Microsoft "GROUPBY function": field_headers 3 shows the headers; total_depth 2 adds
    # subtotals of the outer field (after their group) and the grand total, which Excel labels
    # "Grand Total" then ("Total" alone); a value column number in sort_order sorts the groups
    # by their result; filter_array keeps the rows where it is TRUE. Totals apply the function
    # to all the values of the group.
    got = spilled_values(
        sales_workbook(),
        {
            "H1:J8": "=_xlfn.GROUPBY(A1:B6,C1:C6,_xleta.SUM,3,2)",
            "L1:M3": "=_xlfn.GROUPBY(A2:A6,C2:C6,_xleta.AVERAGE,0,1,2)",
            "L5:M7": "=_xlfn.GROUPBY(A2:A6,C2:C6,_xleta.SUM,0,-1,-1,D2:D6)",
            "L9": "=_xlfn.GROUPBY(A2:A6,C2:C5,_xleta.SUM)",
            "L10": "=_xlfn.GROUPBY(A2:A6,C2:C6,_xleta.SUM,0,1,3)",
            "L11": "=_xlfn.GROUPBY(A2:A6,C2:C6,F1)",
            "L12": "=_xlfn.GROUPBY(A2:A6,C2:C6,C2)",
        },
        tmp_path,
    )
    assert block(got, "H1:J8") == [
        ["Region", "Item", "Sales"],
        ["East", "a", 13],
        ["East", "b", 7],
        ["East", "", 20],
        ["West", "a", 2],
        ["West", "b", 5],
        ["West", "", 7],
        ["Grand Total", "", 27],
    ]
    assert block(got, "L1:M3") == [["West", 3.5], ["East", 20 / 3], ["Total", 27 / 5]]
    # descending by region, total first, row 4 (East b 7) filtered out
    assert block(got, "L5:M7") == [["Total", 20], ["West", 7], ["East", 13]]
    assert got["L9"] == "#VALUE!"  # fields and values of different heights
    assert got["L10"] == "#VALUE!"  # sort_order past the last column
    assert got["L11"] == "#N/A"  # an error as the function is the result
    assert got["L12"] == "#VALUE!"  # a value that is no function


def test_groupby_auto_headers_and_percentof(tmp_path):
    # Cached in formulas__test.xlsx: without field_headers a text first value above a number is
    # a header (not shown); PERCENTOF gives each group's share of the grand total.
    got = spilled_values(
        sales_workbook(),
        {"H1:I3": "=_xlfn.GROUPBY(A1:A6,C1:C6,_xleta.PERCENTOF)"},
        tmp_path,
    )
    assert block(got, "H1:I3") == [["East", 20 / 27], ["West", 7 / 27], ["Total", 1]]


def test_pivotby_layout_and_blanks(tmp_path):
    # Cached in formulas__test.xlsx: PIVOTBY({2;2;3},{1;2;2},{1;2;3},SUM) has the column keys
    # on top, the row keys on the left, totals right and below, blank where no value falls.
    got = spilled_values(
        sales_workbook(),
        {
            "H1:K4": "=_xlfn.PIVOTBY({2;2;3},{1;2;2},{1;2;3},_xleta.SUM)",
            "H6:K9": "=_xlfn.PIVOTBY(A1:A6,B1:B6,C1:C6,_xleta.SUM,1,-1,1,-1,-2)",
            "H11": "=_xlfn.PIVOTBY(A1:A6,B1:B6,C1:C6,_xleta.SUM,1,3)",
        },
        tmp_path,
    )
    assert block(got, "H1:K4") == [
        ["", 1, 2, "Total"],
        [2, 1, 2, 3],
        [3, "", 3, 3],
        ["Total", 1, 5, 6],
    ]
    # totals first (-1), columns by their total descending (-2): a (15) before b (12)
    assert block(got, "H6:K9") == [
        ["", "Total", "a", "b"],
        ["Total", 27, 15, 12],
        ["East", 20, 13, 7],
        ["West", 7, 2, 5],
    ]
    assert got["H11"] == "#VALUE!"  # total_depth deeper than the fields (cached: #VALUE!)


def test_pivotby_percentof_relative_to(tmp_path):
    # Cached in formulas__test.xlsx (LOOKUP!N106 and R105): relative_to 3 (parent column
    # total) with one column field is the row's total; SUM ignores relative_to.
    rows = '{"r2";"r2";"r3";"r2";"r2";"r2";"r3";"r2";"r3"}'
    cols = '{"c1";"c1";"c2";"c2";"c1";"c2";"c1";"c2";"c2"}'
    vals = "{1;-1;-7;-1;7;5;9;8;-8}"
    keep = "{1;1;1;1;1;1;1;1;1}"
    args = f"{rows},{cols},{vals}"
    got = spilled_values(
        openpyxl.Workbook(),
        {
            "A1:D4": f"=_xlfn.PIVOTBY({args},_xleta.SUM,0,1,1,1,1,{keep},3)",
            "A6:D9": f"=_xlfn.PIVOTBY({args},_xleta.PERCENTOF,0,1,1,1,1,{keep},3)",
            "A11:D14": f"=_xlfn.PIVOTBY({args},_xleta.PERCENTOF,0,1,1,1,1,{keep},0)",
        },
        tmp_path,
    )
    assert block(got, "A1:D4") == [
        ["", "c1", "c2", "Total"],
        ["r2", 7, 12, 19],
        ["r3", 9, -15, -6],
        ["Total", 16, -3, 13],
    ]
    assert block(got, "A6:D9") == [
        ["", "c1", "c2", "Total"],
        ["r2", 7 / 19, 12 / 19, 1],
        ["r3", -1.5, 2.5, 1],
        ["Total", 16 / 13, -3 / 13, 1],
    ]
    assert block(got, "A11:D14") == [
        ["", "c1", "c2", "Total"],
        ["r2", 7 / 16, 12 / -3, 19 / 13],
        ["r3", 9 / 16, -15 / -3, -6 / 13],
        ["Total", 1, 1, 1],
    ]


def test_logical_error_argument_before_text_error(engine):
    # Cached in formulas__test.xlsx: AND(TRUE,"0",#REF!), AND(TRUE,"ciao",#REF!,"0"),
    # OR(TRUE,"0",#REF!) and XOR(TRUE,"0",#REF!) are all #REF!: an error value given to the
    # function is its result even after a text argument.
    check(
        engine,
        [
            ('=AND(TRUE(),"ciao",1/0)', "#DIV/0!"),
            ('=AND(TRUE(),"ciao",#REF!,"0")', "#REF!"),
            ('=OR(TRUE(),"ciao",NA())', "#N/A"),
            ('=XOR(TRUE(),"ciao",#REF!)', "#REF!"),
        ],
    )
