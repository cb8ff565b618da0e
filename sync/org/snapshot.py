"""A plan snapshot line as it crosses the seam, its key, and the snapshot's content hash.

Shared by the cycle's close (``sync.cycle``) and the demo org's history
(``sync.localorg.demo.history``), so a snapshot hashes the same whoever wrote it.

The canonical serialization (version ``demandgrid-snapshot/1``), hashed with SHA-256:

- line 1: the JSON array ``["demandgrid-snapshot/1", snapshot id, cycle, region or "",
  line count]``;
- then one line per snapshot line, sorted by ``LineKey__c``: the JSON array of the
  ``HASHED_FIELDS`` values in that order; Ids cut to 15 characters (Salesforce's case-sensitive
  Id, the same in both lengths), dates as ``YYYY-MM-DD``, numbers as text with exactly two
  decimals (the fields' scale), missing values as ``null``, text as stored;
- JSON without spaces (``separators=(",", ":")``, ``ensure_ascii=False``), lines joined by
  ``\\n``, encoded as UTF-8. Who closed it and when are in the header, not in the hash.

Each line's ``Name`` ends with the first 12 hex digits of its own line's hash, so
``verify`` can say which line changed; the header's ``ContentHash__c`` proves the whole.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

VERSION = "demandgrid-snapshot/1"
CYCLE_OBJECT = "DemandPlanCycle__c"
LINE_OBJECT = "DemandPlanSnapshot__c"
CYCLE_KEY = "SnapshotId__c"
LINE_KEY = "LineKey__c"

_IDS = ("CellId__c", "Account__c", "Product__c", "Rep__c")
_NUMBERS = (
    "BaselineQuantity__c",
    "BaselineRevenue__c",
    "RepQuantity__c",
    "RepRevenue__c",
    "Quantity__c",
    "Revenue__c",
    "TargetQuantity__c",
    "TargetRevenue__c",
)
#: The line fields the content hash covers, in this order.
HASHED_FIELDS = (
    LINE_KEY,
    "SnapshotId__c",
    "Cycle__c",
    *_IDS,
    "PeriodStartDate__c",
    *_NUMBERS,
    "ReasonCode__c",
    "Note__c",
)
#: Characters of a line's own digest kept at the end of its ``Name``.
LINE_DIGEST = 12


def snapshot_id(cycle: str, region: str | None) -> str:
    """``SNAP-2026-11-ALL`` for all regions, ``SNAP-2026-11-NORTH-AMERICA`` for one."""
    scope = "".join(c if c.isalnum() else "-" for c in (region or "ALL").upper())
    return f"SNAP-{cycle}-{scope}"[:40]


def line_key(snapshot: str, account_id: str, product_id: str, period: date) -> str:
    """``<SnapshotId>|<Account15>|<Product15>|<YYYY-MM>``: the line's external id."""
    return f"{snapshot}|{account_id[:15]}|{product_id[:15]}|{period:%Y-%m}"


def _canonical(field: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if field in _IDS:
        return str(value)[:15] or None
    if field in _NUMBERS:
        text = f"{round(float(value), 2):.2f}"
        return "0.00" if text == "-0.00" else text
    if field == "PeriodStartDate__c":
        return value.isoformat()[:10] if isinstance(value, date | datetime) else str(value)[:10]
    return str(value)


def line_text(line: Mapping[str, Any]) -> str:
    """One line's canonical JSON text."""
    values = [_canonical(f, line.get(f)) for f in HASHED_FIELDS]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def line_digest(line: Mapping[str, Any]) -> str:
    """The first ``LINE_DIGEST`` hex digits of the line's own SHA-256."""
    return text_digest(line_text(line))


def text_digest(text: str) -> str:
    """``line_digest`` of a line whose canonical text is ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:LINE_DIGEST]


def content_hash(snapshot: str, cycle: str, region: str | None, lines: Iterable[Mapping]) -> str:
    """The snapshot's SHA-256 (hex) over its canonical serialization (module docstring)."""
    return hash_texts(snapshot, cycle, region, ((str(x[LINE_KEY]), line_text(x)) for x in lines))


def hash_texts(
    snapshot: str, cycle: str, region: str | None, keyed_texts: Iterable[tuple[str, str]]
) -> str:
    """``content_hash`` from (line key, ``line_text``) pairs already made."""
    texts = sorted(keyed_texts)
    head = json.dumps([VERSION, snapshot, cycle, region or "", len(texts)], separators=(",", ":"))
    digest = hashlib.sha256(head.encode("utf-8"))
    for _, text in texts:
        digest.update(b"\n" + text.encode("utf-8"))
    return digest.hexdigest()
