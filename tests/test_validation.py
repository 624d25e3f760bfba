from __future__ import annotations

from xlimport.engine.base import EngineErrorValue
from xlimport.validation import (
    ENGINE_ERROR,
    MATCHED,
    MISMATCH,
    NO_CACHED,
    ValidationReport,
    compare,
    excel_round15,
    numbers_match,
)


def test_excel_15_digit_cleaning():
    # 0.1 + 0.2 is 0.30000000000000004 in binary; Excel shows and compares 0.3
    assert excel_round15(0.1 + 0.2) == 0.3
    assert excel_round15(0.0) == 0.0
    assert excel_round15(123456789012345678.0) == 123456789012346000.0


def test_numbers_within_tolerance_relative_and_absolute():
    assert numbers_match(1_000_000.0, 1_000_000.5, 1e-6)  # relative
    assert not numbers_match(1_000_000.0, 1_000_010.0, 1e-6)
    assert numbers_match(1e-9, 0.0, 1e-6)  # absolute
    assert not numbers_match(0.001, 0.002, 1e-6)


def test_compare_rules():
    tol = 1e-6
    assert compare("n", 3.0, 3.0000000001, tol) == MATCHED
    assert compare("n", 3.0, 4.0, tol) == MISMATCH
    assert compare("n", 0.0, None, tol) == MATCHED  # blank reference shows 0
    assert compare("n", 1.0, True, tol) == MISMATCH
    assert compare("n", 1.0, "1", tol) == MISMATCH
    assert compare("d", 45000.0, 45000.0, tol) == MATCHED
    assert compare("s", "abc", "abc", tol) == MATCHED
    assert compare("s", "abc", "ABC", tol) == MISMATCH
    assert compare("s", "", None, tol) == MATCHED
    assert compare("b", True, True, tol) == MATCHED
    assert compare("b", True, 1.0, tol) == MISMATCH
    assert compare("e", "#DIV/0!", EngineErrorValue("#DIV/0!"), tol) == MATCHED
    assert compare("e", "#N/A", EngineErrorValue("#DIV/0!"), tol) == MISMATCH
    assert compare("n", 1.0, EngineErrorValue("#CYCLE!"), tol) == ENGINE_ERROR
    assert compare("n", 1.0, EngineErrorValue("#NAME?", "unknown function"), tol) == ENGINE_ERROR
    assert compare("e", "#NAME?", EngineErrorValue("#NAME?"), tol) == MATCHED
    assert compare("n", 1.0, EngineErrorValue("#VALUE!"), tol) == MISMATCH
    assert compare("e", "#VALUE!", 3.0, tol) == MISMATCH
    assert compare("", None, 3.0, tol) == NO_CACHED


def test_report_counts_and_round_trip():
    rep = ValidationReport(tolerance=1e-6)
    for status in ["matched", "matched", "mismatch", "engine_error", "volatile", "no_cached"]:
        rep.count(status)
    assert (rep.matched, rep.mismatched, rep.engine_errors, rep.not_comparable) == (2, 1, 1, 2)
    assert rep.compared == 4
    assert rep.match_rate == 0.5
    again = ValidationReport.from_dict(rep.to_dict())
    assert again.to_dict() == rep.to_dict()
