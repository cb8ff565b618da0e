"""`make bench` section: the executive pre-read (issue 12) for an org the demo's size and for
one region, each with 13 closed cycles (12 past snapshots and the current one), against the
floor (openpyxl writing as many bare cells as the pre-read's workbook holds, same run).

The plan history is synthetic, with the snapshot contract's columns (``sync.cycle``): the org
reads are measured by ``gather`` on the demo org once it carries past cycles (below, when the
org has them), not here. Aim: under 10 s for a region.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook

from addin.preread.build import write_preread
from sync.science.conventions import ACTUAL_COLUMNS, SNAPSHOT_COLUMNS
from sync.science.figures import compute
from sync.science.history import PlanHistory

HORIZON = 18  # months each snapshot covers
CYCLES = 13


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def synthetic_history(accounts: int, products: int, seed: int = 7) -> PlanHistory:
    """``CYCLES`` snapshots of ``accounts`` x ``products`` x ``HORIZON`` months, with actuals."""
    rng = np.random.default_rng(seed)
    end = date(2026, 11, 1)
    regions = np.array(["North America", "EMEA", "APAC", "LATAM"])
    families = np.array(["Pumps", "Valves", "Motors", "Sensors", "Seals", "Controls"])
    acc = np.arange(accounts)
    prod = np.arange(products)
    level = rng.uniform(20, 400, size=(accounts, products))
    price = rng.uniform(5, 200, size=products).round(2)
    months = [add_months(end, k) for k in range(-CYCLES - 12, HORIZON)]
    truth = {m: level * (1 + 0.2 * np.sin(m.month / 12 * 2 * np.pi)) for m in months}
    frames = []
    for c in range(CYCLES):
        cycle = add_months(end, c - CYCLES + 1)
        for lag in range(HORIZON):
            period = add_months(cycle, lag)
            base = truth[period] * rng.normal(1, 0.12, size=level.shape)
            rep = np.where(acc[:, None] % 3 == 0, base * 1.1, (base + truth[period]) / 2)
            a, p = np.meshgrid(acc, prod, indexing="ij")
            frames.append(
                pd.DataFrame(
                    {
                        "snapshot_id": f"SNAP-{cycle:%Y-%m}-ALL",
                        "cycle": f"{cycle:%Y-%m}",
                        "closed_at": f"{cycle:%Y-%m}-20T17:00:00Z",
                        "account_id": [f"001{x:06d}" for x in a.ravel()],
                        "account_name": [f"Account {x}" for x in a.ravel()],
                        "region": regions[a.ravel() % 4],
                        "rep_id": [f"005{x % 24:03d}" for x in a.ravel()],
                        "rep_name": [f"Rep {x % 24}" for x in a.ravel()],
                        "product_id": [f"01t{x:06d}" for x in p.ravel()],
                        "product_name": [f"Product {x}" for x in p.ravel()],
                        "product_family": families[p.ravel() % 6],
                        "period_start": period,
                        "lag": lag,
                        "baseline_qty": base.ravel().round(2),
                        "rep_qty": rep.ravel().round(2),
                        "consensus_qty": rep.ravel().round(2),
                        "baseline_rev": (base * price).ravel().round(2),
                        "rep_rev": (rep * price).ravel().round(2),
                        "consensus_rev": (rep * price).ravel().round(2),
                        "target_qty": (truth[period] * 1.05).ravel(),
                        "target_rev": (truth[period] * 1.05 * price).ravel(),
                        "reason_code": np.where(
                            a.ravel() % 3 == 0,
                            "Promotion",
                            np.where(a.ravel() % 3 == 1, "Customer intel", ""),
                        ),
                        "note": "",
                        "cell_id": "",
                    }
                )
            )
    snapshots = pd.concat(frames, ignore_index=True)[list(SNAPSHOT_COLUMNS)]
    actual_rows = []
    for m in months:
        if m >= end:
            continue
        a, p = np.meshgrid(acc, prod, indexing="ij")
        q = truth[m].ravel().round(2)
        actual_rows.append(
            pd.DataFrame(
                {
                    "account_id": [f"001{x:06d}" for x in a.ravel()],
                    "product_id": [f"01t{x:06d}" for x in p.ravel()],
                    "period_start": m,
                    "actual_qty": q,
                    "actual_rev": q * price[p.ravel()],
                }
            )
        )
    actuals = pd.concat(actual_rows, ignore_index=True)[list(ACTUAL_COLUMNS)]
    cycle, prior = f"{end:%Y-%m}", f"{add_months(end, -1):%Y-%m}"
    return PlanHistory(
        cycle=cycle,
        region=None,
        current=snapshots[snapshots["cycle"] == cycle].reset_index(drop=True),
        prior=snapshots[snapshots["cycle"] == prior].reset_index(drop=True),
        snapshots=snapshots,
        actuals=actuals,
        supply=pd.DataFrame(columns=["product_family", "period_start", "quantity", "plan_id"]),
    )


def in_region(history: PlanHistory, region: str) -> PlanHistory:
    def only(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["region"] == region].reset_index(drop=True)

    accounts = set(only(history.snapshots)["account_id"])
    return PlanHistory(
        cycle=history.cycle,
        region=region,
        current=only(history.current),
        prior=only(history.prior),
        snapshots=only(history.snapshots),
        actuals=history.actuals[history.actuals["account_id"].isin(accounts)],
        supply=history.supply,
    )


def floor_seconds(cells: int, folder: Path) -> float:
    """openpyxl (write-only) writing ``cells`` bare numbers: what any workbook of this size costs."""
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    row = list(range(10))
    for _ in range(max(1, cells // 10)):
        ws.append(row)
    wb.save(folder / "floor.xlsx")
    return time.perf_counter() - started


def measure(label: str, history: PlanHistory, folder: Path) -> None:
    started = time.perf_counter()
    figures = compute(history)
    computed = time.perf_counter() - started
    out = write_preread(figures, folder / "PREREAD.xlsx")
    total = time.perf_counter() - started
    cells = sum(ws.max_row * ws.max_column for ws in load_workbook(out, read_only=True).worksheets)
    floor = floor_seconds(cells, folder)
    print(
        f"   {label}: {len(history.snapshots):,} snapshot lines, {len(history.actuals):,} actuals; "
        f"figures {computed:.2f} s, pre-read {total:.2f} s in all "
        f"({total / floor:.1f}x the floor of {floor:.2f} s for {cells:,} cells)",
        flush=True,
    )


def from_the_demo_org(folder: Path) -> None:
    """The whole pre-read on the demo org (its 12 closed cycles): reads, API calls, time."""
    try:
        import sync.cycle.snapshots  # noqa: F401 - the cycle's memory (issue 12, part A)
    except ImportError:
        print("   demo org: skipped (sync.cycle is not installed)", flush=True)
        return
    from addin.preread.build import build_preread
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import create_demo_org

    org_file = create_demo_org(folder / "org.sqlite")
    for region in (None, "EMEA"):
        org = LocalOrg(org_file)
        started = time.perf_counter()
        made = build_preread(org, folder / "DEMO.xlsx", region=region)
        took = time.perf_counter() - started
        print(
            f"   demo org, {region or 'all regions'}: {len(made.figures.trend)} cycles in the "
            f"accuracy trend; pre-read {took:.2f} s, {org.calls.query} query calls, "
            f"{org.calls.total - org.calls.query} other calls",
            flush=True,
        )


def run() -> None:
    history = synthetic_history(accounts=120, products=25)  # 54,000 cells per snapshot
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        measure("region (EMEA), 13 cycles", in_region(history, "EMEA"), folder)
        measure("demo-size org, 13 cycles", history, folder)
        from_the_demo_org(folder)
