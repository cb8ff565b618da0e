"""Spread and merge-refresh on a workbook typed and saved by LibreOffice (UNO): the New total
typed in LibreOffice spreads exactly, and a refresh keeps the LibreOffice edits it should."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_push import ADJUSTED, CELL, NOTE

from addin.book.xlsx import XlsxBook
from addin.check.file import check_file
from addin.push.file import push_file
from addin.push.sheets import write_conflicts
from addin.review import layout
from addin.review.file import refresh_file
from addin.review.readback import read_workbook
from addin.spread.workbook import spread_file
from sync.localorg import LocalOrg

pytestmark = pytest.mark.libreoffice


def test_spread_and_merge_refresh_on_a_libreoffice_saved_workbook(
    org_file: Path, tmp_path: Path, libreoffice
) -> None:  # type: ignore[no-untyped-def]
    org = LocalOrg(org_file)
    review = ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))
    block = review.block_of(review.open_cell(0, 0))
    other = review.block_of(review.open_cell(1, 0))
    mine, theirs = review.open_cell(1, 0), review.open_cell(1, 1)
    ref = lambda a: f"{layout.REVIEW}!{a}"  # noqa: E731
    libreoffice.edit(
        review.path,
        {
            "values": {ref(review.row_cell(layout.H_NEW_TOTAL, block)): 24_000, ref(mine): 777},
            "texts": {
                ref(review.row_cell(layout.H_SPREAD_OVER, block)): "Row",
                ref(review.row_cell(layout.H_REASON, other)): "Promotion",
                ref(review.row_cell(layout.H_NOTE, other)): "Typed in LibreOffice",
            },
            "formulas": {},
            "clear": [],
            "annotations": {},
        },
    )
    assert not check_file(review.path).ok  # the unspread total blocks

    spread_file(review.path, apply=True, reason="Promotion")
    ws = openpyxl.load_workbook(review.path)[layout.REVIEW]
    row = [ws[review.cell(block, j)].value for j in range(len(review.period_columns))]
    assert sum(v for v in row if isinstance(v, int | float)) == 24_000
    libreoffice.save(review.path)  # the rep looks at it in LibreOffice and saves again

    reviewed = read_workbook(XlsxBook.open(review.path))
    record = {(c["row_key"], c["period_start"]): c["record_id"] for c in reviewed.record.cells}
    key = next(k for k, r in reviewed.adjusted_rows.items() if r == review.adjusted_rows[other])
    period = next(p for p, c in reviewed.period_columns.items() if theirs.startswith(c))
    org.update(CELL, [{"Id": record[(key, period.isoformat())], ADJUSTED: 4242, NOTE: "Planner"}])

    done = refresh_file(review.path, conflicts_sheet=write_conflicts)
    assert done.conflicts == () and done.kept >= 1
    ws = openpyxl.load_workbook(review.path)[layout.REVIEW]
    assert (ws[mine].value, ws[theirs].value) == (777, 4242)
    assert ws[review.row_cell(layout.H_NOTE, other)].value == "Typed in LibreOffice"
    assert check_file(review.path).ok
    outcome = push_file(review.path)
    assert outcome.receipt is not None
    assert {c.cell for c in outcome.receipt.cells} >= {mine}
