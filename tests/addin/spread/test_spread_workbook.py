"""Spread on a review workbook: preview, apply as ordinary changed cells, check and push them;
refusals leave the workbook unchanged."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, small_cells, write_small_review
from conftest_push import snapshot

from addin.book.xlsx import XlsxBook
from addin.check.rules import check
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.grid import quarter_of
from addin.review.readback import read_workbook
from addin.spread.workbook import PREVIEW_HEADINGS, SpreadRefused, spread_workbook


def row_values(review: ReviewFile, block: int) -> list:  # type: ignore[type-arg]
    ws = openpyxl.load_workbook(review.path)[layout.REVIEW]
    return [ws[review.cell(block, j)].value for j in range(len(review.period_columns))]


def ask_for(review: ReviewFile, block: int, total, over: str = "Row") -> None:  # type: ignore[no-untyped-def]
    review.edit(
        {
            review.row_cell(layout.H_NEW_TOTAL, block): total,
            review.row_cell(layout.H_SPREAD_OVER, block): over,
        }
    )


def preview_rows(path: Path) -> list[dict]:  # type: ignore[type-arg]
    ws = openpyxl.load_workbook(path)[layout.SPREAD_PREVIEW]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == PREVIEW_HEADINGS[0])
    return [dict(zip(PREVIEW_HEADINGS, r, strict=False)) for r in rows[head + 1 :] if r[0]]


def test_preview_shows_the_profile_and_each_cell_and_changes_nothing(review: ReviewFile) -> None:
    before = row_values(review, 0)  # 105, 106, 107
    ask_for(review, 0, 1000)
    outcome = spread_workbook(XlsxBook.open(review.path))
    assert not outcome.applied and "preview" in outcome.summary()
    assert row_values(review, 0) == before
    rows = preview_rows(review.path)
    assert [r["Old"] for r in rows] == before
    assert sum(r["New"] for r in rows) == 1000
    # 1000 x 105/318, 106/318, 107/318 = 330.19, 333.33, 336.48: the unit left goes to .48
    assert [r["New"] for r in rows] == [330, 333, 337]
    # Still an unspread total: check blocks the push and says what to do.
    report = check(read_workbook(XlsxBook.open(review.path)))
    [issue] = [i for i in report.errors if i.rule == "unspread-total"]
    assert issue.cell == review.row_cell(layout.H_NEW_TOTAL, 0)
    assert "Run Spread" in issue.what_to_do and "clear" in issue.what_to_do


def test_apply_writes_changed_cells_with_the_spread_note_and_clears_the_input(
    review: ReviewFile,
) -> None:
    ask_for(review, 1, 901)
    outcome = spread_workbook(
        XlsxBook.open(review.path), profile="equal", apply=True, reason="Promotion"
    )
    assert outcome.applied
    assert row_values(review, 1) == [301, 300, 300]
    ws = openpyxl.load_workbook(review.path)[layout.REVIEW]
    assert ws[review.row_cell(layout.H_NEW_TOTAL, 1)].value is None
    assert ws[review.row_cell(layout.H_REASON, 1)].value == "Promotion"
    assert "Spread a new total of 901" in ws[review.row_cell(layout.H_NOTE, 1)].value
    reviewed = read_workbook(XlsxBook.open(review.path))
    assert reviewed.spread_inputs == [] and len(reviewed.edits) == 3
    assert check(reviewed).ok


def test_a_rows_own_note_and_reason_are_kept(review: ReviewFile) -> None:
    review.edit(
        {
            review.row_cell(layout.H_NOTE, 0): "My own words",
            review.row_cell(layout.H_REASON, 0): "Seasonality",
        }
    )
    ask_for(review, 0, 500)
    spread_workbook(XlsxBook.open(review.path), apply=True, reason="Promotion", note="Spread")
    ws = openpyxl.load_workbook(review.path)[layout.REVIEW]
    assert ws[review.row_cell(layout.H_NOTE, 0)].value == "My own words"
    assert ws[review.row_cell(layout.H_REASON, 0)].value == "Seasonality"


def test_locked_periods_keep_their_value_and_a_quarter_spreads_only_its_months(
    tmp_path: Path,
) -> None:
    review = ReviewFile(write_small_review(tmp_path / "r.xlsx", small_cells(locked_period=0)))
    before = row_values(review, 0)
    ask_for(review, 0, 505)
    spread_workbook(XlsxBook.open(review.path), profile="equal", apply=True)
    after = row_values(review, 0)
    assert after[0] == before[0] and sum(after) == 505

    periods = read_workbook(XlsxBook.open(review.path)).periods
    quarter = quarter_of(periods[-1])
    inside = [i for i, p in enumerate(periods) if quarter_of(p) == quarter]
    before = row_values(review, 1)
    ask_for(review, 1, 1000, quarter)
    spread_workbook(XlsxBook.open(review.path), profile="baseline", apply=True)
    after = row_values(review, 1)
    assert sum(after[i] for i in inside) == 1000
    assert all(after[i] == before[i] for i in range(len(periods)) if i not in inside)


@pytest.mark.parametrize(
    ("total", "over", "says"),
    [
        ("lots", "Row", "not a number"),
        (100, "Q9 2099", "pick Row or one of"),
        (-5, "Row", "cannot be reached"),
    ],
)
def test_refusals_leave_the_workbook_unchanged(review: ReviewFile, total, over, says) -> None:  # type: ignore[no-untyped-def]
    ask_for(review, 0, 300)  # a good row first: nothing of it is written either
    ask_for(review, 1, total, over)
    data = review.path.read_bytes()
    with pytest.raises(SpreadRefused, match=says):
        spread_workbook(XlsxBook.open(review.path), apply=True)
    assert review.path.read_bytes() == data


def test_every_period_locked_is_refused(tmp_path: Path) -> None:
    cells = small_cells()
    first = cells.frame["row_key"] == cells.frame["row_key"].iloc[0]
    cells.frame.loc[first, "locked"] = True
    cells.frame.loc[first, "lock_reason"] = "expired account forecast"
    review = ReviewFile(write_small_review(tmp_path / "r.xlsx", cells))
    ask_for(review, 0, 100)
    data = review.path.read_bytes()
    with pytest.raises(SpreadRefused, match="every period of the selection is locked"):
        spread_workbook(XlsxBook.open(review.path), apply=True)
    assert review.path.read_bytes() == data


def test_nothing_typed_is_nothing_to_spread(review: ReviewFile) -> None:
    outcome = spread_workbook(XlsxBook.open(review.path), apply=True)
    assert outcome.rows == [] and "Nothing to spread" in outcome.summary()


def test_spread_then_push_on_the_org(org, pulled: ReviewFile) -> None:
    block = pulled.block_of(pulled.open_cell(0, 0))
    before = snapshot(org)
    ask_for(pulled, block, 12_345)
    spread_workbook(XlsxBook.open(pulled.path), apply=True, reason="Promotion")
    outcome = push_workbook(XlsxBook.open(pulled.path), org)
    assert outcome.receipt is not None and outcome.receipt.cells
    assert sum(row_values(pulled, block)) == 12_345
    changed = {c.record_id for c in outcome.receipt.cells}
    after = snapshot(org)
    assert {k for k in after if after[k] != before[k]} == changed
