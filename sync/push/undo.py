"""Undo a pushed batch: the journal's record of what a push replaced, as a changeset to push.

Each ``intent`` line of a push keeps what its call wrote (``records``) and what the org held
just before (``replaced``: value and note per record). An undo is an ordinary push whose
"pulled" values are the pushed ones and whose new values are the replaced ones, so the engine's
compare-and-set does the rest: a cell that still holds what the push wrote is put back, one that
already holds the replaced value is "already in org", and one changed in the org since the push
is a conflict, never overwritten. Cells the push wrote over someone else (then restored) and
calls the org refused are left out; a call whose answer was lost is included (the re-read
decides).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sync.org.mapping import STANDARD, MappingProfile
from sync.org.seam import OrgError
from sync.push.journal import landed_since

UNDO = "Undo"  # the reason code an undo's receipt carries


class PushNotFound(OrgError):
    """No push with that id in the journal, or one journaled without what it replaced."""


@dataclass(frozen=True)
class UndoCell:
    """One cell to put back: what the push wrote (now expected in the org) and what it replaced."""

    record_id: str
    pushed: float | None
    pushed_note: str
    replaced: float | None
    replaced_note: str
    stamp: str  # SystemModstamp after the push ("" when unknown)


def undo_cells(
    entries: Iterable[Mapping[str, Any]], push_id: str, profile: MappingProfile = STANDARD
) -> list[UndoCell]:
    """The cells push ``push_id`` wrote, with what each replaced, in the order they were sent."""
    entries = list(entries)
    replaced: dict[str, Any] = {}
    seen = False
    for e in entries:
        if e.get("push_id") == push_id:
            seen = True
            if e.get("kind") == "intent" and isinstance(e.get("replaced"), Mapping):
                replaced.update(e["replaced"])
    if not seen:
        known = sorted({str(e.get("push_id")) for e in entries if e.get("kind") == "begin"})
        listed = ", ".join(known[-5:]) or "none"
        raise PushNotFound(
            f"No push {push_id!r} in this workbook's journal (recent pushes: {listed}). Copy "
            "the id from the Push Log sheet's Push id column, then run undo again."
        )
    cells = []
    for landed in landed_since(entries):
        if landed.push_id != push_id:
            continue
        before = replaced.get(landed.record_id)
        if not isinstance(before, list | tuple) or len(before) != 2:
            raise PushNotFound(
                f"Push {push_id} was recorded by an older demandgrid that did not keep what it "
                f"replaced (record {landed.record_id}), so it cannot be undone automatically. "
                "Type the old values from the Push Log's Old column into the grid, then push."
            )
        cells.append(
            UndoCell(
                record_id=landed.record_id,
                pushed=_number(landed.values.get(profile.adjusted)),
                pushed_note=str(landed.values.get(profile.note) or ""),
                replaced=_number(before[0]),
                replaced_note=str(before[1] or ""),
                stamp=landed.stamp,
            )
        )
    return cells


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
