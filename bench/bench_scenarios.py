"""`make bench` section: build and refresh the FP&A scenario workbook at 100,000 and 500,000
Data rows, against the floor (openpyxl write-only writing the same bare cells, same run).

The plan frame is synthetic (same columns and kinds as ``read_plan`` returns); the org query
part is measured by the pull benchmarks, not here.
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from addin.fpa.build import write_scenarios
from addin.fpa.layout import Keys, table_frame
from addin.fpa.refresh import refresh_with_plan
from sync.fpa.forecast_sets import DEFAULT_SETS, add_months, quarter_label, quarter_number
from sync.fpa.plan import PLAN_COLUMNS, PlanFrame
from sync.org.seam import OrgIdentity

IDENTITY = OrgIdentity("00D000000000001AAA", "Bench org", "u", "bench@example.com", "local:bench")


def synthetic_plan(rows: int, *, as_of: date = date(2026, 11, 15), seed: int = 1) -> PlanFrame:
    """A plan frame of about ``rows`` rows: accounts x products x 36 months."""
    fs = DEFAULT_SETS["ibp"]
    rng = np.random.default_rng(seed)
    periods = fs.periods(as_of)
    combos = max(1, rows // len(periods))
    regions = ["North America", "EMEA", "APAC", "LATAM"]
    families = ["Pumps", "Valves", "Motors", "Sensors", "Seals", "Controls"]
    n = combos * len(periods)
    combo = np.repeat(np.arange(combos), len(periods))
    account = combo // 6
    family_i = combo % 6
    period = np.tile(np.arange(len(periods)), combos)
    baseline = rng.uniform(0, 500, n).round(2)
    adjusted = np.where(rng.random(n) < 0.2, (baseline * rng.uniform(0.8, 1.2, n)).round(2), np.nan)
    consensus = np.where(np.isnan(adjusted), baseline, adjusted)
    price = (50 + family_i * 10).astype(float)
    prior = np.where(rng.random(n) < 0.9, (baseline * rng.uniform(0.9, 1.1, n)).round(2), np.nan)
    target = (baseline * 1.05).round(2)
    days = [periods[i] for i in period]
    frame = pd.DataFrame(
        {
            "account_id": [f"001{a:015d}" for a in account],
            "account_name": [f"Account {a}" for a in account],
            "region": [regions[a % 4] for a in account],
            "rep": [f"Rep {a % 17}" for a in account],
            "product_id": [f"01t{c:015d}" for c in combo],
            "product_name": [
                f"{families[f]} {c % 7}" for f, c in zip(family_i, combo, strict=True)
            ],
            "product_family": [families[f] for f in family_i],
            "period_start": days,
            "quarter": [quarter_label(d) for d in days],
            "quarter_no": [quarter_number(d) for d in days],
            "baseline": baseline,
            "adjusted": adjusted,
            "consensus": consensus,
            "price": price,
            "consensus_revenue": consensus * price,
            "target": target,
            "target_revenue": target * price,
            "prior": prior,
            "prior_revenue": prior * price,
            "actual": np.where(period == 0, baseline * 0.4, np.nan),
            "last_year": (baseline * 0.95).round(2),
            "record_id": [f"0iQ{i:015d}" for i in range(n)],
        }
    )
    return PlanFrame(
        cells=frame.loc[:, list(PLAN_COLUMNS)],
        forecast_set=fs,
        as_of=as_of,
        first_period=periods[0],
        last_period=add_months(periods[0], fs.months - 1),
        prior_cycle="2026-10",
        identity=IDENTITY,
    )


SIZES = (100_000, 500_000)


def _changed(plan: PlanFrame) -> PlanFrame:
    """The same plan a cycle later: 1% of cells adjusted, 0.5% removed, 0.5% new rows."""
    cells = plan.cells.copy()
    n = len(cells)
    step = cells.index % 100 == 7
    cells.loc[step, "consensus"] = cells.loc[step, "consensus"] + 10.0
    cells["consensus_revenue"] = cells["consensus"] * cells["price"]
    removed = cells.index % 200 == 3
    added = cells[cells.index % 200 == 5].copy()
    added["record_id"] = [f"0iQNEW{i:012d}" for i in range(len(added))]
    added["product_id"] = [f"01tNEW{i:012d}" for i in range(len(added))]
    cells = pd.concat([cells[~removed], added], ignore_index=True)
    assert len(cells) == n
    return replace(plan, cells=cells)


def _measure(task: str, rows: int, folder: str) -> tuple[float, float]:
    """Run one task in this (child) process: (seconds, peak resident MiB of the process)."""
    plan = synthetic_plan(rows)
    path = Path(folder) / f"fpa-{rows}.xlsx"
    started = time.perf_counter()
    if task == "floor":
        _floor(plan, Path(folder) / f"floor-{rows}.xlsx")
    elif task == "build":
        write_scenarios(plan, path)
    else:
        refresh_with_plan(path, _changed(plan))
    elapsed = time.perf_counter() - started
    return elapsed, _peak_mib()


def _peak_mib() -> float:
    """This process's own peak resident memory. Linux keeps ``ru_maxrss`` across fork and exec,
    so a child started by a big parent would report the parent's peak; ``VmHWM`` is the child's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor(plan: PlanFrame, path: Path) -> None:
    """openpyxl (write-only) writing the same bare cells: the headings and every value."""
    frame = table_frame(plan.cells, Keys(), plan.forecast_set.show_quarters)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if isinstance(v, float) and v != v else v for v in row])
    wb.save(path)


def run() -> None:
    print(
        "   Synthetic plan frames (the columns read_plan returns); the org query part is\n"
        "   measured by the pull benchmarks. Each task runs in a fresh process; peak = its\n"
        "   peak resident memory (including Python, pandas and openpyxl themselves)."
    )
    print(f"   {'rows':>8}  {'task':<8} {'seconds':>8} {'x floor':>8} {'peak MiB':>9}")
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        for rows in SIZES:
            results = {}
            for task in ("floor", "build", "refresh"):
                with ctx.Pool(1) as pool:
                    results[task] = pool.apply(_measure, (task, rows, folder))
            floor = results["floor"][0]
            for task, (seconds, peak) in results.items():
                print(
                    f"   {rows:>8,}  {task:<8} {seconds:>8.1f} {seconds / floor:>8.2f} {peak:>9.0f}",
                    flush=True,
                )
            size = (Path(folder) / f"fpa-{rows}.xlsx").stat().st_size / 2**20
            print(f"   {rows:>8,}  workbook {size:.1f} MiB", flush=True)
