"""SUMPRODUCT's non-numeric entries (hyperformula/functions/fixp_sumproduct.js)."""

from __future__ import annotations

from engine_cases import check


def test_sumproduct_counts_non_numeric_entries_as_zero(engine):
    # Microsoft, "SUMPRODUCT function": non-numeric array entries count as zeros, numeric text
    # and logical values included; a one-cell range of text is one text value: #VALUE! (Excel's
    # cached value in Apache POI's FormulaEvalTestData). The pipeline sends SUMPRODUCT inside
    # ARRAYFORMULA (it takes arrays by nature), so do these cases.
    check(
        engine,
        [
            ("=ARRAYFORMULA(SUMPRODUCT(A1:A3,B1:B3))", 15.0),  # "4" and TRUE count 0
            ("=ARRAYFORMULA(SUMPRODUCT(A1:A3))", 5.0),
            ("=ARRAYFORMULA(SUMPRODUCT(A2:A3,B2:B3))", 15.0),
            ("=ARRAYFORMULA(SUMPRODUCT(A1:A1,B1:B1))", "#VALUE!"),
            ("=ARRAYFORMULA(SUMPRODUCT(A2:A2,B2:B2))", 15.0),
            ("=ARRAYFORMULA(SUMPRODUCT((A1:A3=5)*B1:B3))", 3.0),
            ("=ARRAYFORMULA(SUMPRODUCT(B1:B3,B1:B3))", 4 + 9 + 16.0),
        ],
        constants=[(1, 1, "4"), (2, 1, 5.0), (3, 1, True), (1, 2, 2.0), (2, 2, 3.0), (3, 2, 4.0)],
    )
