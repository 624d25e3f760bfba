"""Statistical, math and text leftovers of formulas__test.xlsx: #NULL! passed over by the
two-array statistical functions (T.TEST paired data pair by pair), and the other corrections of
hyperformula/functions/fixl_*.js and the targeted edits they came with.

Expected values come from Microsoft's documentation of each function, or from the values Excel
cached in the shared corpus (formulas__test.xlsx), quoted where used.
"""

from __future__ import annotations

from engine_cases import check

# Error constants of the cases: row 1 (#NULL!, #NUM!, #REF!, 0.075, 0.175), row 2 (#VALUE!,
# #N/A, #DIV/0!, #NAME?, #NULL!), row 3 (1, #VALUE!, #N/A, #DIV/0!).
ERRORS = [
    (1, 1, "=#NULL!"),
    (1, 2, "=#NUM!"),
    (1, 3, "=#REF!"),
    (1, 4, 0.075),
    (1, 5, 0.175),
    (2, 1, "=#VALUE!"),
    (2, 2, "=#N/A"),
    (2, 3, "=#DIV/0!"),
    (2, 4, "=#NAME?"),
    (2, 5, "=#NULL!"),
    (3, 1, 1),
    (3, 2, "=#VALUE!"),
    (3, 3, "=#N/A"),
    (3, 4, "=#DIV/0!"),
]


def test_two_array_errors_pass_over_null(engine):
    # Cached in formulas__test.xlsx: INTERCEPT((#NULL!, #NUM!, ...), (#VALUE!, #N/A, ...)) is
    # #NUM!; T.TEST((1, #VALUE!), (#N/A, #DIV/0!), 1, 1) is #N/A (paired: pair by pair) and
    # #VALUE! for the unpaired types; T.TEST((#NULL!, #NUM!), (#REF!, 0.075), {1;2}, {1;2})
    # is #NUM! in every element.
    check(
        engine,
        [
            ("=INTERCEPT(A1:E1,A2:E2)", "#NUM!"),
            ("=FORECAST(1,A1:E1,A2:E2)", "#NUM!"),
            ("=INTERCEPT(A1:A1,E2:E2)", "#NULL!"),
            # a #NULL! x does not skip its pair: INTERCEPT((#DIV/0!, ...), (#NULL!, ...))
            ("=INTERCEPT(C2:E2,A1:C1)", "#DIV/0!"),
            ("=T.TEST(C2:D2,A1:B1,1,1)", "#DIV/0!"),
            ("=T.TEST(A3:B3,C3:D3,1,1)", "#N/A"),
            ("=T.TEST(A3:B3,C3:D3,2,1)", "#N/A"),
            ("=T.TEST(A3:B3,C3:D3,1,2)", "#VALUE!"),
            ("=T.TEST(A3:B3,C3:D3,2,3)", "#VALUE!"),
            ("=T.TEST(A1:B1,C1:D1,1,1)", "#NUM!"),
            ("=INDEX(T.TEST(A1:B1,C1:D1,{1;2},{1;2}),1,1)", "#NUM!"),
            ("=INDEX(T.TEST(A1:B1,C1:D1,{1;2},{1;2}),2,1)", "#NUM!"),
        ],
        ERRORS,
    )


def test_arabic_reads_right_to_left(engine):
    # Cached in formulas__test.xlsx: ARABIC("IIIIIIV") = -1, ARABIC("IILmIIC") = 1046,
    # ARABIC("IL") = 49; Microsoft: ARABIC("mcmxii") = 1912.
    check(
        engine,
        [
            ('=ARABIC("IIIIIIV")', -1),
            ('=ARABIC("IILmIIC")', 1046),
            ('=ARABIC("IL")', 49),
            ('=ARABIC("mcmxii")', 1912),
            ('=ARABIC("MCMXC")', 1990),
        ],
    )


def test_factdouble_and_sqrtpi(engine):
    # Cached in formulas__test.xlsx: FACTDOUBLE(-1) = 1, FACTDOUBLE(-1.1) = #NUM!, and
    # FACTDOUBLE / SQRTPI of a cell holding TRUE are #VALUE!. Microsoft: FACTDOUBLE(7) = 105.
    check(
        engine,
        [
            ("=FACTDOUBLE(-1)", 1),
            ("=FACTDOUBLE(-1.1)", "#NUM!"),
            ("=FACTDOUBLE(7)", 105),
            ("=FACTDOUBLE(A1)", "#VALUE!"),
            ("=SQRTPI(A1)", "#VALUE!"),
            ("=SQRTPI(TRUE())", "#VALUE!"),
            ("=SQRTPI(1)", 1.7724538509055159),
        ],
        [(1, 1, True)],
    )


def test_text_thousands_separators_by_placeholder_position(engine):
    # Cached in formulas__test.xlsx: a '#' showing nothing still takes its position when the
    # thousands separators are placed; a quoted literal left open and a decimal point after
    # the exponent are #VALUE!.
    check(
        engine,
        [
            (
                '=TEXT(1234567.555,"#,##000######## .  # ,0.00.0,00")',
                "00,01,234,567 .  5 ,5.50.000",
            ),
            (
                '=TEXT(1234578.555,"#,##00000000####0### .  # ,0.00.0,00")',
                "0,000,000,01,234,578 .  5 ,5.50.000",
            ),
            (
                '=TEXT(1234578.555,"#,##00000,  ,00 , 0########    .  # ,0.00.0,00")',
                "0,000,0  ,00, , 01,234,578    .  5 ,5.50.000",
            ),
            (
                '=TEXT(1234578.555,"#,##00000,  ,00 , 0##e+8800######    .  # ,0.00.0,00")',
                "#VALUE!",
            ),
            ("=TEXT(1.23,A1)", "#VALUE!"),
            (
                '=TEXT(1000000.555,"##00,############# .  # ,0.00.0,00")',
                "001,000,000 .  5 ,5.50.000",
            ),
            ('=TEXT(1234567,"#,##0")', "1,234,567"),
            ('=TEXT(123,"0,000,000")', "0,000,123"),
            ('=TEXT(1234567,"0,000,000,000")', "0,001,234,567"),
        ],
        [(1, 1, '#"F""')],
    )


CHISQ = [
    (16, 3, 10),
    (16, 4, 0.1),
    (17, 3, 10),
    (17, 4, 3.2),
    (14, 5, 0.7),
    (15, 5, 0.7),
    (16, 5, 0.7),
    (17, 5, 0.7),
    (17, 6, 2),
    (17, 7, 4),
    (17, 9, "13/01/1900"),
    (17, 10, True),
    (17, 11, "=#VALUE!"),
    (17, 12, "=#N/A"),
    (17, 13, "=#DIV/0!"),
]


def test_chisq_test_shapes_errors_and_blanks(engine):
    # Microsoft's CHISQ.TEST example: 0.0003082. Cached in formulas__test.xlsx (same cells):
    # a 2x2 range against a 4x1 one 9.66041305483331e-58, a pair with a blank expected value
    # left out 0.09894293606729619, two single cells #N/A, (TRUE, #VALUE!) against
    # (#N/A, #DIV/0!) #VALUE!, no pair of numbers #DIV/0!; CHISQ.INV.RT of a blank is #NUM!.
    check(
        engine,
        [
            (
                "=CHISQ.TEST({58,35;11,25;10,23},{45.35,47.65;17.56,18.44;16.09,16.91})",
                0.0003081920170083095,
            ),
            ("=CHISQ.TEST(C16:D17,E14:E17)", 9.660413054832848e-58),
            ("=ROUND(CHISQ.TEST(E17:F17,G17:H17),12)", 0.098942936067),
            ("=CHISQ.TEST(D17,F17)", "#N/A"),
            ("=CHISQ.TEST(J17:K17,L17:M17)", "#VALUE!"),
            ("=CHISQ.TEST(G17:I17,H17:J17)", "#DIV/0!"),
            ("=CHITEST(C16:D17,E14:E17)", 9.660413054832848e-58),
            ("=CHISQ.TEST(C16:D17,E14:E16)", "#N/A"),
            ("=CHISQ.INV.RT(H16,3)", "#NUM!"),
            ("=CHIINV(0,3)", "#NUM!"),
            ("=CHISQ.INV.RT(0.1,9)", 14.683656573259828),
        ],
        CHISQ,
    )


def test_regexextract_all_matches_is_a_row(engine):
    # Cached in formulas__test.xlsx: {=REGEXEXTRACT(H2,"[0-9()]+ [0-9-]+",1)} over I2:P2 shows
    # the eight phone numbers of H2, one per cell.
    check(
        engine,
        [
            ('=INDEX(REGEXEXTRACT("a1 b2 c3","[a-z][0-9]",1),1,2)', "b2"),
            ('=COLUMNS(REGEXEXTRACT("a1 b2 c3","[a-z][0-9]",1))', 3),
            ('=ROWS(REGEXEXTRACT("a1 b2 c3","[a-z][0-9]",1))', 1),
        ],
    )


def test_statistical_error_kinds(engine):
    # Microsoft: CORREL with a standard deviation of zero is #DIV/0!; FORECAST example 10.607253.
    # Cached in formulas__test.xlsx: PEARSON(C76:D77, E74:E77) with E74:E77 all 0.7 is #DIV/0!,
    # T.DIST(0,,) #DIV/0!, T.DIST(3,-1,"TRUE") and T.DIST(H102,H102,1) (empty) #NUM!, CONFIDENCE.NORM(3,-1,"TRUE") and
    # CONFIDENCE.T(3,-1,"TRUE") #VALUE!, FORECAST.LINEAR(x, F41, H41) with H41 empty #VALUE!
    # and with empty ranges H41:H42 #DIV/0!.
    check(
        engine,
        [
            ("=PEARSON({1,2,3},{3,3,3})", "#DIV/0!"),
            ("=CORREL({1,2,3},{3,3,3})", "#DIV/0!"),
            ("=RSQ({1,2,3},{3,3,3})", "#DIV/0!"),
            ("=PEARSON(C16:D17,E14:E17)", "#DIV/0!"),
            ("=ROUND(PEARSON({1,2,3},{3,4,6}),12)", 0.981980506062),
            ("=T.DIST(0,,)", "#DIV/0!"),
            ("=T.DIST(3,-1,TRUE())", "#NUM!"),
            ("=T.DIST(H16,H16,1)", "#NUM!"),
            ("=T.DIST(1,0,FALSE())", "#DIV/0!"),
            ('=CONFIDENCE.NORM(3,-1,"TRUE")', "#VALUE!"),
            ('=CONFIDENCE.T(3,-1,"TRUE")', "#VALUE!"),
            ("=CONFIDENCE.NORM(0.05,-1,3)", "#NUM!"),
            ("=FORECAST.LINEAR(1,F17,H17)", "#VALUE!"),
            ("=FORECAST.LINEAR(1,H16:H17,H16:H17)", "#DIV/0!"),
            ("=ROUND(FORECAST(30,{6,7,9,15,21},{20,28,31,38,40}),6)", 10.607253),
        ],
        CHISQ,
    )


def test_sumproduct_errors_before_sizes(engine):
    # Cached in formulas__test.xlsx: SUMPRODUCT(P75:Q75,H75:I75,I75:K75) with P75:Q75 = (#NUM!,
    # #REF!) is #NUM!, not the #VALUE! of arrays of different sizes; Microsoft: arrays of
    # different sizes (without errors) are #VALUE!.
    check(
        engine,
        [
            ("=SUMPRODUCT(B1:C1,A4:C4,C3:D3)", "#NUM!"),
            ("=ARRAYFORMULA(SUMPRODUCT(B1:C1,A4:C4,C3:D3))", "#NUM!"),
            ("=SUMPRODUCT(A1:B1,A4:B4,A4:C4)", "#NULL!"),
            ("=SUMPRODUCT({1,2},{1,2,3})", "#VALUE!"),
            ("=SUMPRODUCT({1,2},{3,4})", 11),
        ],
        ERRORS,
    )


def test_complex_logicals_and_imsub_suffixes(engine):
    # Cached in formulas__test.xlsx: COMPLEX(I15,J15,"j") with I15 = "3.6" and J15 = TRUE is
    # #VALUE!, COMPLEX(#NULL!, #NUM!) #NULL!; IMSUB("3.1+2j","-3+2i") (suffixes mixed) #NUM!.
    check(
        engine,
        [
            ('=COMPLEX(A1,B1,"j")', "#VALUE!"),
            ('=COMPLEX("3.6",TRUE(),"j")', "#VALUE!"),
            ('=COMPLEX(3.6,1,"j")', "3.6+j"),
            ("=COMPLEX(C1,D1)", "#NULL!"),
            ('=IMSUB("3.1+2j","-3+2i")', "#NUM!"),
            ('=IMSUB("13+5j","3.1+2j")', "9.9+3j"),
        ],
        [(1, 1, "3.6"), (1, 2, True), (1, 3, "=#NULL!"), (1, 4, "=#NUM!")],
    )


def test_textafter_match_mode_is_0_or_1(engine):
    # Cached in formulas__test.xlsx: TEXTAFTER("1,2,...,8",{"3","4"},2.3,10) and
    # (..., -1, "1987-08-26") are #VALUE!, (..., 10, <empty>) #N/A, (..., 1.9) ",4,5,6,7,8";
    # Microsoft: TEXTAFTER("Red riding hood's, red hood","hood") is "'s, red hood".
    check(
        engine,
        [
            ('=TEXTAFTER("1,2,3,4,5,6,7,8",{"3","4"},2.3,10)', "#VALUE!"),
            ('=TEXTAFTER("1,2,3,4,5,6,7,8",{"3","4"},-1,"1987-08-26")', "#VALUE!"),
            ('=TEXTAFTER("1,2,3,4,5,6,7,8",{"3","4"},10,A1)', "#N/A"),
            ('=TEXTAFTER("1,2,3,4,5,6,7,8",{"3","4"},1.9)', ",4,5,6,7,8"),
            ('=TEXTAFTER("Red riding hood\'s, red hood","hood",1,0)', "'s, red hood"),
            ('=TEXTBEFORE("Red riding hood","HOOD",1,2)', "#VALUE!"),
            ('=TEXTBEFORE("Red riding hood","HOOD",1,1)', "Red riding "),
        ],
    )
