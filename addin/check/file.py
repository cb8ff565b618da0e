"""Check on a workbook file: what ``demandgrid check`` runs.

The ribbon does the same on the open workbook through ``addin.excel.book``; both call
``addin.check.rules``. Here a file is opened as an ``XlsxBook`` under the workbook's lock
(refused while it is open in Excel or LibreOffice), the check rules come from the config
files, and the org's limits come from the org the workbook was pulled from, when at hand.
"""

from __future__ import annotations

from pathlib import Path

from addin.book.lock import hold, refuse_if_open
from addin.book.xlsx import XlsxBook
from addin.check.rules import CheckReport, CheckRules, calendar_lock_rules, check, load_rules
from addin.check.sheet import write_check_sheet
from addin.review.file import org_of_workbook
from addin.review.readback import profile_of, read_workbook
from sync.org.seam import OrgError


def check_file(path: str | Path, rules_path: str | Path | None = None) -> CheckReport:
    """Check the workbook at ``path``; write its Check sheet and marks; save it."""
    with hold(path, "check"):
        refuse_if_open(path, "check")
        book = XlsxBook.open(path)
        reviewed = read_workbook(book)
        rules = load_rules(rules_path, workbook=path)
        rules = _with_org_limits(book, rules, reviewed)
        report = check(reviewed, rules, locks=calendar_lock_rules(path))
        report.workbook = str(path)
        write_check_sheet(book, report, reviewed.sheet)
        book.save()
        return report


def _with_org_limits(book: XlsxBook, rules: CheckRules, reviewed) -> CheckRules:  # type: ignore[no-untyped-def]
    """The org's decimals and note length when the workbook's org is at hand; else the rules'."""
    try:
        org = org_of_workbook(book)
        return rules.for_org(org, profile_of(reviewed))
    except OrgError:
        return rules  # checking works offline; push re-checks against the org
