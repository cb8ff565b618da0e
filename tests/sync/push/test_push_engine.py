"""The push engine against the org: re-read, conflicts, batches, receipts, journal, call counts."""

from __future__ import annotations

import json
import math
from urllib.parse import quote_plus

import pytest
from conftest_push import (
    ADJUSTED,
    NOTE,
    FlakyOrg,
    cells_by_id,
    change,
    changeable_cells,
    expected_after,
    past_cells,
    snapshot,
)

from sync.org.seam import UPDATE_LIMIT, ApiLimits, UpdateRefused
from sync.push.engine import (
    ALREADY_IN_ORG,
    KEPT_THEIRS,
    OVERWROTE_THEIRS,
    WRITTEN,
    BadResolution,
    BudgetTooLow,
    ConflictsPending,
    DuplicateCells,
    NoteTooLong,
    PushIncomplete,
    RecordsMissing,
    baseline_after,
    batches,
    id_chunks,
    note_text,
    plan_push,
    push,
    reread_soql,
)
from sync.push.journal import Journal, journal_path, last_push, read_journal
from sync.push.plan import QUERY_MAX_BYTES

# ---------------------------------------------------------------- payloads (no org)


def test_note_text_joins_reason_code_and_note() -> None:
    record = {"Id": "0iQ000000000001AAA", ADJUSTED: 5.0}
    assert note_text(change(record, 6, note=" Big order ", reason_code="Promotion")) == (
        "[Promotion] Big order"
    )
    assert note_text(change(record, 6, note="", reason_code="Promotion")) == "[Promotion]"
    assert note_text(change(record, 6, note="why", reason_code="")) == "why"
    assert note_text(change(record, 6, note="", reason_code="")) is None


def test_batches_are_update_payloads_of_at_most_1000() -> None:
    records = [{"Id": f"0iQ{i:015d}", ADJUSTED: None} for i in range(2_345)]
    changes = [change(r, float(i), note="n", reason_code="Other") for i, r in enumerate(records)]
    changes[7] = change(records[7], None, note="cleared", reason_code="Other")
    payloads = batches(changes)
    assert [len(p) for p in payloads] == [1000, 1000, 345]
    assert payloads[0][1] == {"Id": records[1]["Id"], ADJUSTED: 1.0, NOTE: "[Other] n"}
    assert payloads[0][7] == {"Id": records[7]["Id"], ADJUSTED: None, NOTE: "[Other] cleared"}


def test_batches_refuse_duplicates_long_notes_and_infinite_values() -> None:
    record = {"Id": "0iQ000000000001AAA", ADJUSTED: 5.0}
    with pytest.raises(DuplicateCells, match="both change the forecast record"):
        batches([change(record, 1, cell="H1"), change(record, 2, cell="H2")])
    with pytest.raises(NoteTooLong, match="2,000 characters"):
        batches([change(record, 1, note="x" * 1995, reason_code="Promotion")])
    with pytest.raises(Exception, match="infinite"):
        batches([change(record, math.inf)])


def test_id_chunks_fill_each_query_up_to_one_page_and_the_url_budget() -> None:
    ids = [f"0iQDg{i:010d}MAQ" for i in range(4_500)]
    assert [len(c) for c in id_chunks(ids, max_bytes=100_000)] == [2000, 2000, 500]
    chunks = list(id_chunks(ids + ids[:10]))  # duplicates are read once
    assert sum(len(c) for c in chunks) == 4_500
    assert len({len(c) for c in chunks[:-1]}) == 1 and len(chunks[0]) > 400


def test_reread_queries_fit_a_rest_url() -> None:
    class AnyOrg:
        pass

    ids = [f"0iQDg{i:010d}MAQ" for i in range(2_000)]
    queries = reread_soql(AnyOrg(), ids)  # type: ignore[arg-type]
    assert all(len(quote_plus(q)) <= QUERY_MAX_BYTES < 16_384 for q in queries)
    assert len(queries) == math.ceil(2_000 / len(queries[0].split("','")))
    assert queries[0].startswith("SELECT Id, AdjustedForecastedQuantity, AdjustmentComments")


# ---------------------------------------------------------------- against the org


def test_push_writes_values_and_notes_and_returns_a_receipt(org, tmp_path) -> None:
    targets = changeable_cells(org, limit=5)
    before = snapshot(org)
    changes = [change(r, 100.0 + i, note=f"note {i}") for i, r in enumerate(targets)]
    updates, queries = org.calls.update, org.calls.query
    workbook = str(tmp_path / "review.xlsx")

    receipt = push(org, changes, workbook=workbook)
    calls = (org.calls.update - updates, org.calls.query - queries)

    assert snapshot(org) == expected_after(before, changes)
    assert [c.outcome for c in receipt.cells] == [WRITTEN] * 5
    assert all(
        c.modstamp and c.modstamp != ch.modstamp
        for c, ch in zip(receipt.cells, changes, strict=True)
    )
    assert (receipt.update_calls, receipt.query_calls) == (1, 2)  # re-read + history, stamps
    assert calls == (1, 2)
    assert receipt.username == org.identity().username and not receipt.dry_run
    assert baseline_after(receipt.cells[0]) == (100.0, receipt.cells[0].modstamp)


def test_an_empty_value_clears_the_adjustment(org) -> None:
    [cell] = changeable_cells(org, limit=1)
    push(org, [change(cell, 250.0)])
    [adjusted] = cells_by_id(org, [cell["Id"]])
    assert adjusted[ADJUSTED] == 250.0
    receipt = push(org, [change(adjusted, None, note="back to the baseline")])
    assert [c.outcome for c in receipt.cells] == [WRITTEN]
    assert snapshot(org)[cell["Id"]] == (None, "[PROMO] back to the baseline")


def test_a_second_push_sends_nothing(org) -> None:
    changes = [change(r, 42.0) for r in changeable_cells(org, limit=3)]
    push(org, changes)
    updates = org.calls.update
    again = push(org, changes)
    assert {c.outcome for c in again.cells} == {ALREADY_IN_ORG}
    assert again.update_calls == 0 and org.calls.update == updates
    assert again.query_calls == 1
    assert all(c.modstamp for c in again.cells)


def test_two_pushes_to_one_cell_the_second_reports_the_conflict(org) -> None:
    [pulled] = changeable_cells(org, limit=1)
    push(org, [change(pulled, 10.0, note="first workbook")])  # someone else, same pull
    mine = change(pulled, 20.0, note="second workbook")

    with pytest.raises(ConflictsPending) as caught:
        push(org, [mine])
    [conflict] = caught.value.plan.conflicts
    assert (conflict.change.old, conflict.theirs, conflict.change.new) == (pulled[ADJUSTED], 10, 20)
    assert "theirs 10, mine 20" in str(caught.value)
    assert "--take mine" in str(caught.value) and "Conflicts sheet" in str(caught.value)
    assert snapshot(org)[pulled["Id"]] == (10.0, "[PROMO] first workbook")  # nothing overwritten

    kept = push(org, [mine], take="theirs")
    assert [(c.outcome, c.theirs) for c in kept.cells] == [(KEPT_THEIRS, 10.0)]
    assert kept.update_calls == 0 and snapshot(org)[pulled["Id"]][0] == 10.0
    assert baseline_after(kept.cells[0]) == (10.0, kept.cells[0].modstamp)

    overwrote = push(org, [mine], take="mine")
    assert [(c.outcome, c.theirs) for c in overwrote.cells] == [(OVERWROTE_THEIRS, 10.0)]
    assert snapshot(org)[pulled["Id"]] == (20.0, "[PROMO] second workbook")


def test_an_identical_edit_is_already_done_not_a_conflict(org) -> None:
    [pulled] = changeable_cells(org, limit=1)
    push(org, [change(pulled, 77.0, note="theirs")])
    receipt = push(org, [change(pulled, 77.0, note="mine")])
    assert [c.outcome for c in receipt.cells] == [ALREADY_IN_ORG]


def test_a_moved_stamp_with_the_same_value_is_no_conflict(org) -> None:
    [pulled] = changeable_cells(org, limit=1)
    # A recalculation touches the row (new SystemModstamp) without changing the adjusted value.
    org.update("AccountProductPeriodForecast", [{"Id": pulled["Id"], NOTE: "recalc"}])
    plan = plan_push(org, [change(pulled, 5.0)])
    assert plan.org_cells[pulled["Id"]].modstamp != pulled["SystemModstamp"]
    assert [c.record_id for c in plan.to_send] == [pulled["Id"]] and not plan.conflicts


def test_resolutions_per_cell_override_take(org) -> None:
    a, b, c = changeable_cells(org, limit=3)
    push(org, [change(a, 1.0), change(b, 2.0), change(c, 3.0)])  # theirs
    mine = [change(a, 11.0), change(b, 12.0), change(c, 13.0)]
    plan = plan_push(org, mine, resolutions={a["Id"]: "mine", b["Id"]: "theirs"})
    assert [x.change.record_id for x in plan.conflicts] == [c["Id"]] and not plan.ready
    receipt = push(org, mine, resolutions={a["Id"]: "mine"}, take="theirs")
    assert [x.outcome for x in receipt.cells] == [OVERWROTE_THEIRS, KEPT_THEIRS, KEPT_THEIRS]
    assert [snapshot(org)[r["Id"]][0] for r in (a, b, c)] == [11.0, 2.0, 3.0]
    with pytest.raises(BadResolution, match="neither 'mine' nor 'theirs'"):
        plan_push(org, mine, take="ours")  # type: ignore[arg-type]


def test_a_record_deleted_in_the_org_is_its_own_error(org) -> None:
    [real] = changeable_cells(org, limit=1)
    gone = dict(real, Id=real["Id"][:3] + "Z" * 12 + "AAA")  # well-formed, no such record
    changes = [change(real, 3.0), change(gone, 4.0)]
    with pytest.raises(RecordsMissing, match="no longer in the org") as caught:
        push(org, changes)
    assert [c.record_id for c in caught.value.changes] == [gone["Id"]]
    assert snapshot(org)[real["Id"]][0] == real[ADJUSTED]  # nothing sent
    receipt = push(org, changes, resolutions={gone["Id"]: "theirs"})
    assert [c.outcome for c in receipt.cells] == [
        WRITTEN,
        "not sent: the record was deleted in the org (kept theirs)",
    ]


def test_a_refused_call_lands_nothing_and_names_the_cell(org) -> None:
    good = changeable_cells(org, limit=3)
    [past] = past_cells(org, limit=1)
    before = snapshot(org)
    changes = [change(r, 9.0) for r in good] + [change(past, 9.0, cell="C7")]
    with pytest.raises(PushIncomplete) as caught:
        push(org, changes)
    message = str(caught.value)
    assert "Review!C7" in message and "FIELD_INTEGRITY_EXCEPTION" in message
    assert "Nothing of that call was written" in message and "push again" in message
    assert snapshot(org) == before
    assert {c.outcome for c in caught.value.receipt.cells} == {"not sent: the org refused call 1"}


def test_dry_run_sends_nothing_and_shows_calls_and_budget(org) -> None:
    targets = changeable_cells(org, limit=1_500)
    push(org, [change(targets[0], 1.0)])  # a conflict-to-be
    before = snapshot(org)
    updates = org.calls.update
    changes = [change(r, 5.0) for r in targets]
    receipt = push(org, changes, dry_run=True)
    assert receipt.dry_run and org.calls.update == updates and snapshot(org) == before
    text = "\n".join(receipt.responses)
    assert "would send 1,499 cells in 2 update call(s)" in text
    assert "1 conflict(s) must be resolved" in text and "daily requests left" in text
    assert receipt.cells[0].outcome.startswith("conflict: pulled")
    assert {c.outcome for c in receipt.cells[1:]} == {"would write"}


def test_too_long_a_note_is_refused_before_anything_is_sent(org) -> None:
    [cell] = changeable_cells(org, limit=1)
    queries, updates = org.calls.query, org.calls.update
    with pytest.raises(NoteTooLong, match="Shorten those notes"):
        push(org, [change(cell, 1.0, note="n" * 2_000)])
    assert (org.calls.query, org.calls.update) == (queries, updates)


@pytest.mark.parametrize(
    ("n", "update_calls", "reads", "queries"),
    [(100, 1, 1, 2), (1_000, 1, 3, 6), (10_000, 10, 23, 80)],
)
def test_call_counts_are_the_minimum(org, n, update_calls, reads, queries) -> None:
    targets = changeable_cells(org, limit=n)
    assert len(targets) == n, "the demo org has too few changeable cells for this test"
    changes = [change(r, 123_456.75 + i) for i, r in enumerate(targets)]
    before, updates = org.calls.query, org.calls.update
    receipt = push(org, changes)
    assert org.calls.update - updates == update_calls == math.ceil(n / UPDATE_LIMIT)
    # The plan's re-read (which serves the first call), a re-read before each later call, and
    # after each call one history query per ~440 Ids that also brings the new stamps
    # (compare-and-set, ADR 0010); each query as full as one REST URL allows.
    assert org.calls.query - before == queries
    assert len(reread_soql(org, [c.record_id for c in changes])) == reads
    assert (receipt.update_calls, receipt.query_calls) == (update_calls, queries)
    assert {c.outcome for c in receipt.cells} == {WRITTEN}


def test_the_journal_records_each_step_without_secrets(org, tmp_path) -> None:
    workbook = tmp_path / "review.xlsx"
    changes = [change(r, 12.5, note="journal") for r in changeable_cells(org, limit=1_200)]
    progress: list[tuple[int, int]] = []
    receipt = push(
        org, changes, workbook=str(workbook), on_progress=lambda d, t: progress.append((d, t))
    )
    assert progress == [(1000, 1200), (1200, 1200)]
    path = journal_path(workbook)
    assert path.name == "review.xlsx.demandgrid-journal.jsonl"
    entries = read_journal(path)
    kinds = [e["kind"] for e in entries]
    assert kinds == [
        "begin",
        *["intent", "landed", "verified"] * 2,
        "stamps",
        "end",
    ]
    assert {e["push_id"] for e in entries} == {receipt.push_id}
    assert entries[0]["cells"] == 1200 and entries[0]["username"] == receipt.username
    assert entries[1]["records"][0] == {
        "Id": changes[0].record_id,
        ADJUSTED: 12.5,
        NOTE: "[PROMO] journal",
    }
    assert len(entries[-2]["stamps"]) == 1200
    assert entries[-1]["summary"]["outcomes"] == {WRITTEN: 1200}
    raw = path.read_text()
    assert not any(word in raw.lower() for word in ("token", "password", "session_id", "secret"))
    assert all(json.loads(line) for line in raw.splitlines())
    summary = last_push(path)
    assert summary and summary.finished and "1200 written" in summary.describe()
    assert Journal(path).unfinished() == []


def test_update_refused_carries_per_record_errors(org) -> None:
    # The org's own all-or-none contract, which push relies on.
    [past] = past_cells(org, limit=1)
    with pytest.raises(UpdateRefused) as caught:
        org.update("AccountProductPeriodForecast", [{"Id": past["Id"], ADJUSTED: 1.0}])
    assert caught.value.results and not caught.value.results[0].success


def test_a_push_the_api_budget_cannot_carry_is_refused_before_sending(org) -> None:
    class NearlySpent(FlakyOrg):
        def limits(self) -> ApiLimits:
            return ApiLimits(15_000, 2)

    changes = [change(r, 4.25) for r in changeable_cells(org, limit=2_001)]
    updates = org.calls.update
    with pytest.raises(BudgetTooLow, match=r"needs \d+ API calls but the org has 2 of"):
        push(NearlySpent(org), changes)
    assert org.calls.update == updates


def test_an_empty_changeset_sends_nothing(org) -> None:
    queries, updates = org.calls.query, org.calls.update
    receipt = push(org, [])
    assert receipt.cells == [] and (org.calls.query, org.calls.update) == (queries, updates)
