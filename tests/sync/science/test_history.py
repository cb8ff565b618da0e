"""The pre-read's history read from the org (the cycle's snapshots and the actuals that
followed), on both backends, and the demo org's story found by the science."""

from __future__ import annotations

import pytest

pytest.importorskip("sync.cycle.snapshots")  # the cycle's memory (issue 12, part A)

from sync.science.bridge import NEW_OR_DROPPED  # noqa: E402
from sync.science.figures import compute  # noqa: E402
from sync.science.history import NoSnapshot, closed_snapshots, gather  # noqa: E402


@pytest.fixture(scope="module")
def demo_figures(demo_org_file):
    from sync.localorg import LocalOrg

    return compute(gather(LocalOrg(demo_org_file)))


def test_gather_reads_the_latest_closed_cycle_and_its_history(org) -> None:
    cycles = list(closed_snapshots(org))
    history = gather(org)
    assert history.cycle == cycles[-1] and len(cycles) >= 12
    assert set(history.snapshots["cycle"]) == set(cycles)
    assert history.snapshot_id == f"SNAP-{history.cycle}-ALL"
    assert history.prior_id == f"SNAP-{cycles[-2]}-ALL"
    assert len(history.actuals) and history.supply.empty


def test_a_region_reads_only_its_accounts(org) -> None:
    region = sorted(set(gather(org).current["region"]))[0]
    history = gather(org, region=region)
    assert set(history.snapshots["region"]) == {region}


def test_an_unknown_cycle_or_region_is_refused_with_the_closed_cycles(org) -> None:
    with pytest.raises(NoSnapshot, match="closed cycles are .*--cycle"):
        gather(org, cycle="1999-01")
    with pytest.raises(NoSnapshot, match="no lines in region Atlantis"):
        gather(org, region="Atlantis")


def test_the_demo_story_is_found(demo_figures) -> None:
    f = demo_figures
    assert len(f.trend) >= 10 and f.lag == 1
    reason = f.fva_reason.set_index(["group", "step_no"])["value_added"]
    assert reason[("Customer intelligence", 2)] > 0  # a reason code that helps
    assert reason[("Promotion", 2)] < 0  # one that does not
    rep = f.fva_rep[f.fva_rep["step_no"] == 2].set_index("group")["value_added"]
    assert rep.drop("All").max() > 0 > rep.drop("All").min()  # a sharp rep and an optimist
    bridge = f.bridge
    assert bridge.prior_cents + sum(c for _, c in bridge.bars) == bridge.current_cents
    assert dict(bridge.bars)[NEW_OR_DROPPED] == 0
    assert list(f.risks["rank"]) == list(range(1, len(f.risks) + 1))
