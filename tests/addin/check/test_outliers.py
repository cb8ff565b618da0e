"""A value far outside the row's history is at least a warning by default: an order-of-magnitude
slip, a date serial or a percentage typed into a units cell ([check] outlier_factor,
outlier_blocks). Zero, a deliberate "no demand", is not an outlier."""

from __future__ import annotations

import pytest
from conftest_checkpush import ReviewFile

from addin.book.xlsx import XlsxBook
from addin.check.rules import ERROR, WARNING, CheckRules, check
from addin.review import layout
from addin.review.readback import read_workbook

DEFAULTS = CheckRules()


def _check(review: ReviewFile, value: object, rules: CheckRules = DEFAULTS):  # type: ignore[no-untyped-def]
    review.edit(
        {
            review.cell(0, 0): value,  # the row's typical value is about 106
            review.row_cell(layout.H_NOTE, 0): "Customer confirmed",
            review.row_cell(layout.H_REASON, 0): "Promotion",
        }
    )
    return check(read_workbook(XlsxBook.open(review.path)), rules)


@pytest.mark.parametrize(
    ("value", "rule", "severity"),
    [
        (1060, "outlier", WARNING),  # an extra zero
        (10.6, "outlier", WARNING),  # a missing zero
        (0.15, "outlier", WARNING),  # "15%"
        (46000, "absurd", ERROR),  # a date serial: here over 100x the baseline too
        (150, None, None),
        (0, None, None),
    ],
)
def test_far_outside_the_history_is_a_warning(
    review: ReviewFile, value: float, rule: str | None, severity: str | None
) -> None:
    report = _check(review, value)
    assert [(i.rule, i.severity) for i in report.issues] == ([(rule, severity)] if rule else [])
    if rule == "outlier":
        assert report.ok  # a warning: the push goes ahead
        (issue,) = report.issues
        assert "row's typical value 106" in issue.message
        assert "outlier_factor" in issue.what_to_do


def test_outliers_can_block_or_be_switched_off(review: ReviewFile) -> None:
    blocking = _check(review, 1060, CheckRules(outlier_blocks=True))
    assert [(i.rule, i.severity) for i in blocking.issues] == [("outlier", ERROR)]
    assert not blocking.ok
    assert _check(review, 1060, CheckRules(outlier_factor=None)).issues == []
