"""The hand-off workbooks saved by a real spreadsheet application (LibreOffice): the allocation
workbook still checks and pushes its noted cuts once; an accepted upside pushes once."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from libreoffice import recalc

from addin.book.xlsx import XlsxBook
from addin.handoff.allocation import FAIRNESS, import_allocation
from addin.handoff.upside import accept_upside
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.pull import pull_to_workbook
from sync.handoff.demo import write_demo_files
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP

pytestmark = pytest.mark.libreoffice


def test_allocation_saved_by_libreoffice_pushes_once(org_file: Path, tmp_path: Path) -> None:
    org = LocalOrg(org_file)
    _, allocation = write_demo_files(org, tmp_path, DEMO_PLANNER)
    out = tmp_path / "alloc.xlsx"
    import_allocation(org, allocation, DEMO_PLANNER, out, horizon=8, history=0)
    saved = recalc(out, tmp_path / "alloc-lo.xlsx")
    assert FAIRNESS in openpyxl.load_workbook(saved).sheetnames
    outcome = push_workbook(XlsxBook.open(saved), org)
    assert outcome.receipt is not None
    assert [c.outcome for c in outcome.receipt.cells] == ["written"] * 4
    assert push_workbook(XlsxBook.open(saved), org).receipt is None and org.calls.update == 1


def test_upside_accepted_in_a_libreoffice_saved_workbook(org_file: Path, tmp_path: Path) -> None:
    org = LocalOrg(org_file)
    pulled = pull_to_workbook(org, DEMO_REP, tmp_path / "review.xlsx", horizon=6, history=0)
    saved = recalc(pulled, tmp_path / "review-lo.xlsx")
    ws = openpyxl.load_workbook(saved)[layout.REVIEW]
    kind = next(c.column_letter for c in ws[8] if c.value == layout.H_KIND)
    row = next(c.row for c in ws[kind] if c.value == layout.UPSIDE)
    done = accept_upside(saved, rows=[row])
    assert done.cells
    outcome = push_workbook(XlsxBook.open(saved), org)
    assert outcome.receipt is not None and len(outcome.receipt.cells) == len(done.cells)
