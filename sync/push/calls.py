"""Push, sending half: the update calls, each a compare-and-set (ADR 10).

``send`` takes a plan (``sync.push.plan``) and writes it in calls of at most
``profile.changes_per_call`` changes, each through the profile's all-or-none ``write``: the call's cells are re-read (the plan's re-read serves the first call), what still
holds the value the plan saw is sent, and the adjustment history proves nobody wrote in between
(``sync.push.cas``); where someone did, theirs is written back at once. A failed call stops the
push and says what landed. ``finish_restores`` does, before planning, a restore an earlier push
owed. ``sync.push.engine`` puts it together with the plan and the receipt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from sync.org.mapping import MappingProfile
from sync.org.records import Change, Conflict, Receipt
from sync.org.seam import UPDATE_LIMIT, Org, OrgError, SaveResult, UpdateRefused
from sync.push.cas import CONFLICT, Before, Overwritten, check_before, same_note, verify_after
from sync.push.journal import Journal, JournalUnusable, pending_restores
from sync.push.plan import (
    ALREADY_IN_ORG,
    NOT_CONFIRMED,
    NOT_SENT,
    OVERWROTE_THEIRS,
    WRITTEN,
    OrgCell,
    PushPlan,
    batches,
    place,
    reread,
    same_value,
    show_number,
)

MOVED_DURING_PUSH = f"{CONFLICT}: changed in the org during this push; not sent"
RESTORED_THEIRS = (
    f"{CONFLICT}: someone else's change landed during this push and was written over; "
    "theirs restored in the org, mine not kept"
)


class Sent:
    def __init__(self) -> None:
        self.landed: list[Change] = []
        self.outcomes: dict[str, str] = {}  # record id -> outcome for sent or unsent cells
        self.failure = ""  # the PushIncomplete message, if a call failed
        self.stamps: dict[str, OrgCell] = {}  # landed cells as the org holds them after
        self.conflicts: list[Conflict] = []  # changed by someone else during the push
        self.theirs: dict[str, float | None] = {}
        self.warnings: list[str] = []


def send(
    org: Org,
    plan: PushPlan,
    receipt: Receipt,
    profile: MappingProfile,
    journal: Journal | None,
    on_progress: Callable[[int, int], None] | None,
) -> Sent:
    """Each call with its compare-and-set (``sync.push.cas``): re-read the call's cells (the
    plan's re-read serves the first call), send what still holds the value the plan saw,
    then prove from the adjustment history that nobody wrote in between, restoring theirs
    where someone did."""
    todo = list(plan.to_send)
    size = min(profile.changes_per_call, UPDATE_LIMIT)
    calls = [todo[i : i + size] for i in range(0, len(todo), size)]
    total, n_calls, sent = len(todo), len(calls), Sent()
    expected = plan.org_cells
    chosen = {c.change.record_id for c in plan.overwrites}  # conflicts resolved "mine"
    for i, call in enumerate(calls, start=1):
        ids = [c.record_id for c in call]
        if i == 1:
            found = {r: expected[r] for r in ids if r in expected}
        else:
            try:
                found = reread(org, ids, profile)
            except Exception as e:  # noqa: BLE001 - nothing of this call was sent
                _stop(sent, calls, i, n_calls, total, e, receipt, journal, certain=True)
                return sent
        before = check_before(call, expected, found)
        for c in before.already:
            sent.outcomes[c.record_id] = ALREADY_IN_ORG
            sent.stamps[c.record_id] = before.found[c.record_id]
            sent.landed.append(c)
        for c in before.gone:
            sent.outcomes[c.record_id] = f"{NOT_SENT}: the record was deleted in the org"
        for c, now in before.moved:
            sent.outcomes[c.record_id] = MOVED_DURING_PUSH
            sent.theirs[c.record_id] = now.value
            sent.conflicts.append(Conflict(c, now.value, now.note, now.modstamp))
        if not before.send:
            continue
        payload = batches(before.send, profile)[0]
        sent_ids = [r["Id"] for r in payload]
        if journal:
            try:
                journal.append(
                    "intent",
                    receipt.push_id,
                    call=i,
                    records=payload,
                    pulled={c.record_id: c.modstamp for c in before.send},
                    # what this call writes over, so `demandgrid undo` can put it back
                    replaced={
                        rid: [cell.value, cell.note]
                        for rid in sent_ids
                        if (cell := before.found.get(rid)) is not None
                    },
                )
            except JournalUnusable as e:
                _stop(sent, calls, i, n_calls, total, e, receipt, None, certain=True)
                return sent
        try:
            results = profile.write(org, payload, _states(before.found))
            _require_success(results, sent_ids)
        except BaseException as e:  # noqa: BLE001 - recorded, then re-raised or reported
            if not isinstance(e, Exception):
                log_after(journal, [], "failed", receipt.push_id, call=i, error=type(e).__name__)
                raise  # KeyboardInterrupt and the like: the journal says where it stopped
            _stop(sent, calls, i, n_calls, total, e, receipt, journal, ids=sent_ids)
            return sent
        receipt.responses.append(f"call {i}/{n_calls}: {len(sent_ids)} records written")
        if journal:
            log_after(
                journal,
                sent.warnings,
                "landed",
                receipt.push_id,
                call=i,
                results=[{"id": r.id, "success": r.success} for r in results],
            )
        over = _verify(org, before, receipt, profile, journal, sent, i)
        for c in before.send:
            if c.record_id not in over:
                sent.outcomes[c.record_id] = OVERWROTE_THEIRS if c.record_id in chosen else WRITTEN
                sent.landed.append(c)
        if on_progress:
            on_progress(len(sent.landed), total)
    return sent


def _verify(
    org: Org,
    before: Before,
    receipt: Receipt,
    profile: MappingProfile,
    journal: Journal | None,
    sent: Sent,
    call: int,
) -> set[str]:
    """Prove the call replaced what we re-read; restore theirs where it did not. Returns the
    ids written over someone else's change."""
    try:
        after, overwritten, trouble = verify_after(org, before.send, before.found, profile)
    except Exception as e:  # noqa: BLE001 - the call landed; only the proof is missing
        sent.warnings.append(
            f"call {call}: written, but could not be checked for changes that landed during "
            f"the push ({type(e).__name__}: {e}); the next push re-reads the org."
        )
        return set()
    if trouble:
        sent.warnings.append(f"call {call}: written, but not checked: {trouble}.")
    sent.stamps.update(after)
    if journal:
        log_after(
            journal,
            sent.warnings,
            "verified",
            receipt.push_id,
            call=call,
            stamps={k: v.modstamp for k, v in after.items()},
            overwritten=[
                {"id": o.change.record_id, "theirs": o.theirs.value, "their_note": o.theirs.note}
                for o in overwritten
            ],
        )
    if not overwritten:
        return set()
    _restore(org, overwritten, after, receipt, profile, journal, sent, call)
    return {o.change.record_id for o in overwritten}


def _restore(
    org: Org,
    overwritten: Sequence[Overwritten],
    after: Mapping[str, OrgCell],
    receipt: Receipt,
    profile: MappingProfile,
    journal: Journal | None,
    sent: Sent,
    call: int,
) -> None:
    """Write theirs back over mine (one update call), then check that restore the same way."""
    back: list[Change] = []
    for o in overwritten:
        c, rid = o.change, o.change.record_id
        sent.theirs[rid] = o.theirs.value
        sent.conflicts.append(Conflict(c, o.theirs.value, o.theirs.note, ""))
        now = after.get(rid)
        if now is None or not same_value(now.value, _value_of(c)):
            sent.outcomes[rid] = (
                f"{CONFLICT}: someone else's change landed during this push and was written "
                f"over; the cell changed again since ({show_number(now.value if now else None)}), "
                "left as is"
            )
            continue
        back.append(replace(c, new=o.theirs.value, note=o.theirs.note, reason_code=""))
        sent.outcomes[rid] = RESTORED_THEIRS
    if not back:
        return
    payload = batches(back, profile)[0]
    log_after(journal, sent.warnings, "restore", receipt.push_id, call=call, records=payload)
    try:
        results = profile.write(org, payload, _states(after))
        _require_success(results, [r["Id"] for r in payload])
    except Exception as e:  # noqa: BLE001 - reported on each cell and in the message
        why = _why(e, {c.record_id: c for c in back})
        log_after(journal, sent.warnings, "restore-failed", receipt.push_id, call=call, error=why)
        for c in back:
            sent.outcomes[c.record_id] = (
                f"{CONFLICT}: wrote over someone else's change ({show_number(sent.theirs[c.record_id])}) "
                f"that landed during this push, and restoring it failed ({why}); the org holds "
                "mine: resolve it on the Conflicts sheet"
            )
        return
    log_after(
        journal,
        sent.warnings,
        "restored",
        receipt.push_id,
        call=call,
        ids=[c.record_id for c in back],
    )
    receipt.responses.append(
        f"call {call}: {len(back)} record(s) written over a change that landed during the "
        "push; theirs restored"
    )
    mine_now = {c.record_id: after[c.record_id] for c in back}
    try:
        _, again, _ = verify_after(org, back, mine_now, profile)
    except Exception:  # noqa: BLE001 - the restore landed; a third write is only unproven
        again = []
    for o in again:
        sent.outcomes[o.change.record_id] = (
            f"{CONFLICT}: a third change ({show_number(o.theirs.value)}) landed while theirs "
            "was being restored; the org holds theirs"
        )


def finish_restores(org: Org, journal: Journal, profile: MappingProfile) -> list[str]:
    """Before planning: restores an earlier push owed (it wrote over someone else's change and
    died, or failed, before writing theirs back) are done now, where the org still holds mine.
    Then the plan sees theirs, and the cell is a conflict again, never "already in org"."""
    owed = pending_restores(journal.entries())
    if not owed:
        return []
    found = reread(org, [o.record_id for o in owed], profile)
    back: list[dict[str, object]] = []
    for o in owed:
        now = found.get(o.record_id)
        mine_value = next(
            (v for k, v in o.mine.items() if k.lower() == profile.adjusted.lower()), None
        )
        mine_note = next((v for k, v in o.mine.items() if k.lower() == profile.note.lower()), None)
        if now is not None and same_value(now.value, mine_value) and same_note(now.note, mine_note):
            back.append(
                {"Id": o.record_id, profile.adjusted: o.theirs, profile.note: o.their_note or None}
            )
    done_ids = [o.record_id for o in owed]
    if back:
        _require_success(profile.write(org, back, _states(found)), [str(r["Id"]) for r in back])
    journal.append("restored", owed[0].push_id, ids=done_ids, late=True)
    if not back:
        return []
    return [
        f"{len(back)} cell(s) an earlier push wrote over someone else's change (and could not "
        "restore before it stopped) now hold theirs again."
    ]


def _states(cells: Mapping[str, OrgCell]) -> dict[str, tuple[float | None, str, str]]:
    """Re-read cells as the profile's ``write`` takes them: (value, note, stamp)."""
    return {i: (c.value, c.note, c.modstamp) for i, c in cells.items()}


def log_after(
    journal: Journal | None, warnings: list[str], kind: str, push_id: str, **fields: object
) -> None:
    """A journal line after the org already answered: if it cannot be written, say so and go
    on (the next call's ``intent`` stops the push)."""
    if journal is None:
        return
    try:
        journal.append(kind, push_id, **fields)
    except JournalUnusable as e:
        if str(e) not in warnings:
            warnings.append(str(e))


def _value_of(c: Change) -> float | None:
    return None if c.new is None or c.new != c.new else float(c.new)


def _stop(
    sent: Sent,
    calls: Sequence[Sequence[Change]],
    i: int,
    n_calls: int,
    total: int,
    e: Exception,
    receipt: Receipt,
    journal: Journal | None,
    *,
    ids: Sequence[str] = (),
    certain: bool = False,
) -> None:
    """Call ``i`` failed (or its re-read did): record what landed and what did not."""
    by_id = {c.record_id: c for call in calls for c in call}
    certain = certain or isinstance(e, UpdateRefused)
    why = _why(e, by_id)
    n = len(ids) or len(calls[i - 1])
    receipt.responses.append(f"call {i}/{n_calls}: {n} records: {why}")
    log_after(
        journal, [], "failed", receipt.push_id, call=i, certain_nothing_landed=certain, error=why
    )
    lost = f"{NOT_SENT}: the org refused call {i}" if certain else f"{NOT_CONFIRMED}: {why}"
    for c in calls[i - 1]:
        if c.record_id not in sent.outcomes:
            sent.outcomes[c.record_id] = lost
    for later in calls[i:]:
        for c in later:
            sent.outcomes[c.record_id] = f"{NOT_SENT}: call {i} failed before it"
    sent.failure = _incomplete_message(i, n_calls, len(sent.landed), total, why, certain)


def _require_success(results: Sequence[SaveResult], ids: Sequence[str]) -> None:
    """An org that answers with failures instead of raising broke all-or-none: treat as lost."""
    if len(results) != len(ids) or not all(r.success for r in results):
        raise OrgError(
            f"the org answered {len(results)} results for {len(ids)} records, not all successful"
        )


def _why(e: BaseException, by_id: Mapping[str, Change]) -> str:
    if isinstance(e, UpdateRefused):
        refused = [
            f"{by_id[r.id].sheet}!{by_id[r.id].cell} ({place(by_id[r.id])}): "
            + "; ".join(f"{err.status_code}: {err.message}" for err in r.errors)
            for r in e.results
            if r.id in by_id
            and r.errors
            and any(err.status_code != "ALL_OR_NONE_OPERATION_ROLLED_BACK" for err in r.errors)
        ]
        detail = (
            f" ({'; '.join(refused[:5])}{' ...' if len(refused) > 5 else ''})" if refused else ""
        )
        return f"refused: {e}{detail}"
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _incomplete_message(
    call: int, n_calls: int, landed: int, total: int, why: str, certain: bool
) -> str:
    fate = (
        "Nothing of that call was written; if the org named cells above, fix or revert them "
        "and run check first."
        if certain
        else "Its answer was lost, so the org may or may not have written it."
    )
    return (
        f"Push incomplete: {landed:,} of {total:,} cells landed ({call - 1} of {n_calls} update calls); "
        f"call {call} failed: {why}. {fate} Run push again: it re-reads the org and sends only "
        "what has not landed, never a change twice."
    )
