"""Top risk accounts rank deterministically with a reason; demand vs supply per product line,
and an org with no supply commitment says so."""

from __future__ import annotations

from datetime import date

from science_frames import actuals, line, snapshot

from sync.science.risk import top_risks
from sync.science.supply import demand_vs_supply, read_supply_commitments

P, Q = date(2026, 11, 1), date(2026, 12, 1)


def plans():
    prior = snapshot(
        [
            line("2026-10", "A1", "P1", P, baseline=100),
            line("2026-10", "A2", "P1", P, baseline=100),
            line("2026-10", "A3", "P1", P, baseline=100),
            line("2026-10", "A4", "P1", P, baseline=100),
            line("2026-10", "A1", "P1", date(2026, 10, 1), baseline=100),
        ]
    )
    current = snapshot(
        [
            line("2026-11", "A1", "P1", P, baseline=60),  # cut by 400
            line("2026-11", "A2", "P1", P, baseline=100, target_rev=1500.0),  # 500 short of target
            line("2026-11", "A3", "P1", P, baseline=100),  # no risk
            line("2026-11", "A4", "P1", P, baseline=100),  # recent actuals 400 under plan
            line("2026-11", "A4", "P1", Q, baseline=100),  # a new period is not a move
        ]
    )
    acts = actuals([("A1", "P1", date(2026, 10, 1), 100), ("A4", "P1", date(2026, 10, 1), 60)])
    history = snapshot(
        [
            line("2026-09", "A1", "P1", date(2026, 10, 1), baseline=100),
            line("2026-09", "A4", "P1", date(2026, 10, 1), baseline=100),
        ]
    )
    return current, prior, history, acts


def test_risks_rank_by_revenue_at_risk_with_a_reason() -> None:
    risks = top_risks(*plans())
    assert list(risks["account_id"]) == ["A2", "A1", "A4"]
    assert list(risks["rank"]) == [1, 2, 3]
    assert risks["reason"].iloc[0] == "plan short of target by 500.00"
    assert risks["reason"].iloc[1].startswith("plan cut since last cycle by 400.00")
    assert "actuals below plan" in risks["reason"].iloc[2]
    assert set(risks["snapshot_id"]) == {"SNAP-2026-11-ALL"}


def test_ties_rank_by_account_name_the_same_on_every_run() -> None:
    current, prior, history, acts = plans()
    current = current.assign(
        account_name=current["account_id"].map({"A1": "Zed", "A2": "Abe", "A3": "Mid", "A4": "Kay"})
    )
    current.loc[current["account_id"] == "A2", "target_rev"] = 1400.0  # 400 short, ties A1 and A4
    first = top_risks(current, prior, history, acts)
    again = top_risks(current.sample(frac=1, random_state=3), prior, history, acts)
    assert list(first["account_name"]) == ["Abe", "Kay", "Zed"]
    assert first.equals(again)


def test_demand_vs_supply_per_product_line() -> None:
    current, *_ = plans()
    supply = __import__("pandas").DataFrame(
        [("Pumps", P, 350.0, "SUP-1")],
        columns=["product_family", "period_start", "quantity", "plan_id"],
    )
    balance = demand_vs_supply(current, supply)
    assert list(balance["demand"]) == [360.0, 100.0]
    assert list(balance["supply"]) == [350.0, 0.0]
    assert list(balance["balance"]) == [-10.0, -100.0]


def test_no_supply_commitment_loaded_is_an_empty_frame(org) -> None:
    supply = read_supply_commitments(org)
    assert supply.empty and list(supply.columns) == [
        "product_family",
        "period_start",
        "quantity",
        "plan_id",
    ]
    assert demand_vs_supply(plans()[0], supply).empty
