"""The spread arithmetic: exact totals in the field's units, locked periods untouched, deterministic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.spread.exact import SpreadImpossible, largest_remainder, spread_total, units

value = st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False))
weight = st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False))


@st.composite
def rows(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 18))
    current = draw(st.lists(value, min_size=n, max_size=n))
    profile = draw(st.lists(weight, min_size=n, max_size=n))
    locked = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    scale = draw(st.sampled_from([0, 2]))
    total = draw(st.floats(min_value=0, max_value=1e7, allow_nan=False))
    return current, profile, locked, scale, total


@given(rows())
def test_spread_preserves_the_total_and_never_touches_locked_periods(row) -> None:  # type: ignore[no-untyped-def]
    current, profile, locked, scale, total = row
    try:
        split = spread_total(total, current, profile, locked, scale=scale)
    except SpreadImpossible:
        fixed = sum(units(c, scale) for c, lk in zip(current, locked, strict=True) if lk)
        assert all(locked) or fixed > units(total, scale)
        return
    assert sum(units(v, scale) for v in split.values) == units(total, scale)
    for before, after, is_locked in zip(current, split.values, locked, strict=True):
        if is_locked:
            assert after == before
        else:
            assert after is not None and after >= 0
            assert units(after, scale) == round(after * 10**scale)  # whole units of the field
    again = spread_total(total, current, profile, locked, scale=scale)
    assert again == split


@given(st.integers(0, 10**9), st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=24))
def test_largest_remainder_is_exact_and_within_one_unit_of_the_quota(total, weights) -> None:  # type: ignore[no-untyped-def]
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    whole = sum(weights) or len(weights)
    for part, w in zip(parts, weights if sum(weights) else [1] * len(weights), strict=True):
        assert abs(part - total * w / whole) < 1 + 1e-6 * total


def test_ties_go_to_the_earliest_period() -> None:
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert largest_remainder(2, [1, 1, 1]) == [1, 1, 0]


def test_zero_profile_falls_back_to_equal() -> None:
    split = spread_total(120, [0, 0, 0, 0], [0, 0, None, 0], [False] * 4)
    assert split.values == (30.0, 30.0, 30.0, 30.0)
    assert split.fell_back_to_equal


def test_proportional_in_cents() -> None:
    split = spread_total(100.0, [1, 1, 1], [1, 1, 1], [False] * 3, scale=2)
    assert split.values == (33.34, 33.33, 33.33)


def test_locked_periods_keep_their_value_and_count_toward_the_total() -> None:
    split = spread_total(100, [40, 5, 5], [1, 1, 3], [True, False, False])
    assert split.values == (40, 15.0, 45.0)


@pytest.mark.parametrize(
    ("total", "locked", "says"),
    [
        (100, [True, True], "every period"),
        (10, [True, False], "already hold"),
        (-1, [False, False], "0 or more"),
    ],
)
def test_unreachable_totals_are_refused(total, locked, says) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpreadImpossible, match=says):
        spread_total(total, [50, 50], [1, 1], locked)
