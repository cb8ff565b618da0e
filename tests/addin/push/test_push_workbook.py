"""End to end on the org: pull -> edit with openpyxl -> check -> push -> org, Push Log, baseline."""

from __future__ import annotations

import copy as copy_module
import shutil
import string
import tempfile
from pathlib import Path

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_push import FlakyOrg, expected_after, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.book.errors import ChecksFailed, ConflictsFound
from addin.book.xlsx import XlsxBook
from addin.push.sheets import CONFLICT_HEADINGS, LOG_HEADINGS
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.readback import read_workbook
from sync.localorg import LocalOrg
from sync.push.engine import PushIncomplete
from sync.push.journal import journal_path, read_journal


def edit_rows(
    review: ReviewFile, values: dict, note="Promo with the distributor", reason="Promotion"
):  # type: ignore[no-untyped-def]
    """Edit ``values`` and give each edited row a note and a reason code."""
    row_cells = {}
    for b in {review.block_of(a) for a in values}:
        row_cells[review.row_cell(layout.H_NOTE, b)] = note
        row_cells[review.row_cell(layout.H_REASON, b)] = reason
    return review.edit({**row_cells, **values})


def changes_of(review: ReviewFile):  # type: ignore[no-untyped-def]
    return read_workbook(XlsxBook.open(review.path)).changes


def log_rows(path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[layout.PUSH_LOG]
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def test_push_sends_the_changes_and_moves_the_baseline(org, pulled: ReviewFile) -> None:
    before = snapshot(org)
    edit_rows(
        pulled,
        {pulled.open_cell(0, 0): 1234, pulled.open_cell(0, 2): 55.5, pulled.open_cell(1, 1): 0},
    )
    changes = changes_of(pulled)
    assert len(changes) == 3

    outcome = push_workbook(XlsxBook.open(pulled.path), org)

    assert snapshot(org) == expected_after(before, changes)
    assert org.calls.update == 1
    receipt = outcome.receipt
    assert receipt is not None and [c.outcome for c in receipt.cells] == ["written"] * 3
    rows = log_rows(pulled.path)
    assert len(rows) == 3 and {r[0] for r in rows} == {receipt.push_id}
    first = dict(zip(LOG_HEADINGS, rows[0], strict=True))
    assert first["New"] == 1234 and first["Reason code"] == "Promotion"
    assert first["Note"] == "Promo with the distributor" and first["Update calls"] == 1
    assert first["User"] == org.identity().username and first["Outcome"] == "written"
    assert pulled.path.with_name("review.prev.xlsx").exists()
    assert any(e["kind"] == "end" for e in read_journal(journal_path(pulled.path)))

    reviewed = read_workbook(XlsxBook.open(pulled.path))
    assert reviewed.edits == [] and reviewed.record.pushes == [receipt.push_id]
    moved = {c["record_id"]: c for c in reviewed.record.cells}
    assert moved[changes[0].record_id]["adjusted"] == 1234
    assert moved[changes[0].record_id]["note"] == "[Promotion] Promo with the distributor"
    ws = openpyxl.load_workbook(pulled.path)[layout.REVIEW]
    mirror = reviewed.mirror_columns[changes[0].period_start]
    assert ws[f"{mirror}{pulled.adjusted_rows[0]}"].value == 1234

    again = push_workbook(XlsxBook.open(pulled.path), org)
    assert again.receipt is None and org.calls.update == 1


def test_checks_failing_sends_nothing(org, pulled: ReviewFile) -> None:
    before = snapshot(org)
    pulled.edit({pulled.open_cell(0, 0): 10, pulled.open_cell(0, 1): "ten"})
    with pytest.raises(ChecksFailed, match="nothing was sent"):
        push_workbook(XlsxBook.open(pulled.path), org)
    assert org.calls.update == 0 and snapshot(org) == before
    ws = openpyxl.load_workbook(pulled.path)[layout.CHECK]
    assert "block the push" in ws["A1"].value


def test_dry_run_sends_nothing_and_leaves_the_workbook_alone(org, pulled: ReviewFile) -> None:
    before = snapshot(org)
    edit_rows(pulled, {pulled.open_cell(0, 0): 77})
    stamp = pulled.path.stat().st_mtime_ns
    outcome = push_workbook(XlsxBook.open(pulled.path), org, dry_run=True)
    assert org.calls.update == 0 and snapshot(org) == before
    assert pulled.path.stat().st_mtime_ns == stamp
    assert not journal_path(pulled.path).exists()
    text = outcome.summary()
    assert "would send 1 cells in 1 update call" in text and "API budget" in text
    assert [c.outcome for c in outcome.receipt.cells] == ["would write"]


def test_a_second_workbook_editing_the_same_cell_gets_a_conflict(
    org, pulled: ReviewFile, tmp_path
) -> None:
    second = ReviewFile(shutil.copyfile(pulled.path, tmp_path / "second.xlsx"))
    edit_rows(pulled, {pulled.open_cell(0, 0): 500})
    push_workbook(XlsxBook.open(pulled.path), org)
    after_first = snapshot(org)

    edit_rows(second, {second.open_cell(0, 0): 900}, note="My own view")
    with pytest.raises(ConflictsFound, match="Conflicts sheet"):
        push_workbook(XlsxBook.open(second.path), org)
    assert snapshot(org) == after_first and org.calls.update == 1

    ws = openpyxl.load_workbook(second.path)[layout.CONFLICTS]
    heads = [c.value for c in ws[2]]
    assert heads == list(CONFLICT_HEADINGS)
    row = dict(zip(heads, [c.value for c in ws[3]], strict=True))
    assert (row["Theirs"], row["Mine"]) == (500, 900)
    assert row["Cell"].startswith('=HYPERLINK("#')

    # The user chooses "theirs" in the Take column: the next push drops the change.
    wb = openpyxl.load_workbook(second.path)
    wb[layout.CONFLICTS].cell(3, heads.index("Take") + 1).value = "theirs"
    wb.save(second.path)
    outcome = push_workbook(XlsxBook.open(second.path), org)
    assert snapshot(org) == after_first
    assert [c.outcome for c in outcome.receipt.cells] == ["kept theirs"]
    reviewed = read_workbook(XlsxBook.open(second.path))
    assert reviewed.edits == []  # the cell took their value
    ws = openpyxl.load_workbook(second.path)[layout.REVIEW]
    assert ws[second.open_cell(0, 0)].value == 500


def test_take_mine_overwrites_theirs(org, pulled: ReviewFile, tmp_path) -> None:
    second = ReviewFile(shutil.copyfile(pulled.path, tmp_path / "second.xlsx"))
    edit_rows(pulled, {pulled.open_cell(0, 0): 500})
    push_workbook(XlsxBook.open(pulled.path), org)
    edit_rows(second, {second.open_cell(0, 0): 900})
    (change,) = changes_of(second)
    outcome = push_workbook(XlsxBook.open(second.path), org, take="mine")
    assert [c.outcome for c in outcome.receipt.cells] == ["overwrote theirs"]
    assert snapshot(org)[change.record_id][0] == 900


def test_a_push_that_died_part_way_records_what_landed_and_finishes_on_rerun(org, tmp_path) -> None:
    pulled = ReviewFile(pull_review_file(org, tmp_path / "review.xlsx", horizon=12))
    before = snapshot(org)
    wb = openpyxl.load_workbook(pulled.path)
    ws = wb[layout.REVIEW]
    open_cells = [a for _, a in pulled.open_cells][:1100]
    assert len(open_cells) == 1100, "the demo rep needs more than 1,000 open cells"
    for i, address in enumerate(open_cells):
        ws[address].value = 1.25 + i % 40  # within 100x any baseline
    for b in range(len(pulled.adjusted_rows)):
        ws[pulled.row_cell(layout.H_NOTE, b)].value = "Plan reset"
        ws[pulled.row_cell(layout.H_REASON, b)].value = "Other"
    wb.save(pulled.path)
    changes = changes_of(pulled)

    flaky = FlakyOrg(org, fail_on=2, when="before")
    with pytest.raises(PushIncomplete, match="Run push again"):
        push_workbook(XlsxBook.open(pulled.path), flaky)
    half = read_workbook(XlsxBook.open(pulled.path))
    assert len(changes) > 1000
    assert len(half.changes) == len(changes) - 1000  # the first call's 1,000 moved forward
    assert len(log_rows(pulled.path)) == len(changes)

    outcome = push_workbook(XlsxBook.open(pulled.path), org)
    assert [c.outcome for c in outcome.receipt.cells] == ["written"] * (len(changes) - 1000)
    assert snapshot(org) == expected_after(before, changes)
    assert read_workbook(XlsxBook.open(pulled.path)).edits == []


# ---------------------------------------------------------------- property tests

NOTE_TEXT = st.text(
    alphabet=string.ascii_letters + string.digits + " .,;:!?()'/", min_size=1, max_size=40
)
BAD_VALUES = st.sampled_from(["x", "12 units", -1, True, "#REF!", "=A1", 5e12])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, demo_org_file):  # type: ignore[no-untyped-def]
    """A pulled workbook and its org, never written to: each example copies both."""
    folder = tmp_path_factory.mktemp("property")
    org_path = folder / "org.sqlite"
    shutil.copyfile(demo_org_file, org_path)
    path = pull_review_file(LocalOrg(org_path), folder / "pulled.xlsx")
    reviewed = read_workbook(XlsxBook.open(path))
    by_cell = reviewed.record.by_cell()
    shown = {
        reviewed.address(k, p): by_cell[(k, p.isoformat())]
        for k in reviewed.adjusted_rows
        for p in reviewed.periods
        if (k, p.isoformat()) in by_cell
    }
    return org_path, ReviewFile(path), shown


def _copy(pristine):  # type: ignore[no-untyped-def]
    org_path, review, _ = pristine
    folder = Path(tempfile.mkdtemp(prefix="dg-prop-"))
    shutil.copyfile(org_path, folder / "org.sqlite")
    shutil.copyfile(review.path, folder / "review.xlsx")
    copy = copy_module.copy(review)
    copy.path = folder / "review.xlsx"
    return LocalOrg(folder / "org.sqlite"), copy, folder


@pytest.mark.slow
@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_valid_edits_with_notes_land_exactly(pristine, data) -> None:  # type: ignore[no-untyped-def]
    org, review, folder = _copy(pristine)
    try:
        cells = data.draw(
            st.lists(
                st.sampled_from([a for _, a in review.open_cells]),
                min_size=1,
                max_size=8,
                unique=True,
            )
        )
        values = {}
        for address in cells:
            rec = pristine[2][address]
            start = rec["adjusted"] if rec["adjusted"] is not None else rec["baseline"] or 10
            factor = data.draw(st.decimals(min_value=0, max_value=3, places=2))
            values[address] = round(float(start) * float(factor), 2)
        note, reason = data.draw(NOTE_TEXT), data.draw(st.sampled_from(layout.REASON_CODES))
        edit_rows(review, values, note=note.strip() or "n", reason=reason)
        changes = changes_of(review)
        before = snapshot(org)
        push_workbook(XlsxBook.open(review.path), org)
        assert snapshot(org) == expected_after(before, changes)
        assert read_workbook(XlsxBook.open(review.path)).edits == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_invalid_edits_push_nothing(pristine, data) -> None:  # type: ignore[no-untyped-def]
    org, review, folder = _copy(pristine)
    try:
        open_cells = [a for _, a in review.open_cells]
        good, bad = (
            data.draw(st.lists(st.sampled_from(open_cells), min_size=2, max_size=5, unique=True)),
            None,
        )
        bad = good.pop()
        values = {a: 1.5 for a in good} | {bad: data.draw(BAD_VALUES)}
        edit_rows(review, values)
        before = snapshot(org)
        with pytest.raises(ChecksFailed):
            push_workbook(XlsxBook.open(review.path), org)
        assert org.calls.update == 0 and snapshot(org) == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)
