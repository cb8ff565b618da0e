"""``format_table``, the book surface's one whole-sheet finish, on a file (openpyxl) and in Excel
(the recording fake): the same look both ways, and in Excel a number of calls that does not
grow with the rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_xlwings import FakeBook

from addin.book.surface import ColumnFormat
from addin.book.xlsx import XlsxBook
from addin.excel.book import ExcelBook
from addin.review.template import build_template_workbook

COLUMNS = (
    ColumnFormat(12),  # Cell
    ColumnFormat(20, wrap=True),  # Product
    ColumnFormat(10, input=True),  # Take
    ColumnFormat(10, "#,##0"),  # Mine
    ColumnFormat(30, wrap=True),  # Note
)
HEADINGS = ["Cell", "Product", "Take", "Mine", "Note"]
LONG = "Confirmed with the buyer in the quarterly review; ships in two lots."


def _rows(n: int) -> list[list[Any]]:
    return [[f"Review!H{i}", "SN-L Inductive Proximity Sensor", "", 1234.5, LONG] for i in range(n)]


def _book(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    wb = build_template_workbook()  # the template's named styles
    wb.create_sheet("Conflicts")
    wb.save(path)
    return path


def _table(book: Any, rows: int) -> None:
    book.write("Conflicts", "A1", [["2 cell(s) changed in the org since your pull."]])
    book.write("Conflicts", "A2", [HEADINGS, *_rows(rows)])
    book.format_table(
        "Conflicts", "A2", COLUMNS, rows, title_rows=1, choices={2: ("mine", "theirs")}
    )


def _look(ws: Any, rows: int) -> None:
    """What a reader sees, whichever side wrote it."""
    assert [ws.column_dimensions[c].width for c in "ABCDE"] == [12, 20, 10, 10, 30]
    assert ws["A2"].style == "dg Heading" and ws["E2"].fill.fgColor.rgb.endswith("1F4E78")
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows.replace("$", "") == "2:2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    last = 2 + rows
    assert ws["C3"].style == "dg Text input" and ws[f"C{last}"].style == "dg Text input"
    assert ws["D3"].number_format == "#,##0"
    assert ws["B3"].alignment.wrap_text and ws["E3"].alignment.wrap_text
    (drop_down,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert drop_down.formula1 == '"mine,theirs"'
    assert str(drop_down.sqref) in (f"C3:C{last}", "C3" if last == 3 else "-")


def test_a_table_in_a_file_reads_as_finished(tmp_path: Path) -> None:
    path = _book(tmp_path, "file.xlsx")
    book = XlsxBook.open(path)
    _table(book, 4)
    book.save()
    ws = XlsxBook.open(path)._wb["Conflicts"]
    _look(ws, 4)
    assert str(ws.print_area).endswith("$A$1:$E$6")
    # the long note wraps into a row tall enough for its lines (no app fits it on open)
    assert ws.row_dimensions[3].height >= 30

    book = XlsxBook.open(path)  # a shorter table next time: nothing of the longer one stays
    book.clear("Conflicts", "A3:E6")
    _table(book, 1)
    book.save()
    ws = XlsxBook.open(path)._wb["Conflicts"]
    _look(ws, 1)
    assert ws["C5"].style == "Normal" and not ws["C5"].fill.fgColor.rgb.endswith("FFF2CC")
    assert not ws.row_dimensions[5].customHeight


@pytest.mark.parametrize("rows", [3, 300])
def test_a_table_in_excel_reads_the_same(tmp_path: Path, rows: int) -> None:
    fake = FakeBook.open(_book(tmp_path, "live.xlsx"))
    _table(ExcelBook(fake), rows)
    ws = fake.wb["Conflicts"]
    _look(ws, rows)
    assert ws.print_area.endswith(f"$A$1:$E${2 + rows}")


def test_excel_calls_do_not_grow_with_the_rows(tmp_path: Path) -> None:
    counts = []
    for rows in (3, 3000):
        fake = FakeBook.open(_book(tmp_path, f"live-{rows}.xlsx"))
        book = ExcelBook(fake)
        book.write("Conflicts", "A2", [HEADINGS, *_rows(rows)])
        fake.reset_calls()
        book.format_table("Conflicts", "A2", COLUMNS, rows, choices={2: ("mine", "theirs")})
        counts.append(dict(fake.calls))
    assert counts[0] == counts[1]
    assert sum(counts[0].values()) < 60, counts[0]
