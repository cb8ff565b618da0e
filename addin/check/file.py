"""Check on a workbook file: what ``demandgrid check`` runs, and which org a workbook belongs to.

The ribbon does the same on the open workbook through ``addin.excel.book``; both call
``addin.check.rules``. Here a file is opened as an ``XlsxBook``, the check rules come from the
config files, and the org defaults to the one the workbook was pulled from
(``org_of_workbook``, which push and refresh use too).
"""

from __future__ import annotations

from pathlib import Path

from addin.book.xlsx import XlsxBook
from addin.check.rules import CheckReport, CheckRules, check, load_rules
from addin.check.sheet import write_check_sheet
from addin.review.readback import profile_of, read_record, read_workbook
from sync.org.seam import Org, OrgError
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


def check_file(path: str | Path, rules_path: str | Path | None = None) -> CheckReport:
    """Check the workbook at ``path``; write its Check sheet and marks; save it."""
    book = XlsxBook.open(path)
    reviewed = read_workbook(book)
    rules = load_rules(rules_path, workbook=path)
    rules = _with_org_limits(book, rules, reviewed)
    report = check(reviewed, rules)
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
