"""Check rules, their configuration, the Check sheet and the terminal table."""

from __future__ import annotations

import openpyxl
import pytest
from conftest_checkpush import PERIODS, ReviewFile, small_cells, write_small_review
from rich.console import Console

from addin.book.xlsx import XlsxBook
from addin.check.rules import CheckRules, RulesInvalid, check, load_rules
from addin.check.sheet import MARK_ERROR, report_table, write_check_sheet
from addin.review import layout
from addin.review.readback import read_workbook

DEFAULTS = CheckRules()
OK_ROW = {"note": "Customer confirmed", "reason": "Promotion"}


def run(review: ReviewFile, values: dict, rules: CheckRules = DEFAULTS, *, block: int = 0, **row):
    row = {**OK_ROW, **row}
    edits = {
        review.row_cell(layout.H_NOTE, block): row["note"],
        review.row_cell(layout.H_REASON, block): row["reason"],
    }
    review.edit({**edits, **values})
    return check(read_workbook(XlsxBook.open(review.path)), rules)


def rules_of(report) -> list[str]:
    return [i.rule for i in report.issues]


def test_a_clean_change_passes(review: ReviewFile) -> None:
    report = run(review, {review.cell(0, 0): 120})
    assert report.ok and report.issues == [] and report.changed == 1
    assert "ready to push" in report.summary()


def test_issue_names_sheet_cell_account_product_period(review: ReviewFile) -> None:
    report = run(review, {review.cell(1, 1): 120}, block=1, note="")
    (issue,) = report.issues
    assert (issue.sheet, issue.cell, issue.account, issue.product) == (
        "Review",
        review.cell(1, 1),
        "Acme Corp",
        "Valves",
    )
    assert issue.period == PERIODS[1]
    assert issue.message.startswith(
        f"Review!{review.cell(1, 1)} (Acme Corp / Valves, {PERIODS[1]:%b %Y}): "
    )
    assert "without a note" in issue.message and "Note cell" in issue.what_to_do


@pytest.mark.parametrize(
    ("value", "row", "rules", "expected"),
    [
        (120, {"note": ""}, CheckRules(), ["note-missing"]),
        (120, {"reason": ""}, CheckRules(), ["reason-missing"]),
        (120, {"reason": ""}, CheckRules(require_reason=False), []),
        (120, {"reason": "Because"}, CheckRules(), ["reason-unknown"]),
        ("12O", {}, CheckRules(), ["not-a-number"]),
        (True, {}, CheckRules(), ["not-a-number"]),
        ("#N/A", {}, CheckRules(), ["error-value"]),
        ("=1+1", {}, CheckRules(), ["formula"]),
        (-5, {}, CheckRules(), ["negative"]),
        (-5, {}, CheckRules(allow_negative=True), []),
        (50_000, {}, CheckRules(), ["absurd"]),  # > 100 x baseline 100
        (2e9, {}, CheckRules(max_times_baseline=1e12), ["absurd"]),
        (200, {}, CheckRules(max_change_pct=50), ["change-too-large"]),
        (120.5, {}, CheckRules(scale=0), ["decimals"]),
        (120.25, {}, CheckRules(scale=2), []),
        (120.125, {}, CheckRules(scale=2), ["decimals"]),
        (120, {"note": "x" * 1990}, CheckRules(), ["note-too-long"]),  # "[Promotion] " + 1990
        (120, {"note": "x" * 1980}, CheckRules(), []),
    ],
)
def test_rules(review: ReviewFile, value, row, rules, expected) -> None:
    assert rules_of(run(review, {review.cell(0, 0): value}, rules, **row)) == expected


def test_dates_are_not_numbers(review: ReviewFile) -> None:
    from datetime import datetime

    report = run(review, {review.cell(0, 0): datetime(2027, 1, 5)})
    assert (
        rules_of(report) == ["not-a-number"] and "the date 2027-01-05" in report.issues[0].message
    )


def test_a_locked_cell_edit_is_refused(tmp_path) -> None:
    review = ReviewFile(write_small_review(tmp_path / "r.xlsx", small_cells(locked_period=0)))
    report = run(review, {review.cell(0, 0): 1})
    assert rules_of(report) == ["locked"] and "past period" in report.issues[0].message


def test_rules_from_a_file_beside_the_workbook(tmp_path) -> None:
    (tmp_path / "demandgrid.toml").write_text(
        "[check]\nrequire_reason = false\nmax_change_pct = 10\n"
    )
    rules = load_rules(workbook=tmp_path / "review.xlsx")
    assert rules == CheckRules(require_reason=False, max_change_pct=10)


def test_rules_file_with_an_unknown_setting_is_refused(tmp_path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[check]\nrequire_reasons = false\n")
    with pytest.raises(RulesInvalid, match="require_reasons"):
        load_rules(path)
    with pytest.raises(RulesInvalid, match="No rules file"):
        load_rules(tmp_path / "absent.toml")


def test_no_config_means_safe_defaults(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert load_rules(workbook=tmp_path / "review.xlsx") == CheckRules()


def test_check_sheet_links_and_marks_then_clears_them(review: ReviewFile) -> None:
    bad = review.cell(0, 1)
    report = run(review, {bad: "abc"})
    book = XlsxBook.open(review.path)
    write_check_sheet(book, report)
    book.save()
    wb = openpyxl.load_workbook(review.path)
    ws = wb[layout.CHECK]
    assert ws["A3"].value == f'=HYPERLINK("#\'Review\'!{bad}","Review!{bad}")'
    assert ws["C3"].value == "not-a-number" and ws["D3"].value == "Acme Corp"
    assert wb[layout.REVIEW][bad].fill.fgColor.rgb.endswith(MARK_ERROR)

    review.edit({bad: 106})  # fixed
    book = XlsxBook.open(review.path)
    write_check_sheet(book, check(read_workbook(book)))
    book.save()
    wb = openpyxl.load_workbook(review.path)
    assert not wb[layout.REVIEW][bad].fill.fgColor.rgb.endswith(MARK_ERROR)
    assert wb[layout.CHECK]["A3"].value is None
    assert "nothing to push" in wb[layout.CHECK]["A1"].value


def test_org_strings_on_the_check_sheet_stay_text(review: ReviewFile) -> None:
    report = run(review, {review.cell(2, 0): "x"}, block=2)  # account "=HYPERLINK("x")"
    book = XlsxBook.open(review.path)
    write_check_sheet(book, report)
    book.save()
    cell = openpyxl.load_workbook(review.path)[layout.CHECK]["D3"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


def test_terminal_table_shows_each_issue(review: ReviewFile) -> None:
    report = run(review, {review.cell(0, 0): -1}, note="")
    console = Console(record=True, width=200)
    console.print(report_table(report))
    text = console.export_text()
    assert "negative" in text and "note-missing" in text and f"Review!{review.cell(0, 0)}" in text


def test_a_period_locked_since_the_pull_is_refused(review: ReviewFile) -> None:
    from datetime import date

    run(review, {review.cell(0, 0): 120})
    reviewed = read_workbook(XlsxBook.open(review.path))
    later = date(PERIODS[0].year + 1, PERIODS[0].month, 1)  # a year on: the period is past
    report = check(reviewed, today=later)
    assert rules_of(report) == ["locked"]
    assert "past period, since the pull" in report.issues[0].message
    assert check(reviewed, CheckRules(recheck_locks=False), today=later).ok
