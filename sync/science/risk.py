"""Top risk accounts: where this cycle's plan moved down most since the prior cycle, where the
recent actuals run below what was planned, and where the plan falls short of target.

Each account's revenue at risk is the sum of the three shortfalls (each counted only when it
is a shortfall); the ranking is by that sum, then account name, then Id, so it is the same on
every run. The reason names the largest of the three with its amount.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sync.science.bridge import cents
from sync.science.conventions import LINE_KEY

RISK_COLUMNS = (
    "rank",
    "account_id",
    "account_name",
    "region",
    "rep_name",
    "plan",
    "moved",  # this plan - prior plan (negative = cut)
    "actual_gap",  # actual - plan over the recent periods (negative = running below)
    "target_gap",  # plan - target (negative = short of target)
    "at_risk",
    "reason",
    "snapshot_id",
)
#: Recent periods whose actuals are held against the plan made one month before them.
RECENT_MONTHS = 3


def top_risks(
    current: pd.DataFrame,
    prior: pd.DataFrame,
    history: pd.DataFrame,
    actuals: pd.DataFrame,
    top: int = 10,
) -> pd.DataFrame:
    """The ``top`` accounts by revenue at risk (``RISK_COLUMNS``; money in currency units).
    ``history`` holds every snapshot's lines (for the plan of the recent past periods)."""
    accounts = current.groupby("account_id", sort=True).agg(
        account_name=("account_name", "first"),
        region=("region", "first"),
        rep_name=("rep_name", "first"),
        plan=("consensus_rev", _cents_sum),
        target=("target_rev", _cents_sum),
    )
    prior_plan = _plan_over(prior, current).rename("prior")
    accounts = accounts.join(prior_plan, how="left").fillna({"prior": 0})
    accounts = accounts.join(_recent_gap(history, actuals), how="left").fillna({"actual_gap": 0})
    accounts["moved"] = accounts["plan"] - accounts["prior"]
    accounts["target_gap"] = accounts["plan"] - accounts["target"]
    shortfalls = accounts[["moved", "actual_gap", "target_gap"]].clip(upper=0)
    accounts["at_risk"] = -shortfalls.sum(axis=1)
    accounts = accounts[accounts["at_risk"] > 0].reset_index()
    accounts = accounts.sort_values(
        ["at_risk", "account_name", "account_id"], ascending=[False, True, True], kind="mergesort"
    ).head(top)
    accounts["reason"] = [_reason(row) for row in accounts.itertuples()]
    accounts["rank"] = range(1, len(accounts) + 1)
    accounts["snapshot_id"] = current["snapshot_id"].iloc[0] if len(current) else ""
    for column in ("plan", "moved", "actual_gap", "target_gap", "at_risk"):
        accounts[column] = accounts[column] / 100
    return accounts[list(RISK_COLUMNS)].reset_index(drop=True)


def _cents_sum(values: pd.Series) -> int:
    return int(cents(values).sum())


def _plan_over(prior: pd.DataFrame, current: pd.DataFrame) -> pd.Series:
    """The prior plan per account over the periods both plans cover (so the horizon moving
    on is not a cut)."""
    periods = set(current["period_start"])
    common = prior[prior["period_start"].isin(periods)]
    return common.groupby("account_id")["consensus_rev"].agg(_cents_sum)


def _recent_gap(history: pd.DataFrame, actuals: pd.DataFrame) -> pd.Series:
    """Actual - plan (cents) per account over the last ``RECENT_MONTHS`` periods with actuals,
    the plan being the lag-1 snapshot's consensus for each period."""
    lag1 = history[history["lag"] == 1]
    lines = lag1.merge(actuals, on=LINE_KEY, how="inner")
    if lines.empty:
        return pd.Series(dtype="int64", name="actual_gap")
    recent = sorted(set(lines["period_start"]))[-RECENT_MONTHS:]
    lines = lines[lines["period_start"].isin(recent)]
    gap = cents(lines["actual_rev"]) - cents(lines["consensus_rev"])
    return pd.Series(gap, index=lines["account_id"]).groupby(level=0).sum().rename("actual_gap")


def _reason(row: Any) -> str:
    parts = {
        "plan cut since last cycle": row.moved,
        f"actuals below plan over the last {RECENT_MONTHS} months": row.actual_gap,
        "plan short of target": row.target_gap,
    }
    label, amount = min(parts.items(), key=lambda kv: (kv[1], kv[0]))
    others = sum(1 for v in parts.values() if v < 0) - 1
    more = f" (and {others} more)" if others > 0 else ""
    return f"{label} by {-amount / 100:,.2f}{more}"
