"""Push: send a checked changeset to the org in all-or-none update calls and keep a receipt.

changeset -> ``plan_push`` (re-read, conflicts; in ``sync.push_plan``) -> per call of at most
``UPDATE_LIMIT`` records: re-read, ``org.update``, proof from the adjustment history with the new
``SystemModstamp`` (compare-and-set, ``sync.push_cas``, ADR 0010) -> ``Receipt``. Everything a
caller needs (plan, errors, outcomes) is importable from here.

Decisions:
- Nothing is sent while a conflict is unresolved or a changed record is gone from the org.
- Calls go in changeset order, ``UPDATE_LIMIT`` records each. A failed call stops the push:
  later calls are not attempted. Calls before it have landed; the failed one landed nothing
  when the org refused it (``UpdateRefused``); when its answer was lost (network, killed
  process) it may have landed, so its cells are "not confirmed". ``PushIncomplete`` carries
  the partial receipt. A re-run re-reads the org and sends only what has not landed.
- Each call is a compare-and-set: a cell changed in the org since the plan (value or note) is
  not sent; a change that landed between the re-read and the call is found in the adjustment
  history, theirs is written back at once, and the cell is a conflict ("conflict: ...") in the
  receipt and ``ConflictsDuringPush``. The proof's query also brings the written records' new
  ``SystemModstamp``, so the workbook's baseline can move forward (``CellReceipt.modstamp``).
- A restore an earlier push owed (it died before writing theirs back) is done before planning.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from sync.journal import Journal, JournalUnusable, pending_restores, utc_now
from sync.mapping import STANDARD, MappingProfile
from sync.org import (
    UPDATE_LIMIT,
    ApiLimitExceeded,
    Org,
    OrgError,
    SaveResult,
    UpdateRefused,
)
from sync.push_cas import CONFLICT, Before, Overwritten, check_before, same_note, verify_after
from sync.push_plan import (
    ALREADY_IN_ORG,
    KEPT_THEIRS,
    LANDED,
    NOT_CONFIRMED,
    NOT_SENT,
    OVERWROTE_THEIRS,
    WRITTEN,
    BadResolution,
    ConflictsPending,
    DuplicateCells,
    NoteTooLong,
    OrgCell,
    PushPlan,
    RecordsMissing,
    Take,
    UnsendableValue,
    batches,
    conflict_line,
    id_chunks,
    note_text,
    place,
    plan_push,
    reread,
    reread_soql,
    same_value,
    show_number,
)
from sync.records import CellReceipt, Change, Conflict, Receipt


class BudgetTooLow(ApiLimitExceeded):
    """The org's remaining daily API budget cannot carry this push."""


class PushIncomplete(OrgError):
    """A push stopped part-way. ``receipt`` says what landed; running push again sends the rest."""

    def __init__(self, message: str, receipt: Receipt) -> None:
        super().__init__(message)
        self.receipt = receipt


def push(
    org: Org,
    changes: Sequence[Change],
    *,
    profile: MappingProfile = STANDARD,
    journal: Journal | None = None,
    resolutions: Mapping[str, Take] | None = None,
    take: Take | None = None,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    workbook: str = "",
) -> Receipt:
    """Send ``changes`` (already checked) to the org; return the receipt.

    ``journal`` defaults to the one beside ``workbook`` (none when ``workbook`` is empty or on
    a dry run). Raises ``ConflictsPending`` / ``RecordsMissing`` / ``BudgetTooLow`` having sent
    nothing, and ``PushIncomplete`` (with the partial receipt) when a call failed.
    """
    queries, updates = org.calls.query, org.calls.update
    if journal is None and workbook and not dry_run:
        journal = Journal.beside(workbook)
    started = utc_now()
    finished_restores = _finish_restores(org, journal, profile) if journal else []
    plan = plan_push(
        org, changes, profile=profile, resolutions=resolutions, take=take, journal=journal
    )
    who = org.identity()
    receipt = Receipt(
        push_id=new_push_id(),
        started_at=started,
        finished_at="",
        org_id=who.org_id,
        instance=who.instance,
        username=who.username,
        workbook=workbook,
        dry_run=dry_run,
        responses=[*finished_restores, *plan.unfinished],
    )

    def counted(r: Receipt) -> Receipt:
        r.query_calls, r.update_calls = org.calls.query - queries, org.calls.update - updates
        r.finished_at = utc_now()
        return r

    if dry_run:
        return counted(_dry_run(plan, changes, receipt, profile))
    if plan.missing:
        raise RecordsMissing(plan.missing)
    if plan.conflicts:
        raise ConflictsPending(plan)
    # The update calls, one proof query per re-read chunk, a re-read before each later call.
    needed = plan.calls + 2 * len(reread_soql(org, [c.record_id for c in plan.to_send], profile))
    if plan.budget and plan.budget.daily_api_requests_remaining < needed:
        raise BudgetTooLow(
            f"This push needs {needed} API calls but the org has "
            f"{plan.budget.daily_api_requests_remaining} of its daily "
            f"{plan.budget.daily_api_requests_max:,} left. Nothing was sent. Push tomorrow, "
            "or ask your Salesforce admin to raise the limit."
        )
    if journal:
        receipt.responses.extend(journal.warnings)
        _begin(
            journal,
            receipt.push_id,
            username=receipt.username,
            org_id=receipt.org_id,
            instance=receipt.instance,
            workbook=receipt.workbook,
            cells=len(changes),
            to_send=len(plan.to_send),
            calls=plan.calls,
        )
    sent = _send(org, plan, receipt, profile, journal, on_progress)
    stamps = sent.stamps
    receipt.responses.extend(sent.warnings)
    receipt.cells = _cells(changes, plan, sent.outcomes, stamps, profile, sent.theirs)
    if not plan.to_send:
        receipt.responses.append("Nothing to send: the org already holds every change.")
    counted(receipt)
    if journal:
        if stamps:
            _log(
                journal,
                receipt.responses,
                "stamps",
                receipt.push_id,
                stamps={k: v.modstamp for k, v in stamps.items()},
            )
        _log(journal, receipt.responses, "end", receipt.push_id, summary=receipt_summary(receipt))
    if sent.failure:
        raise PushIncomplete(sent.failure, receipt)
    if sent.conflicts:
        raise ConflictsDuringPush(_during_message(sent, receipt), receipt, sent.conflicts)
    return receipt


def _during_message(sent: _Sent, receipt: Receipt) -> str:
    n = len(sent.conflicts)
    lines = [
        f"  {conflict_line(c)}: {sent.outcomes.get(c.change.record_id, '')}"
        for c in sent.conflicts[:10]
    ]
    more = [f"  ... and {n - 10} more"] if n > 10 else []
    landed = sum(1 for c in receipt.cells if c.outcome in LANDED)
    return "\n".join(
        [
            f"{n} cell(s) were changed in the org by someone else while this push ran; "
            f"{landed:,} other cell(s) landed. Their values stay in the org (restored where "
            "this push had written over them):"
        ]
        + lines
        + more
        + [
            "Resolve each one: push again with --take mine (overwrite theirs) or --take theirs "
            "(drop your change), or choose per cell in the Conflicts sheet."
        ]
    )


class ConflictsDuringPush(PushIncomplete):
    """Cells someone else changed in the org while this push ran: not sent, or written over and
    restored to theirs. ``conflicts`` has pulled / theirs / mine for the Conflicts sheet."""

    def __init__(self, message: str, receipt: Receipt, conflicts: Sequence[Conflict]) -> None:
        super().__init__(message, receipt)
        self.conflicts = tuple(conflicts)


MOVED_DURING_PUSH = f"{CONFLICT}: changed in the org during this push; not sent"
RESTORED_THEIRS = (
    f"{CONFLICT}: someone else's change landed during this push and was written over; "
    "theirs restored in the org, mine not kept"
)


class _Sent:
    def __init__(self) -> None:
        self.landed: list[Change] = []
        self.outcomes: dict[str, str] = {}  # record id -> outcome for sent or unsent cells
        self.failure = ""  # the PushIncomplete message, if a call failed
        self.stamps: dict[str, OrgCell] = {}  # landed cells as the org holds them after
        self.conflicts: list[Conflict] = []  # changed by someone else during the push
        self.theirs: dict[str, float | None] = {}
        self.warnings: list[str] = []


def _send(
    org: Org,
    plan: PushPlan,
    receipt: Receipt,
    profile: MappingProfile,
    journal: Journal | None,
    on_progress: Callable[[int, int], None] | None,
) -> _Sent:
    """Each call with its compare-and-set (``sync.push_cas``): re-read the call's cells (the
    plan's re-read serves the first call), send what still holds the value the plan saw,
    then prove from the adjustment history that nobody wrote in between, restoring theirs
    where someone did."""
    todo = list(plan.to_send)
    calls = [todo[i : i + UPDATE_LIMIT] for i in range(0, len(todo), UPDATE_LIMIT)]
    total, n_calls, sent = len(todo), len(calls), _Sent()
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
                )
            except JournalUnusable as e:
                _stop(sent, calls, i, n_calls, total, e, receipt, None, certain=True)
                return sent
        try:
            results = org.update(profile.cell_object, payload)
            _require_success(results, sent_ids)
        except BaseException as e:  # noqa: BLE001 - recorded, then re-raised or reported
            if not isinstance(e, Exception):
                _log(journal, [], "failed", receipt.push_id, call=i, error=type(e).__name__)
                raise  # KeyboardInterrupt and the like: the journal says where it stopped
            _stop(sent, calls, i, n_calls, total, e, receipt, journal, ids=sent_ids)
            return sent
        receipt.responses.append(f"call {i}/{n_calls}: {len(sent_ids)} records written")
        if journal:
            _log(
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
    sent: _Sent,
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
        _log(
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
    sent: _Sent,
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
    _log(journal, sent.warnings, "restore", receipt.push_id, call=call, records=payload)
    try:
        results = org.update(profile.cell_object, payload)
        _require_success(results, [r["Id"] for r in payload])
    except Exception as e:  # noqa: BLE001 - reported on each cell and in the message
        why = _why(e, {c.record_id: c for c in back})
        _log(journal, sent.warnings, "restore-failed", receipt.push_id, call=call, error=why)
        for c in back:
            sent.outcomes[c.record_id] = (
                f"{CONFLICT}: wrote over someone else's change ({show_number(sent.theirs[c.record_id])}) "
                f"that landed during this push, and restoring it failed ({why}); the org holds "
                "mine: resolve it on the Conflicts sheet"
            )
        return
    _log(
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


def _finish_restores(org: Org, journal: Journal, profile: MappingProfile) -> list[str]:
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
        _require_success(org.update(profile.cell_object, back), [str(r["Id"]) for r in back])
    journal.append("restored", owed[0].push_id, ids=done_ids, late=True)
    if not back:
        return []
    return [
        f"{len(back)} cell(s) an earlier push wrote over someone else's change (and could not "
        "restore before it stopped) now hold theirs again."
    ]


def _begin(journal: Journal, push_id: str, **fields: object) -> None:
    try:
        journal.append("begin", push_id, **fields)
    except JournalUnusable as e:
        raise JournalUnusable(f"{e} Nothing was sent.") from None


def _log(
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
    sent: _Sent,
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
    _log(journal, [], "failed", receipt.push_id, call=i, certain_nothing_landed=certain, error=why)
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


def _cells(
    changes: Sequence[Change],
    plan: PushPlan,
    sent: Mapping[str, str],
    stamps: Mapping[str, OrgCell],
    profile: MappingProfile,
    during: Mapping[str, float | None] | None = None,
) -> list[CellReceipt]:
    overwrote = {c.change.record_id: c for c in plan.overwrites}
    kept = {c.change.record_id: c for c in plan.kept_theirs}
    already = {c.record_id for c in plan.already_done}
    dropped = {c.record_id for c in plan.dropped_missing}
    cells = []
    for c in changes:
        rid = c.record_id
        org_cell = stamps.get(rid) or plan.org_cells.get(rid)
        theirs = None
        if rid in sent:
            outcome = sent[rid]
            theirs = overwrote[rid].theirs if rid in overwrote else None
            if during and rid in during:
                theirs = during[rid]
        elif rid in already:
            outcome = ALREADY_IN_ORG
        elif rid in kept:
            outcome, theirs = KEPT_THEIRS, kept[rid].theirs
        elif rid in dropped:
            outcome = f"{NOT_SENT}: the record was deleted in the org (kept theirs)"
        elif rid in overwrote:
            outcome, theirs = OVERWROTE_THEIRS, overwrote[rid].theirs
        else:
            outcome = WRITTEN
        cells.append(
            CellReceipt(
                record_id=rid,
                cell=c.cell,
                account_name=c.account_name,
                product_name=c.product_name,
                period_start=c.period_start,
                old=c.old,
                new=c.new,
                note=c.note,
                reason_code=c.reason_code,
                outcome=outcome,
                modstamp=org_cell.modstamp if org_cell and _org_holds(outcome) else "",
                theirs=theirs,
            )
        )
    return cells


def _dry_run(
    plan: PushPlan, changes: Sequence[Change], receipt: Receipt, profile: MappingProfile
) -> Receipt:
    """What a push would do, cell by cell, with the calls and the budget; nothing is sent."""
    pending = {c.change.record_id: c for c in plan.conflicts}
    missing = {c.record_id for c in plan.missing}
    would = {c.record_id: "would write" for c in plan.to_send}
    would.update({c.change.record_id: "would overwrite theirs" for c in plan.overwrites})
    would.update(
        {
            rid: f"conflict: pulled {show_number(c.change.old)}, theirs {show_number(c.theirs)}, "
            f"mine {show_number(c.change.new)}"
            for rid, c in pending.items()
        }
    )
    would.update({rid: f"{NOT_SENT}: the record was deleted in the org" for rid in missing})
    cells = _cells(changes, plan, would, {}, profile)
    for i, cell in enumerate(cells):
        if cell.record_id in pending:
            cells[i] = replace(cell, theirs=pending[cell.record_id].theirs)
    receipt.cells = cells
    fields = ", ".join(["Id", profile.adjusted, profile.note])
    lines = [
        f"Dry run: would send {len(plan.to_send):,} cells in {plan.calls} update call(s) "
        f"of at most {UPDATE_LIMIT:,} records to {profile.cell_object} ({fields}); nothing was sent.",
        f"Already in org: {len(plan.already_done):,}; overwrite theirs: {len(plan.overwrites):,}; "
        f"kept theirs: {len(plan.kept_theirs):,}.",
    ]
    if plan.conflicts:
        lines.append(
            f"{len(plan.conflicts)} conflict(s) must be resolved first "
            "(--take mine|theirs, or the Conflicts sheet)."
        )
    if plan.missing:
        lines.append(f"{len(plan.missing)} changed record(s) were deleted in the org.")
    if plan.budget:
        lines.append(
            f"API budget: {plan.budget.daily_api_requests_remaining:,} of "
            f"{plan.budget.daily_api_requests_max:,} daily requests left."
        )
    receipt.responses.extend(lines)
    return receipt


def receipt_summary(receipt: Receipt) -> dict[str, object]:
    """The receipt in a few numbers, for the journal's ``end`` line and logs."""
    outcomes: dict[str, int] = {}
    for cell in receipt.cells:
        key = cell.outcome.split(":", 1)[0]
        outcomes[key] = outcomes.get(key, 0) + 1
    return {
        "cells": len(receipt.cells),
        "outcomes": outcomes,
        "update_calls": receipt.update_calls,
        "query_calls": receipt.query_calls,
        "responses": receipt.responses[-20:],
    }


def baseline_after(cell: CellReceipt) -> tuple[float | None, str] | None:
    """(adjusted value, SystemModstamp) the org holds after the push, to move the workbook's
    baseline to; None when unknown (not sent, not confirmed): keep the old baseline."""
    if cell.outcome in LANDED:
        return cell.new, cell.modstamp
    if cell.outcome == KEPT_THEIRS:
        return cell.theirs, cell.modstamp
    return None


def _org_holds(outcome: str) -> bool:
    return outcome in LANDED or outcome in (KEPT_THEIRS, "would write", "would overwrite theirs")


def new_push_id() -> str:
    stamp = utc_now()[:19].replace("-", "").replace(":", "")
    return f"{stamp}Z-{uuid.uuid4().hex[:8]}"


__all__ = [
    "ALREADY_IN_ORG",
    "KEPT_THEIRS",
    "LANDED",
    "NOT_CONFIRMED",
    "NOT_SENT",
    "OVERWROTE_THEIRS",
    "WRITTEN",
    "BadResolution",
    "BudgetTooLow",
    "CONFLICT",
    "ConflictsDuringPush",
    "ConflictsPending",
    "DuplicateCells",
    "NoteTooLong",
    "OrgCell",
    "PushIncomplete",
    "PushPlan",
    "RecordsMissing",
    "Take",
    "UnsendableValue",
    "baseline_after",
    "batches",
    "id_chunks",
    "note_text",
    "plan_push",
    "push",
    "reread",
    "reread_soql",
    "same_value",
    "receipt_summary",
]
