"""Array formulas, spills and array arithmetic, corrected by hyperformula/functions/fix8_*.js:
an array formula's result fitted to the range Excel gave it, a plain multi-cell reference as an
array formula, and the `A1#` spill reference (ANCHORARRAY).

Expected values come from Microsoft's documentation or from the values Excel cached in the
shared corpus, quoted where used.
"""

from __future__ import annotations

from typing import Any

from engine_cases import check

from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet, HyperFormulaEngine


def _plain(v: Any) -> Any:
    return v.code if isinstance(v, EngineErrorValue) else v


def _block(
    engine: HyperFormulaEngine,
    constants: list[tuple[int, int, Any]],
    formulas: list[tuple[int, int, str]],
    arrays: list[tuple[int, int, int, int]],
    reads: list[tuple[int, int]],
) -> list[Any]:
    """Values of the cells `reads` after loading a sheet whose array ranges are `arrays`
    ((anchor row, col, height, width), as the pipeline records them)."""
    engine.load([EngineSheet("S", constants, formulas, arrays=arrays)], [], EngineSettings())
    got = engine.set_and_read([], [("S", r, c) for r, c in reads])
    return [_plain(v) for v in got]


COLUMN = [(2, 1, 12.0), (3, 1, 24.0), (4, 1, 34.0), (5, 1, 1245.0)]


def test_plain_range_array_formula_fills_its_range(engine):
    # Cached in ironcalc__spill_operator.xlsx: {=A2:A5} over B2:B5 shows 12, 24, 34, 1245;
    # poi__57181.xlsm: {=General!$Z$6:$AI$6} over a row range shows the row's texts.
    got = _block(
        engine,
        COLUMN,
        [(2, 2, "=ARRAYFORMULA(A2:A5)")],
        [(2, 2, 4, 1)],
        [(2, 2), (3, 2), (4, 2), (5, 2)],
    )
    assert got == [12.0, 24.0, 34.0, 1245.0]


def test_array_result_fitted_to_the_recorded_range(engine):
    # Microsoft ("Guidelines and examples of array formulas"): a single value fills the whole
    # range, a single row or column is repeated, cells past a larger result show #N/A, and a
    # larger result is cropped. Cached in poi__matrixformulaevaltestdata.xlsx:
    # {=B62:C62+E62:F62} over H62:J64 gives 2, 4, #N/A on every row.
    got = _block(
        engine,
        [(1, 1, 1.0), (1, 2, 2.0), (1, 4, 1.0), (1, 5, 2.0)],
        [
            (10, 1, "=ARRAYFORMULA(A1:B1+D1:E1)"),  # 1x2 into 3x3
            (20, 1, "=ARRAYFORMULA(7)"),  # scalar into 2x2
            (30, 1, "=ARRAYFORMULA({1,2;3,4})"),  # 2x2 cropped to 1x1 ... 2x1
        ],
        [(10, 1, 3, 3), (20, 1, 2, 2), (30, 1, 2, 1)],
        [(10, 1), (10, 2), (10, 3), (12, 1), (12, 2), (12, 3), (21, 2), (30, 1), (31, 1), (30, 2)],
    )
    assert got == [2.0, 4.0, "#N/A", 2.0, 4.0, "#N/A", 7.0, 1.0, 3.0, None]


def test_array_formula_error_and_empty_cells(engine):
    # An error result fills the range; an empty cell referenced by an array formula shows 0.
    got = _block(
        engine,
        [(1, 1, 5.0)],
        [(1, 3, "=ARRAYFORMULA(1/0)"), (1, 4, "=ARRAYFORMULA(A1:A2)")],
        [(1, 3, 2, 1), (1, 4, 2, 1)],
        [(1, 3), (2, 3), (1, 4), (2, 4)],
    )
    assert got == ["#DIV/0!", "#DIV/0!", 5.0, 0.0]


def test_spill_reference(engine):
    # Cached in ironcalc__spill_operator.xlsx: SUM(B2#) = 1315 over {=A2:A5}; SUM(C2#) = 492
    # over {=123} in C2:C5; A2# (a constant), B3# (inside a spill range, not its anchor) and
    # B10# (empty) are #REF!; OFFSET(A1,1,1)# = B2#.
    got = _block(
        engine,
        COLUMN,
        [
            (2, 2, "=ARRAYFORMULA(A2:A5)"),
            (2, 3, "=ARRAYFORMULA(123)"),
            (2, 5, "=SUM(ANCHORARRAY(A2))"),
            (2, 6, "=SUM(ANCHORARRAY(B2))"),
            (2, 7, "=SUM(ANCHORARRAY(C2))"),
            (2, 9, "=SUM(ANCHORARRAY(OFFSET(A1,1,1)))"),
            (4, 5, "=SUM(ANCHORARRAY(B3))"),
            (6, 5, "=SUM(ANCHORARRAY(B10))"),
        ],
        [(2, 2, 4, 1), (2, 3, 4, 1)],
        [(2, 5), (2, 6), (2, 7), (2, 9), (4, 5), (6, 5)],
    )
    assert got == ["#REF!", 1315.0, 492.0, 1315.0, "#REF!", "#REF!"]


def test_formulas_without_a_recorded_range_keep_their_own_size(engine):
    # A formula wrapped because it calls SUMPRODUCT keeps its one value.
    check(
        engine,
        [("=ARRAYFORMULA(SUMPRODUCT(A1:A2,B1:B2))", 11.0)],
        [(1, 1, 1.0), (2, 1, 2.0), (1, 2, 3.0), (2, 2, 4.0)],
    )


def test_broadcast_past_a_shorter_array_is_na(engine):
    # Cached in ironcalc__logical_if_array.xlsx: {=IF({TRUE(),FALSE()},{1,2,3,4},{10,11,12,13})}
    # over E8:H8 gives 1, 11, #N/A, #N/A; {=IF(A1:A4>2,H1:H2,E1:E2)} gives #N/A in rows 3-4.
    got = _block(
        engine,
        [(r, 1, float(r)) for r in range(1, 5)] + [(1, 2, 5.0), (2, 2, 6.0)],
        [
            (1, 3, "=ARRAYFORMULA(IF({TRUE(),FALSE()},{1,2,3,4},{10,11,12,13}))"),
            (3, 3, "=ARRAYFORMULA(IF(A1:A4>2,B1:B2,-B1:B2))"),
            (3, 4, "=ARRAYFORMULA(IF({TRUE();FALSE();TRUE()},{1,2},{7,8}))"),
        ],
        [(1, 3, 1, 4), (3, 3, 4, 1), (3, 4, 3, 2)],
        [(1, 3), (1, 4), (1, 5), (1, 6), (3, 3), (4, 3), (5, 3), (6, 3), (5, 4), (5, 5)],
    )
    assert got == [1.0, 11.0, "#N/A", "#N/A", -5.0, -6.0, "#N/A", "#N/A", 1.0, 2.0]


def test_mmult_dates_and_errors(engine):
    # Cached in ironcalc__math_and_trigonometry_mmult.xlsx: MMULT over DATE(...) cells gives
    # numbers (E48 = 4121367377); an error in either array is the result (#DIV/0!, #N/A, the
    # first one of array1 first); text gives #VALUE!.
    dates = [
        (1, 1, "=DATE(2024,1,10)"),
        (1, 2, "=DATE(2024,11,10)"),
        (2, 1, "=DATE(2024,1,10)"),
        (2, 2, "=DATE(2024,1,28)"),
        (1, 3, "=DATE(2024,1,20)"),
        (1, 4, "=DATE(2024,12,10)"),
        (2, 3, "=DATE(2024,3,10)"),
        (2, 4, "=DATE(2024,1,31)"),
        (3, 1, "=NA()"),
        (3, 2, "=1/0"),
        (3, 3, "x"),
    ]
    got = _block(
        engine,
        [],
        [(r, c, f) for r, c, f in dates if f.startswith("=")]
        + [
            (10, 1, "=ARRAYFORMULA(MMULT(A1:B2,C1:D2))"),
            (13, 1, "=INDEX(ARRAYFORMULA(MMULT(B3:B3,A3:A3)),1,1)"),
            (14, 1, "=INDEX(ARRAYFORMULA(MMULT(A1:A1,C3:C3)),1,1)"),
            (15, 1, "=INDEX(ARRAYFORMULA(MMULT(A1:B1,C1:C2)),1,1)"),
            (16, 1, "=INDEX(ARRAYFORMULA(MMULT(A1:C1,C1:C2)),1,1)"),
        ],
        [(10, 1, 2, 2)],
        [(10, 1), (10, 2), (11, 1), (11, 2), (13, 1), (14, 1), (15, 1), (16, 1)],
    )
    a, b = [[45301, 45606], [45301, 45319]], [[45311, 45636], [45361, 45322]]
    want = [float(sum(a[i][k] * b[k][j] for k in range(2))) for i in range(2) for j in range(2)]
    assert got[:4] == want
    assert want[0] == 4121367377.0  # the value Excel cached
    assert got[4:] == ["#DIV/0!", "#VALUE!", want[0], "#VALUE!"]


def test_sequence_omitted_arguments(engine):
    # Microsoft ("SEQUENCE function"): a missing argument is 1. Cached in
    # ironcalc__math_and_trigonometry_sequence.xlsx: SEQUENCE(,12,,2.5) is 1, 3.5, 6 ... 28.5.
    got = _block(
        engine,
        [(1, 1, 3.0)],
        [(2, 1, "=ARRAYFORMULA(SEQUENCE(,12,,2.5))"), (3, 1, "=ARRAYFORMULA(SEQUENCE(A1))")],
        [(2, 1, 1, 12), (3, 1, 3, 1)],
        [(2, 1), (2, 2), (2, 12), (3, 1), (4, 1), (5, 1)],
    )
    assert got == [1.0, 3.5, 28.5, 1.0, 2.0, 3.0]


def test_index_whole_rows_columns_and_areas(engine):
    # Microsoft ("INDEX function"): row_num or column_num 0 gives the whole column or row (a
    # reference for SUM); area_num past the areas is #REF!. Cached in
    # ironcalc__lookup_and_reference_index.xlsx: {=INDEX({1,2,3,4},,)} is 1, 2, 3, 4;
    # {=INDEX({1,2;3,4},,1)} 1; 3; {=INDEX({1,2,3;4,5,6},1)} 1, 2, 3;
    # {=INDEX({1,2,3},1,0,2)} #REF!.
    table = [(r, c, float(r + 3 * (c - 1))) for r in (1, 2, 3) for c in (1, 2)]
    check(
        engine,
        [
            ("=SUM(INDEX(A1:B3,0,2))", 15.0),
            ("=ROWS(INDEX(A1:B3,0,1))", 3.0),
            ("=COLUMNS(INDEX(A1:B3,2,0))", 2.0),
            ("=INDEX(A1:B3,2,2)", 5.0),
            ("=INDEX(A1:B3,4,1)", "#REF!"),
            ("=INDEX(A1:B3,-1,1)", "#VALUE!"),
            ("=INDEX(A1:B3,1,1,2)", "#REF!"),
            ("=INDEX(A1:B3,1,1,1)", 1.0),
            # Cached in pycel__excelcompiler.xlsx (ArrayForm): a computed array argument is an
            # array in an ordinary formula.
            ("=INDEX(ROW(A1:A3), 2)", 2.0),
            ("=INDEX(COLUMN(A1:B1),1,2)", 2.0),
        ],
        table,
    )
    got = _block(
        engine,
        [],
        [
            (1, 1, "=ARRAYFORMULA(INDEX({1,2,3,4},,))"),
            (3, 1, "=ARRAYFORMULA(INDEX({1,2;3,4},,1))"),
            (6, 1, "=ARRAYFORMULA(INDEX({1,2,3;4,5,6},1))"),
            (8, 1, "=ARRAYFORMULA(INDEX({1,2,3},1,0,1))"),
            (9, 1, "=INDEX(ARRAYFORMULA(INDEX({1,2,3},1,0,2)),1,1)"),
        ],
        [(1, 1, 1, 4), (3, 1, 2, 1), (6, 1, 1, 3), (8, 1, 1, 3)],
        [(1, 1), (1, 4), (3, 1), (4, 1), (6, 1), (6, 3), (8, 3), (9, 1)],
    )
    assert got == [1.0, 4.0, 1.0, 3.0, 1.0, 3.0, 3.0, "#REF!"]


def test_trimrange(engine):
    # Microsoft ("TRIMRANGE function"): blank outer rows and columns are dropped (3, the
    # default: leading and trailing). Cached in ironcalc__lookup_and_reference_trimrange.xlsx:
    # TRIMRANGE(A3:C22) over A3:B9 data is 7 rows x 2 columns, blanks inside as 0;
    # SUM(J3#) over TRIMRANGE(H:H) = 6.
    data = [(3, 1, 1.0), (3, 2, 2.0), (4, 1, 3.0), (5, 2, 4.0), (7, 1, 7.0), (9, 2, "Hola")]
    data += [(3, 8, 1.0), (4, 8, 2.0), (5, 8, 3.0)]
    got = _block(
        engine,
        data,
        [
            (3, 5, "=ARRAYFORMULA(TRIMRANGE(A3:C22))"),
            (3, 10, "=ARRAYFORMULA(TRIMRANGE(H:H))"),
            (3, 11, "=SUM(ANCHORARRAY(J3))"),
            (12, 5, "=ARRAYFORMULA(TRIMRANGE(A1:C22,1,0))"),
        ],
        [(3, 5, 7, 2), (3, 10, 3, 1), (12, 5, 20, 3)],
        [(3, 5), (3, 6), (4, 6), (9, 6), (5, 10), (3, 11), (12, 5), (12, 7), (31, 7)],
    )
    assert got == [1.0, 2.0, 0.0, "Hola", 3.0, 6.0, 1.0, 0.0, 0.0]


def test_element_results_that_are_arrays_keep_their_first_value(engine):
    # Cached in formulas__test.xlsx (LOOKUP): {=INDEX({2,3;4,5},{1,2})} over AO52:AP53 gives
    # 2, 4 on both rows (each element asks for a whole row; Excel keeps its first value).
    got = _block(
        engine,
        [(1, 1, 0.5), (2, 1, 2.0)],
        [
            (1, 4, "=ARRAYFORMULA(INDEX({2,3;4,5},{1,2}))"),
            (5, 1, "=ARRAYFORMULA(ACOSH(A1:A2))"),
        ],
        [(1, 4, 2, 2), (5, 1, 2, 1)],
        [(1, 4), (1, 5), (2, 4), (2, 5), (5, 1), (6, 1)],
    )
    # An element that is no finite number is #NUM! (formulas__test.xlsx: ACOSH(C5:Q5)).
    assert got == [2.0, 4.0, 2.0, 4.0, "#NUM!", 1.3169578969248166]


def test_row_and_column_of_a_range_in_an_array_formula(engine):
    # Cached in formulas__test.xlsx (LOOKUP): {=COLUMN(AC12:AD12)} over AH12:AJ14 gives 29, 30,
    # #N/A on every row; {=ROW(AC112:AC113)} over AK112:AM114 gives 112 then 113 across.
    # In an ordinary formula the first one: SUM(COLUMN(A1:C1)) is 1.
    got = _block(
        engine,
        [],
        [
            (12, 34, "=ARRAYFORMULA(COLUMN(AC12:AD12))"),
            (112, 37, "=ARRAYFORMULA(ROW(AC112:AC113))"),
            (1, 1, "=SUM(COLUMN(A1:C1))"),
            (2, 1, "=ARRAYFORMULA(SUM(COLUMN(A1:C1)))"),
            (3, 1, "=ROW()"),
        ],
        [(12, 34, 3, 3), (112, 37, 3, 3)],
        [(12, 34), (12, 35), (12, 36), (13, 35), (112, 37), (113, 38), (114, 39), (1, 1), (2, 1)],
    )
    assert got == [29.0, 30.0, "#N/A", 30.0, 112.0, 113.0, "#N/A", 1.0, 6.0]


def test_concatenate_intersects_or_goes_element_by_element(engine):
    # Microsoft ("Implicit intersection operator: @"): a range where one value is expected is
    # intersected with the formula's row; in an array formula CONCATENATE goes element by
    # element (formulas__test.xlsx: {=CONCATENATE(C11:P11,D11:Q11)} gives "02", "23" ...).
    got = _block(
        engine,
        [(1, 1, "a"), (2, 1, "b"), (1, 2, "c"), (2, 2, "d")],
        [
            (1, 3, '=CONCATENATE(A1:A2,"-")'),
            (2, 3, '=CONCATENATE(A1:A2,"-")'),
            (1, 4, "=ARRAYFORMULA(CONCATENATE(A1:A2,B1:B2))"),
        ],
        [(1, 4, 2, 1)],
        [(1, 3), (2, 3), (1, 4), (2, 4)],
    )
    assert got == ["a-", "b-", "ac", "bd"]


def test_filter(engine):
    # Microsoft ("FILTER function"). Cached in ironcalc__lookup_and_reference_filter_errors.xlsx:
    # nothing kept is #CALC! (the file's rich value: read as such); a text include value is
    # #VALUE!. In
    # formulas__test.xlsx (EXTRA): FILTER({"a",2.1,"b",4.1;"a",2.1,"b",4.1},
    # {FALSE,-2.1,0,4.1}) keeps columns 2 and 4; FILTER({"a",2.1,"b",4.1},TRUE) the whole row.
    got = _block(
        engine,
        [(r, 1, float(r)) for r in range(1, 5)] + [(1, 2, "yes"), (2, 2, 1.0)],
        [
            (1, 3, "=ARRAYFORMULA(FILTER(A1:A4,A1:A4>2))"),
            (1, 4, "=INDEX(ARRAYFORMULA(FILTER(A1:A4,A1:A4>10)),1,1)"),
            (2, 4, '=INDEX(ARRAYFORMULA(FILTER(A1:A4,A1:A4>10,"none")),1,1)'),
            (3, 4, "=INDEX(ARRAYFORMULA(FILTER(A1:A2,B1:B2)),1,1)"),
            (6, 1, '=ARRAYFORMULA(FILTER({"a",2.1,"b",4.1;"a",2.1,"b",4.1},{0,-2.1,0,4.1}))'),
            (9, 1, '=ARRAYFORMULA(FILTER({"a",2.1,"b",4.1},TRUE()))'),
            (4, 4, "=SUM(FILTER(A1:A4,A1:A4>1))"),
        ],
        [(1, 3, 2, 1), (6, 1, 2, 2), (9, 1, 1, 4)],
        [(1, 3), (2, 3), (1, 4), (2, 4), (3, 4), (6, 1), (7, 2), (9, 1), (9, 4), (4, 4)],
    )
    assert got == [3.0, 4.0, "#CALC!", "none", "#VALUE!", 2.1, 4.1, "a", 4.1, 9.0]


def test_array_formula_over_a_computed_reference(engine):
    # Cached in exceltocode__offset-is-weird.xlsx: {=OFFSET($A$1:$F$1,0,0,1,1)} over H7:M7
    # shows A1's "Start" in every cell; {=OFFSET($A$1:$F$1,0,0)} the row A1:F1.
    got = _block(
        engine,
        [(1, 1, "Start"), (1, 2, "x")],
        [
            (7, 8, "=ARRAYFORMULA(OFFSET($A$1:$F$1,0,0,1,1))"),
            (8, 8, "=ARRAYFORMULA(OFFSET($A$1:$F$1,0,0))"),
            (9, 8, "=ARRAYFORMULA(OFFSET(A1,0,B2+0,1,2))"),
        ],
        [(7, 8, 1, 6), (8, 8, 1, 6), (9, 8, 1, 2)],
        [(7, 8), (7, 13), (8, 9), (8, 10), (9, 8), (9, 9)],
    )
    assert got == ["Start", "Start", "x", 0.0, "Start", "x"]
