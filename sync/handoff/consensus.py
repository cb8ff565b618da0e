"""The locked consensus plan of a closed cycle, as supply planning imports it.

A cycle's plan is the snapshot its close wrote: one ``DemandPlanCycle__c`` header (snapshot id,
lock time, line count, status) and its ``DemandPlanSnapshot__c`` lines, whose ``Quantity__c`` /
``Revenue__c`` hold the consensus. The header is found as the cycle's close names it
(``sync.cycle.snapshots``). ``read_consensus`` refuses a cycle with no closed snapshot, a
reopened one, one whose lines do not match the header's line count (a close that did not
finish), and one whose lines no longer hash to the close's ``ContentHash__c``
(``sync.org.snapshot``): what is exported is the locked plan, or nothing. Values are returned as ``Decimal`` (quantity as stored, revenue in cents), in a fixed
order, so what is written from them is the same bytes on every run and sums exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from simple_salesforce import format_soql

from sync.cycle.snapshots import find_header, headers
from sync.handoff.rows import parse_decimal
from sync.org.seam import Org, OrgError
from sync.org.snapshot import HASHED_FIELDS, content_hash

_PARENTS = ("Account__r.Name", "Product__r.Name", "Product__r.ProductCode", "Product__r.Family")
CENT = Decimal("0.01")
#: Quantity keeps at most this many decimals (ForecastedQuantity's scale in the org).
QUANTITY_SCALE = 6

#: The export's columns, in order (docs/formats/consensus.md).
CONSENSUS_COLUMNS = (
    "snapshot_id",
    "cycle",
    "locked_at",
    "region",
    "account_id",
    "account_name",
    "product_id",
    "sku",
    "product_name",
    "product_family",
    "period_start",
    "quantity",
    "revenue",
)


class NoClosedSnapshot(OrgError):
    """The cycle has no closed plan snapshot to export (or several, and none was chosen)."""


class SnapshotIncomplete(OrgError):
    """The snapshot's lines do not match its header: the close did not finish."""


class SnapshotChanged(OrgError):
    """The snapshot's lines no longer hash to what the close recorded."""


@dataclass(frozen=True)
class SnapshotHeader:
    snapshot_id: str
    cycle: str
    region: str  # "" = every region
    locked_at: str  # ClosedAt__c as ISO 8601 UTC, e.g. 2026-11-27T17:00:00Z
    line_count: int
    status: str
    content_hash: str = ""


@dataclass(frozen=True)
class ConsensusLine:
    account_id: str
    account_name: str
    product_id: str
    sku: str
    product_name: str
    product_family: str
    period_start: date
    quantity: Decimal
    revenue: Decimal

    @property
    def order(self) -> tuple[str, str, str, str, date]:
        return (self.account_name, self.account_id, self.sku, self.product_id, self.period_start)


@dataclass(frozen=True)
class ConsensusPlan:
    header: SnapshotHeader
    lines: list[ConsensusLine]  # sorted by account, SKU, period


def find_snapshot(org: Org, cycle: str, region: str | None = None) -> SnapshotHeader:
    """The cycle's closed snapshot header (``region`` None: the one for every region), found as
    the cycle's close names it (``sync.cycle.snapshots``)."""
    found = find_header(org, cycle, region)
    if found is None:
        others = headers(org, format_soql("Cycle__c = {}", cycle))
        listed = ", ".join(f"{h.snapshot_id} ({h.region or 'all regions'})" for h in others)
        hint = f" It has: {listed}; choose one with --region." if others else ""
        raise NoClosedSnapshot(
            f"Cycle {cycle} has no plan snapshot for {region or 'all regions'}: the consensus "
            f"plan is exported after the demand review closes.{hint} Close the review first "
            f"(`demandgrid cycle close --cycle {cycle}`), then export."
        )
    header = SnapshotHeader(
        snapshot_id=found.snapshot_id,
        cycle=found.cycle,
        region=found.region or "",
        locked_at=f"{found.closed_at:%Y-%m-%dT%H:%M:%SZ}" if found.closed_at else "",
        line_count=found.line_count,
        status=found.status,
        content_hash=found.content_hash,
    )
    if header.status != "Closed":
        raise NoClosedSnapshot(
            f"Snapshot {header.snapshot_id} of cycle {cycle} is {header.status or 'not closed'}: "
            "its numbers may still change. Close the review again, then export."
        )
    return header


def read_consensus(org: Org, cycle: str, region: str | None = None) -> ConsensusPlan:
    """The locked consensus plan of ``cycle``; see the module docstring."""
    header = find_snapshot(org, cycle, region)
    fields = ", ".join((*HASHED_FIELDS, *_PARENTS))
    soql = format_soql(
        f"SELECT {fields} FROM DemandPlanSnapshot__c WHERE SnapshotId__c = {{}}",  # noqa: S608
        header.snapshot_id,
    )
    records = list(org.query(soql))
    if len(records) != header.line_count:
        raise SnapshotIncomplete(
            f"Snapshot {header.snapshot_id} says it has {header.line_count:,} lines but the org "
            f"holds {len(records):,}: its close did not finish. Close the review again "
            "(it rewrites the snapshot), then export."
        )
    computed = content_hash(header.snapshot_id, header.cycle, header.region or None, records)
    if computed != header.content_hash:
        raise SnapshotChanged(
            f"Snapshot {header.snapshot_id} changed since the review closed (its content hash "
            f"is {computed[:12]}..., the close recorded {header.content_hash[:12] or 'none'}...): "
            f"this is not the locked plan. `demandgrid cycle verify --cycle {cycle}` names the "
            "changed lines; close the review again to take a new snapshot. Nothing was written."
        )
    lines = sorted((_line(r) for r in records), key=lambda line: line.order)
    return ConsensusPlan(header, lines)


def _line(r: dict) -> ConsensusLine:
    account = r.get("Account__r") or {}
    product = r.get("Product__r") or {}
    quantity = parse_decimal(r.get("Quantity__c")) or Decimal(0)
    revenue = parse_decimal(r.get("Revenue__c")) or Decimal(0)
    return ConsensusLine(
        account_id=str(r.get("Account__c") or ""),
        account_name=str(account.get("Name") or ""),
        product_id=str(r.get("Product__c") or ""),
        sku=str(product.get("ProductCode") or ""),
        product_name=str(product.get("Name") or ""),
        product_family=str(product.get("Family") or ""),
        period_start=date.fromisoformat(str(r.get("PeriodStartDate__c"))[:10]),
        quantity=round(quantity, QUANTITY_SCALE).normalize() + 0,
        revenue=revenue.quantize(CENT),
    )


def plain(number: Decimal) -> str:
    """A decimal as plain text: no exponent, no trailing zeros beyond what it holds."""
    text = format(number, "f")
    return "0" if text in ("-0", "") else text
