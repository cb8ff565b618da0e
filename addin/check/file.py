"""Check and push on a workbook file: what ``demandgrid check`` and ``demandgrid push`` run.

The ribbon does the same on the open workbook through ``addin.excel``; both call
``addin.checks`` / ``addin.push_book``. Here a file is opened as an ``XlsxBook``, the check rules
come from the config files, and the org defaults to the one the workbook was pulled from.
"""

from __future__ import annotations

from pathlib import Path

from addin.check_sheet import write_check_sheet
from addin.checks import CheckReport, CheckRules, check, load_rules, profile_of
from addin.push_book import PushOutcome, push_workbook
from addin.readback import read_record, read_workbook
from addin.xlsx_book import XlsxBook
from sync.org import Org, OrgError
from sync.orgs import open_org

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


def push_file(
    path: str | Path,
    org_spec: str | None = None,
    *,
    dry_run: bool = False,
    take: str | None = None,
    rules: str | Path | None = None,
) -> PushOutcome:
    """Check and push the workbook at ``path`` (see ``addin.push_book.push_workbook``)."""
    book = XlsxBook.open(path)
    org = org_of_workbook(book, org_spec)
    return push_workbook(
        book,
        org,
        dry_run=dry_run,
        take=take,  # type: ignore[arg-type]
        rules=load_rules(rules, workbook=path),
    )
