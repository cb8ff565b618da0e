"""Reading a workbook file without loading it gives what openpyxl gives.

``XlsxBook`` reads from the file as it is (``addin.book.xlsx_read``) until the first write; the
same book with openpyxl loaded (``book._wb``) is the reference. Compared on every cell of every
sheet (formulas as text, and cached values), notes and defined names, for files shaped as
openpyxl, LibreOffice and Excel write them: inline and shared strings, rich text, booleans,
errors, dates as serials under a date style, formulas with cached values (numbers, text,
booleans, errors), shared formulas, cells and rows without addresses, a namespace prefix.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import libreoffice
import openpyxl
import pytest
from conftest_checkpush import small_cells
from openpyxl.comments import Comment

from addin.book.errors import UserError
from addin.book.xlsx import XlsxBook
from addin.review.readback import read_workbook
from addin.review.writer import write_workbook


def _everything(book: XlsxBook) -> dict[str, object]:
    seen: dict[str, object] = {"sheets": book.sheet_names()}
    for sheet in book.sheet_names():
        used = book.used_range(sheet)
        seen[f"{sheet} used"] = used
        seen[f"{sheet} formulas"] = book.read_formulas(sheet, used)
        seen[f"{sheet} values"] = book.read(sheet, used)
        seen[f"{sheet} notes"] = book.read_notes(sheet, used)
    return seen


def assert_reads_as_openpyxl(path: Path) -> None:
    streamed = XlsxBook.open(path)
    reference = XlsxBook.open(path)
    reference._wb  # noqa: B018 - loads openpyxl: every read from here on goes through it
    assert _everything(streamed) == _everything(reference)
    assert streamed._loaded is None  # reading never loaded the workbook


# ---------------------------------------------------------------- a file shaped as Excel writes

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="{_MAIN}" count="5" uniqueCount="5">
<si><t>plain</t></si>
<si><r><rPr><b/></rPr><t>rich </t></r><r><t xml:space="preserve">text </t></r></si>
<si><t>with phonetic</t><rPh sb="0" eb="1"><t>PH</t></rPh></si>
<si><t>&lt;escaped&gt; &amp; "quoted"</t></si>
<si><t xml:space="preserve">  spaced  </t></si>
</sst>"""


def _sheet(date_style: int, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{_MAIN}"' if prefix else f'xmlns="{_MAIN}"'
    rows = f"""
<{p}row r="1"><{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" t="s"><{p}v>1</{p}v></{p}c>
<{p}c r="C1" t="s"><{p}v>2</{p}v></{p}c><{p}c r="D1" t="s"><{p}v>3</{p}v></{p}c>
<{p}c r="E1" t="s"><{p}v>4</{p}v></{p}c></{p}row>
<{p}row r="2"><{p}c r="A2"><{p}v>42</{p}v></{p}c><{p}c r="B2"><{p}v>-1.5E-3</{p}v></{p}c>
<{p}c r="C2" s="{date_style}"><{p}v>46357</{p}v></{p}c><{p}c r="D2" t="b"><{p}v>1</{p}v></{p}c>
<{p}c r="E2" t="e"><{p}v>#REF!</{p}v></{p}c><{p}c r="F2" t="inlineStr"><{p}is><{p}t>inline</{p}t></{p}is></{p}c>
<{p}c r="G2" t="inlineStr"><{p}is><{p}r><{p}t>in</{p}t></{p}r><{p}r><{p}t>line rich</{p}t></{p}r></{p}is></{p}c>
<{p}c r="H2" t="d"><{p}v>2026-12-01T00:00:00</{p}v></{p}c><{p}c r="I2" s="{date_style}"/></{p}row>
<{p}row r="3"><{p}c r="A3"><{p}f>SUM(A2:B2)</{p}f><{p}v>41.9985</{p}v></{p}c>
<{p}c r="B3" t="str"><{p}f>A1&amp;"x"</{p}f><{p}v>plainx</{p}v></{p}c>
<{p}c r="C3" t="b"><{p}f>A2&gt;1</{p}f><{p}v>1</{p}v></{p}c>
<{p}c r="D3" t="e"><{p}f>1/0</{p}f><{p}v>#DIV/0!</{p}v></{p}c>
<{p}c r="E3"><{p}f>A2*2</{p}f></{p}c>
<{p}c r="F3" s="{date_style}"><{p}f>C2+1</{p}f><{p}v>46358</{p}v></{p}c></{p}row>
<{p}row r="4"><{p}c r="A4"><{p}f t="shared" ref="A4:C4" si="0">A2+1</{p}f><{p}v>43</{p}v></{p}c>
<{p}c r="B4"><{p}f t="shared" si="0"/><{p}v>-0.5</{p}v></{p}c>
<{p}c r="C4"><{p}f t="shared" si="0"/><{p}v>46358</{p}v></{p}c></{p}row>
<{p}row r="6"><{p}c r="A6"><{p}v>7</{p}v></{p}c><{p}c r="C6"><{p}v>9</{p}v></{p}c></{p}row>"""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns} '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<{p}dimension ref="A1:I6"/><{p}sheetData>{rows}</{p}sheetData>'
        f'<{p}legacyDrawing r:id="anysvml"/></{p}worksheet>'
    )


def _no_address(found: re.Match[str]) -> str:
    return re.sub(r' r="[A-Z]*\d+"', "", found[1])


def excel_shaped(path: Path, *, prefix: str = "", no_addresses: bool = False) -> Path:
    """An openpyxl package (styles, a note, a defined name) with its first sheet's cells
    replaced by the shapes other writers use, and a shared-strings part."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["C2"] = datetime(2026, 11, 30)  # a date style, and its id
    ws["C2"].comment = Comment("Rep:\nlook here", "Rep")
    ws["A1"].comment = Comment("a plain note", "demandgrid")
    wb.defined_names["dg_where"] = openpyxl.workbook.defined_name.DefinedName(
        "dg_where", attr_text="Data!$A$2:$C$4"
    )
    wb.create_sheet("Other")["A1"] = "other sheet"
    plain = path.with_suffix(".plain.xlsx")
    wb.save(plain)
    with zipfile.ZipFile(plain) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
        style = re.search(r'<c r="C2" s="(\d+)"', sheet)
        assert style is not None
        xml = _sheet(int(style[1]), prefix)
        if no_addresses:  # as some writers do (openpyxl needs them on shared formulas)
            xml = re.sub(r'(<(?:\w+:)?(?:c r="[A-Z]+[126]"|row r="\d+"))', _no_address, xml)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = xml.encode()
                elif info.filename == "[Content_Types].xml":
                    data = data.replace(
                        b"</Types>",
                        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                        b"</Types>",
                    )
                elif info.filename == "xl/_rels/workbook.xml.rels":
                    data = data.replace(
                        b"</Relationships>",
                        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                        b'officeDocument/2006/relationships/sharedStrings" '
                        b'Target="sharedStrings.xml"/></Relationships>',
                    )
                target.writestr(info, data)
            target.writestr("xl/sharedStrings.xml", _STRINGS)
    return path


def test_excel_shaped_cells_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    path = excel_shaped(tmp_path / "excel.xlsx")
    assert_reads_as_openpyxl(path)
    book = XlsxBook.open(path)
    assert book.read_formulas("Data", "A1:E1") == [
        ["plain", "rich text ", "with phonetic", '<escaped> & "quoted"', "  spaced  "]
    ]
    assert book.read_formulas("Data", "A4:C4") == [["=A2+1", "=B2+1", "=C2+1"]]
    assert book.read("Data", "A3:D3") == [[41.9985, "plainx", True, "#DIV/0!"]]
    assert book.read("Data", "E3") == [["=A2*2"]]  # never calculated: the formula stays
    assert book.read_formulas("Data", "C2")[0][0] == datetime(2026, 12, 1)  # serial 46357
    assert book.read_notes("Data", "A1:I6") == {"A1": "a plain note", "C2": "look here"}
    assert book.resolve("dg_where") == ("Data", "A2:C4")


@pytest.mark.parametrize(
    ("prefix", "no_addresses"), [("x", False), ("", True)], ids=["prefixed", "no addresses"]
)
def test_unusual_sheets_take_the_careful_path_with_the_same_result(
    tmp_path: Path, prefix: str, no_addresses: bool
) -> None:
    assert_reads_as_openpyxl(
        excel_shaped(tmp_path / "odd.xlsx", prefix=prefix, no_addresses=no_addresses)
    )


def test_a_pulled_workbook_reads_as_openpyxl_reads_it(tmp_path: Path) -> None:
    path = write_workbook(small_cells(), tmp_path / "review.xlsx")
    assert_reads_as_openpyxl(path)


@pytest.mark.skipif(not libreoffice.available(), reason="LibreOffice (soffice) is not installed")
def test_a_workbook_saved_by_libreoffice_reads_as_openpyxl_reads_it(tmp_path: Path) -> None:
    pulled = write_workbook(small_cells(), tmp_path / "review.xlsx")
    saved = libreoffice.recalc(pulled, tmp_path / "saved.xlsx")
    with zipfile.ZipFile(saved) as package:
        assert "xl/sharedStrings.xml" in package.namelist()  # LibreOffice's shared strings
    assert_reads_as_openpyxl(saved)
    a, b = read_workbook(XlsxBook.open(saved)), XlsxBook.open(saved)
    b._wb  # noqa: B018
    assert a.edits == read_workbook(b).edits and a.notes == read_workbook(b).notes


def test_a_damaged_sheet_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = write_workbook(small_cells(), tmp_path / "review.xlsx")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off mid-way, as a failed copy leaves it
            target.writestr(info, data)
    with pytest.raises(UserError, match="cannot be opened as an .xlsx workbook"):
        read_workbook(XlsxBook.open(broken))
