"""Fuzzing the reader (mutated zips and sheet XML from a small seed workbook) and the reference
parser. A bounded number of examples by default; more with ``XLIMPORT_FUZZ_EXAMPLES=N``.

The only acceptable outcomes: a result, or an :class:`XlImportError` with a one-line message.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlimport.errors import XlImportError
from xlimport.reader import read_workbook
from xlimport.references import AnalysisContext, analyze
from xlimport.workbook import DefinedName, SheetData, WorkbookData

from .support import _cell, package, sheet_xml

EXAMPLES = int(os.environ.get("XLIMPORT_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="XLIMPORT_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SEED_ROWS = (
    f'<row r="1">{_cell("A1", value="1.5")}{_cell("B1", "A1*2+SUM(A1:A3)")}'
    '<c r="C1" t="s"><v>0</v></c></row>'
    f'<row r="2">{_cell("A2", value="2")}<c r="B2"><f t="shared" ref="B2:B3" si="0">A2+1</f>'
    '<v>3</v></c></row><row r="3"><c r="B3"><f t="shared" si="0"/><v>4</v></c></row>'
)
SEED_SHEET = sheet_xml(SEED_ROWS)
SST = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>x</t></si></sst>'
)
SEED = package(SEED_SHEET, sst=SST)


def _read(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(data)
    try:
        read_workbook(path)
    except XlImportError as exc:
        assert "\n" not in exc.message


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), max_size=8))
def test_reader_survives_mutated_zip_bytes(tmp_path_factory, flips) -> None:  # noqa: ANN001
    data = bytearray(SEED)
    for pos, value in flips:
        data[pos] = value
    _read(tmp_path_factory.mktemp("z"), bytes(data))


@FUZZ
@given(
    st.integers(0, len(SEED_SHEET)),
    st.integers(0, 40),
    st.text(alphabet="<>/=\"&;#x0123456789abcfrtvsi '", max_size=30),
)
def test_reader_survives_mutated_sheet_xml(tmp_path_factory, start, cut, insert) -> None:  # noqa: ANN001
    sheet = SEED_SHEET[:start] + insert + SEED_SHEET[start + cut :]
    _read(tmp_path_factory.mktemp("x"), package(sheet, sst=SST))


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/sharedStrings.xml",
                "[Content_Types].xml",
            ]
        ),
        max_size=2,
    ),
    st.binary(max_size=64),
)
def test_reader_survives_broken_parts(tmp_path_factory, parts, junk) -> None:  # noqa: ANN001
    source = zipfile.ZipFile(io.BytesIO(SEED))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in source.infolist():
            data = junk if info.filename in parts else source.read(info.filename)
            zf.writestr(info.filename, data)
    _read(tmp_path_factory.mktemp("p"), out.getvalue())


FORMULA_PIECES = st.sampled_from(
    ["A1", "$B$2", "Sheet1!C3", "'My Sheet'!A1:B9", "A:A", "1:1", "SUM(", "INDIRECT(", "OFFSET(",
     ")", ",", "+", "-", "*", "/", "^", "&", "=", "<>", '"text"', "1.5e3", "#REF!", "Name1",
     "Table1[Col]", "[1]Sheet!A1", "{1,2;3,4}", "(", "!", ":", "'", '"', " ", "%", "@", "A1048577",
     "XFE1", "_xlfn.XLOOKUP(", "LAMBDA(x,", "LET(a,1,"]
)  # fmt: skip


CONTEXT = AnalysisContext(
    WorkbookData(
        sheets=[SheetData(name="Sheet1", index=0), SheetData(name="My Sheet", index=1)],
        defined_names=[DefinedName("Name1", "Sheet1!$A$1", None, False)],
    )
)


@FUZZ
@given(st.lists(FORMULA_PIECES, max_size=30) | st.text(max_size=60))
def test_reference_parser_never_crashes(pieces) -> None:  # noqa: ANN001
    formula = "".join(pieces) if isinstance(pieces, list) else pieces
    analyze(formula, 0, 1, 1, CONTEXT)
