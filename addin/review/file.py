"""A review workbook file: the org it belongs to, and refresh in place (what
``demandgrid refresh FILE`` runs for a review workbook).

Each command on a file holds the workbook's lock (``addin.book.lock.hold``) from the first read
to the last write, and refuses a workbook open in Excel or LibreOffice before anything is read
from the org or written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from addin.book.lock import hold, refuse_if_open
from addin.book.xlsx import XlsxBook
from addin.review.readback import read_record
from addin.review.refresh import ConflictsSheet, Refreshed, refresh_workbook
from sync.org.seam import Org
from sync.orgs.registry import open_org

LOCAL = "local:"


def org_of_workbook(book: XlsxBook, spec: str | None = None) -> Org:
    """``spec`` (``--org``) if given, else the org the workbook was pulled from."""
    if spec:
        return open_org(spec)
    instance = read_record(book).context.instance
    if instance.startswith(LOCAL):
        return open_org(instance[len(LOCAL) :])
    return open_org(instance)  # a configured Salesforce org, found by its instance URL


def refresh_file(
    path: str | Path,
    org_spec: str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    conflicts_sheet: ConflictsSheet | None = None,
) -> Refreshed:
    """Refresh the review workbook at ``path`` in place, merging unpushed changes (see
    ``addin.review.refresh``)."""
    with hold(path, "refresh"):
        refuse_if_open(path, "refresh")
        book = XlsxBook.open(path)
        return refresh_workbook(
            book,
            org_of_workbook(book, org_spec),
            progress=progress,
            conflicts_sheet=conflicts_sheet,
        )
