"""Reading a pulled workbook back: the changeset, notes, re-sorting and filtering."""

from __future__ import annotations

import openpyxl
import pytest
from conftest_checkpush import PERIODS, ReviewFile, small_cells, write_small_review

from addin.book.xlsx import XlsxBook
from addin.review import layout
from addin.review.readback import read_workbook


def read(path):
    return read_workbook(XlsxBook.open(path))


def test_fresh_workbook_has_no_changes(review: ReviewFile) -> None:
    reviewed = read(review.path)
    assert reviewed.edits == [] and reviewed.changes == []
    assert len(reviewed.adjusted_rows) == 4
    assert reviewed.periods == PERIODS
    assert reviewed.reason_codes[0] == layout.REASON_CODES[0]


def test_a_changed_cell_becomes_a_change_with_its_record(review: ReviewFile) -> None:
    review.edit(
        {
            review.cell(1, 2): 250,
            review.row_cell(layout.H_NOTE, 1): "Distributor restocking",
            review.row_cell(layout.H_REASON, 1): "Promotion",
        }
    )
    (change,) = read(review.path).changes
    assert change.cell == review.cell(1, 2) and change.sheet == layout.REVIEW
    assert change.record_id == "0AZ000000000006AA"
    assert (change.old, change.new) == (207.0, 250)
    assert (change.account_name, change.product_name) == ("Acme Corp", "Valves")
    assert change.period_start == PERIODS[2]
    assert change.note == "Distributor restocking" and change.reason_code == "Promotion"
    assert change.modstamp == "2026-11-20T08:00:00.000+0000"


def test_same_value_typed_again_is_no_change(review: ReviewFile) -> None:
    review.edit({review.cell(0, 0): 105, review.cell(0, 1): 106.0})
    assert read(review.path).changes == []


def test_cell_note_overrides_row_note_without_author_line(review: ReviewFile) -> None:
    review.edit(
        {review.cell(0, 0): 1, review.cell(0, 1): 2, review.row_cell(layout.H_NOTE): "row note"},
        comments={review.cell(0, 1): "Dana Rep:\nonly this month"},
    )
    notes = {c.cell: c.note for c in read(review.path).changes}
    assert notes == {review.cell(0, 0): "row note", review.cell(0, 1): "only this month"}


def test_baseline_is_the_starting_value_when_the_org_has_no_adjustment(tmp_path) -> None:
    path = write_small_review(tmp_path / "r.xlsx", small_cells(adjusted=False))
    review = ReviewFile(path)
    review.edit({review.cell(0, 0): 100, review.cell(0, 1): 150})  # baseline 100, 101
    (change,) = read(path).changes
    assert change.cell == review.cell(0, 1) and change.old is None and change.new == 150


def test_emptying_an_adjusted_cell_clears_the_adjustment(review: ReviewFile) -> None:
    review.edit({review.cell(2, 0): None})
    (change,) = read(review.path).changes
    assert change.old == 305.0 and change.new is None


def test_text_and_formulas_are_edits_but_not_changes(review: ReviewFile) -> None:
    review.edit({review.cell(0, 0): "lots", review.cell(0, 1): "=H13*2", review.cell(0, 2): 107})
    reviewed = read(review.path)
    assert [(e.raw, e.is_formula) for e in reviewed.edits] == [("lots", False), ("=H13*2", True)]
    assert reviewed.changes == []


def _permute_rows(path, order) -> None:
    """Re-order the grid's data rows (all columns) as a sort in Excel would."""
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.REVIEW]
    review = ReviewFile(path)
    rows = list(range(review.top + 1, review.bottom + 1))
    width = ws.max_column
    values = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in rows]
    for target, source in zip(rows, order(values), strict=True):
        for c, v in enumerate(source, start=1):
            ws.cell(target, c).value = v
    wb.save(path)


def test_re_sorting_keeps_the_tie_between_cell_and_record(review: ReviewFile) -> None:
    review.edit(
        {
            review.cell(3, 0): 999,
            review.row_cell(layout.H_NOTE, 3): "big win",
            review.row_cell(layout.H_REASON, 3): "New business",
        }
    )
    _permute_rows(review.path, lambda rows: list(reversed(rows)))
    (change,) = read(review.path).changes
    assert change.record_id == "0AZ000000000010AA" and change.new == 999
    assert change.note == "big win"
    # The block that was last is now first: the Adjusted row of the last block moved up.
    assert change.cell.endswith(str(review.top + 1))


def test_filtered_rows_are_still_read(review: ReviewFile) -> None:
    review.edit({review.cell(2, 1): 1})
    wb = openpyxl.load_workbook(review.path)
    ws = wb[layout.REVIEW]
    for r in range(review.top + 1, review.bottom + 1):
        ws.row_dimensions[r].hidden = True
    wb.save(review.path)
    assert [c.cell for c in read(review.path).changes] == [review.cell(2, 1)]


def test_a_locked_cell_edit_is_read_as_locked(tmp_path) -> None:
    path = write_small_review(tmp_path / "r.xlsx", small_cells(locked_period=0))
    review = ReviewFile(path)
    review.edit({review.cell(0, 0): 1})
    (edit,) = read(path).edits
    assert edit.locked and edit.lock_reason == "past period"


@pytest.mark.parametrize("value", [True, "#REF!"])
def test_odd_values_are_kept_as_read(review: ReviewFile, value) -> None:
    review.edit({review.cell(0, 0): value})
    (edit,) = read(review.path).edits
    assert edit.raw == value and not edit.is_number


def test_xlsx_book_saves_atomically_and_keeps_the_previous_version(review: ReviewFile) -> None:
    book = XlsxBook.open(review.path)
    book.write(layout.REVIEW, "A1", [["=not a formula"]])
    book.save()
    assert review.path.with_name("review.prev.xlsx").exists()
    assert not review.path.with_name("review.tmp.xlsx").exists()
    again = XlsxBook.open(review.path)
    assert again.read_formulas(layout.REVIEW, "A1") == [["=not a formula"]]
    assert openpyxl.load_workbook(review.path)[layout.REVIEW]["A1"].data_type == "s"
