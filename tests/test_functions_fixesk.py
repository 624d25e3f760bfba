"""Date edges of the 1900 date system corrected by hyperformula/functions/fixk_dates.js and
fix4_dates.js: serial 0 (1900-01-00) in WEEKNUM, EDATE and EOMONTH, WEEKNUM of a logical,
DATEDIF "YD" in the start year's calendar, YEARFRAC of date-time text and of bases 2 and 3.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx), quoted where used.
"""

from __future__ import annotations

import openpyxl
from engine_cases import check, import_and_check


def test_weeknum_serial_zero_and_logicals(engine):
    # Cached in formulas__test.xlsx: WEEKNUM(0.7,1) = 0, WEEKNUM(0,1) = 0, WEEKNUM(blank,1) = 0,
    # WEEKNUM(TRUE,1) = #VALUE!, WEEKNUM(1,1) = 1. Microsoft: WEEKNUM(DATE(2012,3,9)) = 10.
    check(
        engine,
        [
            ("=WEEKNUM(A1,1)", 0),
            ("=WEEKNUM(0,1)", 0),
            ("=WEEKNUM(A9,1)", 0),
            ("=WEEKNUM(A2,1)", "#VALUE!"),
            ("=WEEKNUM(1,1)", 1),
            ("=WEEKNUM(DATE(2012,3,9))", 10),
            ("=WEEKNUM(DATE(2012,3,9),2)", 11),
            ("=WEEKNUM(0,99)", "#NUM!"),
        ],
        [(1, 1, 0.7), (2, 1, True)],
    )


def test_edate_eomonth_from_serial_zero(engine):
    # Cached in formulas__test.xlsx: EOMONTH(0, blank) = 31, EDATE(0.7,"1/1/1987 02:00 AM") =
    # 967223, EOMONTH(0.7,"1/1/1987 02:00 AM") = 967254, EDATE(0, blank) = 0.
    # Microsoft: EOMONTH(DATE(2011,1,1),-3) = 40482, EDATE(DATE(2011,1,15),1) = 40589.
    check(
        engine,
        [
            ("=EOMONTH(0,A9)", 31),
            ("=EDATE(A1,A2)", 967223),
            ("=EOMONTH(A1,A2)", 967254),
            ("=EDATE(0,A9)", 0),
            ("=EDATE(0,1)", 31),
            ("=EOMONTH(DATE(2011,1,1),-3)", 40482),
            ("=EDATE(DATE(2011,1,15),1)", 40589),
        ],
        [(1, 1, 0.7), (2, 1, "1/1/1987 02:00 AM")],
    )


def test_datedif_yd_uses_start_year(engine):
    # Cached in formulas__test.xlsx: DATEDIF(8, 1987, "YD") = 153 (1900-01-08 to 06-09 counted
    # in 1900, which has a 29 February in Excel). Microsoft: 6/1/2001 to 8/15/2002 "YD" = 75.
    check(
        engine,
        [
            ('=DATEDIF(8,1987,"YD")', 153),
            ('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YD")', 75),
            ('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"D")', 440),
            ('=DATEDIF(DATE(2001,6,1),DATE(2001,1,1),"YD")', "#NUM!"),
        ],
    )


def test_yearfrac_text_dates_and_actual_bases(engine):
    # Cached in formulas__test.xlsx: YEARFRAC(1,345,2.9) = 344/360, YEARFRAC(2.9,345,"3") =
    # 343/365, YEARFRAC(blank,345,"1/1/1987 05:00 AM") = #NUM! (basis 31778),
    # YEARFRAC("1/1/1987 05:00 AM",345,4) = 86.058333...
    check(
        engine,
        [
            ("=YEARFRAC(1,345,2.9)", 344 / 360),
            ('=YEARFRAC(2.9,345,"3")', 343 / 365),
            ("=YEARFRAC(A9,345,A1)", "#NUM!"),
            ("=YEARFRAC(A1,345,4)", 86.05833333333334),
            ("=YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),3)", 211 / 365),
        ],
        [(1, 1, "1/1/1987 05:00 AM")],
    )


def test_date_edges_through_the_pipeline(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = 0.7
    ws["A2"] = "1/1/1987 02:00 AM"
    import_and_check(
        wb,
        {
            "B1": ("=WEEKNUM(A1,1)", 0),
            "B2": ("=EOMONTH(A1,A2)", 967254),
            "B3": ('=DATEDIF(8,1987,"YD")', 153),
            "B4": ("=YEARFRAC(1,345,2)", 344 / 360),
        },
        tmp_path,
    )
