"""The actuals that followed a plan: orders per account x product x month, for accuracy.

Read from the forecast cells' order fields (``CurrentOrdersQuantity`` / ``...Revenue`` in the
standard profile), summed over the cells of an account x product x month. Phase 1 loads may add
other sources later; the frame's columns stay.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from simple_salesforce import format_soql

from sync.org.mapping import STANDARD, MappingProfile
from sync.org.seam import Org

ACTUAL_COLUMNS = ("account_id", "product_id", "period_start", "actual_qty", "actual_rev")


def read_actuals(
    org: Org, first: date, last: date, *, profile: MappingProfile = STANDARD
) -> pd.DataFrame:
    """One row per account x product x month from ``first`` to ``last`` (first days of months)
    with orders; ``period_start`` is a ``datetime.date``. Months without orders are left out."""
    p, revenue = profile.with_measure("quantity"), profile.with_measure("revenue")
    soql = format_soql(
        f"SELECT {p.account_path}.Id, {p.product_forecast}.ProductId, {p.period_start}, "  # noqa: S608
        f"{p.actual}, {revenue.actual} FROM {p.cell_object} WHERE {p.period_start} >= {{}} "
        f"AND {p.period_start} <= {{}} AND {p.actual} != null",
        first,
        last,
    )
    rows = []
    for r in org.query(soql):
        account: object = r
        for part in f"{p.account_path}.Id".split("."):
            account = account.get(part) if isinstance(account, dict) else None
        line = r.get(p.product_forecast) or {}
        rows.append(
            (
                account,
                line.get("ProductId"),
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
