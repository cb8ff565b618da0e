"""The production commitment by product line and month: validated rows upserted into
``SupplyCommitment__c`` on ``Key__c`` (``<ProductFamily>|<YYYY-MM>``), and read back for the
pre-read's demand vs supply page (``read_supply``).

A load is idempotent: the org's current commitments are read first and only rows whose quantity
or plan id differ are sent, so loading the same file twice sends nothing the second time. A
commitment the file does not mention is left as it is (a load adds and corrects, never deletes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from sync.handoff.rows import RowProblem, cell_text, month_key, parse_decimal, parse_month
from sync.org.seam import Org, QueryRefused, Record, chunks

OBJECT = "SupplyCommitment__c"
KEY_FIELD = "Key__c"
#: File columns (headings are matched case-insensitively, spaces read as underscores).
COLUMNS = ("product_family", "month", "quantity", "plan_id")
SUPPLY_COLUMNS = ("product_family", "period_start", "quantity", "plan_id")
PLAN_ID_LENGTH = 80


@dataclass(frozen=True)
class Commitment:
    """One validated row: the quantity of a product family committed for a month."""

    row: int
    product_family: str
    period_start: date
    quantity: Decimal
    plan_id: str

    @property
    def key(self) -> str:
        return f"{self.product_family}|{month_key(self.period_start)}"


@dataclass(frozen=True)
class SupplyLoad:
    """What a load did: rows read, records sent (created / updated), rows already so."""

    rows: int
    created: int
    updated: int
    unchanged: int
    calls: int
    keys_sent: tuple[str, ...] = field(default=(), repr=False)


def product_families(org: Org) -> set[str]:
    """The product families of the org's products (``Product2.Family``)."""
    return {str(r["Family"]) for r in org.query("SELECT Family FROM Product2") if r.get("Family")}


def validate_supply(
    rows: Sequence[tuple[int, dict[str, Any]]], families: set[str]
) -> tuple[list[Commitment], list[RowProblem]]:
    """Check every row (file row number, column -> value); return the commitments and problems."""
    commitments: list[Commitment] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    by_lower = {f.lower(): f for f in families}
    for number, row in rows:
        found = _row_problems(number, row, by_lower)
        if found:
            problems.extend(found)
            continue
        family = by_lower[cell_text(row["product_family"]).lower()]
        period = parse_month(row["month"])
        quantity = parse_decimal(row["quantity"])
        assert period is not None and quantity is not None
        line = Commitment(number, family, period, quantity, cell_text(row["plan_id"]))
        if line.key in seen:
            problems.append(
                RowProblem(
                    number,
                    "month",
                    cell_text(row["month"]),
                    f"{family} {month_key(period)} is already on row {seen[line.key]}: "
                    "keep one row per product family and month.",
                )
            )
            continue
        seen[line.key] = number
        commitments.append(line)
    return commitments, problems


def _row_problems(number: int, row: dict[str, Any], families: dict[str, str]) -> list[RowProblem]:
    out = []
    family = cell_text(row.get("product_family"))
    if family.lower() not in families:
        known = ", ".join(sorted(families.values()))
        out.append(
            RowProblem(
                number, "product_family", family, f"not a product family in the org ({known})."
            )
        )
    if parse_month(row.get("month")) is None:
        out.append(
            RowProblem(number, "month", cell_text(row.get("month")), "write the month as YYYY-MM.")
        )
    quantity = parse_decimal(row.get("quantity"))
    if quantity is None or quantity < 0 or quantity != round(quantity, 2):
        out.append(
            RowProblem(
                number,
                "quantity",
                cell_text(row.get("quantity")),
                "write the committed quantity as a number, 0 or more, at most 2 decimals.",
            )
        )
    plan_id = cell_text(row.get("plan_id"))
    if not plan_id or len(plan_id) > PLAN_ID_LENGTH:
        out.append(
            RowProblem(
                number,
                "plan_id",
                plan_id,
                f"give the supply plan's id (1 to {PLAN_ID_LENGTH} characters).",
            )
        )
    return out


def _current(org: Org) -> dict[str, tuple[Decimal, str]]:
    soql = "SELECT Key__c, Quantity__c, PlanId__c FROM SupplyCommitment__c"
    return {
        str(r[KEY_FIELD]): (
            parse_decimal(r.get("Quantity__c")) or Decimal(0),
            r.get("PlanId__c") or "",
        )
        for r in org.query(soql)
        if r.get(KEY_FIELD)
    }


def load_supply(
    org: Org, commitments: Sequence[Commitment], *, loaded_at: datetime | None = None
) -> SupplyLoad:
    """Upsert the commitments that differ from the org's, in all-or-none calls of at most 1,000."""
    current = _current(org)
    stamp = (loaded_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    todo = [
        c for c in commitments if c.key not in current or current[c.key] != (c.quantity, c.plan_id)
    ]
    records: list[Record] = [
        {
            KEY_FIELD: c.key,
            "Name": f"{c.product_family} {month_key(c.period_start)}"[:80],
            "ProductFamily__c": c.product_family,
            "PeriodStartDate__c": c.period_start.isoformat(),
            "Quantity__c": float(c.quantity),
            "PlanId__c": c.plan_id,
            "LoadedAt__c": stamp,
        }
        for c in todo
    ]
    created = calls = 0
    for batch in chunks(records):
        results = org.upsert(OBJECT, KEY_FIELD, batch)
        created += sum(1 for r in results if r.created)
        calls += 1
    return SupplyLoad(
        rows=len(commitments),
        created=created,
        updated=len(records) - created,
        unchanged=len(commitments) - len(records),
        calls=calls,
        keys_sent=tuple(c.key for c in todo),
    )


def read_supply(org: Org) -> pd.DataFrame:
    """The loaded commitments: ``product_family, period_start (date), quantity, plan_id``,
    sorted by family and month; an empty frame with those columns when none is loaded (or the
    org has no ``SupplyCommitment__c`` object yet)."""
    soql = "SELECT ProductFamily__c, PeriodStartDate__c, Quantity__c, PlanId__c FROM SupplyCommitment__c"
    try:
        records = list(org.query(soql))
    except QueryRefused:  # an org without the object (metadata not deployed) has none loaded
        records = []
    rows = [
        (
            r.get("ProductFamily__c") or "",
            date.fromisoformat(str(r["PeriodStartDate__c"])[:10]),
            float(r.get("Quantity__c") or 0.0),
            r.get("PlanId__c") or "",
        )
        for r in records
        if r.get("PeriodStartDate__c")
    ]
    frame = pd.DataFrame(rows, columns=list(SUPPLY_COLUMNS))
    return frame.sort_values(["product_family", "period_start"]).reset_index(drop=True)
