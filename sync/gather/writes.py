"""Sending what a load decided, in all-or-none calls of at most ``UPDATE_LIMIT`` records, and
the log of loads (``DataLoad__c``) behind the review's data-freshness line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import uuid4

from simple_salesforce import format_soql

from sync.org.seam import Org, QueryRefused, Record, chunks

DATA_LOAD = "DataLoad__c"
KEY = "Key__c"


#: Error codes of a query naming an object or field the org does not have.
_NOT_IN_ORG = ("INVALID_TYPE", "INVALID_FIELD")
#: The custom objects Phase 1 writes (ADR 13): an org must have them deployed.
GATHER_OBJECTS = ("ErpActual__c", "PosSale__c", "DataLoad__c")


def not_set_up(error: QueryRefused) -> bool:
    """Whether a refused query means the org lacks the Phase 1 objects (or their fields)."""
    return error.error_code in _NOT_IN_ORG and any(
        name.lower() in str(error).lower() for name in GATHER_OBJECTS + ("__c",)
    )


def wire_time(moment: datetime) -> str:
    """A datetime as the org stores and sends it: ``2026-11-30T14:02:00.000+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def now_on_wire() -> str:
    return wire_time(datetime.now(UTC))


def upsert_all(org: Org, object_name: str, records: Sequence[Record]) -> int:
    """Upsert on ``Key__c`` in calls of at most 1,000; the number of calls made."""
    calls = 0
    for chunk in chunks(records):
        org.upsert(object_name, KEY, chunk)
        calls += 1
    return calls


def update_all(org: Org, object_name: str, records: Sequence[Record]) -> int:
    """Update by Id in calls of at most 1,000; the number of calls made."""
    calls = 0
    for chunk in chunks(records):
        org.update(object_name, chunk)
        calls += 1
    return calls


@dataclass(frozen=True)
class Freshness:
    """When a source was last loaded, by whom, and the latest period it carried."""

    source: str
    loaded_at: str  # ISO 8601 as the org sends it
    loaded_by: str
    through: date | None


def record_load(
    org: Org,
    source: str,
    *,
    file: str,
    rows: int,
    written: int,
    through: date | None,
    loaded_at: str | None = None,
) -> int:
    """Log one load in one upsert call if it wrote something (``written``); the calls made."""
    if not written:
        return 0
    loaded_at = loaded_at or now_on_wire()
    record: Record = {
        KEY: f"{source}|{loaded_at}|{uuid4().hex[:12]}"[:120],  # two loads in one second differ
        "Name": f"{source} {loaded_at[:16]}"[:80],
        "Source__c": source[:80],
        "LoadedAt__c": loaded_at,
        "LoadedBy__c": org.identity().username[:80],
        "File__c": file[-255:],
        "Rows__c": rows,
        "Written__c": written,
        "Through__c": through.isoformat() if through else None,
    }
    org.upsert(DATA_LOAD, KEY, [record])
    return 1


def freshness(org: Org, sources: Sequence[str] = ()) -> list[Freshness]:
    """The latest load of each source (or of those named), newest first."""
    soql = "SELECT Source__c, LoadedAt__c, LoadedBy__c, Through__c FROM DataLoad__c"
    if sources:
        soql += format_soql(" WHERE Source__c IN {}", list(sources))
    latest: dict[str, Freshness] = {}
    for r in org.query(soql + " ORDER BY LoadedAt__c DESC"):
        source = r["Source__c"] or ""
        if source not in latest:
            through = r["Through__c"]
            latest[source] = Freshness(
                source,
                r["LoadedAt__c"] or "",
                r["LoadedBy__c"] or "",
                date.fromisoformat(through) if through else None,
            )
    return list(latest.values())
