"""The check/push loop on workbooks a rep edits and saves, with openpyxl and with LibreOffice.

Every test runs twice: ``editor`` is openpyxl (a script editing the file) or LibreOffice
(through UNO, one soffice for the session: the rep typing and pressing Save). Between commands
the workbook is saved again by the editor, so each command after the first reads a file the
application wrote, not one demandgrid wrote: check, check again, push, save, push again.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_push import expected_after, snapshot
from libreoffice import Office
from openpyxl.comments import Comment

from addin.book.errors import ChecksFailed, ConflictsFound
from addin.book.xlsx import XlsxBook
from addin.check.file import check_file
from addin.push.file import push_file
from addin.push.sheets import CONFLICT_HEADINGS
from addin.review import layout
from addin.review.readback import read_workbook
from sync.localorg import LocalOrg


class Editor:
    """Edits a workbook file as a rep would, then saves it: openpyxl or LibreOffice."""

    def __init__(self, kind: str, office: Office | None) -> None:
        self.kind = kind
        self._office = office

    def edit(
        self,
        path: Path,
        values: dict[str, Any],
        *,
        comments: dict[str, str] | None = None,
        sheet: str = layout.REVIEW,
    ) -> None:
        """Type ``values`` (None empties the cell) and add cell ``comments``; save."""
        if self._office is None:
            wb = openpyxl.load_workbook(path)
            ws = wb[sheet]
            for address, value in values.items():
                ws[address].value = value
            for address, text in (comments or {}).items():
                ws[address].comment = Comment(text, "Dana Rep")
            wb.save(path)
            return
        spec: dict[str, Any] = {"values": {}, "texts": {}, "formulas": {}, "clear": []}
        for address, value in values.items():
            ref = f"{sheet}!{address}"
            if value is None:
                spec["clear"].append(ref)
            elif isinstance(value, str):
                spec["formulas" if value.startswith("=") else "texts"][ref] = value
            else:
                spec["values"][ref] = value
        spec["annotations"] = {f"{sheet}!{a}": t for a, t in (comments or {}).items()}
        self._office.edit(path, spec)

    def save(self, path: Path) -> None:
        """Open and save the workbook without a change (the rep looked, then pressed Save)."""
        if self._office is None:
            openpyxl.load_workbook(path).save(path)
        else:
            self._office.save(path)


@pytest.fixture(params=["openpyxl", pytest.param("libreoffice", marks=pytest.mark.libreoffice)])
def editor(request: pytest.FixtureRequest) -> Editor:
    office = request.getfixturevalue("libreoffice") if request.param == "libreoffice" else None
    return Editor(request.param, office)


@pytest.fixture
def local(org_file: Path, tmp_path: Path) -> tuple[LocalOrg, ReviewFile]:
    org = LocalOrg(org_file)
    return org, ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))


def noted(review: ReviewFile, values: dict[str, Any], note: str = "Agreed with the buyer") -> dict:
    rows = {review.block_of(a) for a in values}
    extra: dict[str, Any] = {review.row_cell(layout.H_NOTE, b): note for b in rows}
    extra |= {review.row_cell(layout.H_REASON, b): "Promotion" for b in rows}
    return {**extra, **values}


def styles_of(path: Path) -> Counter:
    """How many Review cells carry each named style (the template's look, input vs locked)."""
    ws = XlsxBook.open(path)._wb[layout.REVIEW]
    return Counter(c.style for c in ws._cells.values())


def changes_of(path: Path):  # type: ignore[no-untyped-def]
    return read_workbook(XlsxBook.open(path)).changes


def test_clean_push_then_nothing_left(local, editor: Editor) -> None:
    org, review = local
    a, b, c = review.open_cell(0, 0), review.open_cell(0, 1), review.open_cell(1, 0)
    values = noted(review, {a: 140, b: 0, c: 66.5})
    editor.edit(review.path, values, comments={c: "Summer peak moved to June"})
    changes = changes_of(review.path)
    assert {ch.cell for ch in changes} == {a, b, c}
    assert next(ch for ch in changes if ch.cell == c).note == "Summer peak moved to June"

    assert check_file(review.path).ok
    editor.save(review.path)
    assert check_file(review.path).ok  # a second check, on the file the editor saved
    before = snapshot(org)
    outcome = push_file(review.path)
    assert [x.outcome for x in outcome.receipt.cells] == ["written"] * 3
    assert snapshot(org) == expected_after(before, changes)

    editor.save(review.path)
    again = push_file(review.path)
    assert again.receipt is None and snapshot(org) == expected_after(before, changes)
    assert read_workbook(XlsxBook.open(review.path)).edits == []


def test_blocked_cells_are_refused_run_after_run_then_fixed(local, editor: Editor) -> None:
    org, review = local
    a, b = review.open_cell(0, 0), review.open_cell(1, 1)
    looks = styles_of(review.path)
    editor.edit(review.path, noted(review, {a: "ten", b: -4}))
    before = snapshot(org)

    first = check_file(review.path)
    assert {i.rule for i in first.errors} == {"not-a-number", "negative"}
    second = check_file(review.path)  # clears the first check's marks: the crash on LO files
    assert [i.cell for i in second.issues] == [i.cell for i in first.issues]
    editor.save(review.path)
    third = check_file(review.path)
    assert [i.cell for i in third.issues] == [i.cell for i in first.issues]
    editor.save(review.path)
    with pytest.raises(ChecksFailed, match="nothing was sent"):
        push_file(review.path)
    assert snapshot(org) == before

    editor.edit(review.path, {a: 10, b: 4})
    assert check_file(review.path).ok
    editor.save(review.path)
    outcome = push_file(review.path)  # clears the marks, then pushes
    assert [x.outcome for x in outcome.receipt.cells] == ["written"] * 2
    editor.save(review.path)
    assert push_file(review.path).receipt is None
    ws = openpyxl.load_workbook(review.path)[layout.CHECK]
    assert not any(c.value for row in ws.iter_rows(min_row=3) for c in row)
    assert styles_of(review.path) == looks  # inputs, locked cells, totals keep their styles


def test_conflict_resolved_in_the_take_column(local, editor: Editor, tmp_path: Path) -> None:
    org, review = local
    second = tmp_path / "second.xlsx"
    shutil.copyfile(review.path, second)
    cell = review.open_cell(0, 0)
    editor.edit(review.path, noted(review, {cell: 500}))
    push_file(review.path)
    after_first = snapshot(org)

    editor.edit(second, noted(review, {cell: 900}, note="My own view"))
    with pytest.raises(ConflictsFound, match="Conflicts sheet"):
        push_file(second)
    assert snapshot(org) == after_first
    ws = openpyxl.load_workbook(second)[layout.CONFLICTS]
    heads = [c.value for c in ws[2]]
    assert heads == list(CONFLICT_HEADINGS)
    row = dict(zip(heads, [c.value for c in ws[3]], strict=True))
    assert (row["Theirs"], row["Mine"]) == (500, 900)
    take = f"{openpyxl.utils.get_column_letter(heads.index('Take') + 1)}3"

    editor.edit(second, {take: "theirs"}, sheet=layout.CONFLICTS)
    outcome = push_file(second)
    assert [x.outcome for x in outcome.receipt.cells] == ["kept theirs"]
    assert snapshot(org) == after_first
    editor.save(second)
    assert push_file(second).receipt is None
    assert openpyxl.load_workbook(second)[layout.REVIEW][cell].value == 500


def test_a_note_typed_as_a_formula_sends_the_text_it_shows(local, editor: Editor) -> None:
    org, review = local
    cell = review.open_cell(0, 0)
    block = review.block_of(cell)
    formula = '="Tender "&"won"'
    editor.edit(
        review.path,
        {
            cell: 321,
            review.row_cell(layout.H_NOTE, block): formula,
            review.row_cell(layout.H_REASON, block): "New business",
        },
    )
    if editor.kind == "openpyxl":  # never calculated: its text is unknown, so it is refused
        with pytest.raises(ChecksFailed, match="Note is a formula"):
            push_file(review.path)
        return
    (change,) = changes_of(review.path)
    assert change.note == "Tender won"  # the value LibreOffice calculated and stored
    outcome = push_file(review.path)
    assert [x.note for x in outcome.receipt.cells] == ["Tender won"]
    assert snapshot(org)[change.record_id] == (321, "[New business] Tender won")
