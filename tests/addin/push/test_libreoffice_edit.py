"""A pulled workbook edited in LibreOffice (through UNO: values, row notes, a cell comment), saved
as .xlsx, then checked and pushed: the org ends exactly as the edits say."""

from __future__ import annotations

import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_push import expected_after, snapshot
from libreoffice import Office

from addin.book.xlsx import XlsxBook
from addin.check.rules import check
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.readback import read_workbook
from sync.localorg import LocalOrg


@pytest.mark.libreoffice
def test_edited_in_libreoffice_then_checked_and_pushed(
    libreoffice: Office, org_file, tmp_path
) -> None:
    org = LocalOrg(org_file)
    review = ReviewFile(pull_review_file(org, tmp_path / "pulled.xlsx"))
    first, second, other = review.open_cell(0, 0), review.open_cell(0, 1), review.open_cell(1, 0)
    row0, row1 = review.block_of(first), review.block_of(other)
    edits = {
        "values": {f"Review!{first}": 140, f"Review!{second}": 0, f"Review!{other}": 66.5},
        "texts": {
            f"Review!{review.row_cell(layout.H_NOTE, row0)}": "Tender won, see CRM",
            f"Review!{review.row_cell(layout.H_REASON, row0)}": "New business",
            f"Review!{review.row_cell(layout.H_NOTE, row1)}": "row note, overridden",
            f"Review!{review.row_cell(layout.H_REASON, row1)}": "Seasonality",
        },
        "annotations": {f"Review!{other}": "Summer peak moved to June"},
    }
    edited = libreoffice.edit(review.path, edits, out=tmp_path / "edited.xlsx")

    book = XlsxBook.open(edited)
    reviewed = read_workbook(book)
    by_cell = {c.cell: c for c in reviewed.changes}
    assert set(by_cell) == {first, second, other}
    assert (by_cell[first].new, by_cell[first].note, by_cell[first].reason_code) == (
        140,
        "Tender won, see CRM",
        "New business",
    )
    assert by_cell[second].new == 0
    assert by_cell[other].new == 66.5 and by_cell[other].note == "Summer peak moved to June"
    assert check(reviewed).ok

    before = snapshot(org)
    outcome = push_workbook(book, org)
    assert [c.outcome for c in outcome.receipt.cells] == ["written"] * 3
    assert snapshot(org) == expected_after(before, reviewed.changes)
    assert read_workbook(XlsxBook.open(edited)).edits == []
