"""The demo's Phase 1 files, drawn from the demo org so every command has something real to
load: an ERP extract of the last three closed months (a few rows differ from the org's orders:
credit notes, late invoices) with its column names in ``demandgrid.toml``, the distributors'
part-number crosswalk and their filled POS submissions (some late, one with unknown parts).

Deterministic: the same org and seed write the same bytes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from simple_salesforce import format_soql

from sync.org.seam import Org
from sync.pull.cells import org_today

ERP_FILE = "erp-actuals.csv"
ERP_MONTHS = 3
#: The ERP system's own column names (SAP-like), mapped in the demo's demandgrid.toml.
ERP_HEADINGS = ("Customer", "Material", "Posting period", "Qty", "Net value")
DEMO_CONFIG = """# demandgrid settings for the demo (issue 13 A: Phase 1 data gathering)
[actuals]
account = "Customer"
product = "Material"
month = "Posting period"
quantity = "Qty"
revenue = "Net value"

[pos]
crosswalk = "pos/crosswalk.csv"
"""


@dataclass(frozen=True)
class DemoFiles:
    erp: Path
    config: Path
    crosswalk: Path | None = None
    submissions: tuple[Path, ...] = ()


def months_before(today: date, count: int) -> list[date]:
    """The ``count`` closed months before ``today``'s month, oldest first."""
    out, day = [], today.replace(day=1)
    for _ in range(count):
        day = (day - timedelta(days=1)).replace(day=1)
        out.append(day)
    return out[::-1]


def write_erp_extract(org: Org, folder: Path, *, seed: int = 7) -> Path:
    """The ERP extract: orders of the last closed months by account, product code and month."""
    months = months_before(org_today(org), ERP_MONTHS)
    soql = format_soql(
        "SELECT StartDate, CurrentOrdersQuantity, CurrentOrdersRevenue, "
        "AccountProductForecast.AccountForecast.Account.Name, "
        "AccountProductForecast.Product.ProductCode "
        "FROM AccountProductPeriodForecast WHERE StartDate >= {} AND StartDate <= {} "
        "ORDER BY AccountProductForecast.AccountForecast.Account.Name, "
        "AccountProductForecast.Product.ProductCode, StartDate",
        months[0],
        months[-1],
    )
    rng = np.random.default_rng(seed)
    rows = []
    for r in org.query(soql):
        quantity = r["CurrentOrdersQuantity"]
        if quantity is None:
            continue
        revenue = r["CurrentOrdersRevenue"] or 0.0
        if rng.random() < 0.03:  # a credit note or a late invoice the org's orders miss
            factor = float(rng.choice([0.9, 1.05, 1.2]))
            quantity, revenue = round(quantity * factor), round(revenue * factor, 2)
        forecast = r["AccountProductForecast"]
        rows.append(
            (
                forecast["AccountForecast"]["Account"]["Name"],
                forecast["Product"]["ProductCode"],
                r["StartDate"][:7],
                f"{quantity:g}",
                f"{revenue:.2f}",
            )
        )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ERP_FILE
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(ERP_HEADINGS)
        out.writerows(rows)
    return path


def write_demo_files(org: Org, folder: Path, *, seed: int = 7) -> DemoFiles:
    """Every Phase 1 demo file into ``folder`` (the demo directory)."""
    config = folder / "demandgrid.toml"
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text(DEMO_CONFIG, encoding="utf-8")
    return DemoFiles(write_erp_extract(org, folder, seed=seed), config)
