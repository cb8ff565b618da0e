"""`make bench` section: build and refresh the FP&A scenario workbook at 100,000 and 500,000
Data rows, against the floor (openpyxl write-only writing the same bare cells, same run).

The plan frame is synthetic (same columns and kinds as ``read_plan`` returns); the org query
part is measured by the pull benchmarks, not here.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sync.forecast_sets import DEFAULT_SETS, add_months, quarter_label, quarter_number
from sync.org import OrgIdentity
from sync.scenario_data import PLAN_COLUMNS, PlanFrame

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


def run() -> None:
    print("   (not yet)")
