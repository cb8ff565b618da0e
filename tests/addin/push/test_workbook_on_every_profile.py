"""The whole workbook loop on every mapping profile (issue 14): pull -> edit -> check -> push
-> refresh, through the same code the CLI and the ribbon call, on the standard demo org and its
Advanced Account Forecasting twin, locally and over HTTPS (``profiled_org``)."""

from __future__ import annotations

from conftest_checkpush import ReviewFile

from addin.book.xlsx import XlsxBook
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.pull import pull_to_workbook
from addin.review.readback import read_workbook
from addin.review.refresh import refresh_workbook
from sync.localorg.demo.org import DEMO_REP
from sync.pull.cells import pull_cells


def test_pull_check_push_refresh_on_every_profile(profiled_org, tmp_path) -> None:
    org, profile = profiled_org.org, profiled_org.profile
    path = pull_to_workbook(org, DEMO_REP, tmp_path / "review.xlsx", horizon=6, history=1,
                            profile=profile)  # fmt: skip
    review = ReviewFile(path)
    a, b = review.open_cell(0, 0), review.open_cell(1, 1)
    review.edit(
        {
            a: 1234,
            b: 0,
            review.row_cell(layout.H_NOTE, review.block_of(a)): "Distributor promo",
            review.row_cell(layout.H_REASON, review.block_of(a)): "Promotion",
            review.row_cell(layout.H_NOTE, review.block_of(b)): "Line moved to a rival",
            review.row_cell(layout.H_REASON, review.block_of(b)): "Lost business",
        }
    )
    changes = read_workbook(XlsxBook.open(path)).changes
    assert read_workbook(XlsxBook.open(path)).record.context.profile == profile.name
    outcome = push_workbook(XlsxBook.open(path), org)
    assert outcome.receipt is not None
    assert [c.outcome for c in outcome.receipt.cells] == ["written", "written"]
    assert org.calls.update == 1  # one all-or-none call, on both data models

    in_org = pull_cells(org, DEMO_REP, profile=profile).frame.set_index("record_id")
    notes = {"Distributor promo": "[Promotion] Distributor promo",
             "Line moved to a rival": "[Lost business] Line moved to a rival"}  # fmt: skip
    for ch in changes:
        assert in_org.loc[ch.record_id, "adjusted"] == ch.new
        assert in_org.loc[ch.record_id, "note"] == notes[ch.note]

    again = push_workbook(XlsxBook.open(path), org)  # the baseline moved: nothing to send
    assert again.receipt is None and org.calls.update == 1

    refreshed = refresh_workbook(XlsxBook.open(path), org)
    assert refreshed.cells > 0
    reviewed = read_workbook(XlsxBook.open(path))
    assert reviewed.edits == []
    held = {c["record_id"]: c for c in reviewed.record.cells}
    assert {held[ch.record_id]["adjusted"] for ch in changes} == {1234, 0}
