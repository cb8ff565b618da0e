"""Push a reviewed workbook: read back, check, plan, send, and write the receipt into the workbook.

workbook -> ``read_workbook`` (refuses foreign, damaged, other org/user) -> ``check`` (nothing is
sent unless the whole workbook is clean) -> ``sync.push.engine.push`` (re-read, conflicts, all-or-none
calls, journal beside the workbook) -> Push Log rows, the baseline moved forward for what landed
(hidden record, mirror columns), saved atomically. A second push then finds nothing changed.
A push that stopped part-way still records and moves forward what landed, so running push
again sends only the rest. Works on any ``BookSurface``: the CLI's file and Excel's open book.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from addin.book.errors import ChecksFailed, ConflictsFound
from addin.book.surface import BookSurface
from addin.check.rules import CheckReport, CheckRules, check
from addin.check.sheet import clear_marks, write_check_sheet
from addin.push.reconcile import reconcile_from_journal
from addin.push.sheets import append_push_log, clear_conflicts, read_resolutions, write_conflicts
from addin.review import layout
from addin.review.grid import starting_value
from addin.review.readback import ReviewedWorkbook, profile_of, read_workbook
from addin.review.record import encode
from sync.org.records import Change, Conflict, Receipt
from sync.org.seam import Org
from sync.pull.locks import LockRules
from sync.push.engine import (
    KEPT_THEIRS,
    ConflictsDuringPush,
    ConflictsPending,
    PushIncomplete,
    PushPlan,
    Take,
    baseline_after,
    note_text,
    push,
)
from sync.push.journal import Journal


@dataclass
class PushOutcome:
    """What ``push_workbook`` did. ``receipt`` is None when there was nothing to push."""

    report: CheckReport
    receipt: Receipt | None
    changed: int  # changed cells read back
    moved: int = 0  # cells whose baseline moved forward
    dry_run: bool = False
    plan: PushPlan | None = None
    reconciled: tuple[str, ...] = ()  # what an earlier push had landed, recorded first

    def summary(self) -> str:
        if self.receipt is None:
            return "\n".join([*self.reconciled, "No changed cells: nothing to push."])
        r = self.receipt
        if self.dry_run:
            return "\n".join(r.responses)
        written = sum(1 for c in r.cells if c.outcome in ("written", "overwrote theirs"))
        counts: dict[str, int] = {}
        for c in r.cells:
            counts[c.outcome] = counts.get(c.outcome, 0) + 1
        outcomes = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        return (
            f"Pushed {written:,} of {self.changed:,} changed cell(s) in {r.update_calls} update "
            f"call(s) and {r.query_calls} query call(s) (push {r.push_id}): {outcomes}. "
            f"{self.moved:,} cell(s) now match the org. The receipt is on the Push Log sheet."
        )


def push_workbook(
    book: BookSurface,
    org: Org,
    *,
    dry_run: bool = False,
    take: Take | None = None,
    resolutions_from_sheet: bool = True,
    rules: CheckRules = CheckRules(),  # noqa: B008 - frozen
    on_progress: Callable[[int, int], None] | None = None,
    locks: LockRules | None = None,
) -> PushOutcome:
    """Check ``book`` and push its changes to ``org``; see the module docstring.

    ``locks``: lock rules with the S&OP calendar's closed review (``calendar_lock_rules``);
    an edit they lock is refused before anything is asked of the org."""
    who = org.identity()
    book.status("Reading the workbook...")
    reviewed = read_workbook(book, expect_org=who, expect_user=who.username)
    profile = profile_of(reviewed)
    if locks is not None and locks.closed:
        _refuse_locked(book, check(reviewed, rules, locks=locks), dry_run)
    journal = Journal.beside(book.path) if book.path and not dry_run else None
    reconciled: list[str] = []
    if journal:  # what landed before the workbook could be saved moves its baseline first
        reconciled = reconcile_from_journal(book, reviewed, org, journal, profile)
        if any(line.startswith("Reconciled") for line in reconciled):
            reviewed = read_workbook(book, expect_org=who, expect_user=who.username)
    report = check(reviewed, rules.for_org(org, profile), locks=locks)
    report.workbook = book.path
    if not report.ok:
        if not dry_run:
            write_check_sheet(book, report, reviewed.sheet)
            book.save()
        raise ChecksFailed(_checks_failed(report, dry_run))
    if not dry_run:
        clear_marks(book)
    changes = _with_pulled_notes(reviewed)
    outcome = PushOutcome(
        report=report,
        receipt=None,
        changed=len(changes),
        dry_run=dry_run,
        reconciled=tuple(reconciled),
    )
    if not changes:
        if any(line.startswith("Reconciled") for line in reconciled):
            book.save()
        return outcome
    _refuse_closed_in_org(org, reviewed)
    resolutions = read_resolutions(book) if resolutions_from_sheet else {}
    resolutions = {k: v for k, v in resolutions.items() if any(c.record_id == k for c in changes)}
    book.status(f"Pushing {len(changes):,} changed cell(s)...")
    try:
        receipt = push(
            org,
            changes,
            profile=profile,
            journal=journal,
            resolutions=resolutions,  # type: ignore[arg-type]
            take=take,
            dry_run=dry_run,
            on_progress=on_progress,
            workbook=book.path,
        )
    except ConflictsDuringPush as e:
        e.receipt.responses[:0] = reconciled
        outcome.receipt = as_seen_receipt(e.receipt, reviewed)
        outcome.moved = record_receipt(book, reviewed, e.receipt)
        write_conflicts(book, as_seen_conflicts(e.conflicts, reviewed))
        book.save()
        raise ConflictsFound(
            f"{e}\nThe Conflicts sheet lists them with the three values; the Push Log has "
            "the receipt."
        ) from None
    except ConflictsPending as e:
        seen = as_seen_conflicts(e.plan.conflicts, reviewed)
        if not dry_run:
            write_conflicts(book, seen)
            book.save()
        message = ConflictsPending(replace(e.plan, conflicts=seen))
        raise ConflictsFound(
            f"{message}\nThe Conflicts sheet lists them with the three values; nothing was sent."
        ) from None
    except PushIncomplete as e:
        e.receipt.responses[:0] = reconciled
        as_seen_receipt(e.receipt, reviewed)
        outcome.receipt = e.receipt
        outcome.moved = record_receipt(book, reviewed, e.receipt)
        book.save()
        raise
    receipt.responses[:0] = reconciled
    outcome.receipt = as_seen_receipt(receipt, reviewed)
    if dry_run:
        return outcome
    outcome.moved = record_receipt(book, reviewed, receipt)
    clear_conflicts(book)
    book.save()
    book.status(outcome.summary())
    return outcome


def _refuse_locked(book: BookSurface, report: CheckReport, dry_run: bool) -> None:
    """Refuse edits the calendar's closed review locks, before any call to the org."""
    locked = [i for i in report.errors if i.rule == "locked"]
    if locked:
        report.issues = locked
        if not dry_run:
            write_check_sheet(book, report, locked[0].sheet)
            book.save()
        raise ChecksFailed(_checks_failed(report, dry_run))


def _refuse_closed_in_org(org: Org, reviewed: ReviewedWorkbook) -> None:
    """Refuse edits to periods of a review the org holds as closed (one query, no write)."""
    from sync.cycle.locks import closed_edits
    from sync.pull.cells import org_today

    edits = {e.record_id: e for e in reviewed.edits}
    closed = closed_edits(
        org, org_today(org), [(e.record_id, e.period_start) for e in edits.values()]
    )
    if not closed:
        return
    lines = [
        f"  {edits[r].sheet}!{edits[r].cell} ({edits[r].account_name} / "
        f"{edits[r].product_name}, {edits[r].period_start:%b %Y}): {why}"
        for r, why in list(closed.items())[:10]
    ]
    more = [f"  ... and {len(closed) - 10} more"] if len(closed) > 10 else []
    raise ChecksFailed(
        "\n".join(
            [
                f"{len(closed)} changed cell(s) are in periods whose demand review is closed; "
                "nothing was sent:",
                *lines,
                *more,
                "Put the pulled values back (or pull again to see the locks), or ask your "
                "planner to reopen the review (`demandgrid cycle reopen`).",
            ]
        )
    )


def _with_pulled_notes(reviewed: ReviewedWorkbook) -> list[Change]:
    """The changeset, each change knowing the org's note at the pull (a changed org note is a
    conflict too)."""
    notes = {c["record_id"]: c.get("note") for c in reviewed.record.cells}
    return [replace(c, old_note=str(notes.get(c.record_id) or "")) for c in reviewed.changes]


def _checks_failed(report: CheckReport, dry_run: bool) -> str:
    first = report.errors[0]
    cells = report.cells()
    where = ", ".join(f"{first.sheet}!{c}" for c in cells[:5]) + (" ..." if len(cells) > 5 else "")
    sheet = "" if dry_run else " They are listed on the Check sheet and marked in the grid."
    return (
        f"Check found {len(report.errors)} problem(s) in {len(cells)} cell(s) ({where}); nothing "
        f"was sent.{sheet} First: {first.message} {first.what_to_do} Fix them, then push again."
    )


# ---------------------------------------------------------------- old = what the rep saw


def as_seen_receipt(receipt: Receipt, reviewed: ReviewedWorkbook) -> Receipt:
    """``receipt`` with each cell's old value as the rep saw it: the engine's ``old`` is the
    org's adjusted value at the pull, empty where the org had none and the cell showed the
    baseline (``grid.starting_value``). For the Push Log and the receipt table."""
    shown = {e.record_id: e.shown for e in reviewed.edits}
    receipt.cells = [
        replace(c, old=shown.get(c.record_id)) if c.old is None else c for c in receipt.cells
    ]
    return receipt


def as_seen_conflicts(
    conflicts: Sequence[Conflict], reviewed: ReviewedWorkbook
) -> tuple[Conflict, ...]:
    """``conflicts`` with "pulled" as the value the rep saw (see ``as_seen_receipt``)."""
    shown = {e.record_id: e.shown for e in reviewed.edits}
    return tuple(
        replace(c, change=replace(c.change, old=shown.get(c.change.record_id)))
        if c.change.old is None
        else c
        for c in conflicts
    )


# ---------------------------------------------------------------- the baseline moves forward


def record_receipt(book: BookSurface, reviewed: ReviewedWorkbook, receipt: Receipt) -> int:
    """Write ``receipt`` into the Push Log and move the workbook's baseline forward for what
    the org now holds (record, mirror columns; "kept theirs" cells take their value).
    Returns the number of cells moved. The caller saves."""
    by_id = {c["record_id"]: c for c in reviewed.record.cells}
    by_edit = {e.record_id: e for e in reviewed.edits}
    moved: dict[str, float | None] = {}  # A1 -> new starting value
    shown_again: dict[str, float | None] = {}  # cells that show the new starting value
    for cell in receipt.cells:
        after = baseline_after(cell)
        record_cell, edit = by_id.get(cell.record_id), by_edit.get(cell.record_id)
        if after is None or record_cell is None or edit is None:
            continue
        value, modstamp = after
        record_cell["adjusted"] = value
        if modstamp:
            record_cell["modstamp"] = modstamp
        if cell.outcome != KEPT_THEIRS:
            record_cell["note"] = note_text(edit.change()) or ""
        start = starting_value(value, record_cell.get("baseline"))
        moved[edit.cell] = start
        if cell.outcome == KEPT_THEIRS or cell.new is None:
            shown_again[edit.cell] = start  # their value; or cleared: the baseline again
    if receipt.push_id not in reviewed.record.pushes and moved:
        reviewed.record.pushes.append(receipt.push_id)
    _write_record(book, reviewed)
    _write_mirror(book, reviewed, moved)
    for address, value in shown_again.items():  # few: conflicts resolved "theirs", cleared
        book.write(reviewed.sheet, address, [[value]])
    append_push_log(book, receipt, reviewed.sheet)
    return len(moved)


def _write_record(book: BookSurface, reviewed: ReviewedWorkbook) -> None:
    where = book.resolve(layout.N_RECORD) or (layout.RECORD, "A1")
    sheet, address = where
    min_col, min_row, _, _ = range_boundaries(address)
    letter = get_column_letter(min_col)
    head = book.read(sheet, f"{letter}{min_row + 3}:{letter}{min_row + 3}")[0][0]
    old_length = 4 + int(head or 0)
    values = encode(reviewed.record)
    book.write(sheet, f"{letter}{min_row}", [[v] for v in values])
    if old_length > len(values):
        book.clear(sheet, f"{letter}{min_row + len(values)}:{letter}{min_row + old_length - 1}")


def _write_mirror(book: BookSurface, reviewed: ReviewedWorkbook, moved: dict[str, Any]) -> None:
    """The hidden mirror columns follow the baseline, so live formulas see no change: one
    read and one write of the whole mirror block."""
    if not moved or not reviewed.mirror_columns:
        return
    index = {p: column_index_from_string(c) for p, c in reviewed.mirror_columns.items()}
    first, last = min(index.values()), max(index.values())
    rows = list(reviewed.adjusted_rows.values())
    top, bottom = min(rows), max(rows)
    block = book.read(
        reviewed.sheet, f"{get_column_letter(first)}{top}:{get_column_letter(last)}{bottom}"
    )
    period_of = {c: p for p, c in reviewed.period_columns.items()}
    for address, value in moved.items():
        letters = "".join(ch for ch in address if ch.isalpha())
        row = int("".join(ch for ch in address if ch.isdigit()))
        period = period_of.get(letters)
        if period is None or period not in index:
            continue
        block[row - top][index[period] - first] = value
    book.write(reviewed.sheet, f"{get_column_letter(first)}{top}", block)
