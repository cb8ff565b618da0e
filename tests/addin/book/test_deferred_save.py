"""Check's save with the grid kept as the file's XML gives the workbook a full openpyxl load gives.

``XlsxBook`` leaves a large sheet it has read out of openpyxl when it writes (``DEFER_AT``
cells and up) and puts the file's rows back on save (``addin.book.deferred``). Here the limit
is lowered so the small test workbooks take that path, and each result is compared with the
same check saved through a full load (``workbook_compare``): on our own file, after a second
check (the first check's marks and fills taken off), and on a file LibreOffice saved (shared
strings, its own style numbering).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import libreoffice
import pytest
from conftest_checkpush import ReviewFile, write_small_review
from workbook_compare import assert_same_workbook

from addin.book import xlsx
from addin.check.file import check_file
from addin.review import layout


def _edited(path: Path) -> Path:
    review = ReviewFile(write_small_review(path))
    note, reason = review.columns[layout.H_NOTE], review.columns[layout.H_REASON]
    rows = review.adjusted_rows
    review.edit(
        {
            review.cell(0, 0): "ten",  # blocked: text
            review.cell(0, 1): -4,  # blocked: negative
            review.cell(2, 0): 10,  # no note: blocked
            review.cell(1, 1): 250,  # changed with a note: fine
            f"{note}{rows[1]}": "Customer confirmed",
            f"{reason}{rows[1]}": "Promotion",
        }
    )
    return review.path


def _check_both_ways(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, times: int = 1
) -> tuple[Path, Path]:
    deferred = shutil.copyfile(source, tmp_path / "deferred.xlsx")
    full = shutil.copyfile(source, tmp_path / "full.xlsx")
    for path, limit in ((deferred, 1), (full, 10**12)):
        monkeypatch.setattr(xlsx, "DEFER_AT", limit)
        for _ in range(times):
            report = check_file(path)
        assert report.issues
    return deferred, full


def test_check_saves_the_same_workbook_with_the_grid_kept_as_xml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deferred, full = _check_both_ways(_edited(tmp_path / "review.xlsx"), tmp_path, monkeypatch)
    assert_same_workbook(deferred, full)


def test_a_second_check_takes_the_first_ones_marks_off_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deferred, full = _check_both_ways(
        _edited(tmp_path / "review.xlsx"), tmp_path, monkeypatch, times=2
    )
    assert_same_workbook(deferred, full)


def test_the_grid_is_kept_only_when_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _edited(tmp_path / "review.xlsx")
    monkeypatch.setattr(xlsx, "DEFER_AT", 1)
    book = xlsx.XlsxBook.open(path)
    book.read_formulas(layout.REVIEW, "A1:B2")
    book.write(layout.REVIEW, "A1", [[1]])
    assert layout.REVIEW in book._deferred
    assert book.read_formulas(layout.REVIEW, "A1:A1") == [[1]]  # the written cell, read back
    monkeypatch.setattr(xlsx, "DEFER_AT", 10**12)
    book = xlsx.XlsxBook.open(path)
    book.read_formulas(layout.REVIEW, "A1:B2")
    book.write(layout.REVIEW, "A1", [[1]])
    assert book._deferred == {}


@pytest.mark.libreoffice
def test_a_libreoffice_saved_workbook_checks_the_same_with_the_grid_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not libreoffice.available():
        pytest.skip("LibreOffice (soffice) is not installed")
    saved = libreoffice.recalc(_edited(tmp_path / "review.xlsx"), tmp_path / "saved.xlsx")
    deferred, full = _check_both_ways(saved, tmp_path, monkeypatch)
    assert_same_workbook(deferred, full)
    # and LibreOffice opens, recalculates and saves what the deferred save wrote
    again = libreoffice.recalc(deferred, tmp_path / "again.xlsx")
    assert_same_workbook(again, libreoffice.recalc(full, tmp_path / "again-full.xlsx"))
