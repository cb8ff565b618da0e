"""The demo's hand-off files, built from the org so they always fit it (same org, same bytes):
``supply.csv`` (the production commitment: 95% of each product family's demand in the next six
open months) and ``allocation.csv`` (a shortfall of 10% on the planner region's biggest product
in its second open month, cut from its four biggest accounts pro rata to their demand)."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from sync.cycle.locks import closed_lock_rules
from sync.handoff.rows import month_key
from sync.org.seam import Org
from sync.pull.cells import pull_cells

SUPPLY_PLAN = "SUP-DEMO-1"
ALLOCATION_PLAN = "ALLOC-DEMO-1"


def _demand(frame: pd.DataFrame) -> pd.Series:
    return frame["adjusted"].where(frame["adjusted"].notna(), frame["baseline"]).fillna(0.0)


def demo_supply(frame: pd.DataFrame) -> list[list[str]]:
    open_cells = frame[~frame["locked"].astype(bool)].assign(demand=_demand(frame))
    months = sorted(set(open_cells["period_start"]))[:6]
    chosen = open_cells[open_cells["period_start"].isin(months)]
    totals: dict[tuple[str, Any], float] = defaultdict(float)
    for family, start, demand in zip(
        chosen["product_family"].astype(str).tolist(),
        chosen["period_start"].tolist(),
        chosen["demand"].astype(float).tolist(),
        strict=True,
    ):
        totals[(family, start)] += demand
    return [
        [family, month_key(start), str(round(total * 0.95)), SUPPLY_PLAN]
        for (family, start), total in sorted(totals.items())
    ]


def demo_allocation(frame: pd.DataFrame) -> list[list[str]]:
    open_cells = frame[~frame["locked"].astype(bool)].assign(demand=_demand(frame))
    month = sorted(set(open_cells["period_start"]))[1]
    in_month = open_cells[open_cells["period_start"] == month]
    product = in_month.groupby("product_name")["demand"].sum().sort_values(ascending=False).index[0]
    cells = in_month[in_month["product_name"] == product].sort_values(
        ["demand", "account_name"], ascending=[False, True]
    )
    top = cells.head(4)
    demand = [Decimal(int(d)) for d in top["demand"]]
    total = sum(demand, Decimal(0))
    shortfall = (total / 10).to_integral_value(ROUND_HALF_EVEN)
    shares = [shortfall * d / total for d in demand]
    cuts = [s.to_integral_value(rounding="ROUND_FLOOR") for s in shares]
    left = int(shortfall - sum(cuts))
    for i in sorted(range(len(cuts)), key=lambda i: (cuts[i] - shares[i], i))[:left]:
        cuts[i] += 1
    return [
        [
            ALLOCATION_PLAN,
            account,
            product,
            month_key(month),
            str(cut),
            str(shortfall),
            "pro rata to demand",
        ]
        for account, cut in zip(top["account_name"], cuts, strict=True)
    ]


def write_demo_files(org: Org, directory: Path, planner: str) -> tuple[Path, Path]:
    """Write ``supply.csv`` and ``allocation.csv`` for ``planner``'s region into ``directory``."""
    from sync.org.aaf import detect_profile

    frame = pull_cells(
        org,
        planner,
        horizon=8,
        history=0,
        include_team=True,
        locks=closed_lock_rules(org),
        profile=detect_profile(org),  # the demo org on either model
    ).frame
    supply = Path(directory) / "supply.csv"
    allocation = Path(directory) / "allocation.csv"
    _write(supply, ["product_family", "month", "quantity", "plan_id"], demo_supply(frame))
    _write(
        allocation,
        ["plan_id", "account", "product", "month", "cut", "shortfall", "rule"],
        demo_allocation(frame),
    )
    return supply, allocation


def _write(path: Path, heading: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([heading, *rows])
