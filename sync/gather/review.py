"""What Phase 1 brought in, for the review grid: ERP actuals over the Actual row where loaded,
a POS row's values for distributor accounts, and the data-freshness line of the header.

The Actual row shows the org's orders (``CurrentOrders*``) unless ERP actuals were loaded for
that account, product and month: then the ERP figure, the system of record for what shipped
(ADR 13). Every account of Type Distributor gets a POS row (empty until POS arrives), so a
refresh after a POS import keeps the grid's shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd
from simple_salesforce import format_soql

from sync.gather import actuals, pos
from sync.gather.writes import Freshness, freshness, not_set_up
from sync.org.records import cell_keys
from sync.org.seam import Org, QueryRefused

#: Columns added to the pulled-cells frame: POS units or revenue (NaN when none), and whether
#: the block gets a POS row (its account is a distributor).
POS_COLUMN, POS_ROW_COLUMN = "pos", "pos_row"


def with_gathered(org: Org, frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """``frame`` (pulled cells) with ERP actuals over ``actual`` and the POS columns; as it
    was (and no POS rows) in an org without the Phase 1 objects."""
    try:
        return _with_gathered(org, frame, measure)
    except QueryRefused as e:
        if not not_set_up(e):
            raise
        out = frame.copy()
        out[POS_COLUMN], out[POS_ROW_COLUMN] = np.nan, False
        return out


def _with_gathered(org: Org, frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    out = frame.copy()
    if out.empty:
        out[POS_COLUMN], out[POS_ROW_COLUMN] = np.nan, False
        return out
    key = cell_keys(out)
    accounts = sorted({k[0] for k in key})
    first, last = min(k[2] for k in key), max(k[2] for k in key)
    field = "Quantity__c" if measure == "quantity" else "Revenue__c"
    erp = _by_cell(org, actuals.ERP_ACTUAL, field, accounts, first, last)
    if erp:
        loaded = np.array([erp.get(k, np.nan) for k in key], dtype=float)
        out["actual"] = np.where(np.isnan(loaded), out["actual"].astype(float), loaded)
    distributors = _distributors(org, accounts)
    out[POS_ROW_COLUMN] = out["account_id"].isin(distributors)
    sales: dict[tuple[str, str, date], float] = {}
    if distributors:
        for s in pos.current_sales(org, first, last, sorted(distributors)):
            value = s.quantity if measure == "quantity" else float(s.revenue or 0.0)
            if s.product_id:
                k = (s.distributor_id, s.product_id, s.period_start)
                sales[k] = sales.get(k, 0.0) + value
    out[POS_COLUMN] = np.array([sales.get(k, np.nan) for k in key], dtype=float)
    return out


def _by_cell(
    org: Org, object_name: str, field: str, accounts: Sequence[str], first: date, last: date
) -> dict[tuple[str, str, date], float]:
    found: dict[tuple[str, str, date], float] = {}
    for start in range(0, len(accounts), 200):
        soql = format_soql(
            # object and field names are constants of this package; values go through format_soql
            f"SELECT Account__c, Product__c, PeriodStartDate__c, {field} FROM {object_name} "  # noqa: S608
            "WHERE Account__c IN {} AND PeriodStartDate__c >= {} AND PeriodStartDate__c <= {}",
            list(accounts[start : start + 200]),
            first,
            last,
        )
        for r in org.query(soql):
            if r[field] is not None:
                day = date.fromisoformat(r["PeriodStartDate__c"])
                found[(r["Account__c"], r["Product__c"], day)] = float(r[field])
    return found


def _distributors(org: Org, accounts: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(accounts), 200):
        soql = format_soql(
            "SELECT Id FROM Account WHERE Type = {} AND Id IN {}",
            pos.DISTRIBUTOR_TYPE,
            list(accounts[start : start + 200]),
        )
        found.update(r["Id"] for r in org.query(soql))
    return found


def freshness_line(org: Org) -> str:
    """``ERP actuals 30 Nov 2026 14:02 (to Nov 2026) · POS 1 Dec 2026 08:39 (Nov 2026)``, or
    what has never been loaded."""
    try:
        latest = {f.source: f for f in freshness(org, [actuals.SOURCE, pos.SOURCE])}
    except QueryRefused as e:
        if not_set_up(e):
            return "ERP actuals and POS are not set up in this org (ADR 13)"
        raise
    return " · ".join(_shown(source, latest.get(source)) for source in (actuals.SOURCE, pos.SOURCE))


def _shown(source: str, f: Freshness | None) -> str:
    if f is None:
        return f"{source} never loaded"
    at = datetime.fromisoformat(f.loaded_at.replace("+0000", "+00:00"))
    through = f" (to {f.through:%b %Y})" if f.through else ""
    return f"{source} {at:%d %b %Y %H:%M} UTC{through}"
