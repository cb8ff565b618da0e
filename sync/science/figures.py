"""Every figure of the executive pre-read, computed once from a ``PlanHistory``: gap to target,
demand vs supply, accuracy (trend by snapshot, by lag, by region / product family / rep /
account), the FVA stairstep per rep and per reason code, top risk accounts, the revenue bridge
and the plan by product family for the scenario comparison. Pure: the same history gives the
same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from sync.science.accuracy import accuracy_table, scored_lines
from sync.science.bridge import Bridge, revenue_bridge
from sync.science.fva import FvaLines, stairstep, with_naive
from sync.science.history import PlanHistory
from sync.science.risk import top_risks
from sync.science.supply import demand_vs_supply

#: Accuracy and value added are read at this lag: the plan frozen one month before the period.
ACCURACY_LAG = 1
DIMENSIONS = (
    ("Region", "region"),
    ("Product family", "product_family"),
    ("Rep", "rep_name"),
    ("Account", "account_name"),
)


@dataclass(frozen=True)
class Figures:
    """The pre-read's figures; every table carries snapshot ids, and accuracy tables a lag."""

    cycle: str
    region: str | None
    snapshot_id: str
    prior_id: str
    lag: int
    gap: pd.DataFrame  # region, product_family, plan_qty, plan_rev, target_qty, target_rev
    supply: pd.DataFrame  # sync.science.supply.BALANCE_COLUMNS; empty when none is loaded
    trend: pd.DataFrame  # per snapshot at ``lag``
    by_lag: pd.DataFrame  # per lag, all snapshots
    by_dimension: dict[str, pd.DataFrame]  # "Region" -> per region at ``lag``
    fva_rep: pd.DataFrame
    fva_reason: pd.DataFrame
    without_naive: int
    risks: pd.DataFrame
    bridge: Bridge
    families: pd.DataFrame  # product_family, plan_rev, prior_rev (this plan's months), target_rev
    prior_months: int = 0  # of this plan's months, how many the prior plan covers
    plan_months: int = 0


def compute(history: PlanHistory) -> Figures:
    """All figures of the pre-read for ``history``'s cycle."""
    current = history.current
    actuals = _before(history.actuals, history.cycle)
    scored = scored_lines(history.snapshots, actuals) if len(actuals) else _no_scores(history)
    lag = _lag(scored)
    at_lag = scored[scored["lag"] == lag]
    fva: FvaLines = with_naive(scored, actuals, lag)
    return Figures(
        cycle=history.cycle,
        region=history.region,
        snapshot_id=history.snapshot_id,
        prior_id=history.prior_id,
        lag=lag,
        gap=_gap(current),
        supply=demand_vs_supply(current, history.supply),
        trend=accuracy_table(at_lag, ["cycle"]),
        by_lag=accuracy_table(scored, ["lag"]),
        by_dimension={title: accuracy_table(at_lag, [col]) for title, col in DIMENSIONS},
        fva_rep=stairstep(fva, "rep_name"),
        fva_reason=stairstep(fva, "reason_code"),
        without_naive=fva.without_naive,
        risks=top_risks(current, history.prior, history.snapshots, actuals),
        bridge=revenue_bridge(history.prior, current),
        families=_families(current, history.prior),
        prior_months=len(set(history.prior["period_start"]) & set(current["period_start"])),
        plan_months=len(set(current["period_start"])),
    )


def _before(actuals: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """The actuals of months before the cycle's month: complete when its review closed, so
    the same snapshot gives the same figures however late the pre-read runs."""
    year, month = (int(x) for x in cycle.split("-"))
    return actuals[actuals["period_start"] < date(year, month, 1)].reset_index(drop=True)


def _no_scores(history: PlanHistory) -> pd.DataFrame:
    return history.snapshots.head(0).assign(forecast=[], actual=[])


def _lag(scored: pd.DataFrame) -> int:
    """``ACCURACY_LAG`` if any line at it has actuals, else the smallest lag that has."""
    lags = sorted(set(scored["lag"]))
    return ACCURACY_LAG if ACCURACY_LAG in lags or not lags else int(lags[0])


def _gap(current: pd.DataFrame) -> pd.DataFrame:
    return (
        current.groupby(["region", "product_family"], sort=True)
        .agg(
            plan_qty=("consensus_qty", "sum"),
            plan_rev=("consensus_rev", "sum"),
            target_qty=("target_qty", "sum"),
            target_rev=("target_rev", "sum"),
        )
        .reset_index()
    )


def _families(current: pd.DataFrame, prior: pd.DataFrame) -> pd.DataFrame:
    plan = current.groupby("product_family")["consensus_rev"].sum().rename("plan_rev")
    target = current.groupby("product_family")["target_rev"].sum().rename("target_rev")
    # the prior plan over this plan's months: the month that has passed since is not a cut
    covered = prior[prior["period_start"].isin(set(current["period_start"]))]
    before = covered.groupby("product_family")["consensus_rev"].sum().rename("prior_rev")
    both = pd.concat([plan, before, target], axis=1).fillna(0.0).sort_index()
    return both.rename_axis("product_family").reset_index()
