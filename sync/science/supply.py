"""Demand vs supply by product line: this cycle's consensus quantity against the production
commitment loaded by ``demandgrid import supply`` (Phase 3), per product family and month.

``read_supply_commitments`` reads the commitment through ``sync.handoff.supply.read_supply``
(the hand-off's reader of ``SupplyCommitment__c``); an org with none loaded gives an empty frame
and the pre-read says so.
"""

from __future__ import annotations

import pandas as pd

from sync.handoff.supply import read_supply
from sync.org.seam import Org

SUPPLY_COLUMNS = ("product_family", "period_start", "quantity", "plan_id")
NONE_LOADED = (
    "No supply commitment loaded: load the production commitment with `demandgrid import "
    "supply` and run the pre-read again."
)
BALANCE_COLUMNS = ("product_family", "period_start", "demand", "supply", "balance", "plan_id")


def read_supply_commitments(org: Org) -> pd.DataFrame:
    """The loaded production commitment (``SUPPLY_COLUMNS``), empty when none is loaded."""
    return read_supply(org)


def demand_vs_supply(current: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """Per product family x month the commitment covers: consensus demand, committed supply and
    the balance (supply - demand; negative = short; a family without supply in a covered month
    is short by all its demand). Months the commitment does not cover are not compared. Empty
    when no supply is loaded."""
    if supply.empty:
        return pd.DataFrame(columns=list(BALANCE_COLUMNS))
    covered = current[current["period_start"].isin(set(supply["period_start"]))]
    demand = (
        covered.groupby(["product_family", "period_start"], sort=True)["consensus_qty"]
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
