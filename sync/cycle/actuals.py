"""The actuals that followed a plan: orders per account x product x month, for accuracy.

Read from the forecast cells' order fields through the mapping profile (standard
``CurrentOrdersQuantity`` / ``...Revenue``; AAF the fact's ``OrderQuantity`` / ``OrderRevenue``),
summed over the cells of an account x product x month. The profile defaults to the one the org
speaks (``sync.org.aaf.detect_profile``). Phase 1 loads may add other sources later; the frame's
columns stay.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from simple_salesforce import format_soql

from sync.org.aaf import detect_profile
from sync.org.mapping import MappingProfile
from sync.org.seam import Org

ACTUAL_COLUMNS = ("account_id", "product_id", "period_start", "actual_qty", "actual_rev")


def read_actuals(
    org: Org, first: date, last: date, *, profile: MappingProfile | None = None
) -> pd.DataFrame:
    """One row per account x product x month from ``first`` to ``last`` (first days of months)
    with orders; ``period_start`` is a ``datetime.date``. Months without orders are left out."""
    profile = profile or detect_profile(org)
    p, revenue = profile.with_measure("quantity"), profile.with_measure("revenue")
    soql = format_soql(
        f"SELECT {p.account_path}.Id, {p.product_path}.Id, {p.period_start}, "  # noqa: S608
        f"{p.actual}, {revenue.actual} FROM {p.cell_object} WHERE {p.period_start} >= {{}} "
        f"AND {p.period_start} <= {{}} AND {p.actual} != null",
        first,
        last,
    )
    rows = []
    for r in org.query(soql):
        rows.append(
            (
                _at(r, f"{p.account_path}.Id"),
                _at(r, f"{p.product_path}.Id"),
                date.fromisoformat(str(r.get(p.period_start))[:10]),
                r.get(p.actual),
                r.get(revenue.actual),
            )
        )
    frame = pd.DataFrame(rows, columns=list(ACTUAL_COLUMNS))
    for column in ("actual_qty", "actual_rev"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    if frame.empty:
        return frame
    keys = ["account_id", "product_id", "period_start"]
    return (
        frame.groupby(keys, as_index=False, sort=True)[["actual_qty", "actual_rev"]]
        .sum(min_count=1)
        .reset_index(drop=True)
    )


def _at(record: object, path: str) -> object:
    """The value at a relationship path (``Account.Id``) of a query row."""
    for part in path.split("."):
        record = record.get(part) if isinstance(record, dict) else None
    return record
