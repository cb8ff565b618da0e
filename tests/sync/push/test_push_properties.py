"""Properties of push (hypothesis): valid edits land exactly; a batch with one bad edit lands nothing.

Each example works against the org as the previous ones left it: it reads the cells it will
edit as they are now, pushes, and compares the cells it may touch (a pool of 400 changeable
and up to 10 locked cells) with what it expects. After all examples the whole forecast-cell
table is compared with the expected table, so a write to any other record would show.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest_push import (
    ADJUSTED,
    NOTE,
    cells_by_id,
    change,
    changeable_cells,
    expected_after,
    expired_cells,
    past_cells,
    snapshot,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.org.seam import OrgError
from sync.push.engine import LANDED, push

REASON_CODES = ("Customer intelligence", "Promotion", "New business", "Seasonality", "Other")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

values = st.one_of(
    st.none(),  # clear the adjustment
    st.integers(min_value=0, max_value=10**9).map(float),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False).map(float),
)
notes = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t'\"\\=+-@%_"),
    max_size=300,
)
edits = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=399), values, notes, st.sampled_from(REASON_CODES)
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda e: e[0],
)
bad_kinds = st.sampled_from(["locked cell", "note too long", "too many decimals", "absurd value"])
bad_edits = st.lists(st.tuples(bad_kinds, st.integers(0, 99)), min_size=1, max_size=3)


@pytest.fixture
def pool(org):
    """Changeable cells to draw from (ids only; values are re-read each example)."""
    return [r["Id"] for r in changeable_cells(org, limit=400)]


@pytest.fixture
def locked(org):
    """Cells the org refuses adjustments for: past periods and expired account forecasts."""
    cells = past_cells(org, limit=5) + expired_cells(org, limit=5)
    assert cells, "the demo org needs locked cells"
    return cells


def _state(org, ids):
    return {r["Id"]: (r.get(ADJUSTED), r.get(NOTE) or None) for r in cells_by_id(org, ids)}


def _changes(records, edits):
    return [
        change(r, new, note=note, reason_code=code)
        for r, (_, new, note, code) in zip(records, edits, strict=True)
    ]


@pytest.mark.slow_over_https  # 25 examples, 5-8 s over HTTPS
def test_valid_edits_leave_the_org_exactly_as_expected(org, pool) -> None:
    expected = snapshot(org)

    @SETTINGS
    @given(edits=edits)
    def push_valid_edits(edits) -> None:
        changes = _changes(cells_by_id(org, [pool[i] for i, *_ in edits]), edits)
        receipt = push(org, changes)
        expected.update(expected_after(expected, changes))
        assert _state(org, pool) == {i: expected[i] for i in pool}
        assert all(c.outcome in LANDED for c in receipt.cells)
        assert receipt.update_calls <= 1

    push_valid_edits()
    assert snapshot(org) == expected  # every other record untouched


@pytest.mark.slow_over_https  # 25 examples, 5-8 s over HTTPS
def test_a_batch_with_an_invalid_edit_pushes_nothing(org, pool, locked) -> None:
    before = snapshot(org)
    watched = pool + [r["Id"] for r in locked]

    @SETTINGS
    @given(edits=edits, bad=bad_edits)
    def push_with_a_bad_edit(edits, bad) -> None:
        changes = _changes(cells_by_id(org, [pool[i] for i, *_ in edits]), edits)
        for kind, k in bad:
            at = k % len(changes)
            if kind == "locked cell":
                pick = locked[k % len(locked)]
                if all(c.record_id != pick["Id"] for c in changes):
                    changes.insert(at, change(pick, 5.25))
            elif kind == "note too long":
                changes[at] = replace(changes[at], note="x" * 2_001)
            elif kind == "too many decimals":
                changes[at] = replace(changes[at], new=12.345)  # the org's field has 2 decimals
            else:
                changes[at] = replace(changes[at], new=1e19)  # beyond the field's 18 digits
        updates = org.calls.update
        with pytest.raises(OrgError):
            push(org, changes)
        assert _state(org, watched) == {i: before[i] for i in watched}
        assert org.calls.update - updates <= 1  # at most the one refused call

    push_with_a_bad_edit()
    assert snapshot(org) == before
