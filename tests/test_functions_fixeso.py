"""#CALC! for an empty array result (hyperformula/functions/fixo_calc.js): DROP / TAKE leaving
no row or column, FILTER with nothing included and no if_empty, UNIQUE with nothing left,
SEQUENCE with 0 rows or columns, TOCOL / TOROW with everything ignored. Cases from Microsoft's
function pages and from values Excel cached in the corpus (ironcalc__lookup_and_reference_drop_take,
ironcalc__lookup_and_reference_filter_errors, ironcalc__math_and_trigonometry_sequence,
formulas__test LOOKUP / EXTRA); the neighbouring cases that keep #VALUE! or a value are checked
too."""

from __future__ import annotations

from engine_cases import check, import_and_check

# A1:A7 = 1..7; B1:B3 = 3, 5, 7 with C1:C3 = "yes", 1, 1 (a text include); D1:D3 empty;
# D2 = #N/A; E1 = 1; F1:F3 empty.
CONSTANTS = (
    [(r, 1, r) for r in range(1, 8)]
    + [(1, 2, 3), (2, 2, 5), (3, 2, 7), (1, 3, "yes"), (2, 3, 1), (3, 3, 1)]
    + [(1, 5, 1), (2, 4, "=NA()")]
)


def af(formula: str) -> str:
    """The formula as an array (CSE) formula, as the pipeline sends it."""
    return f"=ARRAYFORMULA({formula})"


def test_drop_take_empty_is_calc(engine) -> None:
    check(
        engine,
        [
            (af("DROP(A1:A7,-7)"), "#CALC!"),
            (af("DROP(A1:A7,1200)"), "#CALC!"),
            (af("DROP(A1:A7,7)"), "#CALC!"),
            (af("DROP(A1:A7,1,1)"), "#CALC!"),
            (af("TAKE(A1:A7,0)"), "#CALC!"),
            (af("TAKE(A1:A7,1,0)"), "#CALC!"),
            (af("TAKE(A1:A7,0.4)"), "#CALC!"),
            (af("TAKE({1,2,3;4,5,6;7,8,9},F1)"), "#CALC!"),  # an empty cell is 0
            (af("DROP({1,2,3;4,5,6;7,8,9},4)"), "#CALC!"),
            ("=DROP(A1:A7,7)", "#CALC!"),
            ("=ERROR.TYPE(TAKE(A1:A7,0))", 14),
            # not empty: unchanged
            (af("DROP(A1:A7,2)"), 3),
            (af("DROP(A1:A7,6.2)"), 7),
            (af("DROP(A1:A7,-2)"), 1),
            (af("TAKE(A1:A7,-3)"), 5),
            (af("DROP({1,2,3;4,5,6;7,8,9},F1)"), 1),
            (af("DROP({1,2,3;4,5,6;7,8,9},E1,{1;2;1})"), 5),
            # other errors stay
            ('=DROP(A1:A7,"a")', "#VALUE!"),
            (af("DROP(A1:A7,D2)"), "#N/A"),
        ],
        CONSTANTS,
    )


def test_filter_nothing_included_is_calc(engine) -> None:
    check(
        engine,
        [
            (af("FILTER(A1:A7,A1:A7>10)"), "#CALC!"),
            (af('FILTER({"a",2.1,"b",4.1},{FALSE(),FALSE(),FALSE(),FALSE()})'), "#CALC!"),
            (af("FILTER(B1:B1,F1)"), "#CALC!"),  # an empty include is FALSE
            # if_empty given: its value
            (af('FILTER(A1:A7,A1:A7>10,"none")'), "none"),
            # a text include, a mismatched include: #VALUE! as Excel gives
            (af("FILTER(B1:B3,C1:C3)"), "#VALUE!"),
            (af('FILTER({"a",2.1,"b",4.1},{FALSE;-2.1;4;4})'), "#VALUE!"),
            (af("FILTER(A1:A7,A1:A7>3)"), 4),
        ],
        CONSTANTS,
    )


def test_unique_nothing_left_is_calc(engine) -> None:
    check(
        engine,
        [
            (af("UNIQUE({1,1,2,2},1,1)"), "#CALC!"),
            (af("UNIQUE({1;1},0,TRUE())"), "#CALC!"),
            (af("UNIQUE({1,1,2,3},1,1)"), 2),
            (af("UNIQUE({1,1,2,2},1)"), 1),
        ],
        CONSTANTS,
    )


def test_sequence_zero_is_calc_negative_is_value(engine) -> None:
    check(
        engine,
        [
            (af("SEQUENCE(0,0)"), "#CALC!"),
            (af("SEQUENCE(0.3)"), "#CALC!"),
            (af("SEQUENCE(2,0)"), "#CALC!"),
            ("=SEQUENCE(0)", "#CALC!"),
            # a negative count is #VALUE! (cached for SEQUENCE(-1)), text is #VALUE!
            (af("SEQUENCE(-1)"), "#VALUE!"),
            (af("SEQUENCE(0,-1)"), "#VALUE!"),
            (af('SEQUENCE("x")'), "#VALUE!"),
            (af("SEQUENCE(D2)"), "#N/A"),
            (af('SEQUENCE("5")'), 1),
        ],
        CONSTANTS,
    )


def test_tocol_torow_everything_ignored_is_calc(engine) -> None:
    check(
        engine,
        [
            (af("TOCOL(F1:F3,1)"), "#CALC!"),
            (af("TOCOL(D1:D3,1)"), "#N/A"),
            (af("TOROW(D1:D3,3)"), "#CALC!"),
            (af("TOCOL(D1:D3)"), 0),
            (af("TOCOL(D1:D3,2)"), 0),
            (af("TOCOL(A1:A3,4)"), "#VALUE!"),
        ],
        CONSTANTS,
    )


def test_regression_workbook(tmp_path) -> None:
    """The corpus cases through the whole pipeline (reader, translation, engine, store)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.formula import ArrayFormula

    wb = Workbook()
    ws = wb.active
    for r in range(2, 9):
        ws.cell(r, 1, r - 1)
    ws["H2"] = "yes"
    ws["H3"] = 1
    ws["G2"] = 3
    ws["G3"] = 5
    cases = {
        "C2": ("=_xlfn.DROP(A2:A8,-7)", "#CALC!"),
        "E2": ("=_xlfn.DROP(A2:A8,1200)", "#CALC!"),
        "F2": ("=_xlfn.DROP(A2:A8,1,1)", "#CALC!"),
        "L2": ("=_xlfn.TAKE($A$2:$A$8, 0)", "#CALC!"),
        "B2": ("=_xlfn.DROP(A2:A8,2)", 3),
        "J2": ("=_xlfn._xlws.FILTER(A2:A8,A2:A8>10)", "#CALC!"),
        "K2": ("=_xlfn._xlws.FILTER(G2:G3,H2:H3)", "#VALUE!"),
        "M2": ("=_xlfn.SEQUENCE(0,0)", "#CALC!"),
        "N2": ("=_xlfn.SEQUENCE(0.3)", "#CALC!"),
        "O2": ("=_xlfn.SEQUENCE(-1)", "#VALUE!"),
        "P2": ("=_xlfn.UNIQUE(A2:A3,0,1)", 1),
        "Q2": ("=_xlfn.UNIQUE({1,1,2,2},1,1)", "#CALC!"),
    }
    expected = {
        cell: (ArrayFormula(cell, formula), want) for cell, (formula, want) in cases.items()
    }
    import_and_check(wb, expected, tmp_path)
