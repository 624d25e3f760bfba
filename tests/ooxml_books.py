"""Minimal workbooks written part by part, for tests that need what a library cannot write
(another saving application's marks, rich-value errors, app.xml details)."""

from __future__ import annotations

import io
import zipfile

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def one_sheet_book(
    rows: str,
    *,
    file_version: str | None = "xl",
    application: str | None = None,
    heading: str | None = None,
    extra_parts: dict[str, str] | None = None,
) -> bytes:
    """One sheet "S" of ``rows`` (sheetData XML). ``file_version`` is the workbook's
    <fileVersion appName>; ``application`` docProps/app.xml's <Application> (None: no app.xml,
    as libraries often write), ``heading`` its first HeadingPairs label, as Excel writes it in
    its display language; ``extra_parts`` more zip members."""
    fv = f'<fileVersion appName="{file_version}"/>' if file_version else ""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>'
    )
    parts = {
        "[Content_Types].xml": types,
        "_rels/.rels": f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
        f'Type="{R_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
        f'Type="{R_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{R_NS}">{fv}<sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData>'
        "</worksheet>",
    }
    if application is not None:
        pairs = ""
        if heading is not None:
            pairs = (
                f'<HeadingPairs><vt:vector xmlns:vt="{VT_NS}" size="2" baseType="variant">'
                f"<vt:variant><vt:lpstr>{heading}</vt:lpstr></vt:variant>"
                "<vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>"
            )
        parts["docProps/app.xml"] = (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'extended-properties"><Application>{application}</Application>{pairs}</Properties>'
        )
    parts |= extra_parts or {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return out.getvalue()
