"""Fixtures for the supply hand-off tests: a closed cycle's plan snapshot written with
``org.upsert`` (header and lines, per the issue 12 contract), on every backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from sync.localorg.demo.org import DEMO_REP
from sync.org.snapshot import content_hash, line_key
from sync.pull.cells import pull_cells

CYCLE = "2027-01"  # a cycle the demo org has not closed (it holds 2025-12 .. 2026-11)
SNAPSHOT_ID = "SNAP-2027-01-ALL"
CLOSED_AT = "2026-11-27T17:00:00.000+0000"


@dataclass(frozen=True)
class SnapshotLine:
    account_id: str
    product_id: str
    product_name: str
    period_start: date
    quantity: Decimal
    revenue: Decimal


def write_snapshot(
    org,  # type: ignore[no-untyped-def]
    lines: list[SnapshotLine],
    *,
    snapshot_id: str = SNAPSHOT_ID,
    cycle: str = CYCLE,
    status: str = "Closed",
    line_count: int | None = None,
) -> None:
    records = [
        {
            "LineKey__c": line_key(snapshot_id, x.account_id, x.product_id, x.period_start),
            "SnapshotId__c": snapshot_id,
            "Name": f"{snapshot_id} {i}",
            "Cycle__c": cycle,
            "Account__c": x.account_id,
            "Product__c": x.product_id,
            "PeriodStartDate__c": x.period_start.isoformat(),
            "Quantity__c": float(x.quantity),
            "Revenue__c": float(x.revenue),
            "IsLocked__c": True,
        }
        for i, x in enumerate(lines)
    ]
    org.upsert(
        "DemandPlanCycle__c",
        "SnapshotId__c",
        [
            {
                "SnapshotId__c": snapshot_id,
                "Name": snapshot_id,
                "Cycle__c": cycle,
                "ClosedAt__c": CLOSED_AT,
                "LineCount__c": len(lines) if line_count is None else line_count,
                "Status__c": status,
                "ContentHash__c": content_hash(snapshot_id, cycle, None, records),
            }
        ],
    )
    for start in range(0, len(records), 1000):
        org.upsert("DemandPlanSnapshot__c", "LineKey__c", records[start : start + 1000])


def snapshot_lines(org, horizon: int = 3) -> list[SnapshotLine]:  # type: ignore[no-untyped-def]
    """One line per cell of the demo rep's next months, with awkward decimals."""
    frame = pull_cells(org, DEMO_REP, horizon=horizon, history=0).frame
    out = []
    for i, r in enumerate(frame.itertuples()):
        quantity = Decimal(int(r.baseline or 0)) + Decimal(i % 4) / Decimal(4)  # .25 steps
        revenue = (quantity * Decimal("19.99")).quantize(Decimal("0.01"))
        out.append(
            SnapshotLine(
                r.account_id, r.product_id, r.product_name, r.period_start, quantity, revenue
            )
        )
    return out


@pytest.fixture
def closed_cycle(org):  # type: ignore[no-untyped-def]
    """The org with cycle 2026-11 closed: its snapshot header and lines (demo rep, 3 months)."""
    lines = snapshot_lines(org)
    write_snapshot(org, lines)
    return lines
