"""Before a push computes its changeset: move the workbook's baseline forward for what the
journal shows landed in the org after the workbook was last saved.

A push that died between the org's commit and the workbook's save leaves the workbook's
baseline at the pulled value although the org holds the rep's value. Left alone, a cell the
rep has since set back to the pulled value reads as "unchanged" and is never sent (a lost
edit). So ``push_workbook`` first reconciles: each cell the journal (``sync.push.journal``) shows
written by a push the workbook has not recorded, and whose baseline is still the one that
push started from, takes the written value, note and stamp as its baseline (hidden record and
mirror columns). A call whose answer was lost counts only where the org holds its value now
(one re-read). Only then is the changeset read, so a revert or a second edit is sent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from addin.book.surface import BookSurface
from addin.review.grid import starting_value
from addin.review.readback import ReviewedWorkbook
from sync.org.mapping import MappingProfile
from sync.org.seam import Org
from sync.push.cas import same_note
from sync.push.engine import reread, same_value
from sync.push.journal import Journal, Landed, landed_since


def reconcile_from_journal(
    book: BookSurface,
    reviewed: ReviewedWorkbook,
    org: Org,
    journal: Journal,
    profile: MappingProfile,
) -> list[str]:
    """Move ``reviewed``'s baseline forward for what landed (writes the record and mirror
    columns into ``book``; the caller re-reads and saves). Returns lines for the receipt."""
    record = reviewed.record
    cells = {c["record_id"]: c for c in record.cells}
    landed = [
        x
        for x in landed_since(
            journal.entries(), skip=record.pushes, after=_iso(record.context.pulled_at)
        )
        if x.record_id in cells
    ]
    if not landed:
        return list(journal.warnings)
    unsure = [x.record_id for x in landed if not x.certain]
    now = reread(org, unsure, profile) if unsure else {}
    moved: dict[str, float | None] = {}
    pushes: list[str] = []
    for x in landed:
        cell = cells[x.record_id]
        if x.pulled_stamp is not None and x.pulled_stamp != str(cell.get("modstamp") or ""):
            continue  # the workbook moved on since that push (saved after it, or re-pulled)
        value, note = _field(x, profile.adjusted), _field(x, profile.note)
        stamp = x.stamp
        if not x.certain:
            org_cell = now.get(x.record_id)
            if org_cell is None or not (
                same_value(org_cell.value, value) and same_note(org_cell.note, note)
            ):
                continue  # that call did not land (or was changed since): keep the baseline
            stamp = stamp or org_cell.modstamp
        cell["adjusted"] = value
        cell["note"] = note or ""
        cell["modstamp"] = stamp
        address = _address(reviewed, cell)
        if address:
            moved[address] = starting_value(value, cell.get("baseline"))
        if x.push_id not in pushes:
            pushes.append(x.push_id)
    if not pushes:
        return list(journal.warnings)
    from addin.push.workbook import _write_mirror, _write_record  # push_book imports this module

    record.pushes.extend(p for p in pushes if p not in record.pushes)
    _write_record(book, reviewed)
    _write_mirror(book, reviewed, moved)
    return [
        *journal.warnings,
        f"Reconciled from the journal: {len(moved):,} cell(s) that push(es) "
        f"{', '.join(pushes)} wrote before the workbook could be saved now have the org's "
        "value as their baseline; edits made since are sent.",
    ]


def _field(x: Landed, name: str) -> Any:
    return next((v for k, v in x.values.items() if k.lower() == name.lower()), None)


def _address(reviewed: ReviewedWorkbook, cell: dict[str, Any]) -> str:
    try:
        period = date.fromisoformat(str(cell.get("period_start"))[:10])
        return reviewed.address(str(cell.get("row_key")), period)
    except (KeyError, ValueError):
        return ""


def _iso(text: str) -> str:
    """A pull time in the journal's format (``...T..:..:..ffffffZ``), for ordering by text."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
