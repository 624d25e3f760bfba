"""Arguments of MODE.SNGL, MODE.MULT and ARRAYTOTEXT (hyperformula/functions/fixq_args.js).

Expected values are Excel's cached values in the corpus: formulas__test.xlsx (Excel 16, Mac),
sheets STATISTICAL (rows 69 and 71, copied here to rows 1 and 2) and TEXT (row 4), and
poi__formulaevaltestdata_copy.xlsx (Excel 2013) for the legacy MODE.
"""

from __future__ import annotations

from engine_cases import check

# C..J of formulas__test.xlsx STATISTICAL rows 69 (MODE.MULT) and 71 (MODE.SNGL); H is empty.
ROW69 = [0.0, 0.1, 0.1, 0.3, -0.1, None, "29/02/1900", True]
ROW71 = [0.0, 0.1, 0.2, 0.3, -0.1, None, "29/02/1900", True]
MODE_ROWS = [
    (row, col, value)
    for row, values in ((1, ROW69), (2, ROW71))
    for col, value in enumerate(values, 3)
    if value is not None
]


def test_mode_sngl_and_mult_ignore_typed_text(engine):
    # Excel ignores "" typed as an argument of MODE.SNGL and MODE.MULT (the data's mode), where
    # AVERAGE, MAX, MEDIAN, STDEV, ... of the same rows give #VALUE!; "29/02/1900" leaves the
    # mode too.
    check(
        engine,
        [
            ("=MODE.SNGL(C2:D2,D2:E2,E2:F2)", 0.1),
            ('=MODE.SNGL(D2:E2,E2:F2,F2:G2,"")', 0.2),
            ('=MODE.SNGL(E2:F2,F2:G2,G2:H2,"29/02/1900")', 0.3),
            ("=MODE.SNGL(I2,G2)", "#N/A"),
            ("=MODE.SNGL(J2,G2)", "#N/A"),
            ("=MODE.SNGL(K2:L2)", "#N/A"),
            ("=MODE.SNGL(C2:J2,D2:F2,E2:G2)", 0.2),
            ("=ARRAYFORMULA(MODE.MULT(C1:D1,D1:E1,E1:F1))", 0.1),
            ('=ARRAYFORMULA(MODE.MULT(D1:E1,E1:F1,F1:G1,""))', 0.1),
            ('=ARRAYFORMULA(INDEX(MODE.MULT(E1:F1,F1:G1,G1:H1,"29/02/1900"),1))', 0.3),
            ('=ARRAYFORMULA(INDEX(MODE.MULT(E1:F1,F1:G1,G1:H1,"29/02/1900"),2))', -0.1),
            ('=ARRAYFORMULA(INDEX(MODE.MULT(G1:H1,E1:F1,F1:G1,"29/02/1900"),1))', -0.1),
            ("=ARRAYFORMULA(MODE.MULT(I1,G1))", "#N/A"),
        ],
        constants=MODE_ROWS,
    )


def test_mode_sngl_and_mult_missing_argument_is_value_error(engine):
    # Excel: MODE.MULT(H69:J69,D69:I69,E69:G69,F69:H69,) is #VALUE! (without the empty argument
    # 0.1, 0.3 and -0.1 each appear three times: the first mode is 0.1). MODE.SNGL reads its arguments the same way. The missing
    # argument counts where it stands, as an error value written there would.
    check(
        engine,
        [
            ("=ARRAYFORMULA(MODE.MULT(H1:J1,D1:I1,E1:G1,F1:H1,))", "#VALUE!"),
            ("=ARRAYFORMULA(INDEX(MODE.MULT(H1:J1,D1:I1,E1:G1,F1:H1),1))", 0.1),
            ("=MODE.SNGL(H2:J2,D2:I2,E2:G2,F2:H2,)", "#VALUE!"),
            ("=MODE.SNGL(D2:E2,,E2:F2)", "#VALUE!"),
            ("=MODE.SNGL(D2:E2,E2:F2)", 0.2),
            ("=MODE.SNGL(NA(),)", "#N/A"),
        ],
        constants=MODE_ROWS,
    )


def test_legacy_mode_keeps_its_own_rule(engine):
    # Excel 2013 (poi__formulaevaltestdata_copy.xlsx): typed text, even "1", and a reference to
    # one empty cell are #VALUE! in MODE.
    check(
        engine,
        [
            ('=MODE(B8,"1",2,3)', "#VALUE!"),
            ('=MODE("1",1,2,3)', "#VALUE!"),
            ("=MODE(B9,2,D7)", "#VALUE!"),
            ("=MODE(1,1,2,3)", 1.0),
        ],
        constants=[(8, 2, 1.0), (9, 2, 2.0)],
    )


def test_arraytotext_strict_format_of_one_empty_cell(engine):
    # formulas__test.xlsx TEXT row 4: C..J = 0, 1.9, 2.3, 10, -1, (empty), "", TRUE.
    row = [0.0, 1.9, 2.3, 10.0, -1.0, None, "", True]
    constants = [(4, col, v) for col, v in enumerate(row, 3) if v is not None]
    check(
        engine,
        [
            ("=ARRAYTOTEXT(H4,1)", "#VALUE!"),
            ("=ARRAYTOTEXT(H4:H4,1)", "#VALUE!"),
            ("=ARRAYTOTEXT(I4,1)", '{""}'),
            ("=ARRAYTOTEXT(I4:J4,1)", '{"",TRUE}'),
            ("=ARRAYTOTEXT(F4:G4,1)", "{10,-1}"),
            ("=ARRAYTOTEXT(C4:J4,1)", '{0,1.9,2.3,10,-1,,"",TRUE}'),
            ("=ARRAYTOTEXT(G4,0)", "-1"),
            ("=ARRAYTOTEXT(H3:H4,0)", ", "),
            ("=VALUETOTEXT(H4,1)", ""),
        ],
        constants=constants,
    )
