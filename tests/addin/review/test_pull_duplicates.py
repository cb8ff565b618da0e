"""Two org records for one account x product x period are reported at pull and locked, not
silently collapsed into one grid cell (``sync.pull.duplicates``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest_checkpush import ReviewFile, small_cells

from addin.book.xlsx import XlsxBook
from addin.check.rules import check
from addin.review import layout
from addin.review.pull import pull_review
from addin.review.readback import read_workbook
from addin.review.writer import write_workbook
from sync.pull.duplicates import lock_duplicates


def _with_a_second_record():  # type: ignore[no-untyped-def]
    cells = small_cells()
    twin = cells.frame.iloc[[0]].copy()
    twin["record_id"] = "0AZ0000000000TWINAA"
    twin["adjusted"] = 999.0
    cells.frame = pd.concat([cells.frame, twin], ignore_index=True)
    return cells


def test_a_second_record_for_a_cell_is_reported_and_locked(tmp_path: Path) -> None:
    cells = _with_a_second_record()
    frame, warnings = lock_duplicates(cells.frame)
    (warning,) = warnings
    assert "Acme Corp / Pumps" in warning and "2 forecast records" in warning
    assert "0AZ0000000000TWINAA" in warning and "pull again" in warning
    twins = frame[frame["record_id"].isin([cells.frame.iloc[0].record_id, "0AZ0000000000TWINAA"])]
    assert twins["locked"].all() and set(twins["lock_reason"]) == {
        "2 forecast records in the org for this cell"
    }
    assert lock_duplicates(small_cells().frame)[1] == []

    cells.frame = frame
    review = ReviewFile(write_workbook(cells, tmp_path / "review.xlsx"))
    review.edit(
        {
            review.cell(0, 0): 5,
            review.row_cell(layout.H_NOTE, 0): "Customer confirmed",
            review.row_cell(layout.H_REASON, 0): "Promotion",
        }
    )
    report = check(read_workbook(XlsxBook.open(review.path)))
    (issue,) = report.errors
    assert issue.rule == "locked" and "2 forecast records in the org" in issue.message


def test_pull_lists_the_warning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import addin.review.pull
    import sync.cycle.locks
    import sync.pull.cells
    import sync.pull.upside

    monkeypatch.setattr(sync.pull.cells, "pull_cells", lambda *a, **k: _with_a_second_record())
    # no org behind this pull: nothing gathered in Phase 1 (issue 13 A), no closed review (12)
    monkeypatch.setattr(addin.review.pull, "with_gathered", lambda org, frame, measure: frame)
    monkeypatch.setattr(addin.review.pull, "freshness_line", lambda org: "")
    monkeypatch.setattr(sync.cycle.locks, "closed_lock_rules", lambda org: None)
    monkeypatch.setattr(sync.pull.upside, "with_upside", lambda org, cells, profile: cells)
    pulled = pull_review(object(), "rep", tmp_path / "review.xlsx")  # type: ignore[arg-type]
    assert len(pulled.warnings) == 1 and "2 forecast records" in pulled.warnings[0]
