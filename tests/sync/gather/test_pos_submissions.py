"""Distributor POS into the org, on both backends: a resubmission replaces the earlier one
(dropped lines do not survive), an identical one sends nothing, refused lines send nothing,
unknown parts are queued, and coverage counts who is on time, late and missing."""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import pytest
from gather_files import distributors, filled, last_month

from addin.gather.errors import GatherFileRefused, RowsRefused
from addin.gather.pos import coverage_report, import_submissions, make_template
from sync.gather.pos import current_sales
from sync.pull.cells import org_today


def _import(org, tmp_path, paths, **kw):
    return import_submissions(
        org, paths, today=org_today(org), crosswalk=tmp_path / "pos" / "crosswalk.csv", **kw
    )


def _current(org, distributor_id):
    month = last_month(org)
    return {s.part: s.quantity for s in current_sales(org, month, month, [distributor_id])}


def test_resubmission_replaces_the_earlier_one(org, tmp_path) -> None:
    (dist_id, name), *_ = distributors(org)
    first = filled(org, tmp_path, name, {0: 10, 1: 20, 2: 30}, name="first.xlsx")
    _import(org, tmp_path, [first])
    assert sorted(_current(org, dist_id).values()) == [10, 20, 30]

    again = filled(org, tmp_path, name, {0: 11, 1: 20}, name="again.xlsx")  # part 2 dropped
    result = _import(org, tmp_path, [again])
    (loaded,) = result.loaded
    assert (loaded.written, loaded.superseded, loaded.unchanged) == (1, 1, 1)
    assert sorted(_current(org, dist_id).values()) == [11, 20]  # 30 does not survive

    writes = org.calls.update
    (same,) = _import(org, tmp_path, [again]).loaded
    assert org.calls.update == writes and same.calls == 0


@pytest.mark.parametrize(
    ("units", "notes", "expected"),
    [
        ({0: -5}, {}, "negative units without a note"),
        ({0: "about 40"}, {}, "not a number"),
        ({0: "15%"}, {}, "a percentage"),
        ({0: 1e19}, {}, "more digits than the org holds"),
    ],
)
def test_a_refused_line_sends_nothing(org, tmp_path, units, notes, expected) -> None:
    (_, name), (_, other), *_ = distributors(org)
    good = filled(org, tmp_path, other, {0: 5}, name="good.xlsx")
    bad = filled(org, tmp_path, name, units, notes=notes, name="bad.xlsx")
    writes = org.calls.update
    with pytest.raises(RowsRefused) as caught:
        _import(org, tmp_path, [good, bad])
    assert org.calls.update == writes
    assert "bad.xlsx" in str(caught.value) and "row 9" in str(caught.value)
    assert expected in str(caught.value)


def test_a_return_with_a_note_loads(org, tmp_path) -> None:
    (dist_id, name), *_ = distributors(org)
    path = filled(org, tmp_path, name, {0: -5, 1: 3}, notes={0: "Return: wrong size"})
    _import(org, tmp_path, [path])
    assert sorted(_current(org, dist_id).values()) == [-5, 3]


def test_duplicate_part_and_same_month_twice_are_refused(org, tmp_path) -> None:
    (_, name), *_ = distributors(org)
    first = filled(org, tmp_path, name, {0: 5}, name="a.xlsx")
    book = openpyxl.load_workbook(first)
    part = book["POS"]["A9"].value
    path = filled(org, tmp_path, name, {0: 5}, extra=[(part.lower(), 3, "")], name="b.xlsx")
    with pytest.raises(RowsRefused, match="the same part as row 9"):
        _import(org, tmp_path, [path])
    with pytest.raises(RowsRefused, match="the same distributor and month as a.xlsx"):
        _import(org, tmp_path, [first, filled(org, tmp_path, name, {0: 6}, name="c.xlsx")])


def test_unknown_parts_load_without_a_product_and_are_queued(org, tmp_path) -> None:
    (dist_id, name), *_ = distributors(org)
    path = filled(org, tmp_path, name, {0: 5}, extra=[("NEW-1", 7, "project kit")])
    queue = tmp_path / "unmatched.csv"
    result = _import(org, tmp_path, [path], queue=queue)
    assert result.unmatched == 1
    assert "NEW-1,7.0,project kit" in queue.read_text(encoding="utf-8")
    month = last_month(org)
    sales = {s.part: s for s in current_sales(org, month, month, [dist_id])}
    assert sales["NEW-1"].product_id is None and sales["NEW-1"].quantity == 7


def test_coverage_on_time_late_missing(org, tmp_path) -> None:
    (a, name_a), (b, name_b), (c, name_c) = distributors(org)
    deadline = org_today(org).replace(day=10)
    _import(org, tmp_path, [filled(org, tmp_path, name_a, {0: 100, 1: 50})], received=deadline)
    late = filled(org, tmp_path, name_b, {0: 7})
    _import(org, tmp_path, [late], received=deadline + timedelta(days=1))
    report = coverage_report(org, last_month(org), deadline, tmp_path / "coverage.xlsx")
    by_id = {d.distributor_id: d for d in report.distributors}
    assert (by_id[a].status, by_id[b].status, by_id[c].status) == ("on time", "late", "missing")
    assert by_id[a].pos_qty == 150 and by_id[a].difference == round(150 - by_id[a].sell_in_qty, 2)
    assert report.count("on time") == 1 and report.count("late") == 1
    assert report.percent == pytest.approx(100 / report.expected)
    sheet = openpyxl.load_workbook(tmp_path / "coverage.xlsx")["Coverage"]
    assert sheet.max_row == 1 + report.expected


def test_template_only_for_distributors(org, tmp_path) -> None:
    from gather_files import lines

    customer = lines(org, 1)[0].account
    with pytest.raises(GatherFileRefused, match="not of Type Distributor"):
        make_template(
            org, customer, last_month(org), tmp_path / "x.xlsx", crosswalk=tmp_path / "none.csv"
        )


def test_a_workbook_that_is_not_a_submission_is_refused(org, tmp_path) -> None:
    (_, name), *_ = distributors(org)
    filled(org, tmp_path, name, {0: 1})  # writes the crosswalk
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(GatherFileRefused, match="not a POS submission workbook"):
        _import(org, tmp_path, [other])
