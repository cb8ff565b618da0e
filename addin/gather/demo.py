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


POS_FOLDER = "pos"
ON_TIME_SHARE = 0.7  # distributors whose file is in by the deadline
LATE_SHARE = 0.1  # distributors whose file arrives after it; the rest are missing


def pos_deadline(today: date) -> date:
    """The demo's POS deadline: the 10th of the current month."""
    return today.replace(day=10)


def write_crosswalk(org: Org, folder: Path) -> Path:
    """Each distributor's part numbers for the products it is forecast on ("<prefix>-<code>")."""
    soql = (
        "SELECT AccountForecast.Account.Name, Product.ProductCode FROM AccountProductForecast "
        "WHERE AccountForecast.Account.Type = 'Distributor' "
        "ORDER BY AccountForecast.Account.Name, Product.ProductCode"
    )
    rows = []
    for r in org.query(soql):
        name = r["AccountForecast"]["Account"]["Name"]
        prefix = "".join(w[0] for w in name.split()[:3]).upper()
        code = r["Product"]["ProductCode"]
        rows.append((name, f"{prefix}-{code.replace('-', '')}", code))
    path = folder / POS_FOLDER / "crosswalk.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(("distributor", "part", "product"))
        out.writerows(sorted(set(rows)))
    return path


def write_submissions(org: Org, folder: Path, crosswalk: Path, *, seed: int = 7) -> list[Path]:
    """Filled POS workbooks for last month: most in ``pos/in``, a few in ``pos/late``; one
    carries a part the crosswalk does not know, one a return with its note."""
    from openpyxl import load_workbook

    from addin.gather.crosswalk import read_crosswalk
    from addin.gather.pos_workbook import HEADING_ROW, build_template
    from sync.gather.coverage import pos_coverage

    today = org_today(org)
    month = months_before(today, 1)[0]
    walk = read_crosswalk(org, crosswalk)
    sell_in = {d.distributor_id: d for d in pos_coverage(org, month, today).distributors}
    rng = np.random.default_rng(seed + 1)
    written: list[Path] = []
    for n, distributor_id in enumerate(walk.distributors):
        draw = rng.random()
        parts = walk.parts(distributor_id)
        if draw >= ON_TIME_SHARE + LATE_SHARE or not parts:
            continue
        where = "in" if draw < ON_TIME_SHARE else "late"
        name = sell_in[distributor_id].name
        slug = "-".join(name.lower().replace(",", "").replace(".", "").split()[:3])
        path = folder / POS_FOLDER / where / f"{slug}-{month:%Y-%m}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        build_template(
            path, distributor_id=distributor_id, distributor_name=name, period=month,
            parts=parts, deadline=pos_deadline(today),
        )
        book = load_workbook(path)
        ws = book["POS"]
        share = sell_in[distributor_id].sell_in_qty / len(parts)
        for i in range(len(parts)):
            units = float(round(share * rng.uniform(0.7, 1.1)))
            ws.cell(HEADING_ROW + 1 + i, 3, units)
            ws.cell(HEADING_ROW + 1 + i, 4, round(units * float(rng.uniform(40, 60)), 2))
        extra = HEADING_ROW + 1 + len(parts)
        if n % 7 == 3:  # a part the crosswalk does not know yet
            ws.cell(extra, 1, f"NEW-{n:03d}")
            ws.cell(extra, 2, "Kit, customer-specific")
            ws.cell(extra, 3, 40.0)
            ws.cell(extra, 5, "New kit for a project customer")
        if n % 11 == 5:  # a return, explained
            ws.cell(HEADING_ROW + 1, 3, -12.0)
            ws.cell(HEADING_ROW + 1, 5, "Return from an end customer (wrong size)")
        book.save(path)
        written.append(path)
    return written


def write_demo_files(org: Org, folder: Path, *, seed: int = 7) -> DemoFiles:
    """Every Phase 1 demo file into ``folder`` (the demo directory)."""
    config = folder / "demandgrid.toml"
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text(DEMO_CONFIG, encoding="utf-8")
    erp = write_erp_extract(org, folder, seed=seed)
    crosswalk = write_crosswalk(org, folder)
    submissions = write_submissions(org, folder, crosswalk, seed=seed)
    return DemoFiles(erp, config, crosswalk, tuple(submissions))
