"""FORECAST.ETS, FORECAST.ETS.CONFINT, FORECAST.ETS.SEASONALITY and FORECAST.ETS.STAT
(hyperformula/functions/fixh_ets.js): the AAA version of Exponential Triple Smoothing.

Expected values come from the values Excel cached in the shared corpus (formulas__test.xlsx,
sheet STATISTICAL: a series 1,2,3,2,1,2,3,2,1 after aggregation and completion, which AAA fits
with no error), or follow from the documented model: a series that is exactly linear plus
periodic is fitted with no error and forecast by continuing it.
"""

from __future__ import annotations

import openpyxl
from engine_cases import check, import_and_check
from openpyxl.worksheet.formula import ArrayFormula

# The corpus data: duplicate timestamps 3 and 7, timestamp 2 missing.
DATA = "{3,3,1,2,3,2,1,3,2,1},{3,7,5,6,7,8,1,3,4,9}"

# 10 + 0.5 t + (0, 2, -1, -1)[(t - 1) mod 4] for t = 1..16, in A1:A16 (t) and B1:B16 (values).
SEASONAL = [(t, 10 + 0.5 * t + (0, 2, -1, -1)[(t - 1) % 4]) for t in range(1, 17)]
SEASONAL_CELLS = [(t, 1, t) for t, _ in SEASONAL] + [(t, 2, y) for t, y in SEASONAL]


def test_forecast_ets_corpus_values(engine):
    # Cached in formulas__test.xlsx: targets past the end continue the period-4 pattern; a
    # target before the data is interpolated from 0 in the slot before the first point, the
    # step counted back from the end (hence 0.6999999999999993); 0 and -1 are #NUM!.
    check(
        engine,
        [
            (f"=FORECAST.ETS(10,{DATA},4)", 2),
            (f"=FORECAST.ETS(0.1,{DATA},4,1,4)", 0.09999999999999964),
            (f"=FORECAST.ETS(0.7,{DATA},4,1)", 0.6999999999999993),
            (f"=FORECAST.ETS(100,{DATA},4,1)", 2),
            (f"=FORECAST.ETS(-1,{DATA},4,1)", "#NUM!"),
            (f"=FORECAST.ETS(A1,{DATA},4,1)", "#NUM!"),
            (f'=FORECAST.ETS("29/02/1900",{DATA},4,1)', 2),
            (f"=FORECAST.ETS(TRUE(),{DATA},4,1)", 1),
            (f"=FORECAST.ETS(1/0,{DATA},4,1)", "#DIV/0!"),
        ],
    )


def test_confint_seasonality_stat_corpus_values(engine):
    # Cached in formulas__test.xlsx: an exact fit has a zero interval and zero errors; the
    # confidence level must lie in (0, 1) (an empty cell takes the default 95 %),
    # data_completion is 0 or 1, statistic_type 1 to 8; the 9-point series has no detected
    # period.
    conf = "=FORECAST.ETS.CONFINT(50,{},{},4,1,)"
    season = "=FORECAST.ETS.SEASONALITY({},{})"
    stat = "=FORECAST.ETS.STAT({},{},4,1,)"
    check(
        engine,
        [
            (conf.format(DATA, 10), "#NUM!"),
            (conf.format(DATA, 0.1), 0),
            (conf.format(DATA, 0.7), 0),
            (conf.format(DATA, "A1"), 0),
            (conf.format(DATA, -1), "#NUM!"),
            (conf.format(DATA, "TRUE()"), "#NUM!"),
            (season.format(DATA, 1), 0),
            (season.format(DATA, 0), 0),
            (season.format(DATA, "A1"), 0),
            (season.format(DATA, 2), "#NUM!"),
            (season.format(DATA, -1), "#NUM!"),
            (season.format(DATA, '"29/02/1900"'), "#NUM!"),
            (stat.format(DATA, 4), 0),
            (stat.format(DATA, 5), 0),
            (stat.format(DATA, 6), 0),
            (stat.format(DATA, 7), 0),
            (stat.format(DATA, 8), 1),
            (stat.format(DATA, "A1"), "#NUM!"),
            (stat.format(DATA, "FALSE()"), "#NUM!"),
            (stat.format(DATA, 9), "#NUM!"),
        ],
    )


def test_linear_plus_seasonal_series_is_continued(engine):
    # AAA fits a linear trend plus a fixed seasonal pattern exactly: t = 17 continues with
    # 10 + 8.5 + 0, t = 18 with 10 + 9 + 2, t = 17.5 halfway between them; the period 4 is
    # detected when seasonality is omitted.
    check(
        engine,
        [
            ("=FORECAST.ETS(17,B1:B16,A1:A16,4)", 18.5),
            ("=FORECAST.ETS(18,B1:B16,A1:A16)", 21.0),
            ("=FORECAST.ETS(17.5,B1:B16,A1:A16,4)", 19.75),
            ("=FORECAST.ETS(16,B1:B16,A1:A16,4)", 17.0),
            ("=FORECAST.ETS.SEASONALITY(B1:B16,A1:A16)", 4),
            ("=FORECAST.ETS.STAT(B1:B16,A1:A16,7,4)", 0),
            ("=FORECAST.ETS.STAT(B1:B16,A1:A16,6,4)", 0),
            ("=FORECAST.ETS.CONFINT(20,B1:B16,A1:A16,0.9,4)", 0),
        ],
        SEASONAL_CELLS,
    )


def test_aggregation_and_completion(engine):
    # Duplicate timestamps: SUM (7) and MAX (4) of the pairs at t = 1 make 2,4,6,8,10, a line
    # continued to 12; a missing point is completed by its neighbours' average (1) so
    # 2,4,_,8,10 continues the same line, while zeros (0) break it.
    check(
        engine,
        [
            ("=FORECAST.ETS(6,{1,1,4,6,8,10},{1,1,2,3,4,5},0,1,7)", 12.0),
            ("=FORECAST.ETS(6,{2,0,4,6,8,10},{1,1,2,3,4,5},0,1,4)", 12.0),
            ("=FORECAST.ETS(7,{2,4,8,10,12},{1,2,4,5,6},0)", 14.0),
            ("=FORECAST.ETS.STAT({2,4,8,10,12},{1,2,4,5,6},7,0,1)", 0),
            ("=FORECAST.ETS.STAT({2,4,8,10,12},{1,2,4,5,6},7,0,0)=0", False),
            ("=FORECAST.ETS.STAT({2,4,8,10,12},{10,20,40,50,60},8,0)", 10),
        ],
    )


def test_argument_errors(engine):
    # Documented: values and timeline of different sizes #N/A; no constant step, more than
    # 30 % missing points, seasonality above 8760, aggregation outside 1..7 #NUM!.
    check(
        engine,
        [
            ("=FORECAST.ETS(7,{1,2,3,4},{1,2,3})", "#N/A"),
            ("=FORECAST.ETS(7,{1,2,3,4},{1,2,3.5,5})", "#NUM!"),
            ("=FORECAST.ETS(9,{1,2,3},{1,6,8})", "#NUM!"),
            ("=FORECAST.ETS(7,{1,2,3,4,5},{1,2,3,4,5},8761)", "#NUM!"),
            ("=FORECAST.ETS(7,{1,2,3,4,5},{1,2,3,4,5},0,1,8)", "#NUM!"),
            ("=FORECAST.ETS(7,{1,2,3,4,5},{1,2,3,4,5},0,2)", "#NUM!"),
            ('=FORECAST.ETS(7,{1,2,3,4,5},{1,2,"x",4,5},0)', "#VALUE!"),
            ("=FORECAST.ETS(7,{1,2,3,4,5},{1,2,3,4,5},0)", 7.0),
        ],
    )


def test_pipeline_array_formula(tmp_path):
    # The corpus's shape: an array formula over a row of targets (one result per target, the
    # anchor holding the first target's) and the prefixed names Excel writes.
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, target in zip("ABC", (0.7, 10, 100), strict=True):
        ws[f"{col}1"] = target
    array = ArrayFormula("A3:C3", "=_xlfn.FORECAST.ETS(A1:C1," + DATA + ",4,1)")
    import_and_check(
        wb,
        {
            "A2": ("=_xlfn.FORECAST.ETS(C1," + DATA + ",4)", 2),
            "B2": ("=_xlfn.FORECAST.ETS.STAT(" + DATA + ",8,4,1,)", 1),
            "C2": ("=_xlfn.FORECAST.ETS.SEASONALITY(" + DATA + ")", 0),
            "A3": (array, 0.6999999999999993),
        },
        tmp_path,
    )
