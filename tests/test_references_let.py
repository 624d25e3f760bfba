"""LET inlined, the @ operator (_xlfn.SINGLE) and lone ranges taking their implicit
intersection, in the engine text (HyperFormula has no LET / SINGLE and gives #VALUE! for a
formula that is only a multi-cell range)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import xlimport
from xlimport.references import AnalysisContext, analyze, analyze_sheet
from xlimport.store.base import CellFilter
from xlimport.workbook import MAX_ROWS, DefinedName, SheetData, WorkbookData

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "files"


@pytest.fixture(scope="module")
def ctx() -> AnalysisContext:
    wb = WorkbookData(
        sheets=[SheetData(name=n, index=i) for i, n in enumerate(["Sheet1", "Sheet2", "My S"])],
        defined_names=[DefinedName("Rate", "Sheet2!$B$2")],
    )
    return AnalysisContext(wb)


def text(formula: str, ctx: AnalysisContext, row: int = 20, col: int = 4, array=False) -> str:
    info = analyze(formula, 0, row, col, ctx, array)
    assert info.error is None, info.error
    return info.engine_text


# ---- LET --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("_xlfn.LET(_xlpm.x,5,SUM(_xlpm.x,1))", "=(SUM(5,1))"),
        ("_xlfn.LET(_xlpm.x,A1,_xlpm.y,34, _xlpm.x+_xlpm.y)", "=(A1+34)"),
        ("1+_xlfn.LET(_xlpm.x,1,_xlpm.x*8)", "=1+(1*8)"),
        # names are case-insensitive; later values use earlier names
        ("LET(Price,B2,Tax,price*0.2,PRICE+tax)", "=(B2+(B2*0.2))"),
        # an inner LET rebinding the same name hides the outer one
        ("2+LET(x,8,LET(x,2,x+x)*x)", "=2+((2+2)*8)"),
        # an inner value may use the outer name before rebinding it
        ("LET(x,8,LET(x,x+1,x*2))", "=(((8+1)*2))"),
        # not inside strings, nor as a sheet-qualified name or a function
        ('LET(x,3,"x"&x)', '=("x"&3)'),
        ("LET(Rate,2,Rate*Sheet2!Rate)", "=(2*Sheet2!Rate)"),
        ("LET(r,Sheet2!A1:A5,n,r,SUM(n)/COUNT(r))", "=(SUM(Sheet2!A1:A5)/COUNT(Sheet2!A1:A5))"),
        ("LET(r,'My S'!A1:A5,SUM(r))", "=(SUM('My S'!A1:A5))"),
    ],
)
def test_let_inlined(formula: str, expected: str, ctx: AnalysisContext) -> None:
    assert text(formula, ctx) == expected


@pytest.mark.parametrize(
    "formula",
    [
        "LET(f,LAMBDA(y,y+1),f)",  # a LAMBDA as the result (called, it is inlined)
        "LET(x,1,2,x)",  # a name that is not a name
        "LET(x,1)",  # no calculation
    ],
)
def test_let_left_alone_when_unsafe(formula: str, ctx: AnalysisContext) -> None:
    assert text(formula, ctx) == "=" + formula


def test_let_refs_and_functions(ctx: AnalysisContext) -> None:
    info = analyze("_xlfn.LET(_xlpm.a,Sheet2!B1:B3,_xlpm.b,C7,SUM(_xlpm.a)*_xlpm.b)", 0, 1, 1, ctx)
    assert sorted(info.refs) == [(0, 7, 3, 7, 3), (1, 1, 2, 3, 2)]
    assert info.functions == ("SUM",)
    info = analyze("LET(x,Rate,x*2)", 0, 1, 1, ctx)
    assert info.refs == [(1, 2, 2, 2, 2)]


# ---- @ (SINGLE) and lone ranges -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("N(_xlfn.SINGLE(D18:D22))", "=N($D$20)"),  # the row of the formula (20)
        ("LCM(A4,_xlfn.SINGLE(J:J))", "=LCM(A4,$J$20)"),
        ("_xlfn.SINGLE(Sheet2!B3:F3)", "=Sheet2!$D$3"),  # the column of the formula (D)
        ("_xlfn.SINGLE(A1:A5)", "=#VALUE!"),  # row 20 is outside
        ("_xlfn.SINGLE(1+2)", "=(1+2)"),  # not a reference
        ("H34:H37", "=#VALUE!"),
        ("H14:H37", "=$H$20"),
        ("$N:$N", "=$N$20"),
        ("'My S'!A1:A99", "='My S'!$A$20"),
        ("Sheet2!$B$3:$G$3", "=Sheet2!$D$3"),
        ("3:3", "=$D$3"),
        ("A1:B30", "=#VALUE!"),  # two columns: no single cell
    ],
)
def test_implicit_intersection(formula: str, expected: str, ctx: AnalysisContext) -> None:
    assert text(formula, ctx) == expected


def test_intersection_refs(ctx: AnalysisContext) -> None:
    # filled down: each cell reads its own row
    for row in (5, 6, 7):
        info = analyze("B1:B10", 0, row, 3, ctx)
        assert info.engine_text == f"=$B${row}"
        # a lone range keeps the whole range as precedent (a superset, as before)
        assert info.refs == [(0, 1, 2, 10, 2)]
        info = analyze("_xlfn.SINGLE(B1:B10)*2", 0, row, 3, ctx)
        assert info.refs == [(0, row, 2, row, 2)]
    assert analyze("2*_xlfn.SINGLE(J:J)", 0, 9, 1, ctx).refs == [(0, 9, 10, 9, 10)]
    assert analyze("2*_xlfn.SINGLE(B1:B10)", 0, 12, 3, ctx).refs == []  # #VALUE!


def test_array_formula_keeps_its_range(ctx: AnalysisContext) -> None:
    info = analyze("H34:H37", 0, 20, 4, ctx, array=True)
    assert info.engine_text == "=H34:H37"
    assert info.refs == [(0, 34, 8, 37, 8)]
    sheet = SheetData(name="Sheet1", index=0)
    sheet.add(1, 1, "n", 1.0, "B1:B3")
    sheet.add(2, 1, "n", 2.0, "B1:B3")
    sheet.array_ranges[(1, 1)] = "A1"
    sheet.add(5, 1, "n", 3.0, "B1:B3")
    per = analyze_sheet(sheet, ctx)
    assert [per.engine_text(k) for k in range(3)] == ["=B1:B3", "=$B$2", "=#VALUE!"]
    assert per.refs_of(0) == [(0, 1, 2, 3, 2)]
    assert per.refs_of(1) == per.refs_of(2) == [(0, 1, 2, 3, 2)]
    assert MAX_ROWS > 37


# ---- values through a real import ---------------------------------------------------------------
def _values(path: Path, tmp_path: Path) -> dict[tuple[str, str], tuple]:
    """(sheet, cell) -> (calculated value, calculated text, status) of every stored cell
    (spilled array members included)."""
    url = f"sqlite:///{tmp_path / 'let.db'}"
    result = xlimport.import_workbook(path, store=url, force=True)
    store = xlimport.open_store(url)
    return {
        (c["sheet_name"], c["cell"]): (c["calculated_value"], c["calculated_text"], c["status"])
        for c in store.iter_cells(result.model_id, CellFilter())
    }


def test_values_in_a_workbook(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r, v in enumerate([10, 20, 30, 40], start=1):
        ws.cell(r, 1, v)
    ws["C1"] = "=_xlfn.LET(_xlpm.x,5,SUM(_xlpm.x,1))"  # Microsoft's LET example: 6
    ws["C2"] = "=_xlfn.LET(_xlpm.total,SUM(A1:A4),_xlpm.n,COUNT(A1:A4),_xlpm.total/_xlpm.n)"
    ws["C3"] = "=A1:A4"  # implicit intersection: A3
    ws["C4"] = "=$A:$A*2"  # A4 * 2 (a range inside an expression: the engine's own rule)
    ws["C5"] = "=A1:A4"  # row 5 is outside: #VALUE!
    ws["C6"] = "=_xlfn.SINGLE(A1:A4)+1"  # @A1:A4 in row 6: #VALUE!
    ws["D2"] = "=_xlfn.SINGLE(A1:A4)*3"  # A2 * 3
    ws["F1"] = '=_xlfn.LET(_xlpm.x,"a",_xlpm.x&"x")'
    path = tmp_path / "let.xlsx"
    wb.save(path)
    got = {cell: v for (_, cell), v in _values(path, tmp_path).items()}
    assert got["C1"][0] == 6
    assert got["C2"][0] == 25
    assert got["C3"][0] == 30
    assert got["C4"][0] == 80
    assert got["C5"][1] == "#VALUE!"
    assert got["C6"][1] == "#VALUE!"
    assert got["D2"][0] == 60
    assert got["F1"][1] == "ax"


# ---- the corpus: Excel's cached values are the truth -----------------------------------------
@pytest.mark.parametrize(
    ("name", "at_least"),
    [
        # before: 518 matched of 978 (460 LET cells were engine errors); after: 894
        ("ironcalc__templates_event_calendar.xlsx", 890),
        ("ironcalc__logical_let.xlsx", 6),
        ("ironcalc__information_n.xlsx", 21),
    ],
)
def test_corpus_files(name: str, at_least: int, tmp_path: Path) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip("corpus not available")
    got = _values(path, tmp_path)
    matched = sum(1 for _, _, status in got.values() if status == "matched")
    assert matched >= at_least
