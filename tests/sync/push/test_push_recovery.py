"""A push that dies part-way is safe to run again: it sends what has not landed, never twice."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest_push import (
    FlakyOrg,
    adjustment_counts,
    change,
    changeable_cells,
    expected_after,
    past_cells,
    snapshot,
)

from sync.org.seam import ApiLimitExceeded, OrgUnavailable, SessionExpired
from sync.push.engine import ALREADY_IN_ORG, NOT_CONFIRMED, NOT_SENT, WRITTEN, PushIncomplete, push
from sync.push.journal import journal_path, last_push, read_journal

N = 2_500  # three update calls: 1,000 + 1,000 + 500


def _committed(flaky: FlakyOrg) -> Counter[str]:
    return Counter(r["Id"] for payload in flaky.sent for r in payload)


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("fail_on", [1, 2, 3])
def test_failure_at_each_call_then_a_rerun_ends_as_if_nothing_failed(
    org, tmp_path, fail_on, when
) -> None:
    targets = changeable_cells(org, limit=N)
    changes = [change(r, float(i % 997) + 0.25, note=f"n{i}") for i, r in enumerate(targets)]
    before = snapshot(org)
    flaky = FlakyOrg(org, fail_on=fail_on, when=when)
    workbook = str(tmp_path / "review.xlsx")

    with pytest.raises(PushIncomplete) as caught:
        push(flaky, changes, workbook=workbook)

    receipt = caught.value.receipt
    outcomes = [c.outcome.split(":")[0] for c in receipt.cells]
    landed = (fail_on - 1) * 1000
    assert outcomes[:landed] == [WRITTEN] * landed
    # A lost answer looks the same whether the org committed or not: "not confirmed".
    assert set(outcomes[landed : landed + 1000]) == {NOT_CONFIRMED}
    assert set(outcomes[landed + 1000 :]) <= {NOT_SENT}
    message = str(caught.value)
    assert f"{landed:,} of {N:,} cells landed" in message and "Run push again" in message
    assert "may or may not have written it" in message
    assert last_push(journal_path(workbook)).finished  # the failed push still wrote its end

    rerun = push(flaky, changes, workbook=workbook)

    assert snapshot(org) == expected_after(before, changes)
    committed_first = min(landed + (1000 if when == "after" else 0), N)
    expected = Counter({ALREADY_IN_ORG: committed_first, WRITTEN: N - committed_first})
    assert Counter(c.outcome for c in rerun.cells) == +expected
    assert all(n == 1 for n in _committed(flaky).values())  # no record written twice
    assert set(adjustment_counts(org, changes).values()) == {1}
    assert all(c.modstamp for c in rerun.cells)


@pytest.mark.parametrize("error", [SessionExpired, ApiLimitExceeded, RuntimeError])
def test_any_error_mid_push_is_reported_with_the_partial_receipt(org, error) -> None:
    changes = [change(r, 3.0) for r in changeable_cells(org, limit=1_500)]
    flaky = FlakyOrg(org, fail_on=2, when="before", error=error)
    with pytest.raises(PushIncomplete, match=error.__name__) as caught:
        push(flaky, changes)
    assert Counter(c.outcome.split(":")[0] for c in caught.value.receipt.cells) == {
        WRITTEN: 1000,
        NOT_CONFIRMED: 500,
    }
    assert caught.value.receipt.update_calls == 1  # the injected failure never reached the org
    rerun = push(org, changes)
    assert Counter(c.outcome for c in rerun.cells) == {ALREADY_IN_ORG: 1000, WRITTEN: 500}


def test_a_refused_middle_call_stops_the_push_and_the_fixed_rerun_sends_the_rest(org) -> None:
    good = changeable_cells(org, limit=2_400)
    [past] = past_cells(org, limit=1)
    changes = [change(r, 8.0) for r in good]
    changes.insert(1_500, change(past, 8.0, cell="Q99"))  # in the second call
    before = snapshot(org)

    with pytest.raises(PushIncomplete) as caught:
        push(org, changes)
    message = str(caught.value)
    assert "call 2 failed" in message and "Review!Q99" in message
    assert "Nothing of that call was written" in message
    counts = Counter(c.outcome for c in caught.value.receipt.cells)
    assert counts == {
        WRITTEN: 1000,
        f"{NOT_SENT}: the org refused call 2": 1000,
        f"{NOT_SENT}: call 2 failed before it": 401,
    }
    assert caught.value.receipt.update_calls == 2

    fixed = [c for c in changes if c.record_id != past["Id"]]
    rerun = push(org, fixed)
    assert Counter(c.outcome for c in rerun.cells) == {ALREADY_IN_ORG: 1000, WRITTEN: 1400}
    assert rerun.update_calls == 2
    assert snapshot(org) == expected_after(before, fixed)


def test_a_killed_push_leaves_an_unfinished_journal_and_the_rerun_finishes_it(
    org, tmp_path
) -> None:
    changes = [change(r, 6.5) for r in changeable_cells(org, limit=2_100)]
    before = snapshot(org)
    # SystemExit after the org committed call 2: the process dies without a receipt.
    flaky = FlakyOrg(org, fail_on=2, when="after", error=SystemExit)
    workbook = str(tmp_path / "review.xlsx")
    with pytest.raises(SystemExit):
        push(flaky, changes, workbook=workbook)
    journal = journal_path(workbook)
    kinds = [e["kind"] for e in read_journal(journal)]
    assert kinds == ["begin", "intent", "landed", "verified", "intent", "failed"]
    summary = last_push(journal)
    assert summary and not summary.finished and "did not finish" in summary.describe()

    rerun = push(flaky, changes, workbook=workbook)

    assert any("did not finish" in line for line in rerun.responses)
    assert Counter(c.outcome for c in rerun.cells) == {ALREADY_IN_ORG: 2000, WRITTEN: 100}
    assert snapshot(org) == expected_after(before, changes)
    assert all(n == 1 for n in _committed(flaky).values())
    assert set(adjustment_counts(org, changes).values()) == {1}


def test_a_torn_journal_line_is_skipped(tmp_path) -> None:
    path = tmp_path / "review.xlsx.demandgrid-journal.jsonl"
    path.write_text('{"kind":"begin","push_id":"p1","at":"t"}\n{"kind":"intent","push')
    assert [e["kind"] for e in read_journal(path)] == ["begin"]


def test_org_unavailable_during_the_reread_sends_nothing(org) -> None:
    changes = [change(r, 1.0) for r in changeable_cells(org, limit=3)]
    before = snapshot(org)

    class DownOrg(FlakyOrg):
        def query(self, soql):
            raise OrgUnavailable("The org did not answer; try again in a minute.")

    with pytest.raises(OrgUnavailable):
        push(DownOrg(org), changes)
    assert snapshot(org) == before
