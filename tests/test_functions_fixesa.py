"""Functions corrected by hyperformula/functions/fixa_*.js (and the MODE argument rule in
stats_extra.js): VDB with a fractional start period, the binomial distributions' argument
checks, BESSEL* of logicals and BESSELI of negative x, EDATE/EOMONTH of logicals, VALUE of text
with thousands separators, currency symbols and month names, LARGE/SMALL of a typed value, MODE's
typed text, T of a multi-cell reference.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (the workbook is named where used).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from engine_cases import check, import_and_check

# --- VDB --------------------------------------------------------------------------------------


def test_vdb_fractional_start_period(engine):
    # Cached in koala__excel_vdb.xlsx (cost 1, salvage 0, life 14, factor 1.25): the periods are
    # laid out from the start, so a half-period offset changes when straight line takes over.
    args = "1,0,14,{},{},1.25,FALSE()"
    check(
        engine,
        [
            (f"=VDB({args.format(0, 0.5)})", pytest.approx(0.044642857142857144, rel=1e-9)),
            (f"=VDB({args.format(0.5, 1.5)})", pytest.approx(0.08529974489795919, rel=1e-9)),
            (f"=VDB({args.format(1.5, 2.5)})", pytest.approx(0.07768369624635568, rel=1e-9)),
            (f"=VDB({args.format(2.5, 3.5)})", pytest.approx(0.07074765193864536, rel=1e-9)),
            (f"=VDB({args.format(11.5, 12.5)})", pytest.approx(0.06872629045468406, rel=1e-9)),
            (f"=VDB({args.format(13.5, 14)})", pytest.approx(0.03436314522734203, rel=1e-9)),
            (f"=VDB({args.format(11, 12)})", pytest.approx(0.06866789938377948, rel=1e-9)),
            (f"=VDB({args.format(13, 14)})", pytest.approx(0.06866789938377948, rel=1e-9)),
        ],
    )


def test_vdb_whole_periods_unchanged(engine):
    # Microsoft's VDB examples (cost 2400, salvage 300, life 10 years = 120 months), to the cent
    # as documented.
    check(
        engine,
        [
            ("=VDB(2400,300,3650,0,1)", pytest.approx(1.32, abs=0.005)),
            ("=VDB(2400,300,120,0,1)", 40.0),
            ("=VDB(2400,300,10,0,1)", 480.0),
            ("=VDB(2400,300,120,6,18)", pytest.approx(396.31, abs=0.005)),
            ("=VDB(2400,300,120,6,18,1.5)", pytest.approx(311.81, abs=0.005)),
            ("=VDB(2400,300,10,0,0.875,1.5)", 315.0),
            ("=VDB(2400,300,10,0,0.875,1.5,TRUE())", 315.0),
            ("=VDB(2400,300,10,11,12)", "#NUM!"),
        ],
    )


# --- binomial distributions ---------------------------------------------------------------------


def test_binomial_errors_first(engine):
    # Cached in ironcalc__statistical_binom.xlsx: an error argument wins over a bad probability.
    check(
        engine,
        [
            ("=BINOM.DIST(3,2,3,1/0)", "#DIV/0!"),
            ("=BINOM.INV(2,3,1/0)", "#DIV/0!"),
            ("=NEGBINOM.DIST(3,2,3,1/0)", "#DIV/0!"),
            ("=BINOM.DIST(7,8,0.7,TRUE())", pytest.approx(0.94235199, rel=1e-9)),
            ("=BINOM.DIST(3,2,0.5,TRUE())", "#NUM!"),
        ],
    )


def test_binom_inv_probability_one(engine):
    # Cached: BINOM.INV(10,1,0.8) and BINOM.INV(10,TRUE,0.8) are #NUM!; 0.999999 still works.
    check(
        engine,
        [
            ("=BINOM.INV(10,1,0.8)", "#NUM!"),
            ("=BINOM.INV(10,A1,0.8)", "#NUM!"),
            ("=BINOM.INV(10,0.999999,0.8)", 10),
            ("=BINOM.INV(10,0.7,0.8)", 8),
        ],
        [(1, 1, True)],
    )


def test_negbinom_dist(engine):
    # Cached in ironcalc__statistical_binom.xlsx.
    check(
        engine,
        [
            ("=NEGBINOM.DIST(3000,3000,0.0001,TRUE())", 0.0),
            ("=NEGBINOM.DIST(1000,10000,0.1,TRUE())", 0.0),
            ("=NEGBINOM.DIST(9999,10000,0.999,TRUE())", pytest.approx(1.0, rel=1e-9)),
            ("=NEGBINOM.DIST(36531,46028,0.7,TRUE())", pytest.approx(1.0, rel=1e-9)),
            ("=NEGBINOM.DIST(2,10,0,TRUE())", "#NUM!"),
            ("=NEGBINOM.DIST(2,10,1,TRUE())", "#NUM!"),
            ("=NEGBINOM.DIST(2,10,A1,TRUE())", "#NUM!"),
            ("=NEGBINOM.DIST(5,0,0.5,TRUE())", "#NUM!"),
            ("=NEGBINOM.DIST(7,8,0.7,TRUE())", pytest.approx(0.949987459946224, rel=1e-9)),
            ("=NEGBINOM.DIST(3,17,0.2,FALSE())", pytest.approx(6.50284892159999e-10, rel=1e-9)),
            ("=NEGBINOM.DIST(0,100,0.01,TRUE())", pytest.approx(1e-200, rel=1e-9)),
        ],
    )


# --- BESSEL -----------------------------------------------------------------------------------


def test_bessel(engine):
    # Cached in ironcalc__engineering_bessel.xlsx: I_n(-x) = (-1)^n I_n(x); logicals #VALUE!.
    check(
        engine,
        [
            ("=BESSELI(-10,0)", pytest.approx(2815.7166648041534, rel=1e-9)),
            ("=BESSELI(-10,1)", pytest.approx(-2670.988320559247, rel=1e-9)),
            ("=BESSELI(-32,10)", pytest.approx(1158284935385.1838, rel=1e-9)),
            ("=BESSELI(-0.5,1)", pytest.approx(-0.25789430328903556, rel=1e-9)),
            ("=BESSELI(-10,-1)", "#NUM!"),
            ("=BESSELI(A1,1)", "#VALUE!"),
            ("=BESSELJ(A1,1)", "#VALUE!"),
            ("=BESSELK(A1,1)", "#VALUE!"),
            ("=BESSELY(1,A1)", "#VALUE!"),
            ("=BESSELJ(1,1)", pytest.approx(0.4400505856771301, rel=1e-9)),
        ],
        [(1, 1, True)],
    )


# --- EDATE, EOMONTH ---------------------------------------------------------------------------


def test_edate_eomonth_logicals(engine):
    # Cached in pycel__date-time.xlsx.
    check(
        engine,
        [
            ("=EDATE(366,A1)", "#VALUE!"),
            ("=EDATE(A2,B1)", "#VALUE!"),
            ("=EOMONTH(367,A2)", "#VALUE!"),
            ("=EOMONTH(A1,B1)", "#VALUE!"),
            ("=EDATE(10000,101)", 13075),
            ("=EOMONTH(10000,101)", 13088),
        ],
        [(1, 1, False), (2, 1, True)],
    )


# --- VALUE ------------------------------------------------------------------------------------


def test_value_text_forms(engine):
    # Cached in ironcalc__text_t_value_valuetotext.xlsx and poi__formulaevaltestdata_copy.xlsx.
    check(
        engine,
        [
            ("=VALUE(A1)", 0),
            ('=VALUE("$1,000")', 1000),
            ('=VALUE("123,456.67")', 123456.67),
            ('=VALUE("12,34")', "#VALUE!"),
            ('=VALUE("23€")', 23),
            ('=VALUE("2-Feb-2026")', 46055),
            ('=VALUE("2 February 2026")', 46055),
            ('=VALUE("Feb 2, 2026")', 46055),
            ('=VALUE("30-Feb-2026")', "#VALUE!"),
            ('=VALUE("($1,000.50)")', -1000.5),
            ('=VALUE("40%")', 0.4),
            ('=VALUE("1e-5")', 1e-05),
            ('=VALUE("qwerty")', "#VALUE!"),
            ("=VALUE(TRUE())", "#VALUE!"),
            ('=VALUE("")', "#VALUE!"),
        ],
    )


def test_time_texts_as_excel_reads_them(engine):
    # Cached in pycel__text.xlsx (TEXT(text, "#.#####")): only the last part of a time text may
    # run past 59, and only when the parts before it are in range; two parts with a fraction are
    # minutes and seconds.
    check(
        engine,
        [
            ('=TEXT("0:59:99","#.#####")', ".04212"),
            ('=TEXT("23:99","#.#####")', "1.02708"),
            ('=TEXT("24:99","#.#####")', "24:99"),
            ('=TEXT("60:99","#.#####")', "60:99"),
            ('=TEXT("23:9999","#.#####")', "7.90208"),
            ('=TEXT("23:10000","#.#####")', "23:10000"),
            ('=TEXT("23:60:9999","#.#####")', "23:60:9999"),
            ('=TEXT("59:9999.0","#.#####")', ".1567"),
            ('=TEXT("59:10000.0","#.#####")', "59:10000.0"),
            ('=TEXT("23:59.012345","#.#######")', ".0166552"),
            ('=TEXT("60:9999.012345","#.########")', "60:9999.012345"),
            ('=TEXT("23:59.:0","#.###########")', "23:59.:0"),
            ('=TEXT("23:59.","#.###########")', ".99930555556"),
            ('=VALUE("24:99")', "#VALUE!"),
            ('=VALUE("1:30")', 0.0625),
        ],
    )


# --- LARGE, SMALL, MODE, T --------------------------------------------------------------------


def test_typed_values_in_statistics(engine):
    # Cached in poi__formulaevaltestdata_copy.xlsx (B8 = 1, B9 = 2, D7 empty).
    check(
        engine,
        [
            ("=LARGE(TRUE(),1)", 1),
            ('=LARGE("2.3",1)', 2.3),
            ('=SMALL("2.3",1)', 2.3),
            ("=LARGE(5,2)", "#NUM!"),
            ('=LARGE("x",1)', "#VALUE!"),
            ('=MODE(B8,"1",2,3)', "#VALUE!"),
            ('=MODE("1",1,#DIV/0!,2,3)', "#VALUE!"),
            ("=MODE(B9,2,D7)", "#VALUE!"),
            ("=MODE(1,1,2,3)", 1),
            ("=MODE(B8:B9,2)", 2),
        ],
        [(8, 2, 1), (9, 2, 2)],
    )


def test_t_of_a_range_reads_its_first_cell(engine):
    # Cached in poi__formulaevaltestdata_copy.xlsx: T(L7:N7) is "" for L7 = 1.001.
    check(
        engine,
        [
            ("=T(A1:C1)", ""),
            ("=T(B1:C1)", "alphanum"),
            ("=T(A2:A4)", ""),
        ],
        [(1, 1, 1.001), (1, 2, "alphanum"), (1, 3, "blanksIncl"), (3, 1, "x")],
    )


def test_import_regression_workbook(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = True
    ws["A2"] = "123,456.67"
    expected = {
        "C1": ("=VDB(1,0,14,11.5,12.5,1.25,FALSE)", pytest.approx(0.06872629045468406, rel=1e-9)),
        "C2": ("=VALUE(A2)", pytest.approx(123456.67, rel=1e-12)),
        "C3": ("=EDATE(A1,1)", "#VALUE!"),
        "C4": ("=BESSELI(-10,0)", pytest.approx(2815.7166648041534, rel=1e-9)),
        "C5": ("=_xlfn.NEGBINOM.DIST(2,10,1,TRUE)", "#NUM!"),
        "C6": ("=LARGE(TRUE,1)", 1),
    }
    import_and_check(wb, expected, tmp_path)
