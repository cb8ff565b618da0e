"""The demo's Phase 1 files: the same org writes the same files (the extract and crosswalk byte
for byte, the POS workbooks cell for cell), with late distributors and unknown parts in them."""

from __future__ import annotations

import openpyxl

from addin.gather.demo import write_demo_files
from addin.gather.pos_workbook import read_submission
from sync.localorg import LocalOrg


def _cells(path):
    ws = openpyxl.load_workbook(path)["POS"]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_same_org_same_files(org_file, tmp_path) -> None:
    org = LocalOrg(org_file)
    a = write_demo_files(org, tmp_path / "a")
    b = write_demo_files(org, tmp_path / "b")
    assert a.erp.read_bytes() == b.erp.read_bytes()
    assert a.crosswalk and b.crosswalk and a.crosswalk.read_bytes() == b.crosswalk.read_bytes()
    assert [p.relative_to(tmp_path / "a") for p in a.submissions] == [
        p.relative_to(tmp_path / "b") for p in b.submissions
    ]
    for x, y in zip(a.submissions, b.submissions, strict=True):
        assert _cells(x) == _cells(y)


def test_the_story_has_late_files_and_unknown_parts(org_file, tmp_path) -> None:
    files = write_demo_files(LocalOrg(org_file), tmp_path)
    folders = {p.parent.name for p in files.submissions}
    assert folders == {"in", "late"}
    parts = {line.part for p in files.submissions for line in read_submission(p)[0].lines}
    assert any(part.startswith("NEW-") for part in parts)
    assert any(
        line.quantity < 0 and line.note
        for p in files.submissions
        for line in read_submission(p)[0].lines
    )
