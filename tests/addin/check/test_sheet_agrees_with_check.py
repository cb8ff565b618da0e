"""What the sheet shows agrees with check, as LibreOffice draws and recalculates it.

Cells check blocks show red, not "changed" orange: what a formula can see (text, a negative, a
value above the limit) through the grid's own first conditional format, and everything else
(e.g. 200 times the baseline) through check's marks, which outrank the grid's formats. The
header's live problem count counts every blocked cell a formula can see, and a cleared cell,
once pushed, shows the baseline again and no longer counts as changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file, write_small_review
from libreoffice import Office

from addin.book.xlsx import XlsxBook
from addin.check.file import check_file
from addin.push.file import push_file
from addin.review import layout
from addin.review.readback import read_workbook
from sync.localorg import LocalOrg

pytestmark = pytest.mark.libreoffice

RED = (255, 199, 206)  # writer.PROBLEM_FILL, check_sheet.MARK_ERROR
ORANGE = (248, 203, 173)  # writer.CHANGED_FILL


def _header(path: Path, name: str) -> str:
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return f"{sheet}!{ref.replace('$', '')}"


def _edit(review: ReviewFile) -> dict[str, str]:
    """Blocked values, each with a note and a reason unless said; returns cell -> why."""
    note, reason = review.columns[layout.H_NOTE], review.columns[layout.H_REASON]
    rows = review.adjusted_rows
    cells = {
        review.cell(0, 0): ("ten", "text"),
        review.cell(0, 1): (-4, "negative"),
        review.cell(1, 0): (5e9, "above the limit"),
        review.cell(2, 0): (10, "no note"),
        review.cell(3, 1): (150_000, "200 times the baseline"),
    }
    values = {a: v for a, (v, _) in cells.items()}
    for r in (rows[0], rows[1], rows[3]):
        values[f"{note}{r}"] = "Customer confirmed"
        values[f"{reason}{r}"] = "Promotion"
    review.edit(values)
    return {a: why for a, (_, why) in cells.items()}


def test_blocked_cells_show_red_and_are_counted(libreoffice: Office, tmp_path: Path) -> None:
    review = ReviewFile(write_small_review(tmp_path / "review.xlsx"))
    blocked = _edit(review)
    unchecked = shutil.copyfile(review.path, tmp_path / "unchecked.xlsx")

    report = check_file(review.path)
    assert set(report.cells()) == set(blocked)
    # Before check, the grid's own formats: text, negative, above the limit, unexplained.
    for cell in list(blocked)[:4]:
        colors = libreoffice.colors(unchecked, f"{layout.REVIEW}!{cell}", tmp_path)
        assert colors.get(RED, 0) > 0 and colors.get(ORANGE, 0) == 0, blocked[cell]
    # After check, every cell it blocks, including one only check can see.
    for cell, why in blocked.items():
        colors = libreoffice.colors(review.path, f"{layout.REVIEW}!{cell}", tmp_path)
        assert colors.get(RED, 0) > 0 and colors.get(ORANGE, 0) == 0, why

    changed, problems = (
        _header(review.path, layout.N_CHANGED_CELLS),
        _header(review.path, layout.N_OPEN_PROBLEMS),
    )
    live = libreoffice.read(review.path, [changed, problems])
    assert live[changed]["value"] == len(blocked)
    assert live[problems]["value"] == len(blocked) - 1  # all but 200x the baseline

    # Saved by LibreOffice and checked again: the marks are replaced, still on top.
    libreoffice.save(review.path)
    assert set(check_file(review.path).cells()) == set(blocked)
    only_check_sees = list(blocked)[-1]
    colors = libreoffice.colors(review.path, f"{layout.REVIEW}!{only_check_sees}", tmp_path)
    assert colors.get(RED, 0) > 0 and colors.get(ORANGE, 0) == 0


def test_a_cleared_and_pushed_cell_is_no_longer_changed(
    libreoffice: Office, org_file: Path, tmp_path: Path
) -> None:
    org = LocalOrg(org_file)
    review = ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))
    reviewed = read_workbook(XlsxBook.open(review.path))
    by_cell = reviewed.record.by_cell()
    cell, start = next(
        (reviewed.address(k, p), rec)
        for k in reviewed.adjusted_rows
        for p in reviewed.periods
        if (rec := by_cell.get((k, p.isoformat()))) is not None
        and not rec["locked"]
        and rec["adjusted"] is not None
        and rec["baseline"] is not None
    )
    block = review.block_of(cell)
    review.edit(
        {
            cell: None,
            review.row_cell(layout.H_NOTE, block): "Back to the statistical forecast",
            review.row_cell(layout.H_REASON, block): "Other",
        }
    )
    outcome = push_file(review.path)
    assert [c.outcome for c in outcome.receipt.cells] == ["written"]
    ws = openpyxl.load_workbook(review.path)[layout.REVIEW]
    assert ws[cell].value == start["baseline"]  # the cell shows what the org now uses
    changed = _header(review.path, layout.N_CHANGED_CELLS)
    assert libreoffice.read(review.path, [changed])[changed]["value"] == 0
    assert read_workbook(XlsxBook.open(review.path)).edits == []
