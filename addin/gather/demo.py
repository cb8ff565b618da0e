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
    deadline: date | None = None  # the POS deadline the workbooks show


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
    """The demo's POS deadline: the 10th of the current month, or 3 days ahead after the 7th
    (so the files imported today are on time, whenever the demo runs)."""
    return max(today.replace(day=10), today + timedelta(days=3))


def write_crosswalk(org: Org, folder: Path) -> Path:
    """Each distributor's part numbers for the products it is forecast on ("<prefix>-<code>"),
    read from the forecast cells of the org's mapping profile (standard or AAF)."""
    from sync.org.aaf import detect_profile

    p = detect_profile(org)
    account, product = f"{p.account_path}.Name", f"{p.product_path}.ProductCode"
    soql = (
        f"SELECT {account}, {product} FROM {p.cell_object} "  # noqa: S608
        f"WHERE {p.account_path}.Type = 'Distributor'"
    )
    rows = []
    for r in org.query(soql):
        name, code = _at(r, account), _at(r, product)
        prefix = "".join(w[0] for w in name.split()[:3]).upper()
        rows.append((name, f"{prefix}-{code.replace('-', '')}", code))
    path = folder / POS_FOLDER / "crosswalk.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(("distributor", "part", "product"))
        out.writerows(sorted(set(rows)))
    return path


def _at(record: object, path: str) -> str:
    for part in path.split("."):
        record = record.get(part) if isinstance(record, dict) else None
    return str(record or "")


def write_submissions(org: Org, folder: Path, crosswalk: Path, *, seed: int = 7) -> list[Path]:
    """Filled POS workbooks for last month: most in ``pos/in``, a few in ``pos/late``; one
    carries a part the crosswalk does not know, one a return with its note."""
    from openpyxl import load_workbook

    from addin.gather.crosswalk import read_crosswalk
    from addin.gather.pos import submission_name
    from addin.gather.pos_workbook import HEADING_ROW, build_template
    from sync.gather.coverage import pos_coverage

    today = org_today(org)
    month = months_before(today, 1)[0]
    walk = read_crosswalk(org, crosswalk)
    names = {d.distributor_id: d.name for d in pos_coverage(org, month, today).distributors}
    orders = _orders_by_line(org, month)
    rng = np.random.default_rng(seed + 1)
    written: list[Path] = []
    for n, distributor_id in enumerate(walk.distributors):
        draw = rng.random()
        parts = walk.parts(distributor_id)
        if draw >= ON_TIME_SHARE + LATE_SHARE or not parts:
            continue
        where = "in" if draw < ON_TIME_SHARE else "late"
        name = names[distributor_id]
        path = folder / POS_FOLDER / where / submission_name(name, month)
        path.parent.mkdir(parents=True, exist_ok=True)
        build_template(
            path,
            distributor_id=distributor_id,
            distributor_name=name,
            period=month,
            parts=parts,
            deadline=pos_deadline(today),
        )
        book = load_workbook(path)
        ws = book["POS"]
        for i, part in enumerate(parts):
            # sell-through runs near sell-in: destocking below it, restocking above
            shipped = orders.get((distributor_id, part.product_id), 0.0)
            units = float(round(shipped * rng.uniform(0.8, 1.1)))
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


def _orders_by_line(org: Org, month: date) -> dict[tuple[str, str], float]:
    """The month's orders (sell-in) by distributor account and product."""
    soql = format_soql(
        "SELECT CurrentOrdersQuantity, AccountProductForecast.AccountForecast.AccountId, "
        "AccountProductForecast.ProductId FROM AccountProductPeriodForecast "
        "WHERE StartDate = {} AND AccountProductForecast.AccountForecast.Account.Type = "
        "'Distributor'",
        month,
    )
    out: dict[tuple[str, str], float] = {}
    for r in org.query(soql):
        line = r["AccountProductForecast"]
        key = (line["AccountForecast"]["AccountId"], line["ProductId"])
        out[key] = out.get(key, 0.0) + float(r["CurrentOrdersQuantity"] or 0)
    return out


def write_demo_files(org: Org, folder: Path, *, seed: int = 7) -> DemoFiles:
    """Every Phase 1 demo file into ``folder`` (the demo directory)."""
    config = folder / "demandgrid.toml"
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text(DEMO_CONFIG, encoding="utf-8")
    erp = write_erp_extract(org, folder, seed=seed)
    crosswalk = write_crosswalk(org, folder)
    submissions = write_submissions(org, folder, crosswalk, seed=seed)
    return DemoFiles(erp, config, crosswalk, tuple(submissions), pos_deadline(org_today(org)))


def demo_steps(files: DemoFiles, org_path: Path, review: Path) -> str:
    """The demo's next steps for Phase 1, each a command to type (Rich markup)."""
    org = "" if org_path == Path("demo/org.sqlite") else f" --org {org_path}"
    folder = files.erp.parent
    on_time = sorted(p for p in files.submissions if p.parent.name == "in")
    late = sorted(p for p in files.submissions if p.parent.name == "late")
    month = on_time[0].stem[-7:] if on_time else ""
    deadline = files.deadline or date.today()
    return (
        "\n[bold]Phase 1, data gathering[/] (the ERP extract and the distributors' POS files "
        f"are in {folder}):\n"
        "  4. Load ERP actuals (checked row by row; a second load sends nothing), with a "
        "reconciliation report:\n"
        f"       [cyan]demandgrid load actuals {files.erp}{org} --report "
        f"{folder / 'reconciliation.xlsx'}[/]\n"
        f"  5. Import the {len(on_time)} POS workbooks that came in on time (a few parts are "
        "not in the crosswalk yet):\n"
        f"       [cyan]demandgrid pos import {folder / 'pos' / 'in'}/*.xlsx{org} --queue "
        f"{folder / 'pos' / 'unmatched.xlsx'}[/]\n"
        "  6. Who is missing, coverage, POS against sell-in:\n"
        f"       [cyan]demandgrid pos coverage --deadline {deadline}{org}[/]\n"
        f"  7. The {len(late)} late ones, then the review workbook with POS rows and the "
        "data-freshness line:\n"
        f"       [cyan]demandgrid pos import {folder / 'pos' / 'late'}/*.xlsx{org} --received "
        f"{deadline + timedelta(days=2)}[/]\n"
        f"       [cyan]demandgrid refresh {review}[/]\n"
        "  A new distributor workbook to send out:\n"
        f'       [cyan]demandgrid pos template --distributor "{_first_name(files)}" --period '
        f"{month}{org} -o {folder / 'pos' / 'template.xlsx'}[/]"
    )


def _first_name(files: DemoFiles) -> str:
    if files.crosswalk is None:
        return ""
    with files.crosswalk.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[1][0] if len(rows) > 1 else ""
