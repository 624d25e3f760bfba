"""The scanner of :mod:`xlimport._fastsheet` against the lxml pass of the reader.

Every workbook is read twice, with ``XLIMPORT_SHEET_READER=lxml`` and with the default (the
scanner, falling back to lxml for what it does not handle), and the two results must be the
same field by field, or the same error. The targeted cases are raw sheet XML parts; each also
says whether the scanner must read it itself or hand it to lxml.
"""

from __future__ import annotations

import logging
import math
import zipfile
from pathlib import Path

import pytest

from xlimport import _fastsheet
from xlimport.errors import XlImportError
from xlimport.reader import SHEET_READER_ENV, ReaderLimits, read_workbook

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "files"
GENERATED = SHARED / "generated"

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
STYLES = (
    f'<styleSheet xmlns="{NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.000"/>'
    '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    "</cellXfs></styleSheet>"
)
SHEET_FIELDS = (
    "name", "index", "state", "dimension", "rows", "cols", "types", "values", "formulas",
    "formats", "array_ranges", "data_tables", "hidden_rows", "filtered_rows", "max_row",
    "max_col",
)  # fmt: skip


# ---- builders --------------------------------------------------------------------------------
def _rels(rels: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"/>'
        for rid, kind, target in rels
    )
    return f'<?xml version="1.0"?><Relationships xmlns="{PKG_NS}">{items}</Relationships>'


def sheet_xml(rows: str, before: str = "", after: str = "", root_attrs: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}" xmlns:r="{R_NS}"'
        f' xmlns:x14ac="{X14AC}"{root_attrs}>{before}<sheetData>{rows}</sheetData>{after}'
        "</worksheet>"
    )


def write_book(path: Path, sheets: list[str | bytes], shared_strings=("zero", "one", "two")):
    """A workbook whose sheets are the given raw sheet parts (str is written as UTF-8)."""
    parts: dict[str, str | bytes] = {}
    sheet_els, rels = [], []
    for i, xml in enumerate(sheets, start=1):
        sheet_els.append(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>')
        rels.append((f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml"))
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    rels.append(("rIdS", "sharedStrings", "sharedStrings.xml"))
    items = "".join(f"<si><t>{s}</t></si>" for s in shared_strings)
    parts["xl/sharedStrings.xml"] = f'<sst xmlns="{NS}">{items}</sst>'
    rels.append(("rIdT", "styles", "styles.xml"))
    parts["xl/styles.xml"] = STYLES
    parts["[Content_Types].xml"] = CONTENT_TYPES
    parts["_rels/.rels"] = _rels([("rId1", "officeDocument", "xl/workbook.xml")])
    parts["xl/_rels/workbook.xml.rels"] = _rels(rels)
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{R_NS}">'
        f"<sheets>{''.join(sheet_els)}</sheets></workbook>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return path


# ---- the comparison --------------------------------------------------------------------------
def _read(path: Path, mode: str, monkeypatch, **kw):
    monkeypatch.setenv(SHEET_READER_ENV, mode)
    try:
        return read_workbook(path, **kw)
    except XlImportError as exc:
        return exc


def _same_value(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def read_both(path: Path, monkeypatch, caplog, **kw):
    """(lxml result, scanner result, whether the scanner handed a sheet to lxml)."""
    old = _read(path, "lxml", monkeypatch, **kw)
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="xlimport.reader"):
        new = _read(path, "fast", monkeypatch, **kw)
    fell_back = any("read with lxml" in r.getMessage() for r in caplog.records)
    assert_same(old, new)
    return old, new, fell_back


def assert_same(old, new) -> None:
    if isinstance(old, Exception) or isinstance(new, Exception):
        assert type(old) is type(new), (old, new)
        assert str(old) == str(new)
        return
    assert old.warnings == new.warnings
    assert len(old.sheets) == len(new.sheets)
    for a, b in zip(old.sheets, new.sheets, strict=True):
        for field in SHEET_FIELDS:
            x, y = getattr(a, field), getattr(b, field)
            if field == "values":
                assert len(x) == len(y), (a.name, field)
                bad = [
                    i for i, (p, q) in enumerate(zip(x, y, strict=True)) if not _same_value(p, q)
                ]
                assert not bad, (a.name, field, bad[:5], [(x[i], y[i]) for i in bad[:5]])
            else:
                assert x == y, (a.name, field)
    assert old.tables == new.tables


# ---- every real workbook ---------------------------------------------------------------------
def _workbooks() -> list[Path]:
    found = []
    for folder in (CORPUS, GENERATED):
        if folder.is_dir():
            found.extend(sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".xlsm")))
    return found


@pytest.fixture(params=["lane from 64 KB", "lane always"])
def lane(request, monkeypatch):
    """The scanner as shipped (rows read in bulk from 64 KB of them), and with the bulk lane
    tried on every run of whole rows, however short (so that every workbook and case goes
    through it where its form allows)."""
    if request.param == "lane always":
        monkeypatch.setattr(_fastsheet, "_LANE_MIN", 0)
    return request.param


@pytest.mark.skipif(not _workbooks(), reason="the shared corpus is absent")
@pytest.mark.parametrize("path", _workbooks(), ids=lambda p: p.name)
def test_corpus_workbook_reads_the_same(path, lane, monkeypatch, caplog):
    read_both(path, monkeypatch, caplog)


# ---- targeted cases --------------------------------------------------------------------------
FAST = True
LXML = False
CASES: dict[str, tuple[str | bytes, bool]] = {
    "entities and references in formulas": (
        sheet_xml(
            '<row r="1"><c r="A1"><f>IF(B1&gt;1,"a&amp;b&lt;&quot;&apos;",'
            '"&#x41;&#66;&#169;&#x1F600;")</f><v>1</v></c>'
            '<c r="B1" t="str"><f>"x"&amp;"y"</f><v>x&amp;y</v></c></row>'
        ),
        FAST,
    ),
    "inline strings": (
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>a&lt;b &#169; _x000D_ ü</t></is></c>'
            '<c r="B1" t="inlineStr"><is><r><rPr><b/><sz val="11"/></rPr>'
            '<t xml:space="preserve">rich </t></r><r><t>runs</t></r>'
            '<rPh sb="0" eb="1"><t>phonetic</t></rPh><phoneticPr fontId="1"/></is></c>'
            '<c r="C1" t="inlineStr"><v>from v</v></c>'
            '<c r="D1" t="inlineStr"/><c r="E1" t="inlineStr"><is/></c>'
            '<c r="F1"><is><t>is without t</t></is></c></row>'
        ),
        FAST,
    ),
    "every cell type": (
        sheet_xml(
            '<row r="1"><c r="A1" t="str"><f>CHAR(13)</f><v>a_x000D_b_x005F_x0041_</v></c>'
            '<c r="B1" t="str"><f>""</f><v></v></c><c r="C1" t="str"><f>X</f></c>'
            '<c r="D1" t="e"><v>#DIV/0!</v></c><c r="E1" t="e"><v>#WHAT</v></c>'
            '<c r="F1" t="b"><v>1</v></c><c r="G1" t="b"><v>0</v></c>'
            '<c r="H1" t="b"><v>TRUE</v></c><c r="I1" t="b"><v/></c>'
            '<c r="J1" t="d"><v>2024-01-31T12:00:00</v></c><c r="K1" t="d"><v>12:30:00</v></c>'
            '<c r="L1" t="d"><v>not a date</v></c><c r="M1" t="d"><v></v></c>'
            '<c r="N1" t="s"><v>2</v></c><c r="O1" t="s"><v/></c><c r="P1" t="n"><v>1e3</v></c>'
            '<c r="Q1" t="weird"><v>kept</v></c><c r="R1" t="weird"><f>1</f></c>'
            '<c r="S1" s="1"><v>45322.5</v></c><c r="T1" s="2"><v>1.5</v></c>'
            '<c r="U1" s="99"><v>2</v></c><c r="V1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
            '<c r="W1"><v> 7 </v></c></row>'
        ),
        FAST,
    ),
    "shared formulas, anchors after members, missing groups": (
        sheet_xml(
            '<row r="1"><c r="B1"><f t="shared" si="0"/><v>2</v></c>'
            '<c r="C1"><f t="shared" si="7"/><v>3</v></c></row>'
            '<row r="2"><c r="A2"><f t="shared" ref="A2:B3" si="0">$A1+B$1+SUM(A:A)+1:1</f>'
            "<v>1</v></c>"
            '<c r="B2"><f t="shared" si="0"/><v>1</v></c></row>'
            '<row r="3"><c r="A3"><f t="shared" si="0"/><v>1</v></c>'
            '<c r="B3"><f t="shared" si="0" ref="B3:B4">A1*2</f><v>1</v></c>'
            '<c r="C3"><f t="shared" si="0"/><v>1</v></c></row>'
        ),
        FAST,
    ),
    "array formulas and data tables": (
        sheet_xml(
            '<row r="1"><c r="A1"><f t="array" ref="A1:A2">B1:B2*2</f><v>2</v></c>'
            '<c r="B1"><f t="array"/><v>1</v></c><c r="C1"><f t="array">{1,2}</f><v>1</v></c>'
            '<c r="D1"><f t="dataTable" ref="D1:E2" dt2D="1" dtr="1" r1="A1" r2="B1"/>'
            "<v>5</v></c>"
            '<c r="E1"><f/><v>9</v></c><c r="F1"><f></f></c><c r="G1"><f>=1+1</f><v>2</v></c>'
            '<c r="H1"><f t="normal" ca="1">NOW()</f><v>1</v></c>'
            '<c r="I1"><f t="other">X</f><v>1</v></c></row>'
        ),
        FAST,
    ),
    "rows and cells without r": (
        sheet_xml(
            '<row><c><v>1</v></c><c><v>2</v></c><c r="E1"><v>3</v></c><c><v>4</v></c></row>'
            '<row r="5"><c><v>5</v></c><c r="C5"/><c><v>6</v></c></row>'
            "<row><c><v>7</v></c></row>"
            '<row r="9"/><row><c r="B10"><v>8</v></c></row><row r=""><c><v>9</v></c></row>'
        ),
        FAST,
    ),
    "hidden rows and an applied AutoFilter": (
        sheet_xml(
            '<row r="1" spans="1:2" x14ac:dyDescent="0.25"><c r="A1"><v>1</v></c></row>'
            '<row r="2" hidden="1"><c r="A2"><v>2</v></c></row>'
            '<row r="3" hidden="true" ht="0" customHeight="1"><c r="A3"><v>3</v></c></row>'
            '<row r="4" hidden="false"><c r="A4"><v>4</v></c></row>'
            '<row r="5" hidden=" TRUE "/><row r="20" hidden="1"/>',
            before='<dimension ref="A1:A5"/>',
            after='<autoFilter ref="A1:A6"><filterColumn colId="0"><filters><filter val="1"/>'
            '</filters></filterColumn></autoFilter><customSheetViews><customSheetView guid="{1}">'
            '<autoFilter ref="A1:A20"><filterColumn colId="0"/></autoFilter></customSheetView>'
            "</customSheetViews>",
        ),
        FAST,
    ),
    "AutoFilter without filterColumn": (
        sheet_xml(
            '<row r="2" hidden="1"><c r="A2"><v>2</v></c></row>', after='<autoFilter ref="A1:A6"/>'
        ),
        FAST,
    ),
    "whitespace, newlines, single quotes, CRLF": (
        sheet_xml(
            "\r\n  <row\r\n r='1'\t spans = \"1:3\" >\r\n"
            "    <c\n r = 'A1'\n\ts='2' >\n      <f  aca='false' >A2\r\n+1</f >\n"
            "      <v >3</v >\n    </c >\n"
            "    <c r=\"B1\" t='inlineStr'><is><t>line\r\nbreak\rend</t></is></c>\n"
            '    <c r="C1" t="str"><f>"a"</f><v>x\r\ny&#13;&#10;z</v></c>\n'
            '    <c r="D1" s="1" t="s" cm="1" vm="1"><v>0</v></c>\n'
            '    <c t="s" s="0" r="E1"><v>1</v></c>\n'
            "  </row >\r\n"
        ),
        FAST,
    ),
    "self-closing cells and values": (
        sheet_xml(
            '<row r="1"><c r="A1"/><c r="B1" s="1"/><c r="C1"><v/></c><c r="D1" t="s"><v/></c>'
            '<c r="E1"><f>1</f><v/></c><c r="F1"></c><c r="G1">  </c></row><row r="2"/>'
        ),
        FAST,
    ),
    "lower-case references, leading zeros, tab in r": (
        sheet_xml('<row r="1"><c r="b1"><v>1</v></c><c r="C01"><v>2</v></c></row>'),
        FAST,
    ),
    "empty sheetData": (sheet_xml("", before='<dimension ref="A1"/>'), FAST),
    "self-closing sheetData": (
        f'<?xml version="1.0"?><worksheet xmlns="{NS}"><dimension ref="A1"/><sheetData/>'
        '<autoFilter ref="A1:B2"><filterColumn colId="1"/></autoFilter></worksheet>',
        FAST,
    ),
    "no XML declaration, UTF-8 BOM": (
        b"\xef\xbb\xbf"
        + f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        "\u00e9\u4e2d\U0001f600</t></is></c></row></sheetData></worksheet>".encode(),
        FAST,
    ),
    "prefixed elements (x:c)": (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{NS}"><x:sheetData><x:row r="1">'
        '<x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>",
        LXML,
    ),
    "a prefixed cell among plain ones": (
        sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c><y:c xmlns:y="' + NS + '" r="B1"><y:v>2</y:v></y:c>'
            "</row>"
        ),
        LXML,
    ),
    "a namespace declaration on a row": (
        sheet_xml('<row r="1" xmlns:q="urn:q" q:x="1"><c r="A1"><v>1</v></c></row>'),
        LXML,
    ),
    "a comment inside sheetData": (
        sheet_xml('<row r="1"><!-- note --><c r="A1"><v>1</v></c></row>'),
        LXML,
    ),
    "a CDATA section in a value": (
        sheet_xml('<row r="1"><c r="A1" t="str"><f>"a"</f><v><![CDATA[a<b]]></v></c></row>'),
        LXML,
    ),
    "extLst in a cell": (
        sheet_xml('<row r="1"><c r="A1"><v>1</v><extLst><ext uri="u"/></extLst></c></row>'),
        LXML,
    ),
    "value before formula": (
        sheet_xml('<row r="1"><c r="A1"><v>1</v><f>2</f></c></row>'),
        LXML,
    ),
    "dimension after sheetData": (
        sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', after='<dimension ref="A1:Z9"/>'),
        LXML,
    ),
    "Latin-1 encoding": (
        f'<?xml version="1.0" encoding="ISO-8859-1"?><worksheet xmlns="{NS}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>caf\xe9</t></is></c></row>'
        "</sheetData></worksheet>".encode("latin-1"),
        LXML,
    ),
    "cells after sheetData": (
        sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c></row>',
            after='<row r="3"><c r="A3"><v>3</v></c></row>',
        ),
        LXML,
    ),
    # malformed or over a limit: the lxml pass raises its own error
    "an undeclared attribute prefix": (
        sheet_xml('<row r="1" q:x="1"><c r="A1"><v>1</v></c></row>'),
        LXML,
    ),
    "a repeated attribute": (
        sheet_xml('<row r="1"><c r="A1" s="1" s="2"><v>1</v></c></row>'),
        LXML,
    ),
    "a repeated r in other spelling": (
        sheet_xml('<row r="1"><c r="A1" r=\'A2\'><v>1</v></c></row>'),
        LXML,
    ),
    "an undefined entity": (sheet_xml('<row r="1"><c r="A1"><f>&nbsp;</f></c></row>'), LXML),
    "a reference to a control character": (
        sheet_xml('<row r="1"><c r="A1" t="str"><f>"a"</f><v>&#1;</v></c></row>'),
        LXML,
    ),
    "a raw control character": (
        sheet_xml('<row r="1"><c r="A1" t="str"><f>"a"</f><v>a\x02b</v></c></row>'),
        LXML,
    ),
    "]]> in content": (sheet_xml('<row r="1"><c r="A1"><f>"]]>"</f></c></row>'), LXML),
    "invalid UTF-8": (
        sheet_xml('<row r="1"><c r="A1" t="str"><f>"a"</f><v>XX</v></c></row>')
        .encode()
        .replace(b"XX", b"\xc3\x28"),
        LXML,
    ),
    "unclosed cell": (sheet_xml('<row r="1"><c r="A1"><v>1</v></row>'), LXML),
    "a DTD": (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "b">]>'
        f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        "</sheetData></worksheet>",
        LXML,
    ),
    "row out of range": (sheet_xml('<row r="1"><c r="A1048577"><v>1</v></c></row>'), LXML),
    "row zero": (sheet_xml('<row r="1"><c r="A0"><v>1</v></c></row>'), LXML),
    "column out of range": (sheet_xml('<row r="1"><c r="XFE1"><v>1</v></c></row>'), LXML),
    "a bad row number": (sheet_xml('<row r="x"><c r="A1"><v>1</v></c></row>'), LXML),
    "a bad number": (sheet_xml('<row r="1"><c r="A1"><v>1,5</v></c></row>'), LXML),
    "a shared string out of range": (
        sheet_xml('<row r="1"><c r="A1" t="s"><v>99</v></c></row>'),
        LXML,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_targeted_case(case, lane, tmp_path, monkeypatch, caplog):
    xml, fast = CASES[case]
    path = write_book(
        tmp_path / "book.xlsx", [xml, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')]
    )
    old, new, fell_back = read_both(path, monkeypatch, caplog)
    assert fell_back is (not fast), case
    if fast:
        assert not isinstance(new, Exception), new


def test_the_cases_read_what_they_should(tmp_path, monkeypatch):
    """A few values checked by hand, so that both paths being wrong alike cannot pass."""
    path = write_book(
        tmp_path / "book.xlsx",
        [
            CASES["entities and references in formulas"][0],
            CASES["whitespace, newlines, single quotes, CRLF"][0],
        ],
    )
    data = read_workbook(path)
    s1, s2 = data.sheets
    assert s1.formulas[0] == 'IF(B1>1,"a&b<\\"\'","AB\u00a9\U0001f600")'.replace('\\"', '"')
    assert s1.values[1] == "x&y"
    got = {
        (r, c): (t, v, f)
        for r, c, t, v, f in zip(s2.rows, s2.cols, s2.types, s2.values, s2.formulas, strict=True)
    }
    assert got[(1, 1)] == ("n", 3.0, "A2\n+1")
    assert got[(1, 2)] == ("s", "line\nbreak\nend", None)
    assert got[(1, 3)] == ("s", "x\ny\r\nz", '"a"')


def test_limits_give_the_same_errors(tmp_path, monkeypatch, caplog):
    rows = "".join(
        f'<row r="{i}"><c r="A{i}"><f>SUM(B1:B9)</f><v>1</v></c></row>' for i in range(1, 50)
    )
    deep = "(" * 60 + "1" + ")" * 60
    path = write_book(
        tmp_path / "book.xlsx",
        [sheet_xml(rows), sheet_xml(f'<row r="1"><c r="A1"><f>{deep}</f></c></row>')],
    )
    for limits in (
        ReaderLimits(max_cells=20),
        ReaderLimits(max_cells=49),
        ReaderLimits(max_formula_length=9),
        ReaderLimits(max_formula_depth=50),
    ):
        old, new, _ = read_both(path, monkeypatch, caplog, limits=limits)
        assert isinstance(old, XlImportError), limits
    old, new, fell_back = read_both(path, monkeypatch, caplog, limits=ReaderLimits(max_cells=50))
    assert not fell_back and not isinstance(new, Exception)


def test_a_sheet_over_many_blocks(tmp_path, monkeypatch, caplog):
    """Several MB of sheet XML: cells cut at every block boundary are carried over."""
    parts = []
    for i in range(1, 40001):
        hidden = ' hidden="1"' if i % 97 == 0 else ""
        parts.append(
            f'<row r="{i}" spans="1:4" x14ac:dyDescent="0.25"{hidden}>'
            f'<c r="A{i}" s="2"><v>{i * 1.25}</v></c>'
            f'<c r="B{i}"><f>A{i}*2&amp;"&lt;x&gt;"</f><v>{i}</v></c>'
            f'<c r="C{i}" t="s"><v>{i % 3}</v></c>'
            f'<c r="D{i}" t="inlineStr"><is><t>t{i} \u00e9</t></is></c></row>'
        )
    xml = sheet_xml("".join(parts), before='<dimension ref="A1:D40000"/>')
    assert len(xml.encode()) > 5 * (1 << 20)
    path = write_book(tmp_path / "big.xlsx", [xml])
    old, new, fell_back = read_both(path, monkeypatch, caplog)
    assert not fell_back
    assert len(new.sheets[0].rows) == 160000


def test_a_progress_callback_error_is_not_swallowed(tmp_path, monkeypatch):
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 20000))
    path = write_book(tmp_path / "book.xlsx", [sheet_xml(rows)])

    class Stop(Exception):
        pass

    calls = []

    def progress(fraction, message):
        calls.append(message)
        if "cells read" in message:
            raise Stop(message)

    monkeypatch.setenv(SHEET_READER_ENV, "fast")
    with pytest.raises(Stop):
        read_workbook(path, progress=progress)
    assert len([c for c in calls if "cells read" in c]) == 1


class _Counting:
    """The lane's pattern, counting the runs of rows it is given."""

    def __init__(self, pattern) -> None:
        self.pattern, self.calls = pattern, 0

    def findall(self, data: bytes) -> list:
        self.calls += 1
        return self.pattern.findall(data)


def test_rows_read_in_bulk_read_what_the_xml_parser_reads(tmp_path, monkeypatch, caplog):
    """Megabytes of rows in the form Excel and LibreOffice write, read in bulk by the lane:
    shared formulas (a member before its anchor too), array formulas, data tables, every cell
    type, entities and character references, a CR, a leading "=", empty formula elements,
    dates, hidden rows, empty styled cells; and rows the lane gives back to the scan (an
    attribute it does not read, whitespace between elements), after which it reads again."""
    parts = []
    for i in range(1, 12001):
        hidden = ' hidden="1"' if i % 89 == 0 else ""
        cells = [
            f'<c r="A{i}" s="1" t="n"><v>{40000 + i}</v></c>',  # a date (style 1)
            f'<c r="B{i}" s="2"><f aca="false">A{i}*2&amp;"&lt;x&gt;"</f><v>{i}</v></c>',
            f'<c r="C{i}" t="s"><v>{i % 3}</v></c>',
            f'<c r="D{i}" t="str"><f>"t"&amp;A{i}</f><v>t{i} &#233;&amp;</v></c>',
            f'<c r="E{i}" t="b"><v>{i % 2}</v></c>',
            f'<c r="F{i}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
            f'<c r="G{i}" s="2"/>',
        ]
        if i <= 400 and i % 50 == 1:  # a shared formula anchored here, its members below
            cells.append(
                f'<c r="H{i}"><f t="shared" ref="H{i}:H{i + 9}" si="{i}">A{i}+1</f><v>1</v></c>'
            )
        elif i <= 400 and i % 50 <= 9:
            cells.append(f'<c r="H{i}"><f t="shared" si="{i - i % 50 + 1}"/><v>1</v></c>')
        if i <= 2000 and i % 500 == 0:
            cells.append(
                f'<c r="I{i}"><f t="array" ref="I{i}:I{i + 1}">A{i}:A{i + 1}*2</f><v>2</v></c>'
            )
            cells.append(f'<c r="J{i}"><f>=SUM(A1:A{i})&#13;+1</f><v>3</v></c>')
            cells.append(f'<c r="K{i}"><f></f><v>4</v></c><c r="L{i}"><f/><v>5</v></c>')
            cells.append(f'<c r="M{i}" t="d"><v>2024-01-0{i % 9 + 1}T00:00:00</v></c>')
        if i % 1000 == 0:  # a leading "=" among plain formulas
            cells.append(f'<c r="Q{i}"><f>=B{i}+1</f><v>1</v></c>')
        if i == 3000:
            cells.append(f'<c r="N{i}" cm="1"><f>SEQUENCE(2)</f><v>1</v></c>')  # given back
        if i == 7000:
            cells.append(f' <c r="N{i}"><v>1</v></c>')  # whitespace: given back
        if i == 9000:  # a member of a shared formula whose anchor comes later
            cells.append(f'<c r="O{i}"><f t="shared" si="999999"/><v>1</v></c>')
        if i == 9001:
            cells.append(
                f'<c r="O{i}"><f t="shared" ref="O9000:O9001" si="999999">A2</f><v>1</v></c>'
            )
        if i == 9500:
            cells.append(
                f'<c r="P{i}"><f t="dataTable" ref="P{i}:P{i + 1}" dt2D="0" dtr="0" '
                f'r1="A1"/><v>7</v></c>'
            )
        parts.append(
            f'<row r="{i}" spans="1:16" x14ac:dyDescent="0.25"{hidden}>{"".join(cells)}</row>'
        )
    xml = sheet_xml("".join(parts), before='<dimension ref="A1:P12000"/>')
    assert len(xml.encode()) > 3 * (1 << 20)
    path = write_book(tmp_path / "big.xlsx", [xml])
    counting = _Counting(_fastsheet._LANE)
    monkeypatch.setattr(_fastsheet, "_LANE", counting)
    old, new, fell_back = read_both(path, monkeypatch, caplog)
    assert not fell_back
    assert counting.calls >= 4  # the lane read most runs, and read again after each give-back
    sheet = new.sheets[0]
    got = {
        (r, c): (t, v, f)
        for r, c, t, v, f in zip(
            sheet.rows, sheet.cols, sheet.types, sheet.values, sheet.formulas, strict=True
        )
    }
    assert got[(10, 2)] == ("n", 10.0, 'A10*2&"<x>"')
    assert got[(10, 4)] == ("s", "t10 \u00e9&", '"t"&A10')
    assert got[(10, 1)][0] == "d" and (10, 7) not in got
    assert got[(3, 8)][2] == "A3+1"  # a shared formula member, moved to its row
    assert got[(500, 10)][2] == "SUM(A1:A500)\r+1"  # a reference, not a line end
    assert got[(500, 11)] == ("n", 4.0, None) and got[(500, 12)] == ("n", 5.0, None)
    assert got[(9000, 15)][2] == "A1"  # its anchor's A2, a row up
    assert got[(11000, 17)][2] == "B11000+1" and got[(11000, 2)][2] == 'A11000*2&"<x>"'
    assert 89 in sheet.hidden_rows and 12000 - 12000 % 89 in sheet.hidden_rows
