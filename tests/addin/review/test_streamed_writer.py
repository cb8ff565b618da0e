"""The streamed writer makes the same workbook as writing every cell through openpyxl.

``fill_workbook`` streams the grid's data rows into the package openpyxl writes for the rest;
``via_openpyxl=True`` puts the same rows through openpyxl (the reference). Both files are loaded
with openpyxl and compared cell by cell and structure by structure (``workbook_compare``).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest_workbook import SyntheticCells, synthetic_cells
from workbook_compare import assert_same_workbook

from addin.review.writer import fill_workbook, load_template


def _write(cells: Any, path: Path, *, via_openpyxl: bool) -> Path:
    filled = fill_workbook(cells, load_template(), via_openpyxl=via_openpyxl)
    filled.save(path)
    return path


@pytest.fixture(scope="module")
def demo_cells(demo_org_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_REP
    from sync.pull.cells import pull_cells

    org = tmp_path_factory.mktemp("streamed") / "org.sqlite"
    shutil.copyfile(demo_org_file, org)
    return pull_cells(LocalOrg(org), DEMO_REP)


def _synthetic() -> SyntheticCells:
    cells = synthetic_cells()
    cells.frame.loc[5, "baseline"] = -25.0  # negative numbers stay numbers
    cells.frame.loc[7, "account_name"] = "  spaced <&> \x01 name  "  # escaped, kept as text
    return cells


def test_the_demo_workbook_is_the_same_as_through_openpyxl(demo_cells: Any, tmp_path: Path) -> None:
    streamed = _write(demo_cells, tmp_path / "streamed.xlsx", via_openpyxl=False)
    reference = _write(demo_cells, tmp_path / "reference.xlsx", via_openpyxl=True)
    assert_same_workbook(streamed, reference)


def test_injection_names_locks_and_negatives_come_out_the_same(tmp_path: Path) -> None:
    streamed = _write(_synthetic(), tmp_path / "streamed.xlsx", via_openpyxl=False)
    reference = _write(_synthetic(), tmp_path / "reference.xlsx", via_openpyxl=True)
    assert_same_workbook(streamed, reference)
    wb = openpyxl.load_workbook(streamed)
    assert any(c.comment for c in wb["Review"]._cells.values())  # the lock notes are there


def test_the_grid_part_is_valid_xml_with_every_row_once(tmp_path: Path) -> None:
    from lxml import etree

    path = _write(_synthetic(), tmp_path / "streamed.xlsx", via_openpyxl=False)
    sheet = openpyxl.load_workbook(path)["Review"]
    assert sheet.parent.sheetnames[0] == "Review"  # the first worksheet part
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    numbers = [int(r.get("r")) for r in root.iterfind("m:sheetData/m:row", ns)]
    assert numbers == sorted(set(numbers))
    assert root.find("m:dimension", ns).get("ref") == sheet.calculate_dimension()


def test_the_record_written_from_columns_is_the_record_of_the_cells() -> None:
    from addin.review import record
    from addin.review.grid import record_cells, record_columns

    cells = _synthetic()
    whole = record.WorkbookRecord(cells.context, cells=record_cells(cells.frame))
    assert record.encode_columns(cells.context, record_columns(cells.frame)) == record.encode(whole)
    assert record.decode(record.encode(whole)).cells == whole.cells
