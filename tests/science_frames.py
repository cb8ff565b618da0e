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


def plan_history(cycles: int = 13, supply: bool = True, region: str | None = None):
    """A small deterministic plan history: ``cycles`` monthly snapshots ending 2026-11, each
    covering its month and the next five, for 4 accounts (2 regions, 3 reps) x 2 products,
    actuals up to 2026-10 and a year before, and (if ``supply``) a supply commitment. Rep One
    overrides well, Rep Two is optimistic, Rep Three never edits."""
    from sync.science.history import PlanHistory

    end = month("2026-11")
    accounts = {
        "001A": ("Acme & Sons", "North", "Rep One"),
        "001B": ('=HYPERLINK("x")', "North", "Rep Two"),
        "001C": ("Cobalt Works", "South", "Rep Three"),
        "001D": ("Delta Fluid", "South", "Rep Two"),
    }
    products = {"01tP": ("Pump 100", "Pumps", 12.5), "01tV": ("Valve 7", "Valves", 3.2)}

    def truth(a: str, p: str, d: date) -> float:
        seed = sum(map(ord, a + p)) % 7
        return 100 + 10 * seed + 15 * ((d.month * 7 + seed) % 5) + d.year % 3

    rows = []
    for c in range(cycles):
        cycle_day = add_months(end, c - cycles + 1)
        cycle = f"{cycle_day:%Y-%m}"
        for a, (name, reg, rep) in accounts.items():
            for p, (pname, family, price) in products.items():
                for lag in range(6):
                    d = add_months(cycle_day, lag)
                    actual = truth(a, p, d)
                    base = round(actual * (1.08 if lag % 2 else 0.93), 2)
                    rep_value = {
                        "Rep One": round((base + actual) / 2, 2),
                        "Rep Two": round(base * 1.15, 2),
                        "Rep Three": base,
                    }[rep]
                    reason = {"Rep One": "Customer intel", "Rep Two": "Promotion", "Rep Three": ""}[
                        rep
                    ]
                    consensus = rep_value
                    if family == "Valves" and lag == 2 and c == cycles - 1:
                        consensus, reason = round(rep_value * 0.9, 2), "Allocation"
                    rows.append(
                        line(
                            cycle,
                            a,
                            p,
                            d,
                            baseline=base,
                            rep=rep_value,
                            consensus=consensus,
                            price=price,
                            account_name=name,
                            region=reg,
                            rep_name=rep,
                            rep_id=f"005{rep[-3:]}",
                            product_name=pname,
                            product_family=family,
                            reason_code=reason,
                            target_qty=actual * 1.05,
                            target_rev=actual * 1.05 * price,
                        )
                    )
    snapshots = snapshot(rows)
    if region:
        snapshots = snapshots[snapshots["region"] == region].reset_index(drop=True)
    acts = [
        (
            a,
            p,
            add_months(end, -k),
            truth(a, p, add_months(end, -k)) * (0.8 if a == "001D" and k <= 3 else 1),
        )
        for a in accounts
        for p in products
        for k in range(1, cycles + 13)
    ]
    actual_frame = pd.DataFrame(
        [(a, p, d, q, q * products[p][2]) for a, p, d, q in acts], columns=list(ACTUAL_COLUMNS)
    )
    supply_frame = pd.DataFrame(
        [("Pumps", add_months(end, k), 700.0 + 10 * k, "SUP-2026-11") for k in range(6)]
        + [("Valves", add_months(end, k), 1000.0, "SUP-2026-11") for k in range(6)],
        columns=["product_family", "period_start", "quantity", "plan_id"],
    )
    cycle = f"{end:%Y-%m}"
    prior = f"{add_months(end, -1):%Y-%m}"
    return PlanHistory(
        cycle=cycle,
        region=region,
        current=snapshots[snapshots["cycle"] == cycle].reset_index(drop=True),
        prior=snapshots[snapshots["cycle"] == prior].reset_index(drop=True),
        snapshots=snapshots,
        actuals=actual_frame,
        supply=supply_frame if supply else supply_frame.head(0),
    )
