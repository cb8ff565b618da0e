"""Plan snapshots in the org: list them, read one as a frame, verify its content hash.

A snapshot is one ``DemandPlanCycle__c`` header (``SnapshotId__c`` such as ``SNAP-2026-11-ALL``)
and its ``DemandPlanSnapshot__c`` lines, one per account x product x period (see
``sync.org.snapshot`` for the keys and the hash). ``sync.cycle.close`` writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from simple_salesforce import format_soql

from sync.org.seam import Org, OrgError, QueryRefused, Record
from sync.org.snapshot import (
    CYCLE_OBJECT,
    HASHED_FIELDS,
    LINE_DIGEST,
    LINE_KEY,
    LINE_OBJECT,
    hash_texts,
    line_text,
    snapshot_id,
    text_digest,
)

CLOSED = "Closed"
REOPENED = "Reopened"

#: Columns of ``Snapshot.frame``, one row per snapshot line (the contract with the pre-read).
SNAPSHOT_COLUMNS = (
    "snapshot_id",
    "cycle",
    "closed_at",
    "account_id",
    "account_name",
    "region",
    "rep_id",
    "rep_name",
    "product_id",
    "product_name",
    "product_family",
    "period_start",  # datetime.date
    "lag",  # months from the cycle's month to the period; 0 = the same month
    "baseline_qty",
    "rep_qty",
    "consensus_qty",
    "baseline_rev",
    "rep_rev",
    "consensus_rev",
    "target_qty",
    "target_rev",
    "reason_code",
    "note",
    "cell_id",
)

_HEADER_FIELDS = (
    "Id",
    "Name",
    "SnapshotId__c",
    "Cycle__c",
    "Region__c",
    "ClosedAt__c",
    "ClosedBy__c",
    "ContentHash__c",
    "LineCount__c",
    "Status__c",
    "ReopenedAt__c",
    "ReopenedBy__c",
    "ReopenReason__c",
    "FirstPeriod__c",
    "LastPeriod__c",
)
LINE_FIELDS = ("Id", "Name", *HASHED_FIELDS)  # every field the content hash covers
_LINE_PARENTS = ("Account__r.Name", "Account__r.Region__c", "Product__r.Name", "Product__r.Family")


class SnapshotsMissing(OrgError):
    """The org has no plan snapshot objects (an admin has not deployed them yet)."""


class SnapshotNotFound(OrgError):
    """No snapshot with that id in the org."""


@dataclass(frozen=True)
class SnapshotHeader:
    """One closed (or reopened) review: a ``DemandPlanCycle__c`` record."""

    snapshot_id: str
    cycle: str
    region: str | None
    closed_at: datetime | None
    closed_by: str  # User Id
    closed_by_name: str
    content_hash: str
    status: str  # Closed or Reopened
    line_count: int
    first_period: date | None
    last_period: date | None
    reopened_at: datetime | None = None
    reopened_by_name: str = ""
    reopen_log: str = ""
    record_id: str = ""

    @property
    def closed_on(self) -> str:
        return f"{self.closed_at:%Y-%m-%d}" if self.closed_at else "?"


@dataclass(frozen=True)
class Snapshot:
    header: SnapshotHeader
    frame: pd.DataFrame  # SNAPSHOT_COLUMNS


@dataclass(frozen=True)
class Verification:
    header: SnapshotHeader
    computed_hash: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- queries


def query_snapshots(org: Org, soql: str) -> list[Record]:
    """``org.query`` that says what an admin must do when the snapshot objects are missing."""
    try:
        return list(org.query(soql))
    except QueryRefused as e:
        if e.error_code in ("INVALID_TYPE", "INVALID_FIELD"):
            raise SnapshotsMissing(
                f"This org has no plan snapshot objects ({e}). Ask your Salesforce admin to "
                "deploy DemandPlanCycle__c and DemandPlanSnapshot__c from "
                "docs/salesforce/metadata (steps in docs/salesforce.md, 'Plan snapshots')."
            ) from None
        raise


def user_names(org: Org, ids: Iterable[str]) -> dict[str, str]:
    """User Id (15 and 18 characters) -> name, for the given Ids."""
    wanted = sorted({i for i in ids if i})
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 200):
        soql = format_soql("SELECT Id, Name FROM User WHERE Id IN {}", wanted[start : start + 200])
        for r in org.query(soql):
            out[r["Id"]] = out[r["Id"][:15]] = r.get("Name") or ""
    return out


def _header(record: Record, names: dict[str, str]) -> SnapshotHeader:
    def day(v: Any) -> date | None:
        return date.fromisoformat(str(v)[:10]) if v else None

    return SnapshotHeader(
        snapshot_id=str(record["SnapshotId__c"]),
        cycle=str(record.get("Cycle__c") or ""),
        region=record.get("Region__c") or None,
        closed_at=parse_stamp(record.get("ClosedAt__c")),
        closed_by=str(record.get("ClosedBy__c") or ""),
        closed_by_name=names.get(str(record.get("ClosedBy__c") or ""), ""),
        content_hash=str(record.get("ContentHash__c") or ""),
        status=str(record.get("Status__c") or ""),
        line_count=int(record.get("LineCount__c") or 0),
        first_period=day(record.get("FirstPeriod__c")),
        last_period=day(record.get("LastPeriod__c")),
        reopened_at=parse_stamp(record.get("ReopenedAt__c")),
        reopened_by_name=names.get(str(record.get("ReopenedBy__c") or ""), ""),
        reopen_log=str(record.get("ReopenReason__c") or ""),
        record_id=str(record.get("Id") or ""),
    )


def parse_stamp(value: Any) -> datetime | None:
    """A Salesforce datetime (``2026-11-12T17:00:00.000+0000``) as an aware datetime."""
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    return datetime.fromisoformat(text)


def headers(org: Org, where: str = "") -> list[SnapshotHeader]:
    """Snapshot headers (optionally filtered by a SOQL condition), oldest cycle first."""
    soql = f"SELECT {', '.join(_HEADER_FIELDS)} FROM {CYCLE_OBJECT}"  # noqa: S608 - names are ours
    if where:
        soql += f" WHERE {where}"
    records = query_snapshots(org, soql + " ORDER BY Cycle__c, SnapshotId__c")
    names = user_names(
        org, [str(r.get(k) or "") for r in records for k in ("ClosedBy__c", "ReopenedBy__c")]
    )
    return [_header(r, names) for r in records]


def list_snapshots(org: Org) -> list[SnapshotHeader]:
    """Every snapshot header in the org, oldest cycle first."""
    return headers(org)


def find_header(org: Org, cycle: str, region: str | None = None) -> SnapshotHeader | None:
    found = headers(org, format_soql("SnapshotId__c = {}", snapshot_id(cycle, region)))
    return found[0] if found else None


def read_lines(org: Org, snapshot: str) -> list[Record]:
    """The snapshot's line records (with their account and product), in no particular order."""
    fields = ", ".join((*LINE_FIELDS, *_LINE_PARENTS))
    soql = format_soql(f"SELECT {fields} FROM {LINE_OBJECT} WHERE SnapshotId__c = {{}}", snapshot)  # noqa: S608
    return query_snapshots(org, soql)


def _require(org: Org, cycle: str, region: str | None) -> SnapshotHeader:
    header = find_header(org, cycle, region)
    if header is None:
        raise SnapshotNotFound(
            f"No plan snapshot {snapshot_id(cycle, region)} in the org: the demand review of "
            f"{cycle}{f' ({region})' if region else ''} was never closed. Close it with "
            f"`demandgrid cycle close --cycle {cycle}`, or see the closed ones with "
            "`demandgrid cycle list`."
        )
    return header


def read_snapshot(org: Org, cycle: str, region: str | None = None) -> Snapshot:
    """The snapshot of ``cycle`` (all regions, or ``region``): its header and one row per line."""
    header = _require(org, cycle, region)
    lines = read_lines(org, header.snapshot_id)
    names = user_names(org, [str(r.get("Rep__c") or "") for r in lines])
    return Snapshot(header, snapshot_frame(header, lines, names))


def _get(record: Record, path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def snapshot_frame(
    header: SnapshotHeader, lines: Sequence[Record], rep_names: dict[str, str]
) -> pd.DataFrame:
    cycle_month = int(header.cycle[:4]) * 12 + int(header.cycle[5:7]) - 1
    rows = []
    for r in sorted(lines, key=lambda x: str(x[LINE_KEY])):
        period = date.fromisoformat(str(r["PeriodStartDate__c"])[:10])
        rep = str(r.get("Rep__c") or "")
        rows.append(
            (
                header.snapshot_id,
                header.cycle,
                header.closed_at,
                r.get("Account__c"),
                _get(r, "Account__r.Name") or "",
                _get(r, "Account__r.Region__c") or "",
                rep,
                rep_names.get(rep, ""),
                r.get("Product__c"),
                _get(r, "Product__r.Name") or "",
                _get(r, "Product__r.Family") or "",
                period,
                period.year * 12 + period.month - 1 - cycle_month,
                r.get("BaselineQuantity__c"),
                r.get("RepQuantity__c"),
                r.get("Quantity__c"),
                r.get("BaselineRevenue__c"),
                r.get("RepRevenue__c"),
                r.get("Revenue__c"),
                r.get("TargetQuantity__c"),
                r.get("TargetRevenue__c"),
                r.get("ReasonCode__c") or "",
                r.get("Note__c") or "",
                r.get("CellId__c") or "",
            )
        )
    frame = pd.DataFrame(rows, columns=list(SNAPSHOT_COLUMNS))
    for column in SNAPSHOT_COLUMNS[13:21]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["lag"] = frame["lag"].astype(int)
    return frame


# ---------------------------------------------------------------- verify


def verify_snapshot(org: Org, cycle: str, region: str | None = None) -> Verification:
    """Recompute the snapshot's content hash from its lines in the org and compare; a line whose
    own digest (the end of its ``Name``) no longer matches its content is named."""
    header = _require(org, cycle, region)
    lines = read_lines(org, header.snapshot_id)
    texts = {str(r[LINE_KEY]): line_text(r) for r in lines}
    computed = hash_texts(header.snapshot_id, header.cycle, header.region, texts.items())
    problems: list[str] = []
    if computed != header.content_hash:
        problems.append(
            f"The content hash of {header.snapshot_id} is {computed[:16]}..., not the "
            f"{header.content_hash[:16]}... recorded at the close on {header.closed_on}: "
            "the snapshot changed since it was taken."
        )
    for r in sorted(lines, key=lambda x: str(x[LINE_KEY])):
        name = str(r.get("Name") or "")
        if name[-LINE_DIGEST:] != text_digest(texts[str(r[LINE_KEY])]):
            period = str(r.get("PeriodStartDate__c") or "")[:7]
            problems.append(
                f"Line {r[LINE_KEY]} ({_get(r, 'Account__r.Name') or r.get('Account__c')} / "
                f"{_get(r, 'Product__r.Name') or r.get('Product__c')}, {period}, record "
                f"{r.get('Id')}) changed after the close (quantity now {r.get('Quantity__c')})."
            )
    if len(lines) != header.line_count:
        problems.append(
            f"{header.snapshot_id} has {len(lines):,} line(s) in the org; the close wrote "
            f"{header.line_count:,}."
        )
    if problems:
        problems.append(
            "Restore the lines from a backup, or reopen and close the cycle again "
            f"(`demandgrid cycle reopen --cycle {cycle} --reason ...`, then `cycle close`)."
        )
    return Verification(header, computed, tuple(problems))
