"""Errors a user can cause or meet. Each says what happened, where, and what to do next.

The CLI prints these without a traceback and exits non-zero; the Excel add-in shows them in a
dialog. Anything that is not one of these (or an ``sync.org.seam.OrgError``) is a bug.
"""

from __future__ import annotations


class UserError(Exception):
    """Base class: a problem the user can fix. ``str(error)`` is the whole message."""

    exit_code = 2


class WorkbookNotOurs(UserError):
    """Not a demandgrid workbook, damaged, edited behind our back, or from another org/user."""


class WorkbookDamaged(UserError):
    """The grid's structure no longer ties cells to records (rows inserted, deleted, keys edited)."""


class ChecksFailed(UserError):
    """Check found problems that block a push."""

    exit_code = 1


class ConflictsFound(UserError):
    """Cells changed in the org since the pull; the user must choose per cell."""

    exit_code = 3


class WorkbookOpenElsewhere(UserError):
    """The workbook is open in Excel or LibreOffice (its owner file is beside it)."""


class WorkbookBusy(UserError):
    """Another demandgrid command is working on the same workbook file."""


class WorkbookNotSaved(UserError):
    """The workbook could not be written (disk full, read-only, held by another program).

    ``reason`` is the short cause ("the disk is full"); the workbook on disk is as it was."""

    def __init__(self, message: str, *, path: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


class WouldReplaceWork(UserError):
    """A pull would replace a workbook holding unpushed changes, or a file that is not ours."""
