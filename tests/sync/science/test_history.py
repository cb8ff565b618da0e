"""The pre-read's history read from the org (the cycle's snapshots and the actuals that
followed), on both backends, and the demo org's story found by the science."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("sync.cycle.snapshots")  # the cycle's memory (issue 12, part A)

from sync.science.bridge import NEW_OR_DROPPED  # noqa: E402
from sync.science.figures import compute  # noqa: E402
from sync.science.history import NoSnapshot, closed_snapshots, gather  # noqa: E402


@pytest.fixture(scope="module")
def demo_figures(demo_org_file):
    from sync.localorg import LocalOrg

    return compute(gather(LocalOrg(demo_org_file)))


@pytest.mark.slow_over_https  # 5-13 s over HTTPS
def test_gather_reads_the_latest_closed_cycle_and_its_history(org) -> None:
    cycles = list(closed_snapshots(org))
    history = gather(org)
    assert history.cycle == cycles[-1] and len(cycles) >= 12
    assert set(history.snapshots["cycle"]) == set(cycles)
    assert history.snapshot_id == f"SNAP-{history.cycle}-ALL"
    assert history.prior_id == f"SNAP-{cycles[-2]}-ALL"
    assert len(history.actuals) and history.supply.empty


@pytest.mark.slow_over_https  # 5-13 s over HTTPS
def test_a_region_reads_only_its_accounts(org) -> None:
    region = sorted(set(gather(org).current["region"]))[0]
    history = gather(org, region=region)
    assert set(history.snapshots["region"]) == {region}


@pytest.mark.slow_over_https  # 5-13 s over HTTPS
def test_an_unknown_cycle_or_region_is_refused_with_the_closed_cycles(org) -> None:
    with pytest.raises(NoSnapshot, match="closed cycles are .*--cycle"):
        gather(org, cycle="1999-01")
    with pytest.raises(NoSnapshot, match="has lines in region Atlantis .*EMEA.* with --region"):
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


@pytest.mark.slow_over_https  # 5-13 s over HTTPS
def test_a_loaded_supply_commitment_meets_the_plans_demand(org) -> None:
    history = gather(org)
    family = sorted(set(history.current["product_family"]))[0]
    month = min(history.current["period_start"])
    org.upsert(
        "SupplyCommitment__c",
        "Key__c",
        [
            {
                "Key__c": f"{family}|{month:%Y-%m}",
                "Name": f"{family} {month:%Y-%m}",
                "ProductFamily__c": family,
                "PeriodStartDate__c": month.isoformat(),
                "Quantity__c": 1234.5,
                "PlanId__c": "SUP-TEST",
            }
        ],
    )
    figures = compute(gather(org))
    row = figures.supply[
        (figures.supply["product_family"] == family) & (figures.supply["period_start"] == month)
    ].iloc[0]
    lines = history.current[
        (history.current["product_family"] == family) & (history.current["period_start"] == month)
    ]
    assert row["supply"] == 1234.5 and row["plan_id"] == "SUP-TEST"
    assert row["demand"] == pytest.approx(lines["consensus_qty"].sum(), abs=1e-6)
    assert row["balance"] == pytest.approx(1234.5 - row["demand"], abs=1e-6)


def test_a_region_closed_on_its_own_reads_its_snapshot_and_the_all_regions_prior(org_file):
    from sync.cycle.close import close_cycle
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_PLANNER

    org = LocalOrg(org_file, username=DEMO_PLANNER)
    receipt = close_cycle(org, region="EMEA")
    history = gather(org, region="EMEA")
    assert history.snapshot_id == receipt.snapshot_id and history.snapshot_id.endswith("-EMEA")
    assert history.prior_id.endswith("-ALL") and set(history.prior["region"]) == {"EMEA"}
    assert set(history.snapshots["region"]) == {"EMEA"}
    figures = compute(history)
    assert figures.bridge.prior_cents + sum(c for _, c in figures.bridge.bars) == (
        figures.bridge.current_cents
    )
    with pytest.raises(NoSnapshot, match=re.escape(f"region APAC (closed: {receipt.snapshot_id})")):
        gather(org, region="APAC")
