"""Push on a workbook file: what ``demandgrid push`` runs.

The ribbon does the same on the open workbook through ``addin.excel.book``; both call
``addin.push.workbook.push_workbook``. The org defaults to the one the workbook was pulled from.
The push holds the workbook's lock from the first read to the last write and refuses a
workbook open in Excel or LibreOffice (a dry run, which writes nothing, is allowed). A push
whose org writes landed but whose workbook could not be saved (full or read-only disk) says so:
what the org has, where the receipt is, and what to do.
"""

from __future__ import annotations

import errno
from pathlib import Path

from addin.book.atomic import room_to_save, why_not_written
from addin.book.errors import WorkbookNotSaved
from addin.book.lock import hold, refuse_if_open
from addin.book.xlsx import XlsxBook
from addin.check.rules import calendar_lock_rules, load_rules
from addin.push.workbook import PushOutcome, push_workbook
from addin.review.file import org_of_workbook
from sync.push.journal import journal_path, last_push


def push_file(
    path: str | Path,
    org_spec: str | None = None,
    *,
    dry_run: bool = False,
    take: str | None = None,
    rules: str | Path | None = None,
) -> PushOutcome:
    """Check and push the workbook at ``path`` (see ``addin.push.workbook.push_workbook``).

    A dry run writes nothing, so it also runs on a workbook open in an application."""
    with hold(path, "push"):
        if not dry_run:
            refuse_if_open(path, "push")
        book = XlsxBook.open(path)
        org = org_of_workbook(book, org_spec)
        if not dry_run:
            _refuse_if_unsavable(Path(path))
        updates_before = org.calls.update
        try:
            return push_workbook(
                book,
                org,
                dry_run=dry_run,
                take=take,  # type: ignore[arg-type]
                rules=load_rules(rules, workbook=path),
                locks=calendar_lock_rules(path),
            )
        except WorkbookNotSaved as e:
            if org.calls.update == updates_before:
                raise WorkbookNotSaved(
                    f"{e} Nothing was sent to the org.", path=e.path, reason=e.reason
                ) from None
            raise sent_but_not_saved(Path(path), e) from None
        except OSError as e:
            if not _disk_trouble(e):
                raise
            # The journal beside the workbook could not be written (disk full, read-only).
            reason = why_not_written(e)
            where = Path(str(e.filename)).name
            if org.calls.update == updates_before:
                raise WorkbookNotSaved(
                    f"Cannot push {Path(path).name}: {where} beside it could not be written "
                    f"({reason}). Nothing was sent to the org and the workbook is unchanged. "
                    "Free some space or make the folder writable, then push again.",
                    path=str(path),
                    reason=reason,
                ) from None
            raise sent_but_not_saved(
                Path(path), WorkbookNotSaved(str(e), path=str(path), reason=reason)
            ) from None


def _disk_trouble(error: OSError) -> bool:
    """A file could not be written for lack of space or permission (not a network error)."""
    codes = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, getattr(errno, "EDQUOT", -1)}
    return error.filename is not None and error.errno in codes


def _refuse_if_unsavable(path: Path) -> None:
    """Refuse before anything is sent when the workbook could not take the push's receipt."""
    reason = room_to_save(path)
    if reason is not None:
        raise WorkbookNotSaved(
            f"Cannot push {path.name}: after the push it must be saved in {path.parent}, and "
            f"{reason}. Nothing was sent to the org and the workbook is unchanged. Free some "
            "space or make the folder writable (or move the workbook), then push again.",
            path=str(path),
            reason=reason,
        )


class PushedButNotSaved(WorkbookNotSaved):
    """The org has the push's changes, but the workbook could not be saved afterwards."""


def sent_but_not_saved(path: Path, error: WorkbookNotSaved) -> PushedButNotSaved:
    """What the org has, why the workbook was not saved, where the receipt is, what to do."""
    journal = journal_path(path)
    last = last_push(journal) if journal.exists() else None
    if last is None:
        landed = "The org has your changes"
    else:
        outcomes = ", ".join(f"{k} {v:,}" for k, v in last.summary.get("outcomes", {}).items())
        done = outcomes if last.finished else f"{last.calls_landed} update call(s) landed"
        landed = f"The org has your changes (push {last.push_id}: {done or 'see the receipt'})"
    return PushedButNotSaved(
        f"{landed}, but {path.name} could not be saved afterwards: {error.reason}. The workbook "
        f"on disk is as it was before the push, without this push's receipt; the receipt is "
        f"in {journal}. Free some space or make the folder writable, then run push again: it "
        "re-reads the org, finds your changes there and records them in the workbook.",
        path=str(path),
        reason=error.reason,
    )
