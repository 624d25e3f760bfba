"""Remaining causes of corpus cells outside formulas__test.xlsx, corrected by
hyperformula/functions/fixf_*.js and small changes of the pipeline: BETA.DIST / BETA.INV over
[A, B], currency symbols in text read as numbers, XMATCH's regex mode, undefined names
HyperFormula cannot read, TEXT of negative times in workbooks saved by Excel 2007/2008,
linked data type fields (_FV) as external, INDIRECT of structured-reference text, number format
commas next to literals, LINEST's shape check, lazy IFS, numbers written as text with 15
digits, FORMULATEXT's logical constants and DATEVALUE of month names.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus, quoted where used.
"""

from __future__ import annotations

import openpyxl
from engine_cases import check, import_and_check

import xlimport
from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet, HyperFormulaEngine
from xlimport.evaluate import _excel_version
from xlimport.store.base import CellFilter

# --- BETA.DIST / BETA.INV ----------------------------------------------------------------------


def test_beta_dist_over_an_interval(engine):
    # Microsoft's example: BETA.DIST(2,8,10,TRUE(),1,3) = 0.6854706, FALSE = 1.4837646.
    # Cached in ironcalc__statistical_betadist_betainv.xlsx: BETA.DIST(3,2,3,FALSE(),1,10) =
    # 0.17924096936442618, x at A or B gives 0 or 1, BETA.DIST(0.234,2,2.5,0,0.15,1.2) =
    # 0.5882886668596937.
    check(
        engine,
        [
            ("=BETA.DIST(2,8,10,TRUE(),1,3)", 0.6854705810117458),
            ("=BETA.DIST(2,8,10,FALSE(),1,3)", 1.4837646484375),
            ("=BETA.DIST(3,2,3,FALSE(),1,10)", 0.17924096936442618),
            ("=BETA.DIST(0.234,2,2.5,TRUE(),0.234,1.2)", 0),
            ("=BETA.DIST(1.2,2,2.5,TRUE(),0.234,1.2)", 1),
            ("=BETA.DIST(1,1,1,TRUE())", 1),
            ("=BETA.DIST(0.234,2,2.5,0,0.15,1.2)", 0.5882886668596937),
            ("=BETA.DIST(1.3,2,2.5,TRUE(),0.234,1.2)", "#NUM!"),
            ("=BETA.DIST(0.5,2,2.5,TRUE(),1,1)", "#NUM!"),
            ("=BETADIST(2,8,10,1,3)", 0.6854705810117458),
        ],
    )


def test_beta_inv(engine):
    # Microsoft's example: BETA.INV(0.685470581,8,10,1,3) = 2. Cached: the inverse of a
    # probability of 2.4E-30 gives back its x (0.555), and a probability of 1 is #NUM!.
    check(
        engine,
        [
            ("=ROUND(BETA.INV(0.685470581,8,10,1,3),7)", 2),
            ("=BETA.INV(BETA.DIST(0.555,100,1,TRUE(),0.1,1),100,1,0.1,1)", 0.555),
            ("=BETA.INV(1,1,2,0,1)", "#NUM!"),
            ("=BETA.INV(0,1,2,0,1)", "#NUM!"),
            ("=BETAINV(0.5,1,1)", 0.5),
        ],
    )


# --- currency symbols in text coerced to numbers ------------------------------------------------


def test_currency_text_coerces_to_a_number(engine):
    # Cached in ironcalc__math_and_trigonometry_exp_sign.xlsx: EXP("€100") = 2.6881171418161356E+43,
    # SIGN("100€") = SIGN(" €100 ") = 1; SIGN("@") stays #VALUE!.
    check(
        engine,
        [
            ('=EXP("€100")', 2.6881171418161356e43),
            ('=SIGN("100€")', 1),
            ('=SIGN(" €100 ")', 1),
            ('=SIGN("$5")', 1),
            ('="€1"+1', 2),
            ('=SIGN("@")', "#VALUE!"),
        ],
    )


# --- XMATCH / XLOOKUP regex match mode ----------------------------------------------------------


def test_xmatch_regex_mode(engine):
    # Cached in ironcalc__lookup_and_reference_xmatch.xlsx (A2:A9 = Albania, Indonesia, India,
    # Germany, Spain, Venezuela, Italy, Francialy): XMATCH("[A-Z][a-z]+y",A2:A9,3,1) = 4,
    # search_mode -1 = 8, XMATCH(42,{"apple";"bannana"},3) = #N/A.
    constants = [
        (r, 1, v)
        for r, v in enumerate(
            [
                "Albania",
                "Indonesia",
                "India",
                "Germany",
                "Spain",
                "Venezuela",
                "Italy",
                "Francialy",
            ],
            2,
        )
    ]
    check(
        engine,
        [
            ('=XMATCH("[A-Z][a-z]+y",A2:A9,3,1)', 4),
            ('=XMATCH("[A-Z][a-z]+y",A2:A9,3,-1)', 8),
            ('=XMATCH("^ind",A2:A9,3)', "#N/A"),
            ('=XMATCH("^Ind",A2:A9,3)', 2),
            ('=XMATCH("a$",A2:A9,3)', 1),
            ("=XMATCH(42,A2:A9,3)", "#N/A"),
            ('=XMATCH("(",A2:A9,3)', "#VALUE!"),
            ('=XMATCH("a",A2:A9,3,2)', "#VALUE!"),
            ('=XLOOKUP("^Sp",A2:A9,A2:A9,"none",3)', "Spain"),
        ],
        constants,
    )


# --- undefined names HyperFormula cannot read -------------------------------------------------


def test_undefined_name_with_a_backslash_is_name_error(tmp_path):
    # Cached in poi__46535.xlsx: IF(HSI\10_1\1460_1\1470_1___val<>"",...) over a name the
    # workbook does not define is #NAME?, as any undefined name.
    wb = openpyxl.Workbook()
    wb.active["A1"] = 5
    import_and_check(
        wb,
        {
            "B1": ('=IF(HSI\\10_1\\1460_1___val<>"",HSI\\10_1\\1460_1___val,"")', "#NAME?"),
            "B2": ("=ISERROR(a\\b)", 1.0),
            "B3": ("=undefined_name+1", "#NAME?"),
            "B4": ("=A1*2", 10.0),
        },
        tmp_path,
    )


# --- TEXT of a negative time in workbooks saved by Excel 2007/2008 ----------------------------

NEGATIVE = "=-(2/24+3/(24*60)+4/(24*60*60))"
# Cached in poi__elapsedformattests.xlsx (saved by Mac Excel 2008, AppVersion 12.0000).
LEGACY_TEXT = [
    ("[h]:m:s.000", "-2:3:4.000"),
    ("[hh]:mm:ss.0", "-02:03:04.0"),
    ('s:m" @ hour "[hh]', "-4:3 @ hour 02"),
    ('"It was "[h]" [yes, "h"] hours and "mm:ss', "-It was 2 [yes, 2] hours and 03:04"),
    ("[s].000", "-7384.000"),
]


def _text_values(engine: HyperFormulaEngine, settings: EngineSettings) -> list:
    formats = [(r, 3, fmt) for r, (fmt, _) in enumerate(LEGACY_TEXT, 1)]
    formats.append((len(LEGACY_TEXT) + 1, 3, "yyyy-mm-dd"))
    formulas = [(1, 1, NEGATIVE)] + [(r, 2, f"=TEXT($A$1,C{r})") for r, _, _ in formats]
    engine.load([EngineSheet("S", formats, formulas)], [], settings)
    [values] = engine.formula_values()
    return [v.code if isinstance(v, EngineErrorValue) else v for v in values[1:]]


def test_negative_time_text_by_excel_version(engine):
    legacy = [want for _, want in LEGACY_TEXT] + ["#VALUE!"]
    assert _text_values(engine, EngineSettings(excel_version=12)) == legacy
    # Excel 2016 and later: a clock time (h, m, s) of a negative value is #VALUE!.
    for settings in (EngineSettings(excel_version=16), EngineSettings()):
        got = _text_values(engine, settings)
        assert got[:4] + got[5:] == ["#VALUE!"] * 5


def test_excel_version_of_the_saving_application():
    assert _excel_version("Microsoft Macintosh Excel", "12.0000") == 12
    assert _excel_version("Microsoft Excel", "16.0300") == 16
    assert _excel_version("Microsoft Excel Compatible / Openpyxl 3.1.5", "3.1") is None
    assert _excel_version("LibreOffice/7.3.7.2$Linux_X86_64", "15.0000") is None
    assert _excel_version("Microsoft Excel", None) is None


def test_negative_time_text_in_an_excel_2008_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = NEGATIVE
    ws["B1"] = '=TEXT(A1,"[h]:m:s.000")'
    ws["B2"] = '=TEXT(A1,"h:mm")'
    path = tmp_path / "mac2008.xlsx"
    wb.save(path)
    # docProps/app.xml as Mac Excel 2008 writes it
    import zipfile

    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Microsoft Macintosh Excel</Application>'
        "<AppVersion>12.0000</AppVersion></Properties>"
    )
    out = tmp_path / "mac2008_app.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = app.encode() if item.filename == "docProps/app.xml" else src.read(item)
            dst.writestr(item, data)
    url = f"sqlite:///{tmp_path / 'mac2008.db'}"
    result = xlimport.import_workbook(out, store=url)
    got = {
        c["cell"]: c["calculated_text"]
        for c in xlimport.open_store(url).iter_cells(result.model_id, CellFilter(has_formula=True))
    }
    assert got["B1"] == "-2:3:4.000"
    assert got["B2"] == "-2:03"


# --- fields of linked data types (_FV) are external ----------------------------------------------


def test_linked_data_type_field_is_external():
    from xlimport.references import AnalysisContext, analyze
    from xlimport.workbook import SheetData, WorkbookData

    ctx = AnalysisContext(WorkbookData(sheets=[SheetData(name="Sheet1", index=0)]))
    # sheetjs__metadata_2019.xlsx: {=_FV(A9,"High")} reads a stock's price from the service.
    info = analyze('_FV(A9,"High")', 0, 9, 2, ctx)
    assert info.error is None and info.external
    assert not analyze("FV(0.1,2,3)", 0, 1, 1, ctx).external


def test_linked_data_type_field_and_dependents_keep_their_status(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "MSFT"
    ws["B1"] = '=_FV(A1,"High")'
    ws["C1"] = "=B1*2"
    ws["D1"] = "=LEN(A1)"
    path = tmp_path / "fv.xlsx"
    wb.save(path)
    url = f"sqlite:///{tmp_path / 'fv.db'}"
    result = xlimport.import_workbook(path, store=url)
    status = {
        c["cell"]: c["status"]
        for c in xlimport.open_store(url).iter_cells(result.model_id, CellFilter(has_formula=True))
    }
    assert status["B1"] == "external"
    assert status["D1"] != "external"


# --- INDIRECT of a structured reference text ---------------------------------------------------


def test_indirect_of_a_table_reference_text(tmp_path):
    # exceltocode__global.xlsx: SUM(... * INDIRECT("G.30.assumptions.EnergyDemandAfterCCS["&I$9&"]"))
    # builds the column's name as text; exceltocode__spec_test_data_examplespreadsheet.xlsx:
    # SUM(INDIRECT("firsttable[#Totals]")) is the sum of the totals row.
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Code", "Amount", "Qty"])
    ws.append(["a", 10, 1])
    ws.append(["b", 20, 2])
    ws.append(["c", 30, 3])
    ws.append(["Total", 60, 6])
    ws.add_table(Table(displayName="Sales.Data", ref="A1:C5", totalsRowCount=1))
    ws["E1"] = "Amount"
    import_and_check(
        wb,
        {
            "F1": ('=SUM(INDIRECT("Sales.Data["&E1&"]"))', 60.0),
            "F2": ('=SUM(INDIRECT("sales.data[[#Totals],[Amount]:[Qty]]"))', 66.0),
            "F3": ('=SUM(INDIRECT("Sales.Data[#Totals]"))', 66.0),
            "F4": ('=ROWS(INDIRECT("Sales.Data[#All]"))', 5.0),
            "F5": ('=INDIRECT("Sales.Data[[#Headers],[Qty]]")', "Qty"),
            "F6": ('=SUM(INDIRECT("Sales.Data[Price]"))', "#REF!"),
            "F7": ('=COUNTA(INDIRECT("Sales.Data"))', 9.0),
            "F8": ('=SUM(INDIRECT("Other[Amount]"))', "#REF!"),
        },
        tmp_path,
    )


# --- number formats: commas next to literals, # among trailing zeros, @ with digits ------------

# Cached in pycel__text.xlsx, TEXT(890123.456789, format) (and 1234567.89 for the @ case).
TEXT_CASES = [
    ("0,x#.00.0", "89012x3.45.7"),
    ("#,0x#.00.0", "890,12x3.45.7"),
    ("#x,0x#.00.0", "8901x,2x3.45.7"),
    ("#x,0,#.00.0", "890,1x,23.45.7"),
    (",#.00.0", ",890123.45.7"),
    ("#.###x,##", "890123.456x,79"),
    ("#.###,x##", "890123.456x79"),
    ("#.###,x,##", "890123.456x,79"),
    ("#.#####00#0", "890123.45678900"),
    ("#,#.##.##,#", "890,123.45.679"),
    ("#,##0.00", "890,123.46"),
    ("0.0#0", "890123.457"),
]


def test_text_commas_and_trailing_zero_placeholders(engine):
    constants = [(r, 1, fmt) for r, (fmt, _) in enumerate(TEXT_CASES, 1)]
    constants.append((len(TEXT_CASES) + 1, 1, '#,#"ZZ"#.0"YY"00@'))
    constants.append((len(TEXT_CASES) + 2, 1, '#,#"ZZ"#.0"YY"00'))
    cases = [(f"=TEXT(890123.456789,A{r})", want) for r, (_, want) in enumerate(TEXT_CASES, 1)]
    cases.append((f"=TEXT(1234567.89,A{len(TEXT_CASES) + 1})", "#VALUE!"))
    cases.append((f"=TEXT(1234567.89,A{len(TEXT_CASES) + 2})", "1,234,56ZZ7.8YY90"))
    check(engine, cases, constants)


# --- LINEST: shapes are checked before values ---------------------------------------------------


def test_linest_shape_mismatch_is_ref_before_value_errors(engine):
    # Cached in pycel__stats.xlsx: LINEST(B2:B14,A2:A13^{1,2}) with B14 empty is #REF! (12 x
    # rows for 13 y cells); LINEST(B2:B14,A2:A14^{1,2}) (same shapes, A14/B14 empty) is #VALUE!.
    constants = [(r, 1, float(r)) for r in range(1, 4)] + [(r, 2, r * 2.0 + 1) for r in range(1, 4)]
    check(
        engine,
        [
            ("=INDEX(LINEST(B1:B4,A1:A3^{1,2}),1,1)", "#REF!"),
            ("=INDEX(LINEST(B1:B3,A1:A2),1,1)", "#REF!"),
            ("=INDEX(LINEST(B1:B4,A1:A4),1,1)", "#VALUE!"),
            ("=INDEX(LINEST(B1:B3,A1:A3),1,1)", 2.0),
        ],
        constants,
    )


# --- IFS stops at the first TRUE condition -------------------------------------------------------


def test_ifs_is_lazy(engine):
    # Cached in ironcalc__logical_ifs.xlsx: IFS(TRUE,1,1/0,3) = 1 (the later condition's
    # #DIV/0! is never evaluated).
    check(
        engine,
        [
            ("=IFS(TRUE(),1,1/0,3)", 1),
            ("=IFS(FALSE(),1,TRUE(),3,1/0,4)", 3),
            ("=IFS(1/0,1,TRUE(),2)", "#DIV/0!"),
            ('=IFS(0,1,2,"b")', "b"),
            ('=IFS("x",1,TRUE(),2)', "#VALUE!"),
            ("=IFS(FALSE(),1)", "#N/A"),
        ],
    )


# --- numbers written as text: 15 significant digits ---------------------------------------------


def test_number_to_text_has_fifteen_digits(engine):
    # Cached in ironcalc__text_exact.xlsx: EXACT(1/3, 0.333333333333333) = TRUE.
    check(
        engine,
        [
            ("=EXACT(1/3,0.333333333333333)", True),
            ('=1/3&""', "0.333333333333333"),
            ("=LEN(2/3)", 17),
            ('=0.1+0.2&""', "0.3"),
            ('=123456789012345&""', "123456789012345"),
            ("=LEFT(2/3,5)", "0.666"),
        ],
    )


# --- FORMULATEXT writes the logical constants as Excel does -------------------------------------


def test_formulatext_logical_constants(engine):
    # Cached in ironcalc__docs_pv.xlsx: FORMULATEXT of =PV(0.0042,12,-1000,20000,FALSE) is
    # "=PV(0.0042,12,-1000,20000,FALSE)" (the engine holds FALSE as the function FALSE()).
    constants = [
        (1, 1, "=PV(0.0042,12,-1000,20000,FALSE())"),
        (2, 1, '=IF(TRUE(),"TRUE()",1)'),
    ]
    check(
        engine,
        [
            ("=FORMULATEXT(A1)", "=PV(0.0042,12,-1000,20000,FALSE)"),
            ("=FORMULATEXT(A2)", '=IF(TRUE,"TRUE()",1)'),
        ],
        constants,
    )


# --- DATEVALUE of a date with a month name -----------------------------------------------------


def test_datevalue_month_names(engine):
    # Microsoft's examples: DATEVALUE("22-MAY-2011") = 40685, DATEVALUE("8/22/2011") = 40777.
    # Cached in ironcalc__date_and_time_date_time.xlsx: DATEVALUE("29-Feb-1900") = 60,
    # DATEVALUE("1-Mar-1900") = 61.
    check(
        engine,
        [
            ('=DATEVALUE("22-MAY-2011")', 40685),
            ('=DATEVALUE("8/22/2011")', 40777),
            ('=DATEVALUE("29-Feb-1900")', 60),
            ('=DATEVALUE("1-Mar-1900")', 61),
            ('=DATEVALUE("January 30, 2008")', 39477),
            ('=DATEVALUE("30-Feb-1900")', "#VALUE!"),
        ],
    )
