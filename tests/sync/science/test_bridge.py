"""The revenue bridge ties the prior plan to this plan to the cent, by driver."""

from __future__ import annotations

from datetime import date

import numpy as np
from science_frames import line, snapshot

from sync.science.bridge import ALLOCATION_CUTS, BASELINE, NEW_OR_DROPPED, revenue_bridge
from sync.science.conventions import NO_REASON

P1, P2, P3 = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)


def plans():
    prior = snapshot(
        [
            line("2026-10", "A1", "P1", P1, baseline=100, consensus=110, price=10.01),
            line("2026-10", "A1", "P1", P2, baseline=100, price=3.333),
            line("2026-10", "A2", "P1", P2, baseline=50, consensus=40, price=7.77),
            line("2026-10", "A2", "P1", date(2026, 10, 1), baseline=9, price=1.1),  # rolls off
        ]
    )
    current = snapshot(
        [
            line(
                "2026-11",
                "A1",
                "P1",
                P1,
                baseline=105,
                consensus=130,
                reason_code="Promotion",
                price=10.01,
            ),
            line(
                "2026-11",
                "A1",
                "P1",
                P2,
                baseline=101,
                consensus=90,
                reason_code="Allocation",
                price=3.333,
            ),
            line("2026-11", "A2", "P1", P2, baseline=50, consensus=45, price=7.77),
            line("2026-11", "A2", "P1", P3, baseline=33.3, price=2.5),  # new period
            line("2026-11", "A3", "P1", P2, baseline=12, price=2.5),  # new line
        ]
    )
    return prior, current


def test_bars_tie_to_the_two_totals_to_the_cent() -> None:
    prior, current = plans()
    bridge = revenue_bridge(prior, current)
    assert bridge.prior_cents + sum(c for _, c in bridge.bars) == bridge.current_cents
    common = [P1, P2]
    assert bridge.periods == tuple(common)
    assert bridge.prior_cents == round(
        prior[prior["period_start"].isin(common)]["consensus_rev"].sum() * 100
    )
    assert bridge.current_cents == round(
        current[current["period_start"].isin(common)]["consensus_rev"].sum() * 100
    )
    assert (
        bridge.current_outside_cents == round(33.3 * 250) and bridge.prior_outside_cents == 9 * 110
    )
    assert bridge.scope() == "Nov 2026 - Dec 2026 (2 months both plans cover)"
    frame = bridge.frame()
    assert round(frame["amount"].iloc[0] * 100 + frame["amount"].iloc[1:-1].sum() * 100) == round(
        frame["amount"].iloc[-1] * 100
    )


def test_each_driver_gets_its_share() -> None:
    bars = dict(revenue_bridge(*plans()).bars)
    assert bars[BASELINE] == round(5 * 1001 + 1 * 333.3)  # baseline moves, in cents
    assert bars["Promotion"] == (130 - 105) * 1001 - (110 - 100) * 1001
    assert bars[ALLOCATION_CUTS] == int(np.rint(90 * 333.3) - np.rint(101 * 333.3))
    assert bars[NO_REASON] == (45 - 50) * 777 - (40 - 50) * 777
    assert bars[NEW_OR_DROPPED] == 12 * 250


def test_no_reason_and_allocation_bars_are_always_shown() -> None:
    prior, _ = plans()
    labels = [label for label, _ in revenue_bridge(prior, prior).bars]
    assert labels == [BASELINE, ALLOCATION_CUTS, NO_REASON, NEW_OR_DROPPED]
    assert all(c == 0 for _, c in revenue_bridge(prior, prior).bars)


def test_a_first_cycle_bridges_from_nothing() -> None:
    _, current = plans()
    bridge = revenue_bridge(snapshot([]), current)
    assert bridge.prior_cents == bridge.current_cents == 0 and bridge.periods == ()
    assert bridge.prior_id == "none" and bridge.scope() == "no month that both plans cover"
    assert bridge.current_outside_cents == round(current["consensus_rev"].sum() * 100)
