"""Formula shapes the engine's parser or evaluation model did not take as Excel does: legacy
(non-array) formulas whose result is an array, CHOOSE picking a reference, FORMULATEXT of a
rewritten formula, OFFSET with empty arguments, a repeated percent sign, unions as arguments,
a range to a defined name, and defined names HyperFormula cannot read as written (qualified by
a sheet, with a backslash, on a sheet whose name needs quotes, lost to #REF!).

Expected values are the ones Excel cached for the same formulas in the shared corpus
(sheetjs__formula_stress_test, ironcalc__lookup_and_reference_choose,
ironcalc__information_formulatext, poi__formulaevaltestdata_copy, poi__61063, formulas__test,
sheetjs__defined_names_simple, poi__56737, exceltocode__utf8-strings, poi__49783) or follow
Microsoft's documentation, quoted per test.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from engine_cases import check, recomputed_values
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula

from xlimport.engine import EngineName, EngineSettings, EngineSheet

GRID = [(1, 1, 1.0), (2, 1, 2.0), (3, 1, 3.0), (1, 2, 10.0), (2, 2, 20.0), (3, 2, 4.0)]


def _name(wb: openpyxl.Workbook, name: str, ref: str, sheet: str | None = None) -> None:
    dn = DefinedName(name, attr_text=ref)
    if sheet is None:
        wb.defined_names[name] = dn
    else:
        wb[sheet].defined_names[name] = dn


# ---- engine level ---------------------------------------------------------------------------


def test_legacy_formula_with_an_array_result_shows_its_top_left_value(engine) -> None:
    # Microsoft ("Implicit intersection operator: @"): in Excel before dynamic arrays a formula
    # in one cell returning an array shows its top-left element (Excel 365 shows it as =@...);
    # a reference is intersected with the formula's row or column. The neighbours of column Z
    # hold the other formulas, so a spill has no room: the legacy value, never #SPILL!.
    check(
        engine,
        [
            ("=MMULT(A1:B2,A1:B2)", 21.0),  # 1*1 + 10*2
            ("=A1:A9", 2.0),  # row 2 of column Z: A2
            ("=TRANSPOSE(A1:A3)", 1.0),
            ("=-MINVERSE({2,0;0,4})+1", 0.5),
            ("={7,8;9,10}", 7.0),
            ("=SUM(MMULT(A1:B2,A1:B2))", 693.0),  # inside a function: the whole array
            ("=A1:A3", "#VALUE!"),  # row 7 of column Z: no intersection with rows 1-3
        ],
        GRID,
    )


def test_names_keep_array_values(engine) -> None:
    engine.load(
        [EngineSheet("S", [], [(1, 1, "=SUM(arr)"), (2, 1, "=INDEX(arr,2)")])],
        [EngineName("arr", "={1,2,3}")],
        EngineSettings(),
    )
    assert engine.formula_values() == [[6.0, 2.0]]


def test_choose_of_references_gives_the_reference(engine) -> None:
    # Microsoft ("CHOOSE function"): =SUM(CHOOSE(2,A1:A10,B1:B10,C1:C10)) sums B1:B10 - the
    # index picks a reference, which SUM reads whole (ironcalc CHOOSE!B11 cached 68).
    check(
        engine,
        [
            ("=SUM(CHOOSE(2,A1:A2,A1:A3))", 6.0),
            ("=SUM(CHOOSE(1,A1:A2,A1:A3))", 3.0),
            ("=SUM(CHOOSE(A2,A1:A2,B1:B3))", 34.0),
            ("=ROWS(CHOOSE(2,A1:A2,A1:A3))", 3.0),
            ("=AVERAGE(CHOOSE(2,A1:A3,B1:B2))", 15.0),
            ("=SUM(CHOOSE(3,A1:A2,A1:A3))", "#VALUE!"),
        ],
        GRID,
    )


# ---- whole pipeline -------------------------------------------------------------------------


def _with_dynamic_metadata(path: Path, cells: list[str]) -> None:
    """Mark the array formulas of ``cells`` as dynamic-array formulas, as Excel 365 writes them:
    ``<c ... cm="1"><f t="array" ref=...>`` (cell metadata pointing to XLDAPR)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                for cell in cells:
                    text = re.sub(rf'(<c r="{cell}")', r'\1 cm="1"', text)
                data = text.encode("utf-8")
            dst.writestr(item, data)
    tmp.replace(path)


def test_legacy_and_dynamic_array_formulas_in_one_workbook(tmp_path: Path) -> None:
    # A plain <f> is an ordinary formula (top-left value of an array result, as Excel 2011
    # cached MINVERSE 's -3 in sheetjs__formula_stress_test Math!B34); a t="array" formula (CSE,
    # or dynamic with cm) fills its range.
    import xlimport
    from xlimport.store.base import CellFilter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Math"
    for r, c, v in [(1, 1, 1), (1, 2, 2), (2, 1, 3), (2, 2, 4)]:
        ws.cell(r, c, v)
    ws["D1"] = "=MMULT(A1:B2,A1:B2)"
    ws["E1"] = "occupied"  # where a spill would go
    ws["D4"] = "=MINVERSE(A1:B2)"
    ws["D5"] = "=FREQUENCY(A1:B2,{2,3})"
    ws["G1"] = ArrayFormula("G1:H2", "=MMULT(A1:B2,A1:B2)")
    for cell in ("H1", "G2", "H2"):
        ws[cell] = 0  # the values Excel writes in the rest of the range (cached, stale here)
    ws["J1"] = "=H2+D1"
    path = tmp_path / "arrays.xlsx"
    wb.save(path)
    _with_dynamic_metadata(path, ["G1"])
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = xlimport.import_workbook(path, store=url)
    got = {
        c["cell"]: c["calculated_value"]
        for c in xlimport.open_store(url).iter_cells(result.model_id, CellFilter())
    }
    assert got["D1"] == 7.0
    assert abs(got["D4"] - -2.0) < 1e-12
    assert got["D5"] == 2.0
    assert [got[c] for c in ("G1", "H1", "G2", "H2")] == [7.0, 10.0, 15.0, 22.0]
    assert got["J1"] == 29.0


def test_formula_shapes_through_import(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r, (a, b, c) in enumerate([(1, 10, 7), (2, 20, 3), (3, 4, 5), (4, 5, 6)], start=1):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b)
        ws.cell(r, 3, c)
    ws["E1"] = "=SUM(CHOOSE(2,A1:A2,A1:A3,A1:A4))"  # CHOOSE picks A1:A3
    # OFFSET's height and width left empty take the reference's (Microsoft: "OFFSET function")
    ws["E2"] = "=SUM(OFFSET(A1:B2,0,0,1,))"  # A1:B1
    ws["E3"] = "=SUM(OFFSET(A1:B2,0,0,,1))"  # A1:A2
    ws["E4"] = "=SUM(OFFSET(A1:B2,0,0,,))"  # A1:B2
    ws["E5"] = "=SUM(OFFSET(A1:B2,1,1,))"  # B2:C3
    ws["E6"] = "=1000%%"  # poi EverythingTests!H67 cached 0.1
    ws["E7"] = "=RANK(A2,(A1,A2,A3),1)"  # poi__61063 cached 2
    ws["E8"] = "=SUM(A1:B2:f)"  # f is C3:C4: the range A1:C4
    ws["E9"] = "=OFFSET(C1,1,0)*2"  # a formula FORMULATEXT shows as written
    ws["E10"] = '=FORMULATEXT(E9)&"|"&FORMULATEXT(E11)'
    ws["E11"] = '=_xlfn.IFS(A1=1,"one")'
    _name(wb, "f", "Sheet1!$C$3:$C$4")
    got = recomputed_values(wb, tmp_path, formulas_only=True)
    assert got == {
        "E1": 6.0,
        "E2": 11.0,
        "E3": 3.0,
        "E4": 33.0,
        "E5": 32.0,
        "E6": 0.1,
        "E7": 2.0,
        "E8": 70.0,
        "E9": 6.0,
        "E10": '=OFFSET(C1,1,0)*2|=IFS(A1=1,"one")',
        "E11": "one",
    }


def test_defined_names_the_engine_cannot_read_as_written(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    other = wb.create_sheet("Defines")
    cjk = wb.create_sheet("工作表1")
    ws["A1"] = 5
    ws["A2"] = 7
    other["A1"] = "Test A1"
    cjk["A2"] = "x"
    # sheetjs__defined_names_simple: a sheet-scoped SHEETjs and a workbook SheetJS (names
    # ignore case); Sheet1!SHEETjs on Sheet1 is the sheet's own (cached 0)
    _name(wb, "SheetJS", "Sheet1!$A$1")
    _name(wb, "SHEETjs", "Sheet1!$A$2", sheet="Sheet1")
    ws["B1"] = "=SHEETjs - Sheet1!SHEETjs"
    # poi__56737: a name of another sheet's scope, qualified by that sheet
    _name(wb, "NR_To_A1", "Defines!$A$1", sheet="Defines")
    ws["B2"] = "=Defines!NR_To_A1"
    # exceltocode__utf8-strings: a dotted name on a sheet whose name needs quotes
    _name(wb, "Test.ii.test", "工作表1!$A$2")
    ws["B3"] = '=Test.ii.test&"y"'
    # formulas__test CORE!F25: names with backslashes
    _name(wb, "_1234\\5678\\90", "Sheet1!$A$1")
    _name(wb, "_1234\\5678\\91", "Sheet1!$A$2")
    ws["B4"] = "=_1234\\5678\\90+_1234\\5678\\91"
    # poi__49783: names whose reference was deleted
    _name(wb, "sale_1", "Sheet1!#REF!")
    ws["B5"] = "=sale_1*2"
    got = recomputed_values(wb, tmp_path, formulas_only=True)
    assert got == {"B1": 0.0, "B2": "Test A1", "B3": "xy", "B4": 12.0, "B5": "#REF!"}
