"""Push: send a checked changeset to the org in all-or-none update calls and keep a receipt.

changeset -> ``plan_push`` (re-read, conflicts; in ``sync.push.plan``) -> per call of at most
``UPDATE_LIMIT`` records: re-read, ``org.update``, proof from the adjustment history with the new
``SystemModstamp`` (compare-and-set, ``sync.push.cas``, ADR 0010) -> ``Receipt``. Everything a
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

from sync.org.mapping import STANDARD, MappingProfile
from sync.org.records import CellReceipt, Change, Conflict, Receipt
from sync.org.seam import (
    UPDATE_LIMIT,
    ApiLimitExceeded,
    Org,
    OrgError,
)
from sync.push.calls import (
    Sent,
    finish_restores,
    log_after,
    send,
)
from sync.push.cas import CONFLICT
from sync.push.journal import Journal, JournalUnusable, utc_now
from sync.push.plan import (
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
    plan_push,
    reread,
    reread_soql,
    same_value,
    show_number,
)


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
    finished_restores = finish_restores(org, journal, profile) if journal else []
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
    rereads = len(reread_soql(org, [c.record_id for c in plan.to_send], profile))
    needed = plan.calls + 2 * rereads * profile.reread_queries_per_chunk()
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
    sent = send(org, plan, receipt, profile, journal, on_progress)
    stamps = sent.stamps
    receipt.responses.extend(sent.warnings)
    receipt.cells = _cells(changes, plan, sent.outcomes, stamps, profile, sent.theirs)
    if not plan.to_send:
        receipt.responses.append("Nothing to send: the org already holds every change.")
    counted(receipt)
    if journal:
        if stamps:
            log_after(
                journal,
                receipt.responses,
                "stamps",
                receipt.push_id,
                stamps={k: v.modstamp for k, v in stamps.items()},
            )
        log_after(
            journal, receipt.responses, "end", receipt.push_id, summary=receipt_summary(receipt)
        )
    if sent.failure:
        raise PushIncomplete(sent.failure, receipt)
    if sent.conflicts:
        raise ConflictsDuringPush(_during_message(sent, receipt), receipt, sent.conflicts)
    return receipt


def _during_message(sent: Sent, receipt: Receipt) -> str:
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


def _begin(journal: Journal, push_id: str, **fields: object) -> None:
    try:
        journal.append("begin", push_id, **fields)
    except JournalUnusable as e:
        raise JournalUnusable(f"{e} Nothing was sent.") from None


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
        f"of at most {min(profile.changes_per_call, UPDATE_LIMIT):,} records to {profile.cell_object} ({fields}); "
        "nothing was sent.",
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
