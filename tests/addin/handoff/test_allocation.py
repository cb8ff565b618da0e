"""``import allocation``: a supply planner's cuts become noted adjustments in a planner's review
workbook, pushed once through the normal check and push; bad files are refused row by row with
nothing written (on both backends through the ``org`` fixture)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from addin.book.xlsx import XlsxBook
from addin.handoff.allocation import CUTS, FAIRNESS, import_allocation
from addin.handoff.files import FileRefused
from addin.push.workbook import push_workbook
from addin.review.readback import read_workbook
from sync.localorg.demo.org import DEMO_PLANNER
from sync.pull.cells import pull_cells

HORIZON, HISTORY = 3, 1
HEADINGS = ["plan_id", "account", "product", "month", "cut", "shortfall", "rule"]


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADINGS, *rows])
    return path


def region(org) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    cells = pull_cells(org, DEMO_PLANNER, horizon=HORIZON, history=HISTORY, include_team=True)
    frame = cells.frame.copy()
    frame["start"] = frame["adjusted"].where(frame["adjusted"].notna(), frame["baseline"])
    return frame


def two_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Two open cells of one product and month, in two accounts, each with demand >= 20."""
    open_cells = frame[~frame["locked"].astype(bool) & (frame["start"] >= 20)]
    first = open_cells.iloc[0]
    same = open_cells[
        (open_cells["product_id"] == first["product_id"])
        & (open_cells["period_start"] == first["period_start"])
        & (open_cells["account_id"] != first["account_id"])
    ]
    return pd.concat([open_cells.iloc[[0]], same.iloc[[0]]])


def month(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m")


def test_allocation_becomes_noted_changes_pushed_once(org, tmp_path: Path) -> None:
    cells = two_cells(region(org))
    a, b = cells.iloc[0], cells.iloc[1]
    path = write_csv(
        tmp_path / "alloc.csv",
        [
            [
                "ALLOC-1",
                a["account_name"],
                a["product_name"],
                month(a["period_start"]),
                10,
                15,
                "fair share",
            ],
            [
                "ALLOC-1",
                b["account_name"],
                b["product_name"],
                month(b["period_start"]),
                5,
                15,
                "fair share",
            ],
        ],
    )
    out = tmp_path / "allocation.xlsx"
    done = import_allocation(org, path, DEMO_PLANNER, out, horizon=HORIZON, history=HISTORY)
    assert (done.cuts, done.accounts, done.plan_id) == (2, 2, "ALLOC-1")

    reviewed = read_workbook(XlsxBook.open(out))
    changes = {c.record_id: c for c in reviewed.changes}
    assert set(changes) == {a["record_id"], b["record_id"]}
    assert changes[a["record_id"]].new == a["start"] - 10
    assert changes[b["record_id"]].new == b["start"] - 5
    for change in changes.values():
        assert change.reason_code == "Allocation"
        assert "ALLOC-1" in change.note and "fair share" in change.note

    wb = openpyxl.load_workbook(out)
    fairness = {r[0]: r for r in wb[FAIRNESS].iter_rows(min_row=4, values_only=True) if r[0]}
    assert fairness[a["account_name"]][2] == 10 and fairness[a["account_name"]][5] == "fair share"
    assert fairness[b["account_name"]][2] == 5 and fairness[b["account_name"]][5] == "fair share"
    others = [
        r for name, r in fairness.items() if name not in (a["account_name"], b["account_name"])
    ]
    assert others and all(r[2] == 0 and r[4] == 0 and r[5] == "not cut" for r in others)
    assert len([r for r in wb[CUTS].iter_rows(min_row=4, values_only=True) if r[0]]) == 2

    outcome = push_workbook(XlsxBook.open(out), org)
    assert outcome.receipt is not None and org.calls.update == 1
    written = {c.record_id for c in outcome.receipt.cells if c.outcome == "written"}
    assert written == {a["record_id"], b["record_id"]}
    soql = "SELECT Id, AdjustedForecastedQuantity, AdjustmentComments FROM AccountProductPeriodForecast WHERE Id IN ('{}','{}')"
    rows = {r["Id"]: r for r in org.query(soql.format(a["record_id"], b["record_id"]))}
    assert rows[a["record_id"]]["AdjustedForecastedQuantity"] == a["start"] - 10
    assert rows[a["record_id"]]["AdjustmentComments"].startswith("[Allocation] Allocation ALLOC-1")

    again = push_workbook(XlsxBook.open(out), org)
    assert again.receipt is None and org.calls.update == 1


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda a, b, past: [a[:4] + [a_demand_plus(a)] + a[5:], b], "more than the demand"),
        (lambda a, b, past: [a[:4] + [11] + a[5:], b], "add up to 16, not the stated shortfall 15"),
        (lambda a, b, past: [a[:3] + [past] + a[4:], b], "is locked"),
        (lambda a, b, past: [[a[0], "No Such Account", *a[2:]], b], "no account of this name"),
        (lambda a, b, past: [a[:2] + ["Nope"] + a[3:], b], "no product of this name"),
        (lambda a, b, past: [a[:4] + ["ten"] + a[5:], b], "write the quantity cut as a number"),
        (lambda a, b, past: [a, a], "already cut on row 2"),
        (lambda a, b, past: [a, ["ALLOC-2", *b[1:]]], "names another plan"),
    ],
    ids=["exceeds", "shortfall", "locked", "account", "product", "number", "twice", "two-plans"],
)
def test_bad_allocations_are_refused_and_nothing_written(
    org, tmp_path: Path, change, expected: str
) -> None:
    frame = region(org)
    cells = two_cells(frame)
    a, b = cells.iloc[0], cells.iloc[1]
    past = month(
        frame.loc[frame["lock_reason"].str.contains("past", na=False), "period_start"].iloc[0]
    )
    row_a = [
        "ALLOC-1",
        a["account_name"],
        a["product_name"],
        month(a["period_start"]),
        10,
        15,
        "pro rata",
    ]
    row_b = [
        "ALLOC-1",
        b["account_name"],
        b["product_name"],
        month(b["period_start"]),
        5,
        15,
        "pro rata",
    ]
    row_a.append(a["start"])  # carried for the "exceeds" case, dropped below
    rows = [r[:7] for r in change(row_a, row_b, past)]
    path = write_csv(tmp_path / "alloc.csv", rows)
    out = tmp_path / "allocation.xlsx"
    with pytest.raises(FileRefused) as refused:
        import_allocation(org, path, DEMO_PLANNER, out, horizon=HORIZON, history=HISTORY)
    message = str(refused.value)
    assert expected in message and "row " in message and "Nothing was sent" in message
    assert not out.exists() and org.calls.update == 0


def a_demand_plus(row: list[object]) -> float:
    return float(row[7]) + 1  # type: ignore[arg-type]


def test_two_accounts_of_one_name_need_the_account_id() -> None:
    from sync.handoff.allocation import plan_cuts

    frame = pd.DataFrame(
        {
            "record_id": ["r1", "r2"],
            "row_key": ["k1", "k2"],
            "account_id": ["001A", "001B"],
            "account_name": ["Acme", "Acme"],
            "product_id": ["01tP", "01tP"],
            "product_name": ["Bolt", "Bolt"],
            "period_start": [pd.Timestamp("2027-02-01").date()] * 2,
            "baseline": [100.0, 50.0],
            "adjusted": [float("nan")] * 2,
            "locked": [False, False],
            "lock_reason": ["", ""],
        }
    )
    rows = [(2, dict(zip(HEADINGS, ["P", "Acme", "Bolt", "2027-02", 10, 10, "x"], strict=True)))]
    cuts, problems = plan_cuts(rows, frame, {})
    assert not cuts and "several accounts in the region have this name" in str(problems[0])
    rows = [(2, dict(zip(HEADINGS, ["P", "001B", "Bolt", "2027-02", 10, 10, "x"], strict=True)))]
    cuts, problems = plan_cuts(rows, frame, {})
    assert not problems and cuts[0].record_id == "r2" and cuts[0].allocated == 40


def test_a_forecast_changed_during_the_import_is_refused(
    org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import addin.handoff.allocation as allocation

    cells = two_cells(region(org))
    a, b = cells.iloc[0], cells.iloc[1]
    path = write_csv(
        tmp_path / "alloc.csv",
        [
            ["A", a["account_name"], a["product_name"], month(a["period_start"]), 10, 15, "x"],
            ["A", b["account_name"], b["product_name"], month(b["period_start"]), 5, 15, "x"],
        ],
    )
    real = allocation.pull_review

    def someone_edits_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        org.update(
            "AccountProductPeriodForecast",
            [{"Id": a["record_id"], "AdjustedForecastedQuantity": a["start"] + 7}],
        )
        return real(*args, **kwargs)

    monkeypatch.setattr(allocation, "pull_review", someone_edits_first)
    out = tmp_path / "allocation.xlsx"
    with pytest.raises(FileRefused, match="changed in the org while the allocation was imported"):
        import_allocation(org, path, DEMO_PLANNER, out, horizon=HORIZON, history=HISTORY)
    assert read_workbook(XlsxBook.open(out)).edits == []  # a fresh pull, no cuts


def test_allocation_workbook_is_valid_ooxml(org_file: Path, tmp_path: Path) -> None:
    """openxml-audit (the dev extra, ADR 4) finds no error in the workbook with its two sheets."""
    from test_ooxml_valid import assert_valid

    from sync.handoff.demo import write_demo_files
    from sync.localorg import LocalOrg

    org = LocalOrg(org_file)
    _, allocation = write_demo_files(org, tmp_path, DEMO_PLANNER)
    out = tmp_path / "alloc.xlsx"
    import_allocation(org, allocation, DEMO_PLANNER, out, horizon=3, history=0)
    assert_valid(out)


def test_a_closed_review_refuses_cuts_until_reopened(org_file: Path, tmp_path: Path) -> None:
    """After the demand review closes its months are locked for the allocation too; reopened
    (the supply review's way back in), the same file imports."""
    from sync.cycle.close import close_cycle, reopen_cycle
    from sync.handoff.demo import write_demo_files
    from sync.localorg import LocalOrg
    from sync.pull.cells import org_today

    planner = LocalOrg(org_file, username=DEMO_PLANNER)
    _, allocation = write_demo_files(planner, tmp_path, DEMO_PLANNER)
    cycle = f"{org_today(planner):%Y-%m}"
    close_cycle(planner, cycle)
    out = tmp_path / "alloc.xlsx"
    with pytest.raises(FileRefused, match="review closed on .*Reopen the review"):
        import_allocation(planner, allocation, DEMO_PLANNER, out, horizon=8, history=0)
    assert not out.exists()
    reopen_cycle(planner, cycle, reason="Allocation ALLOC-DEMO-1")
    done = import_allocation(planner, allocation, DEMO_PLANNER, out, horizon=8, history=0)
    assert done.cuts == 4
