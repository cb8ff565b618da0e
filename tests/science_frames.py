"""Plan snapshot and actuals frames built directly, for the planning-science and pre-read tests
(the columns of ``sync.cycle.snapshots`` and ``sync.cycle.actuals``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from sync.science.conventions import ACTUAL_COLUMNS, SNAPSHOT_COLUMNS


def month(cycle: str) -> date:
    year, mon = cycle.split("-")
    return date(int(year), int(mon), 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def line(cycle: str, account: str, product: str, period: date, **values: Any) -> dict[str, Any]:
    """One snapshot line; quantities default to a baseline of 100 with no edits, price 10."""
    base = float(values.pop("baseline", 100.0))
    rep = float(values.pop("rep", base))
    consensus = float(values.pop("consensus", rep))
    price = float(values.pop("price", 10.0))
    c = month(cycle)
    row = {
        "snapshot_id": f"SNAP-{cycle}-ALL",
        "cycle": cycle,
        "closed_at": f"{cycle}-20T17:00:00Z",
        "account_id": account,
        "account_name": f"Account {account}",
        "region": "North",
        "rep_id": "005R1",
        "rep_name": "Rep One",
        "product_id": product,
        "product_name": f"Product {product}",
        "product_family": "Pumps",
        "period_start": period,
        "lag": (period.year - c.year) * 12 + period.month - c.month,
        "baseline_qty": base,
        "rep_qty": rep,
        "consensus_qty": consensus,
        "baseline_rev": base * price,
        "rep_rev": rep * price,
        "consensus_rev": consensus * price,
        "target_qty": base,
        "target_rev": base * price,
        "reason_code": "",
        "note": "",
        "cell_id": f"0AP{account}{product}{period:%Y%m}",
    }
    row.update(values)
    return row


def snapshot(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(SNAPSHOT_COLUMNS))


def actuals(rows: list[tuple[str, str, date, float]], price: float = 10.0) -> pd.DataFrame:
    """(account, product, period, quantity) rows; revenue = quantity x price."""
    return pd.DataFrame(
        [(a, p, d, float(q), float(q) * price) for a, p, d, q in rows], columns=list(ACTUAL_COLUMNS)
    )
