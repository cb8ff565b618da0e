"""Push on a workbook file: what ``demandgrid push`` runs.

The ribbon does the same on the open workbook through ``addin.excel.book``; both call
``addin.push.workbook.push_workbook``. The org defaults to the one the workbook was pulled from.
"""

from __future__ import annotations

from pathlib import Path

from addin.book.xlsx import XlsxBook
from addin.check.file import org_of_workbook
from addin.check.rules import load_rules
from addin.push.workbook import PushOutcome, push_workbook


def push_file(
    path: str | Path,
    org_spec: str | None = None,
    *,
    dry_run: bool = False,
    take: str | None = None,
    rules: str | Path | None = None,
) -> PushOutcome:
    """Check and push the workbook at ``path`` (see ``addin.push.workbook.push_workbook``)."""
    book = XlsxBook.open(path)
    org = org_of_workbook(book, org_spec)
    return push_workbook(
        book,
        org,
        dry_run=dry_run,
        take=take,  # type: ignore[arg-type]
        rules=load_rules(rules, workbook=path),
    )
