"""The ribbon's Pre-read button: the same build as `demandgrid preread`, into the workbook
folder, opened in Excel; an org without a closed cycle is a dialog, not a traceback."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from fake_xlwings import FakeBook

from addin.excel import ribbon
from addin.excel.book import ExcelBook


def live(path: Path) -> tuple[FakeBook, ExcelBook]:
    fake = FakeBook.open(path)
    return fake, ExcelBook(fake)


def blank_book(tmp_path: Path) -> tuple[FakeBook, ExcelBook]:
    blank = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(blank)
    return live(blank)


def test_preread_builds_and_opens_the_workbook(
    demo_org_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sync.cycle.snapshots")
    monkeypatch.setattr(
        ribbon,
        "settings",
        lambda: {"ORG": str(demo_org_file), "WORKBOOK_DIR": str(tmp_path / "out")},
    )
    fake, book = blank_book(tmp_path)
    message = ribbon.run(ribbon.preread_action, book)
    (opened,) = fake.app.opened
    assert Path(opened).parent == tmp_path / "out" and Path(opened).name.startswith("preread-")
    assert "Wrote the pre-read of cycle" in message
    assert openpyxl.load_workbook(opened).sheetnames[0] == "Summary"


def test_an_org_without_snapshots_is_a_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.science import history

    monkeypatch.setattr(history, "closed_snapshots", lambda org: {})
    monkeypatch.setattr(ribbon, "settings", lambda: {"WORKBOOK_DIR": str(tmp_path / "out")})
    monkeypatch.setattr("sync.orgs.registry.open_org", lambda name=None: object())
    fake, book = blank_book(tmp_path)
    message = ribbon.run(ribbon.preread_action, book)
    assert "No closed plan snapshot" in message and fake.app.opened == []
    assert fake.app.alerts[-1]["mode"] != "info"
