"""The live Excel path on a recording stand-in for xlwings: what the user sees (dialogs, status
bar, Check sheet, marks, receipt) and how many calls cross to Excel.

Calls into Excel are counted by ``tests/fake_xlwings.py``. "Range calls" are the calls on
ranges (``sheet.range``, ``resize``, ``.value``/``.formula`` get and set, ``.color``,
``clear_contents``): the ones that would grow with the grid if anything looped over cells.
On the demo rep (3,150 forecast cells) and on a workbook a seventh of its size they are the
same: check 56, push 63, refresh 47 range calls (three edited cells), measured when written;
about 28 of check's and 31 of push's finish their sheet (``format_table``: one call per
distinct column width, number format and finish, whatever the number of rows).
Check and push sit on other modules that may add a read or two, so the test holds them to
equality between the sizes and to a ceiling (``MAX_RANGE_CALLS``), not to the exact number.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest_checkpush import ReviewFile
from fake_xlwings import FakeBook

from addin.excel import ribbon
from addin.excel.book import ExcelBook, union_addresses
from addin.review import layout
from addin.review.pull import pull_to_workbook

MAX_RANGE_CALLS = {"check": 60, "push": 70, "refresh": 60}


def range_calls(calls: Counter[str]) -> int:
    return sum(n for what, n in calls.items() if what.startswith(("range.", "sheet.range")))


def live(path: Path) -> tuple[FakeBook, ExcelBook]:
    fake = FakeBook.open(path)
    return fake, ExcelBook(fake)


def pull(org: Any, path: Path, horizon: int = 18, history: int = 3) -> ReviewFile:
    from sync.localorg.demo.org import DEMO_REP

    return ReviewFile(pull_to_workbook(org, DEMO_REP, path, horizon=horizon, history=history))


def edit_cells(review: ReviewFile, count: int, with_notes: bool, base: float = 1234.0) -> list[str]:
    cells = [review.open_cell(block=i) for i in range(count)]
    values: dict[str, Any] = {cell: base + i for i, cell in enumerate(cells)}
    if with_notes:
        for cell in cells:
            block = review.block_of(cell)
            values[review.row_cell(layout.H_REASON, block)] = "Promotion"
            values[review.row_cell(layout.H_NOTE, block)] = "Spring promotion at this account"
    review.edit(values)
    return cells


@pytest.fixture
def org(org_file: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The local demo org (the Salesforce backend is covered by the push tests), which the
    ribbon finds as the workbook's org."""
    from sync.localorg import LocalOrg

    local = LocalOrg(org_file)
    monkeypatch.setattr(ribbon, "org_for", lambda book: local)
    return local


@pytest.fixture
def demo(org: Any, tmp_path: Path) -> ReviewFile:
    return pull(org, tmp_path / "review.xlsx")


# ------------------------------------------------------------------ what the user sees


def test_check_lists_problems_in_a_dialog_and_marks_the_cells(demo: ReviewFile) -> None:
    cells = edit_cells(demo, 3, with_notes=False)
    fake, book = live(demo.path)
    message = ribbon.run(ribbon.check_action, book)

    (alert,) = fake.app.alerts
    assert alert["prompt"] == message
    assert "3 cell(s)" in message and all(c in message for c in cells)
    assert "Check sheet" in message
    ws = fake.wb[layout.CHECK]
    listed = [ws.cell(row=r, column=9).value for r in range(1, ws.max_row + 1)]
    assert {f"{layout.REVIEW}!{c}" for c in cells} <= set(listed)
    review = fake.wb[layout.REVIEW]
    assert {review[c].fill.fgColor.rgb for c in cells} == {"00FFC7CE"}
    assert fake.wb.active.title == layout.CHECK  # the user sees the list
    assert fake.app.status_history[0].startswith("Checking")
    assert fake.app.status_history[-1] is False  # the status bar is given back


def test_push_sends_the_changes_and_writes_the_receipt(demo: ReviewFile, org: Any) -> None:
    cells = edit_cells(demo, 3, with_notes=True)
    fake, book = live(demo.path)
    message = ribbon.run(ribbon.push_action, book)
    assert message.startswith("Pushed 3 of 3 changed cell(s)"), message
    assert fake.app.alerts[-1]["mode"] == "info"
    log = fake.wb[layout.PUSH_LOG]
    logged = " ".join(str(c.value) for row in log.iter_rows() for c in row if c.value)
    assert all(cell in logged for cell in cells)
    assert fake.wb.active.title == layout.PUSH_LOG  # the user sees the receipt
    assert fake.saved == 1

    again = ribbon.run(ribbon.push_action, book)  # the baseline moved forward
    assert again == "No changed cells: nothing to push."


def test_dry_run_sends_nothing(demo: ReviewFile) -> None:
    edit_cells(demo, 2, with_notes=True)
    fake, book = live(demo.path)
    message = ribbon.run(ribbon.dry_run_action, book)
    assert message.startswith("Dry run: nothing was sent.")
    assert fake.saved == 0
    assert ribbon.run(ribbon.push_action, book).startswith("Pushed 2 of 2")


def test_a_user_mistake_is_an_excel_dialog_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    openpyxl.Workbook().save(path)
    fake, book = live(path)
    for action in (ribbon.check_action, ribbon.push_action, ribbon.refresh_action):
        ribbon.run(action, book)
    assert len(fake.app.alerts) == 3
    for alert in fake.app.alerts:
        assert alert["mode"] == "critical"
        assert "not a demandgrid review workbook" in alert["prompt"]
        assert "Traceback" not in alert["prompt"]


def test_push_refused_by_check_says_how_many_and_where(demo: ReviewFile) -> None:
    cells = edit_cells(demo, 2, with_notes=False)
    fake, book = live(demo.path)
    message = ribbon.run(ribbon.push_action, book)
    assert fake.app.alerts[-1]["mode"] == "critical"
    assert "2 cell(s)" in message and cells[0] in message and "nothing was sent" in message


def test_an_unexpected_error_points_at_the_log(
    demo: ReviewFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ribbon, "LOG_FILE", tmp_path / "demandgrid.log")

    def broken(book: ExcelBook) -> str:
        raise RuntimeError("secret detail")

    fake, book = live(demo.path)
    message = ribbon.run(broken, book)
    assert "RuntimeError" in message and str(tmp_path / "demandgrid.log") in message
    assert "secret detail" not in message
    assert "secret detail" in (tmp_path / "demandgrid.log").read_text()


def test_refresh_keeps_unpushed_changes(demo: ReviewFile) -> None:
    cells = edit_cells(demo, 1, with_notes=True)
    fake, book = live(demo.path)
    message = ribbon.run(ribbon.refresh_action, book)
    assert "1 of your unpushed change(s) kept, 0 conflict(s)" in message
    assert fake.wb[layout.REVIEW][cells[0]].value == 1234.0


def test_refresh_brings_the_orgs_latest_values(demo: ReviewFile, org: Any) -> None:
    from addin.book.xlsx import XlsxBook
    from addin.review.readback import read_workbook

    cell = demo.open_cell(block=0)
    reviewed = read_workbook(XlsxBook.open(demo.path))
    record_id = next(
        e for e in reviewed.record.cells if reviewed.address(e["row_key"], _d(e)) == cell
    )
    org.update(
        "AccountProductPeriodForecast",
        [{"Id": record_id["record_id"], "AdjustedForecastedQuantity": 4321.0}],
    )
    fake, book = live(demo.path)
    message = ribbon.run(ribbon.refresh_action, book)
    assert message.startswith("Refreshed 3,150 forecast cells"), message
    assert fake.wb[layout.REVIEW][cell].value == 4321.0
    check = ribbon.run(ribbon.check_action, book)
    assert check.startswith("No changed cells"), check  # the mirror moved with it


def _d(cell: dict[str, Any]):  # type: ignore[no-untyped-def]
    from datetime import date

    return date.fromisoformat(cell["period_start"])


def test_pull_writes_a_new_workbook_and_opens_it(
    org_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.localorg.demo.org import DEMO_REP

    monkeypatch.setattr(
        ribbon,
        "settings",
        lambda: {"ORG": str(org_file), "REP": DEMO_REP, "WORKBOOK_DIR": str(tmp_path / "out")},
    )
    blank = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(blank)
    fake, book = live(blank)
    message = ribbon.run(ribbon.pull_action, book)
    (opened,) = fake.app.opened
    assert Path(opened).is_file() and Path(opened).parent == tmp_path / "out"
    assert "3,150 cells" in message and opened in message
    assert fake.app.alerts[-1]["mode"] == "info"


# ------------------------------------------------------------------ calls into Excel


@pytest.mark.parametrize("action", ["check", "push", "refresh"])
def test_range_calls_do_not_grow_with_the_cells(action: str, org: Any, tmp_path: Path) -> None:
    counts = {}
    for name, horizon, history in (("small", 3, 0), ("large", 18, 3)):
        review = pull(org, tmp_path / f"{name}.xlsx", horizon=horizon, history=history)
        if action != "refresh":
            # Each its own values: both workbooks hold the same first periods.
            edit_cells(review, 3, with_notes=action == "push", base=1000.0 + horizon)
        fake, book = live(review.path)
        run = {
            "check": ribbon.check_action,
            "push": ribbon.push_action,
            "refresh": ribbon.refresh_action,
        }[action]
        ribbon.run(run, book)
        assert fake.app.alerts[-1]["mode"] == "info", fake.app.alerts[-1]["prompt"]
        cells = sum(
            1 for row in fake.wb[layout.REVIEW].iter_rows() for c in row if c.value is not None
        )
        counts[name] = (range_calls(fake.calls), cells)
    (small, small_cells), (large, large_cells) = counts["small"], counts["large"]
    assert large_cells > 2 * small_cells
    assert small == large, (small, large)
    assert small <= MAX_RANGE_CALLS[action], small


def test_marks_go_out_in_unions_of_at_most_255_characters() -> None:
    addresses = [f"AB{row}" for row in range(1000, 1300)]
    unions = union_addresses(addresses)
    assert all(len(u) <= 255 for u in unions)
    assert ",".join(unions).split(",") == addresses
    assert len(unions) == -(-len(",".join(addresses)) // 255) or len(unions) < 20


def test_refresh_on_a_scenario_workbook_goes_through_its_file(
    org_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from addin.fpa.build import build_scenarios
    from addin.fpa.layout import RECORD
    from sync.localorg import LocalOrg

    path = build_scenarios(
        LocalOrg(org_file), tmp_path / "fpa.xlsx", forecast_set="ibp", region="LATAM"
    )
    monkeypatch.setattr(ribbon, "settings", lambda: {"ORG": str(org_file)})
    fake, book = live(path)
    assert RECORD in fake.wb.sheetnames
    message = ribbon.run(ribbon.refresh_action, book)
    assert message.startswith("Refreshed the Data table."), message
    assert fake.saved == 1 and fake.closed
    assert fake.app.opened == [str(path)]
    assert openpyxl.load_workbook(path).sheetnames == fake.wb.sheetnames


def test_strings_stay_text_and_numbers_stay_numbers(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    openpyxl.Workbook().save(path)
    fake, book = live(path)
    sheet = fake.wb.active.title
    row = ['=HYPERLINK("http://x")', "+1 Industries", "00123", -5.0, None, "-5"]
    book.write(sheet, "B2", [row])
    assert book.read(sheet, "B2:G2") == [row]
    assert book.read_formulas(sheet, "B2:G2") == [row]
    cells = fake.wb[sheet]
    assert cells["B2"].data_type == "s" and cells["E2"].value == -5.0
    book.write_formulas(sheet, "B3", [["=1+1", "=SUM(B2:C2)"]])
    assert book.read_formulas(sheet, "B3:C3") == [["=1+1", "=SUM(B2:C2)"]]


@pytest.mark.parametrize(
    ("refers_to", "expected"),
    [
        ("='Review'!$A$8:$Z$300", ("Review", "A8:Z300")),
        ("=Review!$B$2", ("Review", "B2")),
        ("='Push Log'!$A$1", ("Push Log", "A1")),
        ("='Rep''s view'!$C$3:$D$4", ("Rep's view", "C3:D4")),
        ("=#REF!", None),
    ],
)
def test_defined_names_resolve_to_sheet_and_address(
    refers_to: str, expected: tuple[str, str] | None, tmp_path: Path
) -> None:
    from addin.excel.book import _refers_to

    assert _refers_to(refers_to) == expected


def test_define_and_resolve_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Rep's view"
    wb.save(path)
    fake, book = live(path)
    book.define("dg_test", "Rep's view", "C3:D4")
    assert book.resolve("dg_test") == ("Rep's view", "C3:D4")
    assert book.resolve("dg_missing") is None
