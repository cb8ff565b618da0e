"""Push, planning half: re-read the changed records and sort each change before anything is sent.

The full chain is changeset -> re-read -> conflicts -> update batches -> org -> receipt;
``sync.push.engine`` sends and writes the receipt, and re-exports everything here.

Written against the ``sync.org.seam.Org`` protocol only. Safe to re-run: before writing, the
changed records are re-read, and a cell whose org value already equals the workbook's is
"already done", so a push that died half-way (a failed call, a lost answer, a killed
process) finishes what is left and never applies a change twice. Correctness comes from
that re-read; the journal (``sync.push.journal``) only tells people what happened.

Decisions:
- A cell conflicts when the org's adjusted *value* differs from the pulled one (and from
  mine), or, when the pulled note is known (``Change.old_note``), the org's *note* differs
  from the pulled one (and from mine): a note is part of the cell. A moved ``SystemModstamp``
  with the same value and note (a recalculation job) is no conflict.
- An empty new value (``Change.new is None``, or NaN) clears the adjustment: null is sent.
- The note sent is ``"[<reason code>] <note>"`` (or just one of them); empty sends null.
- Re-read queries carry as many Ids as one page (2,000) and one REST URL (see
  ``QUERY_MAX_BYTES``: about 440 Ids) allow, so each query is one API call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote_plus

from simple_salesforce import format_soql

from sync.org.mapping import STANDARD, MappingProfile
from sync.org.records import Change, Conflict
from sync.org.seam import (
    QUERY_PAGE,
    UPDATE_LIMIT,
    ApiLimits,
    Org,
    OrgError,
    Record,
)
from sync.push.journal import Journal, unfinished_pushes

Take = Literal["mine", "theirs"]

WRITTEN = "written"
ALREADY_IN_ORG = "already in org"
KEPT_THEIRS = "kept theirs"
OVERWROTE_THEIRS = "overwrote theirs"
NOT_SENT = "not sent"  # outcome "not sent: <why>"
NOT_CONFIRMED = "not confirmed"  # "not confirmed: <why>": the call's answer was lost
#: Outcomes after which the org holds ``CellReceipt.new``: the workbook's baseline moves there.
LANDED = (WRITTEN, ALREADY_IN_ORG, OVERWROTE_THEIRS)

#: Salesforce refuses SOQL over 100,000 characters.
SOQL_MAX_CHARS = 100_000
#: A REST query travels in the URL (``GET /query?q=``), and Salesforce refuses a URI plus
#: headers over 16,384 bytes (414 / 431). So a re-read's URL-encoded SOQL stays under this,
#: leaving room for the instance, path and headers: about 440 Ids per query. An org whose
#: queries have no such cap (one that posts them in a body) says so with a
#: ``query_max_bytes`` attribute, e.g. ``SOQL_MAX_CHARS``.
QUERY_MAX_BYTES = 12_000


# ---------------------------------------------------------------- errors people see


class ConflictsPending(OrgError):
    """Cells changed in the org since the pull: nothing is sent until each is resolved."""

    def __init__(self, plan: PushPlan) -> None:
        self.plan = plan
        n = len(plan.conflicts)
        lines = [f"  {conflict_line(c)}" for c in plan.conflicts[:10]]
        more = [f"  ... and {n - 10} more"] if n > 10 else []
        super().__init__(
            "\n".join(
                [
                    f"{n} cell{'s' if n != 1 else ''} changed in the org since your pull; nothing was sent:"
                ]
                + lines
                + more
                + [
                    "Resolve each one: push again with --take mine (overwrite theirs) or --take theirs "
                    "(drop your change), or choose per cell in the Conflicts sheet."
                ]
            )
        )


def conflict_line(c: Conflict) -> str:
    """``Review!H14 (Acme / Widget / 2027-03): pulled 100, theirs 150, mine 120`` and, when the
    org's note moved, the three notes."""
    ch = c.change
    line = (
        f"{ch.sheet}!{ch.cell} ({place(ch)}): pulled {show_number(ch.old)}, "
        f"theirs {show_number(c.theirs)}, mine {show_number(ch.new)}"
    )
    if ch.old_note is not None and not _same_note(c.their_note, ch.old_note):
        line += (
            f"; note pulled {_show_note(ch.old_note)}, theirs {_show_note(c.their_note)}, "
            f"mine {_show_note(note_text(ch))}"
        )
    return line


def _show_note(note: str | None) -> str:
    text = (note or "").strip()
    return f'"{text[:60]}{"..." if len(text) > 60 else ""}"' if text else "none"


class RecordsMissing(OrgError):
    """Changed cells whose records were deleted from the org since the pull."""

    def __init__(self, changes: Sequence[Change]) -> None:
        self.changes = tuple(changes)
        cells = ", ".join(f"{c.sheet}!{c.cell} ({place(c)})" for c in self.changes[:10])
        super().__init__(
            f"{len(self.changes)} changed cell(s) belong to forecast records no longer in the org "
            f"(deleted since the pull): {cells}. Nothing was sent. Pull a fresh workbook, "
            "or drop these changes with --take theirs."
        )


class NoteTooLong(OrgError):
    """A note with its reason code does not fit the org's comment field."""

    def __init__(self, changes: Sequence[Change], limit: int) -> None:
        self.changes = tuple(changes)
        cells = ", ".join(f"{c.sheet}!{c.cell} ({place(c)})" for c in self.changes[:10])
        super().__init__(
            f"The note with its reason code exceeds the org's {limit:,} characters in {cells}. "
            "Nothing was sent. Shorten those notes, run check, then push again."
        )


class UnsendableValue(OrgError):
    """A new value the org cannot hold (infinite)."""


class DuplicateCells(OrgError):
    """Two changes of one changeset target the same forecast record."""


class BadResolution(OrgError):
    """A conflict resolution that is neither "mine" nor "theirs"."""


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class OrgCell:
    """A changed record as the re-read found it in the org."""

    value: float | None
    note: str
    modstamp: str


@dataclass(frozen=True)
class PushPlan:
    to_send: tuple[Change, ...]  # changes that will be written (incl. deliberate overwrites)
    already_done: tuple[Change, ...]  # org value already equals mine: nothing to send
    conflicts: tuple[Conflict, ...]  # unresolved: org value changed since the pull (and != mine)
    calls: int  # update calls needed: ceil(len(to_send) / UPDATE_LIMIT)
    query_calls: int  # re-read queries made
    budget: ApiLimits | None
    overwrites: tuple[Conflict, ...] = ()  # conflicts resolved "mine": in to_send
    kept_theirs: tuple[Conflict, ...] = ()  # conflicts resolved "theirs": dropped
    missing: tuple[Change, ...] = ()  # records deleted in the org (unresolved)
    dropped_missing: tuple[Change, ...] = ()  # deleted records resolved "theirs"
    org_cells: Mapping[str, OrgCell] = field(default_factory=dict)  # the re-read, by record id
    unfinished: tuple[str, ...] = ()  # earlier pushes the journal shows as unfinished

    @property
    def ready(self) -> bool:
        return not self.conflicts and not self.missing


def note_text(change: Change) -> str | None:
    """What goes into the org's comment field: ``"[<reason code>] <note>"``; None when empty."""
    code, note = change.reason_code.strip(), change.note.strip()
    text = f"[{code}] {note}".strip() if code else note
    return text or None


def batches(changes: Sequence[Change], profile: MappingProfile = STANDARD) -> list[list[Record]]:
    """The update payloads, at most ``UPDATE_LIMIT`` records each, in changeset order."""
    _guard(changes, profile)
    payload = [
        {"Id": c.record_id, profile.adjusted: _value(c), profile.note: note_text(c)}
        for c in changes
    ]
    return [payload[i : i + UPDATE_LIMIT] for i in range(0, len(payload), UPDATE_LIMIT)]


def plan_push(
    org: Org,
    changes: Sequence[Change],
    *,
    profile: MappingProfile = STANDARD,
    resolutions: Mapping[str, Take] | None = None,
    take: Take | None = None,
    journal: Journal | None = None,
    with_budget: bool = True,
) -> PushPlan:
    """Re-read the changed records and sort each change: send, already done, conflict, missing."""
    _guard(changes, profile)
    choice = _resolver(resolutions, take)
    before = org.calls.query
    found = reread(org, [c.record_id for c in changes], profile)
    query_calls = org.calls.query - before

    to_send: list[Change] = []
    already: list[Change] = []
    missing: list[Change] = []
    dropped: list[Change] = []
    conflicts: list[Conflict] = []
    overwrites: list[Conflict] = []
    kept: list[Conflict] = []
    for c in changes:
        cell = found.get(c.record_id)
        if cell is None:
            (dropped if choice(c.record_id) == "theirs" else missing).append(c)
        elif same_value(cell.value, _value(c)) and (
            _same_note(cell.note, note_text(c)) or c.old_note is None
        ):
            already.append(c)
        elif (same_value(cell.value, _value(c)) or same_value(cell.value, _number(c.old))) and (
            c.old_note is None or _same_note(cell.note, c.old_note)
        ):
            to_send.append(c)  # (mine's value with the pulled note: only the note is sent)
        else:
            conflict = Conflict(c, cell.value, cell.note, cell.modstamp)
            resolved = choice(c.record_id)
            if resolved == "mine":
                overwrites.append(conflict)
                to_send.append(c)
            elif resolved == "theirs":
                kept.append(conflict)
            else:
                conflicts.append(conflict)
    budget = None
    if with_budget:
        try:
            budget = org.limits()
        except OrgError:
            budget = None  # the budget is advice; an org that cannot tell it still takes a push
    unfinished = tuple(
        f"An earlier push ({b['push_id']}, {b.get('at', '')}) did not finish; "
        "the re-read shows what of it landed."
        for b in (unfinished_pushes(journal.entries()) if journal else [])
    )
    return PushPlan(
        to_send=tuple(to_send),
        already_done=tuple(already),
        conflicts=tuple(conflicts),
        calls=math.ceil(len(to_send) / UPDATE_LIMIT),
        query_calls=query_calls,
        budget=budget,
        overwrites=tuple(overwrites),
        kept_theirs=tuple(kept),
        missing=tuple(missing),
        dropped_missing=tuple(dropped),
        org_cells=found,
        unfinished=unfinished,
    )


def reread(org: Org, ids: Sequence[str], profile: MappingProfile = STANDARD) -> dict[str, OrgCell]:
    """The records' adjusted value, note and stamp, in as few queries (API calls) as possible."""
    found: dict[str, OrgCell] = {}
    for soql in reread_soql(org, ids, profile):
        for r in org.query(soql):
            found[r["Id"]] = OrgCell(
                _number(r.get(profile.adjusted)),
                r.get(profile.note) or "",
                r.get(profile.modstamp) or "",
            )
    return found


def reread_soql(org: Org, ids: Sequence[str], profile: MappingProfile = STANDARD) -> list[str]:
    """The re-read's queries for ``ids``: one API call each (each fits one page)."""
    fields = ", ".join(["Id", profile.adjusted, profile.note, profile.modstamp])
    template = "SELECT {fields:literal} FROM {obj:literal} WHERE Id IN {ids}"
    bare = format_soql(template, fields=fields, obj=profile.cell_object, ids=[])
    budget = min(int(getattr(org, "query_max_bytes", QUERY_MAX_BYTES)), SOQL_MAX_CHARS)
    return [
        format_soql(template, fields=fields, obj=profile.cell_object, ids=chunk)
        for chunk in id_chunks(ids, len(quote_plus(bare)), budget)
    ]


def id_chunks(
    ids: Sequence[str], overhead: int = 200, max_bytes: int = QUERY_MAX_BYTES
) -> Iterator[list[str]]:
    """Ids in groups whose query fits one page (2,000 records) and ``max_bytes`` URL-encoded.

    Each page and each query costs one API call, so the biggest groups that fit are the fewest.
    """
    chunk: list[str] = []
    length = overhead
    for record_id in dict.fromkeys(ids):
        # an Id is letters and digits: its quotes and comma encode as %27 %27 %2C
        cost = (
            len(record_id) + 9
            if record_id.isascii() and record_id.isalnum()
            else len(quote_plus(f"'{record_id}',"))
        )
        if chunk and (len(chunk) >= QUERY_PAGE or length + cost > max_bytes):
            yield chunk
            chunk, length = [], overhead
        chunk.append(record_id)
        length += cost
    if chunk:
        yield chunk


def _same_note(a: str | None, b: str | None) -> bool:
    """Equal as org notes: the org stores an empty text as null."""
    return (a or "").strip() == (b or "").strip()


def same_value(a: float | None, b: float | None) -> bool:
    """Equal as forecast numbers: both empty, or equal up to float round-off."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


# ---------------------------------------------------------------- small pieces


def _number(x: object) -> float | None:
    if x is None or x == "":
        return None
    v = float(x)  # type: ignore[arg-type]
    return None if math.isnan(v) else v


def _value(c: Change) -> float | None:
    v = _number(c.new)
    if v is not None and math.isinf(v):
        raise UnsendableValue(
            f"{c.sheet}!{c.cell} ({place(c)}) holds an infinite value, which the org cannot store. "
            "Enter a number, run check, then push again."
        )
    return v


def _guard(changes: Sequence[Change], profile: MappingProfile) -> None:
    seen: dict[str, Change] = {}
    for c in changes:
        if c.record_id in seen:
            first = seen[c.record_id]
            raise DuplicateCells(
                f"{first.sheet}!{first.cell} and {c.sheet}!{c.cell} both change the forecast record "
                f"{c.record_id} ({place(c)}). Nothing was sent. Keep one edit, run check, then push again."
            )
        seen[c.record_id] = c
        _value(c)
    too_long = [c for c in changes if len(note_text(c) or "") > profile.note_max_length]
    if too_long:
        raise NoteTooLong(too_long, profile.note_max_length)


def _resolver(
    resolutions: Mapping[str, Take] | None, take: Take | None
) -> Callable[[str], Take | None]:
    chosen = dict(resolutions or {})
    for key, value in [*chosen.items(), ("--take", take)]:
        if value is not None and value not in ("mine", "theirs"):
            raise BadResolution(
                f"Conflict resolution {value!r} for {key} is neither 'mine' nor 'theirs'. "
                "Choose mine (overwrite theirs) or theirs (drop your change)."
            )
    return lambda record_id: chosen.get(record_id, take)


def place(c: Change) -> str:
    return f"{c.account_name} / {c.product_name} / {c.period_start:%b %Y}"


def show_number(v: float | None) -> str:
    return "empty" if v is None else f"{v:,.6g}"
