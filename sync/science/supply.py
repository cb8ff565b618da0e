"""Demand vs supply by product line: this cycle's consensus quantity against the production
commitment loaded by ``demandgrid import supply`` (Phase 3), per product family and month.

``read_supply_commitments`` reads the commitment through ``sync.handoff.supply.read_supply``
when the hand-off package is installed, else straight from ``SupplyCommitment__c`` (the same
frame); an org with none loaded gives an empty frame and the pre-read says so.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from sync.org.seam import Org, QueryRefused

SUPPLY_COLUMNS = ("product_family", "period_start", "quantity", "plan_id")
NONE_LOADED = (
    "No supply commitment loaded: load the production commitment with `demandgrid import "
    "supply` and run the pre-read again."
)
BALANCE_COLUMNS = ("product_family", "period_start", "demand", "supply", "balance", "plan_id")


def read_supply_commitments(org: Org) -> pd.DataFrame:
    """The loaded production commitment (``SUPPLY_COLUMNS``), empty when none is loaded."""
    try:
        from sync.handoff.supply import read_supply  # the hand-off engineer's reader
    except ImportError:
        return _read_object(org)
    return read_supply(org)


def _read_object(org: Org) -> pd.DataFrame:
    soql = (
        "SELECT ProductFamily__c, PeriodStartDate__c, Quantity__c, PlanId__c "
        "FROM SupplyCommitment__c"
    )
    try:
        records = list(org.query(soql))
    except QueryRefused:  # an org without the object has no commitment loaded
        records = []
    rows = [
        (
            str(r.get("ProductFamily__c") or ""),
            date.fromisoformat(str(r["PeriodStartDate__c"])[:10]),
            float(r.get("Quantity__c") or 0),
            str(r.get("PlanId__c") or ""),
        )
        for r in records
        if r.get("PeriodStartDate__c")
    ]
    return pd.DataFrame(rows, columns=list(SUPPLY_COLUMNS))


def demand_vs_supply(current: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """Per product family x month of this plan: consensus demand, committed supply and the
    balance (supply - demand; negative = short). Empty when no supply is loaded."""
    if supply.empty:
        return pd.DataFrame(columns=list(BALANCE_COLUMNS))
    demand = (
        current.groupby(["product_family", "period_start"], sort=True)["consensus_qty"]
        .sum()
        .rename("demand")
    )
    committed = supply.groupby(["product_family", "period_start"], sort=True).agg(
        supply=("quantity", "sum"), plan_id=("plan_id", "first")
    )
    both = demand.to_frame().join(committed, how="left")
    both["supply"] = both["supply"].fillna(0.0)
    both["plan_id"] = both["plan_id"].fillna("")
    both["balance"] = both["supply"] - both["demand"]
    return both.reset_index()[list(BALANCE_COLUMNS)]
