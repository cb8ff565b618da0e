"""Refresh sees two org records for one cell as the pull does (``review_cells`` locks them):
a workbook pulled with a duplicate refreshes, and a duplicate that appears after the pull is
a refusal naming the locks, never a silent pick of one of the two records."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest_checkpush import pull_review_file

from addin.book.xlsx import XlsxBook
from addin.review.readback import read_workbook
from addin.review.refresh import RefreshNeedsNewPull, refresh_workbook
from sync.localorg import LocalOrg
from sync.pull.duplicates import DUPLICATE_REASON

TWIN = "0AZ0000000000TWINAA"


def _add_a_second_record(org_file: Path, record_id: str) -> None:
    """A copy of forecast record ``record_id`` under another Id, as a broken load would leave."""
    with sqlite3.connect(org_file) as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(AccountProductPeriodForecast)")]
        chosen = ", ".join("?" if c == "Id" else c for c in columns)
        db.execute(
            f"INSERT INTO AccountProductPeriodForecast ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {chosen} FROM AccountProductPeriodForecast WHERE Id = ?",
            (TWIN, record_id),
        )


def _an_open_record(path: Path) -> str:
    cells = read_workbook(XlsxBook.open(path)).record.cells
    return next(c["record_id"] for c in cells if not c["locked"])


def test_a_workbook_pulled_with_a_duplicate_refreshes_and_keeps_it_locked(
    org_file: Path, tmp_path: Path
) -> None:
    org = LocalOrg(org_file)
    first = pull_review_file(org, tmp_path / "first.xlsx")
    _add_a_second_record(org_file, _an_open_record(first))
    path = pull_review_file(org, tmp_path / "review.xlsx")

    refresh_workbook(XlsxBook.open(path), org)

    cells = read_workbook(XlsxBook.open(path)).record.cells
    twins = [c for c in cells if c["lock_reason"] == DUPLICATE_REASON.format(n=2)]
    assert twins and all(c["locked"] for c in twins)


def test_a_duplicate_that_appears_after_the_pull_is_a_refusal(
    org_file: Path, tmp_path: Path
) -> None:
    org = LocalOrg(org_file)
    path = pull_review_file(org, tmp_path / "review.xlsx")
    before = path.read_bytes()
    _add_a_second_record(org_file, _an_open_record(path))

    with pytest.raises(RefreshNeedsNewPull, match="locks changed on 1 cell") as refused:
        refresh_workbook(XlsxBook.open(path), org)
    assert "now locked (2 forecast records in the org for this cell)" in str(refused.value)
    assert path.read_bytes() == before
