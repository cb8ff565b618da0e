"""Which periods a closed demand review locks, for ``sync.pull.locks.LockRules.closed``.

A close locks its snapshot's periods (the cycle's month and the horizon after it) from the close
until the next cycle begins; a reopen lifts the lock. Two sources, same shape of entries
``(period start, region or "*", reason)``:

- ``org_closed_locks``: the org's ``DemandPlanCycle__c`` headers (pull, and push before any
  write): "review closed on 2026-11-12 by Avery Quinn". An org without the snapshot objects
  has no closed reviews.
- ``calendar_locks``: what the calendar alone knows, no API call (check): once the current
  cycle's demand review close day has passed, "demand review closed on 2026-11-12 (S&OP
  calendar)". Only a configured calendar (a ``[cycle]`` section) locks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from simple_salesforce import format_soql

from sync.cycle.calendar import Calendar, add_months, cycle_of
from sync.cycle.snapshots import CLOSED, SnapshotHeader, SnapshotsMissing, headers
from sync.org.mapping import STANDARD, MappingProfile
from sync.org.seam import Org
from sync.pull.locks import LockRules, lock_reasons

Entry = tuple[date, str, str]


def _months(first: date, last: date) -> list[date]:
    out, day = [], first
    while day <= last:
        out.append(day)
        day = add_months(day, 1)
    return out


def header_locks(closed: list[SnapshotHeader]) -> tuple[Entry, ...]:
    """Lock entries for these closed headers' periods."""
    out: list[Entry] = []
    for h in closed:
        if h.first_period is None or h.last_period is None:
            continue
        by = f" by {h.closed_by_name}" if h.closed_by_name else ""
        reason = f"review closed on {h.closed_on}{by}"
        out += [(p, h.region or "*", reason) for p in _months(h.first_period, h.last_period)]
    # a region's own entries first, so they decide before an all-regions one
    return tuple(sorted(out, key=lambda e: e[1] == "*"))


def org_closed_locks(org: Org, today: date) -> tuple[Entry, ...]:
    """Entries for the reviews of today's cycle that the org holds as Closed."""
    where = format_soql("Cycle__c = {} AND Status__c = {}", cycle_of(today), CLOSED)
    try:
        closed = headers(org, where)
    except SnapshotsMissing:
        return ()
    return header_locks(closed)


def closed_lock_rules(org: Org) -> LockRules | None:
    """The default lock rules plus the closed reviews the org holds (None when there are none):
    what pull and refresh lock with. One query."""
    from sync.pull.cells import org_today

    closed = org_closed_locks(org, org_today(org))
    return LockRules(closed=closed) if closed else None


def calendar_locks(calendar: Calendar, today: date) -> tuple[Entry, ...]:
    """Entries for today's cycle once its demand review's close day has passed (no API call)."""
    if not calendar.configured:
        return ()
    cycle = cycle_of(today)
    first, last = calendar.periods(cycle)
    periods = _months(first, last)
    out: list[Entry] = []
    for region in calendar.regions:
        closes = calendar.review_closed(cycle, today, region)
        reason = f"demand review closed on {closes} (S&OP calendar)" if closes else ""
        out += [(p, region, reason) for p in periods]
    closes = calendar.review_closed(cycle, today)
    if closes:
        reason = f"demand review closed on {closes} (S&OP calendar)"
        out += [(p, "*", reason) for p in periods]
    return tuple(out) if any(reason for _, _, reason in out) else ()


def closed_edits(
    org: Org,
    today: date,
    edits: Sequence[tuple[str, date]],
    profile: MappingProfile = STANDARD,
) -> dict[str, str]:
    """Record Id -> lock reason for the edits ``(record Id, period start)`` that a review the
    org holds as closed locks. One query for the headers; one more per 200 edits for their
    accounts' regions, only when a closed review is one region's. Writes nothing."""
    entries = org_closed_locks(org, today) if edits else ()
    if not entries:
        return {}
    regions: dict[str, str] = {}
    if any(where != "*" for _, where, _ in entries):
        ids = sorted({record_id for record_id, _ in edits})
        path = f"{profile.account_path}.{profile.region_field}"
        for start in range(0, len(ids), 200):
            soql = format_soql(
                f"SELECT Id, {path} FROM {profile.cell_object} WHERE Id IN {{}}",  # noqa: S608
                ids[start : start + 200],
            )
            for r in org.query(soql):
                node: object = r
                for part in path.split("."):
                    node = node.get(part) if isinstance(node, dict) else None
                regions[r["Id"][:15]] = str(node or "")
    import pandas as pd  # the lock rules work on frame columns

    starts = pd.Series([period for _, period in edits], dtype=object)
    where = pd.Series([regions.get(record_id[:15], "") for record_id, _ in edits], dtype=object)
    rules = LockRules(frozen_months=0, lock_expired=False, closed=entries)
    # past periods are check's business; only the closed reviews' reasons count here
    reasons = lock_reasons(starts, None, rules, date.min, where)
    return {record_id: str(r) for (record_id, _), r in zip(edits, reasons, strict=True) if r}
