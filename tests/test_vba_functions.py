"""Workbook-defined VBA functions: reading vbaProject.bin ([MS-CFB] container, [MS-OVBA]
compression), translating simple pure functions, evaluating them in the engine, and the whole
pipeline on a generated .xlsm and on corpus workbooks."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xlimport.engine import EngineErrorValue, EngineSettings, EngineSheet, HyperFormulaEngine
from xlimport.reader import read_workbook
from xlimport.references import AnalysisContext
from xlimport.vba import (
    compress_raw,
    decompress,
    read_vba_modules,
    translate_modules,
    vba_project_functions,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "files"


# ---- a minimal VBA project writer (tests only) ---------------------------------------------------
def _dir_stream(modules: list[str]) -> bytes:
    """A [MS-OVBA] dir stream listing standard modules (stream name = module name, source at
    offset 0): only the records the reader uses, plus the code page."""
    out = bytearray(struct.pack("<HIH", 0x0003, 2, 1252))
    for name in modules:
        raw = name.encode("cp1252")
        out += struct.pack("<HI", 0x0019, len(raw)) + raw
        out += struct.pack("<HI", 0x001A, len(raw)) + raw
        out += struct.pack("<HII", 0x0031, 4, 0)
        out += struct.pack("<HI", 0x0021, 0)
        out += struct.pack("<HI", 0x002B, 0)
    return bytes(out)


def _cfb(storage: str, streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file with one storage holding `streams` (each at least 4096 bytes,
    so no mini stream is needed)."""
    sector = 512
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sect, end]  # sector 0: the FAT, sector 1: the directory
    data = bytearray()
    starts = {}
    for name, content in streams.items():
        assert len(content) >= 4096
        n = -(-len(content) // sector)
        first = len(fat)
        starts[name] = first
        fat += [first + k + 1 for k in range(n - 1)] + [end]
        data += content.ljust(n * sector, b"\x00")
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int):
        raw = (name + "\x00").encode("utf-16-le")
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(raw), kind, 1, left, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    names = list(streams)
    # children of the storage: a chain of right siblings (names in CFB order: length, then text)
    names.sort(key=lambda n: (len(n), n.upper()))
    entries = [entry("Root Entry", 5, nostream, nostream, 1, end, 0)]
    entries.append(entry(storage, 1, nostream, nostream, 2, 0, 0))
    for k, name in enumerate(names):
        right = 3 + k if k + 1 < len(names) else nostream
        entries.append(entry(name, 2, nostream, right, nostream, starts[name], len(streams[name])))
    while len(entries) < 4:  # the rest of the directory sector: unused entries
        entries.append(entry("", 0, nostream, nostream, nostream, 0, 0))
    directory = b"".join(entries)
    assert len(directory) == sector
    header = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIII", 0, 1, 1, 0, 4096, end, 0, end) + struct.pack("<I", 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    assert len(header) == 512
    return bytes(header) + struct.pack("<128I", *fat) + directory + bytes(data)


def vba_project(modules: dict[str, str]) -> bytes:
    streams = {"dir": compress_raw(_dir_stream(list(modules)))}
    for name, source in modules.items():
        streams[name] = compress_raw(source.replace("\n", "\r\n").encode("cp1252"))
    return _cfb("VBA", streams)


# ---- reading ---------------------------------------------------------------------------------------
def test_decompress_spec_example() -> None:
    # [MS-OVBA] 3.2.3: a chunk with literals and copy tokens
    compressed = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30"
        " 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
    )
    assert decompress(compressed) == b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"


def test_raw_chunks_round_trip() -> None:
    text = b"Function F(x)\r\n  F = x * 2\r\nEnd Function\r\n" * 200  # several chunks
    assert decompress(compress_raw(text)).rstrip(b"\x00") == text
    with pytest.raises(ValueError):
        decompress(b"\x02abc")


def test_read_generated_project() -> None:
    source = 'Attribute VB_Name = "Module1"\nFunction Twice(x)\n  Twice = x * 2\nEnd Function\n'
    modules = read_vba_modules(vba_project({"Module1": source}))
    assert list(modules) == ["Module1"]
    assert "Twice = x * 2" in modules["Module1"]
    assert read_vba_modules(b"not an ole file") == {}


# ---- translation -------------------------------------------------------------------------------
def test_outside_the_subset_is_not_translated() -> None:
    source = """
Dim counter As Long
Function UsesState(x)
    counter = counter + 1
    UsesState = counter
End Function
Function UsesSheets(x)
    UsesSheets = Worksheets("A").Range("A1").Value
End Function
Function Unbounded(x)
    Do While x > 0
        x = x - 1
    Loop
End Function
Function OnErr(x)
    On Error Resume Next
    OnErr = 1 / x
End Function
Function CallsBad(x)
    CallsBad = UsesState(x) + 1
End Function
Function Good(ByVal x)
    x = x + 1
    Good = x
End Function
Function ChangesArg(x)
    x = x + 1
End Function
Function CallsChanger(y)
    CallsChanger = ChangesArg(y)
End Function
Function Huge(x)
    Huge = 1E+400
End Function
Sub NotAFunction()
End Sub
"""
    # ChangesArg alone is fine from a cell (its argument is a value there)
    assert [f.name for f in translate_modules({"M": source})] == ["Good", "ChangesArg"]


def test_volatile_and_callees() -> None:
    source = """
Private Function Helper(ByVal a As Double) As Double
    Helper = a * 3
End Function
Public Function Vol(x)
    Application.Volatile
    Vol = Helper(x)
End Function
"""
    fns = {f.name: f for f in translate_modules({"M": source})}
    assert fns["Vol"].volatile and not fns["Helper"].volatile
    assert fns["Vol"].calls == {"HELPER"} and not fns["Helper"].public


# ---- evaluation ----------------------------------------------------------------------------------
MODULE = """
Function BRound(ByVal dblValue As Double, intDecimals As Integer, _
    Optional TemporalFactor As Integer = 1) As Double
    Dim dblPlacesFactor As Double
    dblPlacesFactor = 10 ^ intDecimals
    BRound = (CLng(dblValue * dblPlacesFactor) / dblPlacesFactor) / TemporalFactor
End Function

Function Grade(score)
    Select Case score
        Case Is >= 90: Grade = "A"
        Case 80 To 89.999: Grade = "B"
        Case 50, 60, 70
            Grade = "round"
        Case Else
            Grade = "C"
    End Select
End Function

Function SumTo(n As Long) As Long
    Dim i As Long, total As Long
    For i = 1 To n
        If i > 100 Then Exit For
        total = total + i
    Next i
    SumTo = total
End Function

Function Describe(s As String, Optional upper As Boolean = False) As String
    Dim t As String
    t = Trim(s)
    If Len(t) = 0 Then
        Describe = "empty"
        Exit Function
    ElseIf upper Then
        t = UCase(Left(t, 3)) & Mid(t, 4)
    Else
        t = LCase(t)
    End If
    Describe = t & "/" & Right(t, 2) & "/" & Len(t)
End Function

Function Conv(x)
    Conv = CInt(x) & "|" & Int(-2.5) & "|" & Fix(-2.5) & "|" & Round(2.5) & "|" & Round(3.5) _
        & "|" & (7 \\ 2) & "|" & (-7 Mod 3) & "|" & (True + 1) & "|" & IIf(x > 1, "big", "small")
End Function

Function WsSum(r As Range) As Double
    WsSum = Application.WorksheetFunction.Sum(r) + Application.Max(1, 5)
End Function

Function Fmt(x) As String
    Fmt = Format(x, "0.00") & ";" & Format(x, "Percent")
End Function

Function Cells2(c As Range) As String
    Cells2 = c.NumberFormat & "=" & c.Value
End Function

Function Divide(a, b)
    Divide = a / b
End Function

Function Forever(x)
    Dim i As Long
    For i = 1 To 100000000
    Next
    Forever = 1
End Function

Function IsVol()
    Application.Volatile
    IsVol = 42
End Function
"""


def run_vba(engine: HyperFormulaEngine, source: str, formulas: list[str], constants=()) -> list:
    fns = translate_modules({"Module1": source})
    sheet = EngineSheet("S", list(constants), [(r, 26, f) for r, f in enumerate(formulas, 1)])
    engine.load(
        [sheet],
        [],
        EngineSettings(),
        functions=[f.wire() for f in fns],
        formats={"S": [(1, 1, "0.00%")]},
    )
    [values] = engine.formula_values()
    return [v.code if isinstance(v, EngineErrorValue) else v for v in values]


def test_vba_semantics(engine: HyperFormulaEngine) -> None:
    cases = [
        # banker's rounding in CLng: 2.5 -> 2, 3.5 -> 4 (the Excel ROUND would give 3 and 4)
        ("=BROUND(0.125,2)", 0.12),
        ("=BROUND(0.135,2)", 0.14),
        ("=BROUND(1200,0,12)", 100.0),
        ("=BROUND(A1*100,0)", 50.0),
        ("=GRADE(95)&GRADE(85)&GRADE(60)&GRADE(10)", "ABroundC"),
        ("=SUMTO(10)", 55.0),
        ("=SUMTO(1000)", 5050.0),  # Exit For at 101
        ("=SUMTO(2.5)", 3.0),  # Long parameter: 2.5 -> 2
        ('=DESCRIBE("  Hello World ")', "hello world/ld/11"),
        ('=DESCRIBE("hello",TRUE())', "HELlo/lo/5"),
        ('=DESCRIBE("   ")', "empty"),
        ("=CONV(2.5)", "2|-3|-2|2|4|3|-1|0|big"),
        ("=WSSUM(A1:A3)", 10.5),  # SUM(0.5, 2, 3) + MAX(1, 5)
        ("=FMT(0.1234)", "0.12;12.34%"),
        ("=CELLS2(A1)", "0.00%=0.5"),
        ("=DIVIDE(1,0)", "#VALUE!"),  # a run-time error in a UDF is #VALUE!
        ('=DIVIDE("a",1)', "#VALUE!"),
        ("=DIVIDE(7,2)", 3.5),
        ("=FOREVER(1)", "#VALUE!"),  # over the loop bound
        ("=BROUND(1)", "#VALUE!"),  # a required argument missing
        ("=ISVOL()", 42.0),
    ]
    got = run_vba(engine, MODULE, [f for f, _ in cases], [(1, 1, 0.5), (2, 1, 2.0), (3, 1, 3.0)])
    wrong = [(f, want, g) for (f, want), g in zip(cases, got, strict=True) if g != want]
    assert wrong == []


def test_functions_belong_to_their_workbook(engine: HyperFormulaEngine) -> None:
    assert run_vba(engine, MODULE, ["=SUMTO(3)"]) == [6.0]
    engine.load([EngineSheet("S", [], [(1, 1, "=SUMTO(3)")])], [], EngineSettings())
    [values] = engine.formula_values()
    assert values[0].code == "#NAME?"
    assert "SUMTO" not in engine.ping()["functions"]


# ---- the pipeline ----------------------------------------------------------------------------------
def _import(path: Path, tmp_path: Path) -> tuple[Any, dict[str, dict[str, Any]]]:
    import xlimport
    from xlimport.store.base import CellFilter

    url = f"sqlite:///{tmp_path / 'vba.db'}"
    result = xlimport.import_workbook(path, store=url)
    cells = {
        (c["sheet_name"], c["cell"]): c
        for c in xlimport.open_store(url).iter_cells(result.model_id, CellFilter(has_formula=True))
    }
    return result, cells


def test_generated_xlsm(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = 2.5
    ws["A2"] = 3.5
    ws["B1"] = "=SROUND(A1)"
    ws["B2"] = "=SROUND(A2)+B1"
    ws["B3"] = "=TAG(A1)"
    ws["B4"] = "=UNKNOWNFN(A1)"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    path = tmp_path / "model.xlsm"
    source = (
        'Attribute VB_Name = "Module1"\n'
        "' rounds half to even\n"
        "Function SRound(ByVal v As Double) As Double\n"
        "    SRound = CLng(v)\n"
        "End Function\n"
        "Function Tag(x)\n"
        "    Application.Volatile\n"
        '    Tag = "v" & x\n'
        "End Function\n"
    )
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", vba_project({"Module1": source}))
    result, cells = _import(path, tmp_path)
    assert cells["Sheet", "B1"]["calculated_value"] == 2.0
    assert cells["Sheet", "B2"]["calculated_value"] == 6.0
    assert cells["Sheet", "B3"]["calculated_text"] == "v2.5"
    # Application.Volatile: classified like NOW()
    assert "TAG" in AnalysisContext(read_workbook(path)).volatile_functions
    assert result.stats.unsupported_functions == {"UNKNOWNFN": 1}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
def test_corpus_vba_projects() -> None:
    with zipfile.ZipFile(CORPUS / "poi__integration_stress002.xlsx") as z:
        fns = {f.name.upper(): f for f in vba_project_functions(z.read("xl/vbaProject.bin"))}
    assert {"SROUND", "TROUND", "CROUND", "BROUNDTO", "BROUND"} <= fns.keys()
    with zipfile.ZipFile(CORPUS / "sheetjs__number_format.xlsm") as z:  # Mac code page 10000
        fns = {f.name.upper(): f for f in vba_project_functions(z.read("xl/vbaProject.bin"))}
    assert fns["NUMFMT"].volatile and fns["DOFMT"].volatile


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
@pytest.mark.parametrize(
    ("name", "matched"), [("poi__integration_stress002.xlsx", 606), ("poi__testnames.xlsm", 7)]
)
def test_corpus_cells_match(name: str, matched: int, tmp_path: Path) -> None:
    result, cells = _import(CORPUS / name, tmp_path)
    statuses = [c["status"] for c in cells.values()]
    assert statuses.count("matched") == matched
    assert "unsupported" not in statuses
