"""Undo a pushed batch on a workbook: put back the values and notes a push replaced, as a new
push with its own receipt (reason code Undo), through check, conflict detection and batching.

workbook + push id -> the journal beside it says what that push wrote and what it replaced
(``sync.push.undo``) -> check (a period locked since is refused, like any edit) -> the engine's
push, whose "pulled" values are the pushed ones: a cell changed in the org since that push is a
conflict on the Conflicts sheet, never overwritten -> Push Log rows, and the workbook's grid,
mirror and record take the restored values (so a second push sends nothing). A workbook with
unpushed changes is refused first: an undo must not overwrite what the rep is typing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import column_index_from_string, get_column_letter

from addin.book.errors import ChecksFailed, ConflictsFound, UserError
from addin.book.lock import hold, refuse_if_open
from addin.book.surface import BookSurface
from addin.book.xlsx import XlsxBook
from addin.check.rules import CheckRules, check, load_rules
from addin.push.reconcile import reconcile_from_journal
from addin.push.sheets import append_push_log, clear_conflicts, write_conflicts
from addin.push.workbook import PushOutcome, _write_mirror, _write_record, as_seen_conflicts
from addin.review.file import org_of_workbook
from addin.review.grid import starting_value
from addin.review.readback import EditedCell, ReviewedWorkbook, profile_of, read_workbook
from sync.org.records import Change, Receipt
from sync.org.seam import Org
from sync.push.engine import (
    ConflictsDuringPush,
    ConflictsPending,
    PushIncomplete,
    baseline_after,
    push,
)
from sync.push.journal import Journal
from sync.push.undo import UNDO, UndoCell, undo_cells


class UndoRefused(UserError):
    """The push cannot be undone from this workbook now (unpushed edits, cells not in it)."""


def undo_push(
    book: BookSurface,
    org: Org,
    push_id: str,
    *,
    dry_run: bool = False,
    rules: CheckRules = CheckRules(),  # noqa: B008 - frozen
) -> PushOutcome:
    """Undo push ``push_id`` (from ``book``'s Push Log / journal); see the module docstring."""
    push_id = push_id.strip()
    who = org.identity()
    book.status("Reading the workbook...")
    reviewed = read_workbook(book, expect_org=who, expect_user=who.username)
    profile = profile_of(reviewed)
    if not book.path:
        raise UndoRefused(
            "Undo needs the workbook saved as a file: its push journal lives beside it. Save "
            "the workbook, then Undo push again."
        )
    journal = Journal.beside(book.path)
    reconciled = [] if dry_run else reconcile_from_journal(book, reviewed, org, journal, profile)
    if any(line.startswith("Reconciled") for line in reconciled):
        reviewed = read_workbook(book, expect_org=who, expect_user=who.username)
    if reviewed.edits:
        where = ", ".join(e.cell for e in reviewed.edits[:5])
        raise UndoRefused(
            f"{reviewed.sheet} has {len(reviewed.edits):,} changed cell(s) not pushed yet "
            f"({where}{' ...' if len(reviewed.edits) > 5 else ''}). Undo would write over them: "
            "push them (or set them back) first, then undo. Nothing was sent."
        )
    cells = undo_cells(journal.entries(), push_id, profile)
    edits = _as_edits(reviewed, cells, push_id)
    # The restored note is sent as it was (no "[Undo] " label), the replaced value may have had
    # no note, and it was the org's value before: only locks, values and length are checked.
    rules = rules.for_org(org, profile)
    report = check(
        replace(reviewed, edits=edits, reason_codes=(*reviewed.reason_codes, UNDO)),
        replace(
            rules,
            require_note=False,
            outlier_factor=None,
            note_max_length=rules.note_max_length + len(f"[{UNDO}] "),
        ),
    )
    report.workbook = book.path
    if not report.ok:
        first = report.errors[0]
        raise ChecksFailed(
            f"Push {push_id} cannot be undone: {len(report.errors)} problem(s), first "
            f"{first.sheet}!{first.cell}: {first.message} {first.what_to_do} Nothing was sent."
        )
    changes = [_change(e, c) for e, c in zip(edits, cells, strict=True)]
    outcome = PushOutcome(report=report, receipt=None, changed=len(changes), dry_run=dry_run)
    if not changes:
        return outcome
    book.status(f"Undoing push {push_id}: {len(changes):,} cell(s)...")
    try:
        receipt = push(
            org,
            changes,
            profile=profile,
            journal=None if dry_run else journal,
            dry_run=dry_run,
            workbook=book.path,
        )
    except ConflictsPending as e:
        if not dry_run:
            write_conflicts(book, as_seen_conflicts(e.plan.conflicts, reviewed))
            book.save()
        raise ConflictsFound(
            f"{len(e.plan.conflicts)} cell(s) of push {push_id} were changed in the org since "
            "(listed on the Conflicts sheet: pulled = what the push wrote, theirs = the org now, "
            "mine = what the push replaced). Nothing was sent: an undo never overwrites a later "
            "change. Set those cells by hand if they should still go back."
        ) from None
    except ConflictsDuringPush as e:
        _record(book, reviewed, _as_undo(e.receipt, push_id))
        write_conflicts(book, as_seen_conflicts(e.conflicts, reviewed))
        book.save()
        raise ConflictsFound(
            f"{e}\nThe Conflicts sheet lists them; the Push Log has the receipt."
        ) from None
    except PushIncomplete as e:
        _record(book, reviewed, _as_undo(e.receipt, push_id))
        book.save()
        raise
    outcome.receipt = _as_undo(receipt, push_id)
    if dry_run:
        return outcome
    outcome.moved = _record(book, reviewed, outcome.receipt)
    clear_conflicts(book)
    book.save()
    book.status(outcome.summary())
    return outcome


def _as_edits(reviewed: ReviewedWorkbook, cells: list[UndoCell], push_id: str) -> list[EditedCell]:
    """Each cell to put back as check sees an edit: where it is, its lock, its restored value."""
    by_id = {c["record_id"]: c for c in reviewed.record.cells}
    missing = [c.record_id for c in cells if c.record_id not in by_id]
    if missing:
        raise UndoRefused(
            f"Push {push_id} wrote {len(missing):,} cell(s) that are not in this workbook "
            f"(first record {missing[0]}). Undo it from the workbook that pushed it."
        )
    edits = []
    for undo in cells:
        cell = by_id[undo.record_id]
        period = date.fromisoformat(str(cell["period_start"]))
        edits.append(
            EditedCell(
                record_id=undo.record_id,
                row_key=str(cell["row_key"]),
                sheet=reviewed.sheet,
                cell=reviewed.address(str(cell["row_key"]), period),
                account_name=str(cell.get("account_name") or ""),
                product_name=str(cell.get("product_name") or ""),
                period_start=period,
                old=undo.pushed,
                shown=undo.pushed,
                raw=undo.replaced,
                is_formula=False,
                note=undo.replaced_note,
                reason_code=UNDO,
                modstamp=undo.stamp or str(cell.get("modstamp") or ""),
                baseline=cell.get("baseline"),
                locked=bool(cell.get("locked")),
                lock_reason=str(cell.get("lock_reason") or ""),
            )
        )
    return edits


def _change(edit: EditedCell, undo: UndoCell) -> Change:
    """The change to send: the replaced note exactly as it was (no reason prefix added)."""
    return replace(edit.change(), reason_code="", old_note=undo.pushed_note)


def _as_undo(receipt: Receipt, push_id: str) -> Receipt:
    receipt.cells = [replace(c, reason_code=UNDO) for c in receipt.cells]
    receipt.responses.insert(0, f"Undo of push {push_id}.")
    return receipt


def _record(book: BookSurface, reviewed: ReviewedWorkbook, receipt: Receipt) -> int:
    """The receipt into the Push Log; the restored values into the record, mirror and grid."""
    by_id = {c["record_id"]: c for c in reviewed.record.cells}
    moved: dict[str, Any] = {}
    for cell in receipt.cells:
        after = baseline_after(cell)
        record_cell = by_id.get(cell.record_id)
        if after is None or record_cell is None:
            continue
        value, stamp = after
        record_cell["adjusted"] = value
        record_cell["note"] = cell.note
        if stamp:
            record_cell["modstamp"] = stamp
        moved[cell.cell] = starting_value(value, record_cell.get("baseline"))
    if moved and receipt.push_id not in reviewed.record.pushes:
        reviewed.record.pushes.append(receipt.push_id)
    _write_record(book, reviewed)
    _write_mirror(book, reviewed, moved)
    _write_cells(book, reviewed, moved)
    append_push_log(book, receipt, reviewed.sheet)
    return len(moved)


def _write_cells(book: BookSurface, reviewed: ReviewedWorkbook, moved: dict[str, Any]) -> None:
    """The grid shows the restored values: one read and one write of the period block."""
    if not moved:
        return
    index = {p: column_index_from_string(c) for p, c in reviewed.period_columns.items()}
    first, last = min(index.values()), max(index.values())
    rows = list(reviewed.adjusted_rows.values())
    top, bottom = min(rows), max(rows)
    span = f"{get_column_letter(first)}{top}:{get_column_letter(last)}{bottom}"
    block = book.read_formulas(reviewed.sheet, span)
    for address, value in moved.items():
        letters = "".join(ch for ch in address if ch.isalpha())
        row = int("".join(ch for ch in address if ch.isdigit()))
        block[row - top][column_index_from_string(letters) - first] = value
    book.write(reviewed.sheet, f"{get_column_letter(first)}{top}", block)


def undo_file(
    path: str | Path,
    push_id: str,
    org_spec: str | None = None,
    *,
    dry_run: bool = False,
    rules: str | Path | None = None,
) -> PushOutcome:
    """``undo_push`` on a file (what ``demandgrid undo`` runs): holds the workbook's lock,
    refuses one open in an application (a dry run, which writes nothing, is allowed)."""
    with hold(path, "undo"):
        if not dry_run:
            refuse_if_open(path, "undo")
        book = XlsxBook.open(path)
        return undo_push(
            book,
            org_of_workbook(book, org_spec),
            push_id,
            dry_run=dry_run,
            rules=load_rules(rules, workbook=path),
        )
