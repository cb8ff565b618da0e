"""Spread, merge-refresh and Undo push from the ribbon, on the recording xlwings stand-in: what
the user sees, and Excel calls that do not grow with the number of cells."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest_checkpush import ReviewFile
from conftest_push import snapshot
from fake_xlwings import FakeBook

from addin.excel import ribbon
from addin.excel.book import ExcelBook
from addin.review import layout
from addin.review.pull import pull_to_workbook

# Measured: spread 74 (with its preview sheet), merge-refresh 77 (with the Conflicts sheet).
MAX_RANGE_CALLS = {"spread": 80, "refresh": 85}


def range_calls(calls: Counter[str]) -> int:
    return sum(n for what, n in calls.items() if what.startswith(("range.", "sheet.range")))


def live(path: Path) -> tuple[FakeBook, ExcelBook]:
    fake = FakeBook.open(path)
    return fake, ExcelBook(fake)


def pull(org: Any, path: Path, horizon: int = 18, history: int = 3) -> ReviewFile:
    from sync.localorg.demo.org import DEMO_REP

    return ReviewFile(pull_to_workbook(org, DEMO_REP, path, horizon=horizon, history=history))


@pytest.fixture
def org(org_file: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from sync.localorg import LocalOrg

    local = LocalOrg(org_file)
    monkeypatch.setattr(ribbon, "org_for", lambda book: local)
    monkeypatch.setattr(ribbon, "settings", lambda: {})
    return local


def totals(review: ReviewFile, count: int) -> dict[str, Any]:
    return {review.row_cell(layout.H_NEW_TOTAL, b): 500_000 + b for b in range(count)}


def test_spread_from_the_ribbon_previews_then_applies(org: Any, tmp_path: Path) -> None:
    review = pull(org, tmp_path / "review.xlsx", horizon=6, history=0)
    review.edit(totals(review, 2))
    fake, book = live(review.path)
    message = ribbon.run(ribbon.spread_action, book)
    assert "preview on the Spread preview sheet" in message
    assert fake.wb.active.title == layout.SPREAD_PREVIEW
    message = ribbon.run(ribbon.spread_apply_action, book)
    assert "written into the grid" in message, message
    ws = fake.wb[layout.REVIEW]
    row = [ws[review.cell(0, j)].value for j in range(len(review.period_columns))]
    assert sum(v for v in row if isinstance(v, int | float)) == 500_000


@pytest.mark.parametrize("action", ["spread", "refresh"])
def test_range_calls_do_not_grow_with_the_cells(action: str, org: Any, tmp_path: Path) -> None:
    counts = {}
    for name, horizon, history in (("small", 3, 0), ("large", 18, 3)):
        review = pull(org, tmp_path / f"{name}.xlsx", horizon=horizon, history=history)
        if action == "spread":
            review.edit(totals(review, 3))
            run = ribbon.spread_apply_action
        else:  # three unpushed edits, merged with the org's latest
            review.edit({review.open_cell(block=i): 1000.0 + horizon + i for i in range(3)})
            run = ribbon.refresh_action
        fake, book = live(review.path)
        message = ribbon.run(run, book)
        assert fake.app.alerts[-1]["mode"] == "info", message
        cells = sum(
            1 for row in fake.wb[layout.REVIEW].iter_rows() for c in row if c.value is not None
        )
        counts[name] = (range_calls(fake.calls), cells)
    (small, small_cells), (large, large_cells) = counts["small"], counts["large"]
    assert large_cells > 2 * small_cells
    assert small == large, (small, large)
    assert small <= MAX_RANGE_CALLS[action], small


def test_undo_push_acts_on_the_selected_push_log_row(org: Any, tmp_path: Path) -> None:
    review = pull(org, tmp_path / "review.xlsx", horizon=6, history=0)
    before = snapshot(org)
    cell = review.open_cell(block=0)
    block = review.block_of(cell)
    review.edit(
        {
            cell: 4321,
            review.row_cell(layout.H_REASON, block): "Promotion",
            review.row_cell(layout.H_NOTE, block): "Spring promotion",
        }
    )
    fake, book = live(review.path)
    ribbon.run(ribbon.push_action, book)
    assert snapshot(org) != before

    fake.app.selected = (layout.REVIEW, "A1")
    message = ribbon.run(ribbon.undo_push_action, book)
    assert "No Push Log row is selected" in message and snapshot(org) != before

    fake.app.selected = (layout.PUSH_LOG, "C2")
    message = ribbon.run(ribbon.undo_push_action, book)
    assert fake.app.alerts[-1]["mode"] == "info", message
    assert snapshot(org) == before
    assert fake.wb[layout.REVIEW][cell].value != 4321
