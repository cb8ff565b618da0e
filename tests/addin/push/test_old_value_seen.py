"""The old value in the push table, the Push Log and the conflict message is the value the rep
saw: the baseline where the org had no adjusted value (``grid.starting_value``), never blank.
On every backend (``org``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from rich.console import Console

from addin.book.errors import ConflictsFound
from addin.book.xlsx import XlsxBook
from addin.push.sheets import CONFLICT_HEADINGS, LOG_HEADINGS, receipt_table
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.readback import read_workbook


def _cell_without_adjustment(review: ReviewFile) -> tuple[str, float]:
    reviewed = read_workbook(XlsxBook.open(review.path))
    by_cell = reviewed.record.by_cell()
    for key in reviewed.adjusted_rows:
        for period in reviewed.periods:
            rec = by_cell.get((key, period.isoformat()))
            if rec and not rec["locked"] and rec["adjusted"] is None and rec["baseline"]:
                return reviewed.address(key, period), float(rec["baseline"])
    raise AssertionError("the demo org has no open cell without an adjusted value")


def _noted(review: ReviewFile, cell: str, value: float, note: str = "Tender won") -> None:
    block = review.block_of(cell)
    review.edit(
        {
            cell: value,
            review.row_cell(layout.H_NOTE, block): note,
            review.row_cell(layout.H_REASON, block): "New business",
        }
    )


def test_push_table_and_log_show_the_baseline_the_rep_saw(org, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    review = ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))
    cell, baseline = _cell_without_adjustment(review)
    _noted(review, cell, baseline + 7)

    outcome = push_workbook(XlsxBook.open(review.path), org)
    (receipt_cell,) = outcome.receipt.cells
    assert receipt_cell.old == baseline and receipt_cell.new == baseline + 7
    console = Console(record=True, width=250)
    console.print(receipt_table(outcome.receipt))
    assert f"{baseline:,.6g}" in console.export_text()

    ws = openpyxl.load_workbook(review.path)[layout.PUSH_LOG]
    (row,) = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    logged = dict(zip(LOG_HEADINGS, row, strict=True))
    assert (logged["Old"], logged["New"]) == (baseline, baseline + 7)


def test_conflict_shows_the_baseline_the_rep_saw(org, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    review = ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))
    second = ReviewFile(shutil.copyfile(review.path, tmp_path / "second.xlsx"))
    cell, baseline = _cell_without_adjustment(review)
    _noted(review, cell, baseline + 7)
    push_workbook(XlsxBook.open(review.path), org)

    _noted(second, cell, baseline + 9, note="Mine")
    with pytest.raises(ConflictsFound) as caught:
        push_workbook(XlsxBook.open(second.path), org)
    assert f"pulled {baseline:,.6g}, theirs {baseline + 7:,.6g}" in str(caught.value)
    ws = openpyxl.load_workbook(second.path)[layout.CONFLICTS]
    heads = [c.value for c in ws[2]]
    assert heads == list(CONFLICT_HEADINGS)
    row = dict(zip(heads, [c.value for c in ws[3]], strict=True))
    assert (row["Pulled"], row["Theirs"], row["Mine"]) == (baseline, baseline + 7, baseline + 9)
