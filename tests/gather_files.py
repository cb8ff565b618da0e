"""Shared helpers for the Phase 1 gathering tests: small ERP extracts drawn from the org."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from simple_salesforce import format_soql

from sync.org.seam import Org
from sync.pull.cells import org_today

HEADINGS = ["account", "product", "month", "quantity", "revenue"]


@dataclass(frozen=True)
class Line:
    """An account x product the org forecasts, with an agreement or without."""

    account: str
    product: str  # product code
    account_id: str
    product_id: str


def last_month(org: Org) -> date:
    return (org_today(org).replace(day=1) - timedelta(days=1)).replace(day=1)


def lines(org: Org, count: int = 4) -> list[Line]:
    """``count`` account x product lines of the demo rep's first accounts (names unique)."""
    soql = format_soql(
        "SELECT AccountForecast.Account.Name, AccountForecast.AccountId, Product.ProductCode, "
        "ProductId FROM AccountProductForecast ORDER BY AccountForecast.Account.Name, "
        "Product.ProductCode LIMIT {}",
        count,
    )
    return [
        Line(
            r["AccountForecast"]["Account"]["Name"],
            r["Product"]["ProductCode"],
            r["AccountForecast"]["AccountId"],
            r["ProductId"],
        )
        for r in org.query(soql)
    ]


def agreement_line(org: Org) -> tuple[Line, str, str]:
    """A line with a sales agreement: the line, the agreement's Id, and a schedule month."""
    month = last_month(org)
    soql = format_soql(
        "SELECT Id, SalesAgreementProduct.ProductId, SalesAgreementProduct.Product.ProductCode, "
        "SalesAgreementProduct.SalesAgreement.Id, "
        "SalesAgreementProduct.SalesAgreement.AccountId, "
        "SalesAgreementProduct.SalesAgreement.Account.Name "
        "FROM SalesAgreementProductSchedule WHERE StartDate = {} ORDER BY Id LIMIT 1",
        month,
    )
    r = next(iter(org.query(soql)))
    product = r["SalesAgreementProduct"]
    agreement = product["SalesAgreement"]
    line = Line(
        agreement["Account"]["Name"],
        product["Product"]["ProductCode"],
        agreement["AccountId"],
        product["ProductId"],
    )
    return line, agreement["Id"], r["Id"]


def write_csv(path: Path, rows: list[list[object]], headings: list[str] = HEADINGS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(headings)
        out.writerows(rows)
    return path


def extract(org: Org, tmp_path: Path, name: str = "erp.csv") -> tuple[Path, list[list[object]]]:
    """A clean ERP extract: four lines x the last two closed months, plus an agreement line."""
    month = last_month(org)
    before = (month - timedelta(days=1)).replace(day=1)
    found = [*lines(org), agreement_line(org)[0]]
    rows: list[list[object]] = []
    for n, line in enumerate(found):
        for m in (before, month):
            rows.append([line.account, line.product, f"{m:%Y-%m}", 100 + n, 1000.5 + n])
    return write_csv(tmp_path / name, rows), rows


# ---------------------------------------------------------------- POS submissions


def distributors(org: Org, count: int = 3) -> list[tuple[str, str]]:
    """(Id, name) of the first ``count`` distributor accounts by name."""
    soql = format_soql(
        "SELECT Id, Name FROM Account WHERE Type = 'Distributor' ORDER BY Name LIMIT {}", count
    )
    return [(r["Id"], r["Name"]) for r in org.query(soql)]


def filled(
    org: Org,
    tmp_path: Path,
    distributor: str,
    units: dict[int, object],
    *,
    extra: list[tuple[str, object, str]] = (),  # type: ignore[assignment]
    notes: dict[int, str] | None = None,
    name: str | None = None,
) -> Path:
    """A submission workbook for last month, with ``units`` typed on listed part ``i``."""
    from openpyxl import load_workbook

    from addin.gather.demo import write_crosswalk
    from addin.gather.pos import make_template
    from addin.gather.pos_workbook import HEADING_ROW

    crosswalk = tmp_path / "pos" / "crosswalk.csv"
    if not crosswalk.exists():
        write_crosswalk(org, tmp_path)
    path = tmp_path / (name or f"{distributor[:10]}.xlsx")
    built = make_template(org, distributor, last_month(org), path, crosswalk=crosswalk)
    book = load_workbook(path)
    ws = book["POS"]
    for i, value in units.items():
        ws.cell(HEADING_ROW + 1 + i, 3, value)
    for i, text in (notes or {}).items():
        ws.cell(HEADING_ROW + 1 + i, 5, text)
    for k, (part, value, note) in enumerate(extra):
        row = HEADING_ROW + 1 + built.parts + k
        ws.cell(row, 1, part)
        ws.cell(row, 3, value)
        ws.cell(row, 5, note)
    book.save(path)
    return path
