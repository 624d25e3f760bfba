"""Financial functions in the real engine give what Excel gives.

Expected values come from Microsoft's documentation examples of each function (shown there with a
few decimals: compared to that precision) and from the values Excel cached in the corpus books
``ironcalc__financial_*.xlsx`` (every formula cell of them must match after import).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

import xlimport
from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet, HyperFormulaEngine
from xlimport.store.base import CellFilter

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "files"

# (formula, expected as Microsoft's documentation shows it); the number of decimals shown is the
# precision compared. Dates: DATE(y,m,d) as in the examples' cells.
DOC_EXAMPLES: list[tuple[str, str]] = [
    # securities with periodic interest
    ("=ACCRINT(DATE(2008,3,1),DATE(2008,8,31),DATE(2008,5,1),0.1,1000,2,0)", "16.666666667"),
    ("=ACCRINT(DATE(2008,3,5),DATE(2008,8,31),DATE(2008,5,1),0.1,1000,2,0,FALSE())", "15.555556"),
    ("=ACCRINT(DATE(2008,4,5),DATE(2008,8,31),DATE(2008,5,1),0.1,1000,2,0,TRUE())", "7.2222222"),
    ("=ACCRINTM(DATE(2008,4,1),DATE(2008,6,15),0.1,1000,3)", "20.54794521"),
    ("=COUPDAYBS(DATE(2011,1,25),DATE(2011,11,15),2,1)", "71"),
    ("=COUPDAYS(DATE(2011,1,25),DATE(2011,11,15),2,1)", "181"),
    ("=COUPDAYSNC(DATE(2011,1,25),DATE(2011,11,15),2,1)", "110"),
    ("=COUPNCD(DATE(2011,1,25),DATE(2011,11,15),2,1)", "40678"),  # 15-May-2011
    ("=COUPNUM(DATE(2007,1,25),DATE(2008,11,15),2,1)", "4"),
    ("=COUPPCD(DATE(2011,1,25),DATE(2011,11,15),2,1)", "40497"),  # 15-Nov-2010
    ("=PRICE(DATE(2008,2,15),DATE(2017,11,15),0.0575,0.065,100,2,0)", "94.63436"),
    ("=YIELD(DATE(2008,2,15),DATE(2016,11,15),0.0575,95.04287,100,2,0)", "0.065"),
    ("=DURATION(DATE(2018,7,1),DATE(2048,1,1),0.08,0.09,2,1)", "10.9191453"),
    ("=MDURATION(DATE(2008,1,1),DATE(2016,1,1),0.08,0.09,2,1)", "5.73567"),
    (
        "=ODDFPRICE(DATE(2008,11,11),DATE(2021,3,1),DATE(2008,10,15),DATE(2009,3,1),"
        "0.0785,0.0625,100,2,1)",
        "113.597717",
    ),
    (
        "=ODDFYIELD(DATE(2008,11,11),DATE(2021,3,1),DATE(2008,10,15),DATE(2009,3,1),"
        "0.0575,84.5,100,2,0)",
        "0.0772",
    ),
    (
        "=ODDLPRICE(DATE(2008,2,7),DATE(2008,6,15),DATE(2007,10,15),0.0375,0.0405,100,2,0)",
        "99.87829",
    ),
    (
        "=ODDLYIELD(DATE(2008,4,20),DATE(2008,6,15),DATE(2007,12,24),0.0375,99.875,100,2,0)",
        "0.045192",
    ),
    # discounted and at-maturity securities
    ("=DISC(DATE(2018,7,1),DATE(2048,1,1),97.975,100,1)", "0.000686384"),
    ("=INTRATE(DATE(2008,2,15),DATE(2008,5,15),1000000,1014420,2)", "0.05768"),
    ("=RECEIVED(DATE(2008,2,15),DATE(2008,5,15),1000000,0.0575,2)", "1014584.654"),
    ("=PRICEDISC(DATE(2008,2,16),DATE(2008,3,1),0.0525,100,2)", "99.79583"),
    ("=YIELDDISC(DATE(2008,2,16),DATE(2008,3,1),99.795,100,2)", "0.052823"),
    ("=PRICEMAT(DATE(2008,2,15),DATE(2008,4,13),DATE(2007,11,11),0.061,0.061,0)", "99.98449888"),
    ("=YIELDMAT(DATE(2008,3,15),DATE(2008,11,3),DATE(2007,11,8),0.0625,100.0123,0)", "0.060954"),
    ("=TBILLEQ(DATE(2008,3,31),DATE(2008,6,1),0.0914)", "0.094151"),
    ("=TBILLPRICE(DATE(2008,3,31),DATE(2008,6,1),0.09)", "98.45"),
    ("=TBILLYIELD(DATE(2008,3,31),DATE(2008,6,1),98.45)", "0.091417"),
    # annuities and cash flows
    ("=PMT(0.08/12,10,10000)", "-1037.03"),
    ("=PMT(0.06/12,18*12,0,50000)", "-129.08"),
    ("=IPMT(0.1/12,1,3*12,8000)", "-66.67"),
    ("=IPMT(0.1,3,3,8000)", "-292.45"),
    ("=PPMT(0.1/12,1,2*12,2000)", "-75.62"),
    ("=PPMT(0.08,10,10,200000)", "-27598.05"),
    ("=FV(0.06/12,10,-200,-500,1)", "2581.40"),
    ("=PV(0.08/12,12*20,500,,0)", "-59777.15"),
    ("=NPER(0.12/12,-100,-1000,10000,1)", "59.6738657"),
    ("=RATE(4*12,-200,8000)", "0.0077"),
    ("=CUMIPMT(0.09/12,30*12,125000,13,24,0)", "-11135.23"),
    ("=CUMPRINC(0.09/12,30*12,125000,13,24,0)", "-934.1071234"),
    ("=NPV(0.1,-10000,3000,4200,6800)", "1188.44"),
    ("=IRR({-70000,12000,15000,18000,21000,26000})", "0.086631"),
    ("=IRR({-70000,12000,15000},-0.1)", "-0.443507"),
    ("=MIRR({-120000,39000,30000,21000,37000,46000},0.1,0.12)", "0.126094"),
    ("=XNPV(0.09,{-10000,2750,4250,3250,2750},{39448,39508,39751,39859,39904})", "2086.65"),
    (
        "=XIRR({-10000,2750,4250,3250,2750},{39448,39508,39751,39859,39904},0.1)",
        "0.3733625",
    ),  # Excel shows 0.373362535: its stop rule
    ("=EFFECT(0.0525,4)", "0.05354267"),
    ("=NOMINAL(0.053543,4)", "0.05250032"),
    # depreciation
    ("=DB(1000000,100000,6,1,7)", "186083.33"),
    ("=DB(1000000,100000,6,7,7)", "15845.10"),
    ("=DDB(2400,300,10*365,1)", "1.32"),
    ("=DDB(2400,300,10,2,1.5)", "306.00"),
    ("=VDB(2400,300,10*365,0,1)", "1.32"),
    ("=VDB(2400,300,10*12,0,1)", "40.00"),
    ("=VDB(2400,300,10,0,1)", "480.00"),
    ("=VDB(2400,300,10*12,6,18)", "396.31"),
    ("=VDB(2400,300,10*12,6,18,1.5)", "311.81"),
    ("=VDB(2400,300,10,0,0.875,1.5)", "315.00"),
    ("=AMORLINC(2400,DATE(2008,8,19),DATE(2008,12,31),300,1,0.15,1)", "360"),
    ("=AMORDEGRC(2400,DATE(2008,8,19),DATE(2008,12,31),300,1,0.15,1)", "776"),
]

# Excel's validation errors (Microsoft's documentation of each function)
ERROR_CASES: list[tuple[str, str]] = [
    ("=COUPDAYS(DATE(2011,1,25),DATE(2011,11,15),3,1)", "#NUM!"),  # frequency not 1, 2, 4
    ("=COUPDAYS(DATE(2011,1,25),DATE(2011,11,15),2,5)", "#NUM!"),  # basis > 4
    ("=COUPNUM(DATE(2011,11,15),DATE(2011,11,15),2)", "#NUM!"),  # settlement >= maturity
    ("=PRICE(DATE(2017,11,15),DATE(2008,2,15),0.0575,0.065,100,2)", "#NUM!"),
    ("=PRICE(DATE(2008,2,15),DATE(2017,11,15),-0.01,0.065,100,2)", "#NUM!"),  # rate < 0
    ("=ACCRINT(DATE(2008,5,1),DATE(2008,8,31),DATE(2008,3,1),0.1,1000,2)", "#NUM!"),
    ("=ACCRINT(DATE(2008,3,1),DATE(2008,8,31),DATE(2008,5,1),0,1000,2)", "#NUM!"),
    ("=ACCRINTM(DATE(2008,4,1),DATE(2008,6,15),0.1,1000,-1)", "#NUM!"),
    ('=COUPDAYS("x",DATE(2011,11,15),2,1)', "#VALUE!"),  # not a date
    ("=COUPDAYS(TRUE(),DATE(2011,11,15),2,1)", "#VALUE!"),  # a logical is no date
    ("=COUPDAYS(-1,DATE(2011,11,15),2,1)", "#NUM!"),  # negative serial
    ("=DISC(DATE(2018,7,1),DATE(2048,1,1),0,100)", "#NUM!"),  # price <= 0
    ("=IPMT(0.1,0,36,8000)", "#NUM!"),  # per outside 1..nper
    ("=CUMIPMT(0.1,2,8000,1,10,1)", "#NUM!"),  # end after nper
    ("=CUMIPMT(0.01,36,8000,1,10,2)", "#NUM!"),  # type neither 0 nor 1
    ("=PMT(-3,5,100,300,1)", "#NUM!"),  # rate <= -1
    ("=EFFECT(0,10)", "#NUM!"),
    ("=NOMINAL(0.1,0)", "#NUM!"),
    ("=TBILLPRICE(DATE(2008,3,31),DATE(2009,6,1),0.09)", "#NUM!"),  # more than a year
    ("=DB(100,10,4,3,13)", "#NUM!"),  # month > 12
    ("=DDB(100,10,4,5)", "#NUM!"),  # period > life
    ("=VDB(2400,300,10,6,11)", "#NUM!"),  # end period > life
    ("=XNPV(-0.1,{-10,5,6},{1,2,3})", "#NUM!"),  # Excel: rate <= 0
    ("=MIRR({1,2,3},0.1,0.1)", "#DIV/0!"),  # no outflow
]


def _evaluate(engine: HyperFormulaEngine, formulas: list[str], date1904: bool = False) -> list:
    sheet = EngineSheet("F", formulas=[(r, 1, f) for r, f in enumerate(formulas, start=1)])
    engine.load([sheet], [], EngineSettings(date1904=date1904))
    [values] = engine.formula_values()
    return values


def _decimals(shown: str) -> int:
    return len(shown.split(".")[1]) if "." in shown else 0


def test_documentation_examples(engine):
    got = _evaluate(engine, [f for f, _ in DOC_EXAMPLES])
    wrong = []
    for (formula, shown), value in zip(DOC_EXAMPLES, got, strict=True):
        ok = isinstance(value, float) and abs(value - float(shown)) <= 0.5 * 10.0 ** -_decimals(
            shown
        )
        if not ok:
            wrong.append((formula, shown, value))
    assert wrong == []


def test_validation_errors(engine):
    got = _evaluate(engine, [f for f, _ in ERROR_CASES])
    codes = [v.code if isinstance(v, EngineErrorValue) else v for v in got]
    assert list(zip([f for f, _ in ERROR_CASES], codes, strict=True)) == ERROR_CASES


def test_fractional_dates_and_numeric_text_arguments(engine):
    got = _evaluate(
        engine,
        [
            # settlement and maturity are truncated: noon changes nothing
            "=COUPDAYBS(DATE(2011,1,25)+0.5,DATE(2011,11,15)+0.9,2,1)",
            '=COUPDAYBS("2011-01-25",DATE(2011,11,15),2.9,1.2)',  # text date, truncated args
            "=PRICE(DATE(2008,2,15),DATE(2017,11,15),0.0575,0.065,100,2)",  # basis omitted = 0
        ],
    )
    assert got[0] == 71 and got[1] == 71
    assert got[2] == pytest.approx(94.63436, abs=5e-6)


def test_coupon_dates_in_a_1904_workbook(engine):
    # the same dates as serials of the 1904 system (1462 days less)
    got = _evaluate(
        engine,
        [
            "=COUPNCD(DATE(2011,1,25),DATE(2011,11,15),2,1)",
            "=COUPPCD(DATE(2011,1,25),DATE(2011,11,15),2,1)",
            "=COUPDAYS(DATE(2011,1,25),DATE(2011,11,15),2,1)",
        ],
        date1904=True,
    )
    assert got == [40678 - 1462, 40497 - 1462, 181]


def test_end_of_month_maturity_keeps_coupons_on_month_ends(engine):
    # maturity on 30-Nov: coupons fall on 31-May and 30-Nov (not 30-May)
    got = _evaluate(
        engine,
        [
            "=COUPPCD(DATE(2011,7,1),DATE(2012,11,30),2,0)",
            "=COUPNCD(DATE(2011,7,1),DATE(2012,11,30),2,0)",
            "=COUPDAYBS(DATE(2011,7,1),DATE(2012,11,30),2,0)",
        ],
    )
    assert got == [40694, 40877, 31]  # 31-May-2011, 30-Nov-2011, 30/360 from 31-May to 1-Jul


def test_npv_skips_blank_and_logical_cells_but_counts_typed_logicals(engine):
    sheet = EngineSheet(
        "N",
        constants=[(1, 1, 10.0), (1, 2, True), (1, 4, 20.0)],  # A1=10, B1=TRUE, C1 blank, D1=20
        formulas=[
            (2, 1, "=NPV(0.1,A1:D1)"),
            (2, 2, "=NPV(0.1,A1,B1,C1,D1)"),
            (2, 3, "=NPV(0.1,TRUE(),1)"),
        ],
    )
    engine.load([sheet], [], EngineSettings())
    [values] = engine.formula_values()
    two = 10 / 1.1 + 20 / 1.21
    assert values[0] == pytest.approx(two) and values[1] == pytest.approx(two)
    assert values[2] == pytest.approx(1 / 1.1 + 1 / 1.21)


# ---- a workbook made by code, through the whole import ----------------------------------------


def test_regression_workbook_through_import(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bonds"
    ws.append(["issue", "first", "settlement", "maturity", "rate", "yld", "price"])
    ws.append([39508, 39691, 39569, 43054, 0.0575, 0.065, 95.04287])  # 1-Mar-08, 31-Aug-08 ...
    formulas = {
        "A4": "=ACCRINT(A2,B2,C2,E2,1000,2,0,FALSE)",  # bare FALSE, as Excel writes it
        "A5": "=PRICE(C2,D2,E2,F2,100,2,0)",
        "A6": "=YIELD(C2,D2,E2,A5,100,2,0)",
        "A7": "=COUPNUM(C2,D2,2,1)",
        "A8": "=DB(100,10.233,4.2312,3.2,12)",
        "A9": '=IFERROR(ODDLYIELD(C2,D2,D2,E2,G2,100,2),"none")',
    }
    for ref, f in formulas.items():
        ws[ref] = f
    path = tmp_path / "financial.xlsx"
    wb.save(path)
    url = f"sqlite:///{tmp_path}/x.db"
    result = xlimport.import_workbook(path, store=url)
    store = xlimport.open_store(url)
    got = {
        c["cell"]: (c["calculated_value"], c["calculated_text"])
        for c in store.iter_cells(result.model_id, CellFilter(has_formula=True))
    }
    # ACCRINT from first_interest (FALSE) accrues settlement - pcd: 1-Mar..1-May = 60/180 period
    assert got["A4"][0] == pytest.approx(1000 * 0.0575 / 2 * 60 / 180)
    assert got["A6"][0] == pytest.approx(0.065, abs=1e-9)  # YIELD inverts PRICE
    assert got["A7"][0] == 20
    assert got["A8"][0] == pytest.approx(14.1733713)  # Excel's cached value (corpus)
    assert got["A9"] == (None, "none")  # last_interest after settlement: #NUM!


# ---- every cell of the corpus books matches what Excel cached ---------------------------------

CORPUS_BOOKS = (
    sorted(p.name for p in CORPUS.glob("ironcalc__financial_*.xlsx")) if CORPUS.is_dir() else []
)


@pytest.mark.skipif(not CORPUS_BOOKS, reason="shared corpus not available")
def test_corpus_financial_books_match_excel(tmp_path):
    url = f"sqlite:///{tmp_path}/corpus.db"
    store = None
    not_matched: list[tuple[Any, ...]] = []
    for name in CORPUS_BOOKS:
        result = xlimport.import_workbook(CORPUS / name, store=url, force=True)
        store = store or xlimport.open_store(url)
        for c in store.iter_cells(result.model_id, CellFilter(has_formula=True)):
            if c["status"] != "matched":
                not_matched.append((name, c["sheet_name"], c["cell"], c["formula"], c["status"]))
    assert not_matched == []
