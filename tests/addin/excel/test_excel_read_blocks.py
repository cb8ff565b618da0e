"""Excel-side reads of a big sheet go in bands of whole rows (``READ_BLOCK_CELLS`` cells at
most per call) and give back exactly the block one call would; a small range stays one call."""

from __future__ import annotations

import openpyxl
import pytest
from fake_xlwings import FakeBook

from addin.excel import book as excel_book
from addin.excel.book import ExcelBook, row_bands


def _sheet(rows: int, cols: int) -> FakeBook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Review"
    for r in range(1, rows + 1):
        ws.append([r * 100 + c if c % 3 else f"=A{r}+{c}" for c in range(cols)])
    return FakeBook(wb)


def _reads(fake: FakeBook) -> int:
    return sum(n for what, n in fake.calls.items() if what.startswith(("range.", "sheet.range")))


def test_bands_cover_the_range_row_by_row_without_overlap():
    assert row_bands("A1:J100", 1_000) == ["A1:J100"]
    assert row_bands("$B$3:$E$12", 8) == ["B3:E4", "B5:E6", "B7:E8", "B9:E10", "B11:E12"]
    assert row_bands("A1:C10", 9) == ["A1:C3", "A4:C6", "A7:C9", "A10:C10"]
    assert row_bands("A1:Z1", 5) == ["A1:Z1"]  # one row is never split
    assert row_bands("C7", 1) == ["C7"]


@pytest.mark.parametrize("reader", ["read", "read_formulas"])
def test_a_big_read_in_bands_is_the_same_block_in_a_few_calls(monkeypatch, reader):
    fake = _sheet(rows=90, cols=7)
    whole = getattr(ExcelBook(fake), reader)("Review", "A1:G90")
    one_call = _reads(fake)
    assert fake.largest_read == 7 * 90
    fake.calls.clear()
    fake.largest_read = 0
    monkeypatch.setattr(excel_book, "READ_BLOCK_CELLS", 7 * 20)
    banded = getattr(ExcelBook(fake), reader)("Review", "A1:G90")
    assert banded == whole and len(banded) == 90
    assert _reads(fake) == 5 * one_call  # ceil(90 / 20) bands, each the calls of one read
    assert fake.largest_read <= 7 * 20  # the memory ceiling
