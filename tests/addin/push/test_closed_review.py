"""A closed demand review locks its periods, on both backends: a pull shows them locked with who
closed the review and when; check (from the S&OP calendar) and push refuse edits to them with no
call to the org, or, when only the org knows of the close, with no write; a reopen lifts it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest_checkpush import ReviewFile, pull_review_file

from addin.book.errors import ChecksFailed
from addin.book.xlsx import XlsxBook
from addin.check.rules import CheckRules, calendar_lock_rules, check
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.readback import read_workbook
from sync.cycle.close import close_cycle, reopen_cycle
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER
from sync.org.seam import CallCounter


def edit_open_cell(review: ReviewFile) -> str:
    """Change the first open cell of the first block, with a note and a reason code."""
    address = review.open_cell(0, 0)
    review.edit(
        {
            address: 4321,
            review.row_cell(layout.H_NOTE, 0): "Customer confirmed the ramp-up",
            review.row_cell(layout.H_REASON, 0): "Customer intelligence",
        }
    )
    return address


def planner(org_file: Path) -> LocalOrg:
    return LocalOrg(org_file, username=DEMO_PLANNER)


def closed_calendar(folder: Path, today: date) -> Path:
    """A demandgrid.toml whose current cycle's demand review closed yesterday."""
    start = today.replace(day=1)
    gather = (start - timedelta(days=10), start - timedelta(days=9))
    review = (start - timedelta(days=8), today - timedelta(days=1))
    path = folder / "demandgrid.toml"
    path.write_text(
        f'[cycle]\n[cycle.dates."{start:%Y-%m}"]\n'
        f'data_gathering = {{ open = "{gather[0]}", close = "{gather[1]}" }}\n'
        f'demand_review = {{ open = "{review[0]}", close = "{review[1]}" }}\n'
        f'supply_review = {{ open = "{today}", close = "{today + timedelta(days=40)}" }}\n'
        f'executive_meeting = {{ open = "{today + timedelta(days=41)}", '
        f'close = "{today + timedelta(days=42)}" }}\n',
        encoding="utf-8",
    )
    return path


def test_push_refuses_an_edit_to_a_period_the_org_holds_closed(org, org_file, tmp_path):
    review = ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))  # pulled before the close
    address = edit_open_cell(review)
    closed = close_cycle(planner(org_file)).header
    org.calls = CallCounter()
    with pytest.raises(ChecksFailed) as caught:
        push_workbook(XlsxBook.open(review.path), org)
    message = str(caught.value)
    assert f"{layout.REVIEW}!{address}" in message
    assert f"review closed on {closed.closed_on} by Avery Quinn" in message
    assert "nothing was sent" in message and "demandgrid cycle reopen" in message
    assert org.calls.update == 0  # refused before any write


def test_check_and_push_refuse_from_the_calendar_with_no_api_call(org, tmp_path):
    review = ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))
    address = edit_open_cell(review)
    today = date.today()
    closed_calendar(tmp_path, today)
    locks = calendar_lock_rules(review.path, today)
    assert locks is not None
    org.calls = CallCounter()
    report = check(
        read_workbook(XlsxBook.open(review.path)), CheckRules(), today=today, locks=locks
    )
    locked = [i for i in report.errors if i.rule == "locked"]
    assert [i.cell for i in locked] == [address]
    assert (
        f"demand review closed on {today - timedelta(days=1)} (S&OP calendar)" in locked[0].message
    )
    with pytest.raises(ChecksFailed, match="locked"):
        push_workbook(XlsxBook.open(review.path), org, locks=locks)
    assert org.calls.total == 0  # neither check nor push asked the org anything
    # the refusal is on the workbook's Check sheet, the edit kept for the rep to put back
    assert read_workbook(XlsxBook.open(review.path)).changes


def test_a_pull_after_the_close_shows_the_lock_and_a_reopen_lifts_it(org, org_file, tmp_path):
    closed = close_cycle(planner(org_file)).header
    path = pull_review_file(org, tmp_path / "after.xlsx")
    cells = read_workbook(XlsxBook.open(path)).record.cells
    reason = f"review closed on {closed.closed_on} by Avery Quinn"
    in_scope = [c for c in cells if c["period_start"] >= closed.first_period.isoformat()]
    frozen = "frozen: inside the 1-month frozen zone"
    after_frozen = [c for c in in_scope if c["lock_reason"] != frozen]
    # period-wide: expired accounts too, so the grid shows one reason above each period
    assert after_frozen and {c["lock_reason"] for c in after_frozen} == {reason}
    reopen_cycle(planner(org_file), reason="Late order from a key account")
    again = read_workbook(XlsxBook.open(pull_review_file(org, tmp_path / "reopened.xlsx")))
    assert not any(c["lock_reason"] == reason for c in again.record.cells)


def test_a_region_close_locks_only_that_regions_cells(org, org_file, tmp_path):
    path = pull_review_file(org, tmp_path / "before.xlsx")
    regions = {c["account_name"] for c in read_workbook(XlsxBook.open(path)).record.cells}
    assert regions
    closed = close_cycle(planner(org_file), region="APAC").header
    after = read_workbook(XlsxBook.open(pull_review_file(org, tmp_path / "after.xlsx")))
    reason = f"review closed on {closed.closed_on} by Avery Quinn"
    locked_accounts = {c["account_name"] for c in after.record.cells if c["lock_reason"] == reason}
    open_accounts = {
        c["account_name"] for c in after.record.cells if not c["locked"] and c["lock_reason"] == ""
    }
    assert locked_accounts and open_accounts and not locked_accounts & open_accounts
