"""Compare-and-set for push: a re-read before each update call, a proof after it.

Salesforce Collections have no compare-and-set, so ``sync.push.engine`` builds one around each call
(see docs/adr/0010-push-compare-and-set.md):

- **before** the call, ``check_before`` sorts the call's cells against a fresh re-read: a cell
  whose value or note moved since the plan's re-read is taken out of the call as a conflict
  (never sent); one that already holds mine is "already in org";
- **after** the call, ``verify_after`` reads the cells again (their new ``SystemModstamp``, for
  the workbook's baseline) and the cells' adjustment history written since the re-read
  (``AccountForecastAdjustment``: from, to, comment, in order). The first adjustment after our
  re-read must be ours, from the value we re-read to mine. Anything else means someone else's
  write landed in the window between the re-read and our call, and we wrote over it: the cell
  is an ``Overwritten`` conflict, and ``sync.push.engine`` writes their value and note back at once.

Nothing here writes; ``sync.push.engine`` sends, journals and restores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote_plus

from simple_salesforce import format_soql

from sync.org.mapping import MappingProfile
from sync.org.records import Change
from sync.org.seam import Org, OrgError
from sync.push.plan import (
    QUERY_MAX_BYTES,
    SOQL_MAX_CHARS,
    OrgCell,
    id_chunks,
    note_text,
    reread,
    same_value,
)

#: The outcome prefix of a cell someone else changed while the push ran: "conflict: <why>".
CONFLICT = "conflict"
#: Adjustment-history fields (standard Account Forecasting).
_ADJ_FIELDS = "Id, AccountProdPeriodForecastId, FromValue, ToValue, AdjustmentComments, CreatedDate"
_PARENT = "AccountProdPeriodForecast"  # the adjustment's relationship to its cell


def same_note(a: str | None, b: str | None) -> bool:
    """Equal as org notes: the org stores an empty text as null."""
    return (a or "").strip() == (b or "").strip()


@dataclass(frozen=True)
class Adjustment:
    """One row of a cell's adjustment history."""

    id: str
    record_id: str
    from_value: float | None
    to_value: float | None
    note: str
    created: datetime


@dataclass(frozen=True)
class Overwritten:
    """A cell whose value (or note) someone else wrote between our re-read and our call."""

    change: Change
    theirs: OrgCell  # what they wrote, which our call replaced


@dataclass
class Before:
    """A call's cells sorted by the re-read just before it."""

    send: list[Change]
    already: list[Change]
    moved: list[tuple[Change, OrgCell]]  # changed in the org since the plan: not sent
    gone: list[Change]  # deleted in the org since the plan: not sent
    found: dict[str, OrgCell]


def check_before(
    changes: Sequence[Change],
    expected: Mapping[str, OrgCell],
    found: Mapping[str, OrgCell],
) -> Before:
    """Sort ``changes`` against ``found`` (a fresh re-read); ``expected`` is what the plan saw."""
    out = Before([], [], [], [], dict(found))
    for c in changes:
        now, then = found.get(c.record_id), expected.get(c.record_id)
        if now is None:
            out.gone.append(c)
        elif same_value(now.value, _new(c)) and same_note(now.note, note_text(c)):
            out.already.append(c)
        elif then is None or (same_value(now.value, then.value) and same_note(now.note, then.note)):
            out.send.append(c)
        else:
            out.moved.append((c, now))
    return out


def verify_after(
    org: Org,
    sent: Sequence[Change],
    before: Mapping[str, OrgCell],
    profile: MappingProfile,
) -> tuple[dict[str, OrgCell], list[Overwritten], str]:
    """After a call: (the cells as the org now holds them, the cells we wrote over someone
    else's write, a note when the history could not be read). Costs the re-read's queries
    plus one history query per ``reread`` chunk."""
    ids = [c.record_id for c in sent]
    stamps = [_when(before[i].modstamp) for i in ids if i in before and before[i].modstamp]
    if not stamps:
        return reread(org, ids, profile), [], ""
    try:
        history, after = adjustments(org, ids, min(stamps), profile)
    except OrgError as e:
        return reread(org, ids, profile), [], f"the adjustment history could not be read ({e})"
    unseen = [i for i in ids if i not in after]  # no history row since: a note-only send
    if unseen:
        after.update(reread(org, unseen, profile))
    overwritten = []
    for c in sent:
        pre = before.get(c.record_id)
        if pre is None:
            continue
        now = after.get(c.record_id)
        ours_at = None
        if now and same_value(now.value, _new(c)) and same_note(now.note, note_text(c)):
            ours_at = _when(now.modstamp) if now.modstamp else None
        since = _when(pre.modstamp)
        rows = [
            a
            for a in history.get(c.record_id, [])
            if a.created > since and (ours_at is None or a.created <= ours_at)
        ]
        theirs = _theirs(rows, pre, c, ours_at)
        if theirs is not None:
            overwritten.append(Overwritten(c, theirs))
    return after, overwritten, ""


def _theirs(
    rows: list[Adjustment], pre: OrgCell, c: Change, ours_at: datetime | None
) -> OrgCell | None:
    """What our call wrote over, or None when nobody wrote between our re-read and our call.

    Our own history row is the one stamped with our write's ``SystemModstamp``; failing that
    (an org whose history rows carry another time), the last row to mine's value and note.
    """
    mine, mine_note = _new(c), note_text(c)
    ours = next(
        (n for n, a in enumerate(rows) if ours_at is not None and a.created == ours_at), None
    )
    if ours is None:
        ours = max(
            (
                n
                for n, a in enumerate(rows)
                if same_value(a.to_value, mine) and same_note(a.note, mine_note)
            ),
            default=None,
        )
    if ours is None:
        if not rows:
            return None  # nobody changed the value (a note-only send leaves no history)
        last = rows[-1]  # they changed it, and our call then wrote over it
        return OrgCell(last.to_value, last.note, "")
    if ours > 0:
        prior = rows[ours - 1]
        return OrgCell(prior.to_value, prior.note, "")
    if not same_value(rows[0].from_value, pre.value):
        return OrgCell(rows[0].from_value, pre.note, "")  # moved with no history row
    return None


def adjustments(
    org: Org, ids: Sequence[str], since: datetime, profile: MappingProfile
) -> tuple[dict[str, list[Adjustment]], dict[str, OrgCell]]:
    """The cells' adjustment history for the profile's measure from ``since`` (to the second,
    inclusive), oldest first, and each cell that has such a row as the org holds it now (read
    through the row's parent, so the proof and the new stamps cost one query per ~400 cells)."""
    kind = "Quantity" if profile.measure == "quantity" else "Revenue"
    floor = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    parent = [f"{_PARENT}.{f}" for f in (profile.adjusted, profile.note, profile.modstamp)]
    template = (
        "SELECT {fields:literal} FROM {obj:literal} WHERE AdjustmentType = {kind} "
        "AND CreatedDate >= {since:literal} AND AccountProdPeriodForecastId IN {ids}"
    )
    args = {
        "fields": ", ".join([_ADJ_FIELDS, *parent]),
        "obj": profile.adjustment_object,
        "kind": kind,
        "since": floor,
    }
    bare = format_soql(template, ids=[], **args)
    budget = min(int(getattr(org, "query_max_bytes", QUERY_MAX_BYTES)), SOQL_MAX_CHARS)
    found: dict[str, list[Adjustment]] = {}
    now: dict[str, OrgCell] = {}
    for chunk in id_chunks(ids, len(quote_plus(bare)), budget):
        asked = {i[:15]: i for i in chunk}
        for r in org.query(format_soql(template, ids=chunk, **args)):
            rid = _id18(str(r["AccountProdPeriodForecastId"]), asked)
            found.setdefault(rid, []).append(
                Adjustment(
                    str(r["Id"]),
                    rid,
                    _num(r.get("FromValue")),
                    _num(r.get("ToValue")),
                    r.get("AdjustmentComments") or "",
                    _when(str(r.get("CreatedDate") or "")),
                )
            )
            cell = r.get(_PARENT) or {}
            now[rid] = OrgCell(
                _num(cell.get(profile.adjusted)),
                cell.get(profile.note) or "",
                cell.get(profile.modstamp) or "",
            )
    for rows in found.values():
        rows.sort(key=lambda a: (a.created, a.id))
    return found, now


def _id18(record_id: str, asked: dict[str, str]) -> str:
    """The Id as it was asked for (``asked``: by 15-character Id), else as the org gave it."""
    return asked.get(record_id[:15], record_id)


def _when(stamp: str) -> datetime:
    """A Salesforce datetime (``...000+0000`` or ``...Z``) as an aware datetime."""
    text = stamp.strip().replace("Z", "+0000")
    try:
        when = datetime.fromisoformat(text)  # fast; strptime below for anything it refuses
    except ValueError:
        when = None
    if when is not None and when.tzinfo is not None:
        return when
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return datetime.min.replace(tzinfo=UTC)


def _num(x: object) -> float | None:
    return None if x is None or x == "" else float(x)  # type: ignore[arg-type]


def _new(c: Change) -> float | None:
    from sync.push.plan import _value

    return _value(c)
