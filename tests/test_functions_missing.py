"""Functions HyperFormula 3.5.0 lacks, added as plugins (hyperformula/functions/engineering.js,
lookup_extra.js, text_extra.js, stats_extra.js, info.js), give what Excel gives.

Expected values come from Microsoft's documentation examples of each function and from the values
Excel cached in workbooks of the shared corpus.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import xlimport
from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet
from xlimport.store.base import CellFilter

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "files"

NA, VALUE, NUM, DIV0 = "#N/A", "#VALUE!", "#NUM!", "#DIV/0!"

# (formula, what Excel gives); numbers compared to 1e-9 relative
CASES: list[tuple[str, Any]] = [
    # CONVERT (Microsoft's examples, prefixes, binary prefixes, temperatures)
    ('=CONVERT(1,"lbm","kg")', 0.45359237),
    ('=CONVERT(68,"F","C")', 20.0),
    ('=CONVERT(2.5,"ft","sec")', NA),
    ('=CONVERT(CONVERT(100,"ft","m"),"ft","m")', 9.290304),
    ('=CONVERT(1,"km","m")', 1000.0),
    ('=CONVERT(1,"km2","m2")', 1e6),
    ('=CONVERT(1,"m3","l")', 1000.0),
    ('=CONVERT(1,"kibyte","bit")', 8192.0),
    ('=CONVERT(100,"C","K")', 373.15),
    ('=CONVERT(1,"pc","m")', 30856775812815500.0),  # an exact unit wins: parsec
    ('=CONVERT(1,"pc","J")', 4.184e-12),  # beside joules: picocalorie
    ('=CONVERT(1,"mi","ft")', 5280.0),
    ('=CONVERT(1,"xyz","m")', NA),
    ('=CONVERT(TRUE(),"C","F")', VALUE),
    # GESTEP, ERF.PRECISE, ERFC.PRECISE
    ("=GESTEP(5,4)", 1.0),
    ("=GESTEP(5,5)", 1.0),
    ("=GESTEP(-4,-5)", 1.0),
    ("=GESTEP(-1)", 0.0),
    ("=ERF.PRECISE(0.745)", 0.707928920),
    ("=ERF.PRECISE(1)", 0.842700793),
    ("=ERFC.PRECISE(1)", 0.157299207),
    # LOOKUP: vector and array forms
    ('=LOOKUP(4.19,{4.14,4.19,5.17,5.77,6.39},{"red","orange","yellow","green","blue"})', "orange"),
    ('=LOOKUP(5,{4.14,4.19,5.17,5.77,6.39},{"red","orange","yellow","green","blue"})', "orange"),
    ('=LOOKUP(7.66,{4.14,4.19,5.17,5.77,6.39},{"red","orange","yellow","green","blue"})', "blue"),
    ('=LOOKUP(0,{4.14,4.19,5.17,5.77,6.39},{"red","orange","yellow","green","blue"})', NA),
    ('=LOOKUP("C",{"a","b","c","d";1,2,3,4})', 3.0),
    ('=LOOKUP("bump",{"a",1;"b",2;"c",3})', 2.0),
    ("=LOOKUP(2,{1,2,2,2,3},{10,20,30,40,50})", 40.0),  # last of equal keys
    ("=ARRAYFORMULA(LOOKUP(2,1/{1,0,1,0},{10,20,30,40}))", 30.0),  # the last-match idiom
    ('=LOOKUP(4.1,{"b",4.1,"a",1.1},{"L","ML","MR","R"})', "ML"),  # corpus: mixed types
    ('=LOOKUP(20,{"b",4.1,"a",1.1},{"L","ML","MR","R"})', "R"),
    # XMATCH
    ('=XMATCH("Gra?e",{"Apple","Grape","Pear"},2)', 2.0),
    ("=XMATCH(4,{5,4,3},0)", 2.0),
    ("=XMATCH(4.5,{1,2,3,4,5},-1)", 4.0),
    ("=XMATCH(4.5,{1,2,3,4,5},1)", 5.0),
    ("=XMATCH(7,{1,2,3,4,5})", NA),
    ("=XMATCH(2,{1,2,2,3},0,-1)", 3.0),
    ("=XMATCH(4,{1,2,3,4,5},0,2)", 4.0),
    ("=XMATCH(4,{5,4,3,2,1},0,-2)", 2.0),
    # CONCAT and the REGEX functions
    ('=CONCAT("The"," ","sun"," ","will come up tomorrow.")', "The sun will come up tomorrow."),
    ("=CONCAT({1,2;3,4},0.5,1/3)", "12340.50.333333333333333"),
    ('=REGEXTEST("alpha","^[a-z]+$")', True),
    ('=REGEXTEST("Alpha","^[a-z]+$")', False),
    ('=REGEXTEST("Alpha","^[a-z]+$",1)', True),
    ('=REGEXTEST("Alpha","^[a-z]+$",2)', VALUE),
    ('=REGEXTEST("abc","(")', VALUE),
    ('=REGEXEXTRACT("DylanWilliams","[A-Z][a-z]+")', "Dylan"),
    ('=REGEXEXTRACT("abc","[0-9]+")', NA),
    ('=REGEXREPLACE("Sonia Rees (378) 555-4195","[0-9]{3}-","***-")', "Sonia Rees (378) ***-4195"),
    ('=REGEXREPLACE("a1b2c3","[0-9]","#",2)', "a1b#c3"),
    ('=REGEXREPLACE("a1b2c3","[0-9]","#",-1)', "a1b2c#"),
    ('=REGEXREPLACE("Mary Jones","(\\w+) (\\w+)","$2, $1")', "Jones, Mary"),
    # TEXTBEFORE / TEXTAFTER (Microsoft's examples)
    ('=TEXTBEFORE("Little Red Riding Hood\'s red hood","Red")', "Little "),
    ('=TEXTBEFORE("Little Red Riding Hood\'s red hood","red",-2,1)', "Little "),
    ('=TEXTBEFORE("Little Red Riding Hood\'s red hood","Red",,0)', "Little "),
    ('=TEXTBEFORE("Little Red Riding Hood\'s red hood","red",2,1)', "Little Red Riding Hood's "),
    ('=TEXTAFTER("Little Red Riding Hood\'s red hood","Hood")', "'s red hood"),
    ('=TEXTAFTER("Little Red Riding Hood\'s red hood","hood")', ""),  # case-sensitive
    ('=TEXTAFTER("Little Red Riding Hood\'s red hood","HOOD",1,1)', "'s red hood"),
    ('=TEXTAFTER("Little Red Riding Hood\'s red hood","basket")', NA),
    ('=TEXTAFTER("Little Red Riding Hood\'s red hood","basket",,,,"none")', "none"),
    ('=TEXTAFTER("Little Red Riding Hood\'s red hood","red",-1)', " hood"),
    ('=TEXTBEFORE("abc","c",5)', VALUE),
    ('=TEXTBEFORE("a b","x",1,0,1)', "a b"),  # match_end: the end counts as a delimiter
    ('=TEXTAFTER("1,2;3",{",",";"},2)', "3"),
    # VALUETOTEXT, ARRAYTOTEXT, NUMBERVALUE
    ('=VALUETOTEXT("Hello",1)', '"Hello"'),
    ("=VALUETOTEXT(1234.01234,0)", "1234.01234"),
    ("=VALUETOTEXT(1/0)", DIV0),
    ('=ARRAYTOTEXT({1,"b";3,4})', "1, b, 3, 4"),
    ('=ARRAYTOTEXT({1,"b";3,4},1)', '{1,"b";3,4}'),
    ('=NUMBERVALUE("2.500,27",",",".")', 2500.27),
    ('=NUMBERVALUE("3.5%")', 0.035),
    ('=NUMBERVALUE("  1 000 ")', 1000.0),
    ('=NUMBERVALUE("1.2.3")', VALUE),
    ('=NUMBERVALUE("")', 0.0),
    # ERROR.TYPE, TYPE
    ("=ERROR.TYPE(1/0)", 2.0),
    ("=ERROR.TYPE(NA())", 7.0),
    ("=ERROR.TYPE(5)", NA),
    ("=TYPE(2)", 1.0),
    ('=TYPE("Smith")', 2.0),
    ("=TYPE(TRUE())", 4.0),
    ("=TYPE(1/0)", 16.0),
    ("=TYPE({1,2})", 64.0),
    # statistics (Microsoft's examples)
    ('=AVERAGEIFS({75,94,86},{1,2,3},">1")', 90.0),
    ('=AVERAGEIFS({75,94,86},{1,2,3},">5")', DIV0),
    ("=BINOM.DIST.RANGE(60,0.75,48)", 0.083974967),
    ("=BINOM.DIST.RANGE(60,0.75,45,50)", 0.523629793),
    ("=BINOM.DIST.RANGE(60,1.5,45)", NUM),
    ("=PROB({0,1,2,3},{0.2,0.3,0.1,0.4},2)", 0.1),
    ("=PROB({0,1,2,3},{0.2,0.3,0.1,0.4},1,3)", 0.8),
    ("=PROB({0,1},{0.2,0.3},1)", NUM),
    ("=INTERCEPT({2,3,9,1,8},{6,5,11,7,5})", 0.048387097),
    ("=FORECAST(30,{6,7,9,15,21},{20,28,31,38,40})", 10.607253086),
    ("=FORECAST.LINEAR(30,{6,7,9,15,21},{20,28,31,38,40})", 10.607253086),
    ("=PERMUT(100,3)", 970200.0),
    ("=PERMUT(3,2)", 6.0),
    ("=PERMUT(2,3)", NUM),
    ("=PERMUTATIONA(3,2)", 9.0),
    ("=TRIMMEAN({4,5,6,7,2,3,4,5,1,2,3},0.2)", 3.777777778),
    ("=TRIMMEAN({1,2},1)", NUM),
    ("=RANK.EQ(7,{7,3.5,3.5,1,2},1)", 5.0),
    ("=RANK.EQ(2,{7,3.5,3.5,1,2})", 4.0),
    ("=RANK(3.5,{7,3.5,3.5,1,2},1)", 3.0),
    ("=RANK.AVG(94,{89,88,92,101,94,97,95})", 4.0),
    ("=RANK.EQ(9,{1,2})", NA),
    ("=MODE.SNGL({5.6,4,4,3,2,4})", 4.0),
    ("=MODE({1,2,2,1})", 1.0),  # a tie: the first value to appear
    ("=MODE({1,2,3})", NA),
]


def _plain(v: Any) -> Any:
    return v.code if isinstance(v, EngineErrorValue) else v


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return abs(got - want) <= 1e-9 * max(1.0, abs(want))
    return got == want


def test_functions_as_microsoft_documents_them(engine):
    formulas = [(r, 1, f) for r, (f, _) in enumerate(CASES, start=1)]
    engine.load([EngineSheet("F", formulas=formulas)], [], EngineSettings())
    [values] = engine.formula_values()
    wrong = [
        (f, want, _plain(got))
        for (f, want), got in zip(CASES, values, strict=True)
        if not _same(_plain(got), want)
    ]
    assert wrong == []


def test_functions_are_registered(engine):
    names = engine.function_names()
    for name in [
        "CONVERT", "LOOKUP", "XMATCH", "CONCAT", "REGEXTEST", "REGEXEXTRACT", "REGEXREPLACE",
        "TEXTBEFORE", "TEXTAFTER", "TEXTSPLIT", "VALUETOTEXT", "ARRAYTOTEXT", "NUMBERVALUE",
        "ERROR.TYPE", "TYPE", "GESTEP", "ERF.PRECISE", "ERFC.PRECISE", "AVERAGEIFS",
        "BINOM.DIST.RANGE", "PROB", "INTERCEPT", "FORECAST", "FORECAST.LINEAR", "PERMUT",
        "PERMUTATIONA", "TRIMMEAN", "RANK", "RANK.EQ", "RANK.AVG", "MODE", "MODE.SNGL",
    ]:  # fmt: skip
        assert name in names


def test_textsplit_spills_its_parts(engine):
    # the size of a spill must be known before evaluation: a literal, or a constant cell
    # loaded before the formula (left of it or above it); the spilling formulas are array
    # formulas of the file (Excel 365 writes a spill as one), an ordinary formula shows the
    # top-left value only (tests/test_formula_shapes.py)
    formulas = [(1, 1, '=TEXTSPLIT("a,b,c;d,e",",",";")'), (5, 2, '=TEXTSPLIT(A5," ")')]
    constants = [(5, 1, "Dakota Lennon Sanchez")]
    arrays = [(1, 1, 2, 3), (5, 2, 1, 3)]
    engine.load([EngineSheet("S", constants, formulas, arrays=arrays)], [], EngineSettings())
    got = engine.set_and_read(
        [], [("S", r, c) for r in (1, 2) for c in (1, 2, 3)] + [("S", 5, c) for c in (2, 3, 4)]
    )
    assert [_plain(v) for v in got] == ["a", "b", "c", "d", "e", NA, "Dakota", "Lennon", "Sanchez"]


# ---- a small workbook through the whole pipeline -----------------------------------------
def test_regression_workbook_recomputes_new_functions(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r, (key, val) in enumerate([(1, "one"), (3, "three"), (5, "five"), (7, "seven")], 1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, val)
    ws["D1"] = "=LOOKUP(4,A1:A4,B1:B4)"
    ws["D2"] = '=_xlfn.CONCAT(B1:B2,"-",A4)'
    ws["D3"] = '=CONVERT(A4,"km","mi")'
    ws["D4"] = "=_xlfn.XMATCH(5,A1:A4)"
    ws["D5"] = '=_xlfn.TEXTAFTER("2024-06-30","-")'
    ws["D6"] = '=_xlfn.REGEXTEST(B3,"^f")'
    ws["D7"] = '=_xlfn.AVERAGEIFS(A1:A4,B1:B4,"<>one")'
    path = tmp_path / "new_functions.xlsx"
    wb.save(path)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    r = xlimport.import_workbook(path, store=url)
    cells = {c["cell"]: c for c in xlimport.open_store(url).iter_cells(r.model_id, CellFilter())}
    got = {k: cells[k]["calculated_value"] or cells[k]["calculated_text"] for k in cells}
    assert got["D1"] == "three"
    assert got["D2"] == "onethree-7"
    assert got["D3"] == pytest.approx(7 / 1.609344)
    assert got["D4"] == 3
    assert got["D5"] == "06-30"
    assert got["D6"] == 1  # TRUE
    assert got["D7"] == 5
    assert r.stats.unsupported_functions == {}


# ---- the corpus: Excel's cached values ---------------------------------------------------
def _statuses(path: Path, tmp_path: Path, pattern: str) -> Counter:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    r = xlimport.import_workbook(path, store=url, force=True)
    out: Counter = Counter()
    for c in xlimport.open_store(url).iter_cells(r.model_id, CellFilter(has_formula=True)):
        if pattern.upper() in (c["formula"] or "").upper():
            out[c["status"]] += 1
    return out


@pytest.mark.parametrize(
    ("name", "pattern", "matched_at_least", "allowed_other"),
    [
        ("ironcalc__engineering_convert.xlsx", "CONVERT", 357, 0),
        ("ironcalc__text_textbefore_textafter.xlsx", "TEXT", 141, 0),
        ("ironcalc__templates_wordle.xlsx", "REGEXTEST", 659, 0),
        ("ironcalc__text_regex.xlsx", "REGEX", 6, 0),
        ("ironcalc__text_concat.xlsx", "CONCAT", 18, 0),
        ("ironcalc__docs_erf-precise.xlsx", "ERF.PRECISE", 26, 0),
        ("ironcalc__statistical_rank_eq_rank_avg.xlsx", "RANK", 20, 0),
        ("ironcalc__statistical_permut_permutationa.xlsx", "PERMUT", 34, 0),
        ("ironcalc__statistical_trimmean.xlsx", "TRIMMEAN", 18, 0),
        # one residue: PROB of a range whose probabilities are all empty (Excel: #DIV/0!)
        ("ironcalc__statistical_prob.xlsx", "PROB", 26, 1),
        # LOOKUP's residue: cells whose lookup value is a #NULL! constant, which HyperFormula
        # cannot hold (it becomes #N/A), and cells of HLOOKUP/VLOOKUP (not plugins here)
        ("pycel__lookup.xlsx", "=LOOKUP", 20, 20),
        # the LOOKUP-heavy operating model: every formula cell now matches
        ("auditoragents__cfg_prep-oship_self-auditing-model_start.xlsx", "", 6169, 0),
    ],
)
def test_corpus_cells_match_excel(tmp_path, name, pattern, matched_at_least, allowed_other):
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file {name} not present")
    counts = _statuses(path, tmp_path, pattern)
    assert counts["unsupported"] == 0
    assert counts["matched"] >= matched_at_least
    assert sum(counts.values()) - counts["matched"] <= allowed_other
