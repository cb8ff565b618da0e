"""One dataset, two paths: the open workbook in Excel (``ExcelBook`` on the recording fake) and
the workbook file (``XlsxBook``) give the same changeset, the same Check sheet and marks, the
same push and the same refreshed grid."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest_checkpush import ReviewFile
from fake_xlwings import FakeBook

from addin.book.xlsx import XlsxBook
from addin.check.rules import check
from addin.check.sheet import write_check_sheet
from addin.excel.book import ExcelBook
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.pull import pull_to_workbook
from addin.review.readback import read_workbook
from addin.review.refresh import refresh_workbook


def _normal(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    return value


def content(ws: Any) -> dict[str, Any]:
    """Every non-empty cell of a sheet, values normalised as Excel holds them."""
    return {
        cell.coordinate: _normal(cell.value)
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    }


def notes(ws: Any) -> dict[str, str]:
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


def marks(ws: Any) -> dict[str, str]:
    return {
        c.coordinate: c.fill.fgColor.rgb[-6:]
        for row in ws.iter_rows()
        for c in row
        if c.fill is not None
        and c.fill.fill_type == "solid"
        and c.fill.fgColor.rgb[-6:] in {"FFC7CE", "FFEB9C"}
    }


@pytest.fixture
def twins(demo_org_file: Path, tmp_path: Path) -> tuple[Any, Any, Path, Path]:
    """Two identical orgs and the same pulled, edited workbook twice."""
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_REP

    orgs = []
    for name in ("file", "live"):
        shutil.copyfile(demo_org_file, tmp_path / f"{name}.sqlite")
        orgs.append(LocalOrg(tmp_path / f"{name}.sqlite"))
    first = pull_to_workbook(orgs[0], DEMO_REP, tmp_path / "file.xlsx")
    second = tmp_path / "live.xlsx"
    shutil.copyfile(first, second)
    review = ReviewFile(first)
    cells = [review.open_cell(block=i) for i in range(6)]
    shown = openpyxl.load_workbook(first)[layout.REVIEW]
    # Plausible changes (within the row's history: no outlier warnings), each different.
    edits: dict[str, Any] = {
        cell: round(float(shown[cell].value or 100) * 1.5 + i, 2) for i, cell in enumerate(cells)
    }
    for cell in cells[:4]:  # two changes are left without a note
        block = review.block_of(cell)
        edits[review.row_cell(layout.H_REASON, block)] = "Promotion"
        # Formula-looking text stays text (a note typed as a formula is refused: note-formula).
        edits[review.row_cell(layout.H_NOTE, block)] = '+HYPERLINK("x") stays text'
    comments = {cells[5]: "cell note wins over the row note"}
    for path in (first, second):
        ReviewFile(path).edit(edits, comments=comments)
    return orgs[0], orgs[1], first, second


def test_same_changeset_check_sheet_and_marks(twins: tuple[Any, Any, Path, Path]) -> None:
    _, _, file_path, live_path = twins
    file_book = XlsxBook.open(file_path)
    fake = FakeBook.open(live_path)
    live_book = ExcelBook(fake)

    reviewed = {"file": read_workbook(file_book), "live": read_workbook(live_book)}
    assert reviewed["file"].changes == reviewed["live"].changes
    assert len(reviewed["file"].changes) == 6
    for name, book in (("file", file_book), ("live", live_book)):
        report = check(reviewed[name])
        assert len(report.cells()) == 2
        write_check_sheet(book, report, reviewed[name].sheet)
        book.save()

    saved = openpyxl.load_workbook(file_path)
    for sheet in (layout.REVIEW, layout.CHECK):
        assert content(saved[sheet]) == content(fake.wb[sheet]), sheet
        assert marks(saved[sheet]) == marks(fake.wb[sheet])
    assert len(marks(fake.wb[layout.REVIEW])) == 2


def test_same_push_and_same_workbook_after_it(twins: tuple[Any, Any, Path, Path]) -> None:
    file_org, live_org, file_path, live_path = twins
    # Give the two rows without a note one, so the whole workbook checks clean.
    review = ReviewFile(file_path)
    cells = [review.open_cell(block=i) for i in range(6)]
    fixes = {}
    for cell in cells[4:]:
        block = review.block_of(cell)
        fixes[review.row_cell(layout.H_REASON, block)] = "Other"
        fixes[review.row_cell(layout.H_NOTE, block)] = "Distributor restock"
    for path in (file_path, live_path):
        ReviewFile(path).edit(fixes)

    fake = FakeBook.open(live_path)
    outcomes = {
        "file": push_workbook(XlsxBook.open(file_path), file_org),
        "live": push_workbook(ExcelBook(fake), live_org),
    }

    def sent(outcome: Any) -> list[tuple[Any, ...]]:
        return sorted((c.record_id, c.cell, c.old, c.new, c.outcome) for c in outcome.receipt.cells)

    assert sent(outcomes["file"]) == sent(outcomes["live"])
    assert len(sent(outcomes["live"])) == 6
    saved = openpyxl.load_workbook(file_path)
    assert content(saved[layout.REVIEW]) == content(fake.wb[layout.REVIEW])
    assert notes(saved[layout.REVIEW]) == notes(fake.wb[layout.REVIEW])
    assert saved.sheetnames == fake.wb.sheetnames
    # Both now hold the org's values: nothing left to push on either path.
    assert not read_workbook(XlsxBook.open(file_path)).changes
    assert not read_workbook(ExcelBook(fake)).changes


def test_same_refreshed_grid(demo_org_file: Path, tmp_path: Path) -> None:
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_REP

    shutil.copyfile(demo_org_file, tmp_path / "org.sqlite")
    org = LocalOrg(tmp_path / "org.sqlite")
    file_path = pull_to_workbook(org, DEMO_REP, tmp_path / "file.xlsx")
    live_path = tmp_path / "live.xlsx"
    shutil.copyfile(file_path, live_path)
    reviewed = read_workbook(XlsxBook.open(file_path))
    target = next(c for c in reviewed.record.cells if not c["locked"])
    org.update(
        "AccountProductPeriodForecast",
        [{"Id": target["record_id"], "AdjustedForecastedQuantity": 777.0}],
    )

    fake = FakeBook.open(live_path)
    refresh_workbook(XlsxBook.open(file_path), org)
    refresh_workbook(ExcelBook(fake), org)

    saved = openpyxl.load_workbook(file_path)
    address = reviewed.address(target["row_key"], date.fromisoformat(target["period_start"]))
    assert saved[layout.REVIEW][address].value == fake.wb[layout.REVIEW][address].value == 777.0
    grid = {k: v for k, v in content(saved[layout.REVIEW]).items() if k != "A2"}
    live_grid = {k: v for k, v in content(fake.wb[layout.REVIEW]).items() if k != "A2"}
    differing = {k for k in grid.keys() | live_grid.keys() if grid.get(k) != live_grid.get(k)}
    # Only the header's "pulled at" text (two pulls a moment apart) may differ.
    assert len(differing) <= 1, sorted(differing)[:10]


def test_marks_come_off_to_the_same_template_fill(twins: tuple[Any, Any, Path, Path]) -> None:
    _, _, file_path, live_path = twins
    fake = FakeBook.open(live_path)
    books = {"file": XlsxBook.open(file_path), "live": ExcelBook(fake)}
    marked = {}
    for name, book in books.items():
        reviewed = read_workbook(book)
        report = check(reviewed)
        marked[name] = report.cells()
        write_check_sheet(book, report, reviewed.sheet)
    assert marked["file"] == marked["live"] and len(marked["live"]) == 2

    for name, book in books.items():  # the rep adds the missing notes, then checks again
        for cell in marked[name]:
            row = "".join(ch for ch in cell if ch.isdigit())
            reviewed = read_workbook(book)
            book.write(reviewed.sheet, f"{reviewed.columns[layout.H_REASON]}{row}", [["Other"]])
            book.write(reviewed.sheet, f"{reviewed.columns[layout.H_NOTE]}{row}", [["Restock"]])
        reviewed = read_workbook(book)
        report = check(reviewed)
        assert report.ok
        write_check_sheet(book, report, reviewed.sheet)
    books["file"].save()

    saved = openpyxl.load_workbook(file_path)
    for cell in marked["live"]:
        file_fill = saved[layout.REVIEW][cell].fill
        live_fill = fake.wb[layout.REVIEW][cell].fill
        assert (file_fill.fill_type, file_fill.fgColor.rgb) == (
            live_fill.fill_type,
            live_fill.fgColor.rgb,
        )
        assert file_fill.fgColor.rgb[-6:] not in {"FFC7CE", "FFEB9C"}
    assert marks(saved[layout.REVIEW]) == marks(fake.wb[layout.REVIEW]) == {}
