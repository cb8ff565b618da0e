"""Every visible sheet of the review workbook, as LibreOffice prints it, reads as finished: after
the pull, after a check with problems, after a push that stopped on a conflict.

Each stage's workbook is recalculated and printed to PDF by LibreOffice (print areas, fit to
width, headings repeated: the sheets' own print setup). The test fails on what a reader would
see as broken: ``###`` or an error value anywhere on the pages, and text wider than its column
in the columns people read (names, notes, messages, what to do, the lock reasons over the
periods): such text must fit, or wrap in a row tall enough for its lines, since neither
LibreOffice nor Excel grows a row when it opens a file. Widths are estimated from the
characters (a width unit is a "0" of the default font; bold runs wider), as
``tests/addin/fpa/test_scenarios.py::test_rendered_pages`` does for figures.

To look at the pages yourself: ``DEMANDGRID_RENDER_DIR=/tmp/render pytest -q
tests/addin/review/test_rendered_sheets.py`` keeps each stage's workbook, PDF and PNGs in
``/tmp/render/review-sheets/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from openpyxl.utils.cell import column_index_from_string

from addin.book.errors import ConflictsFound
from addin.check.file import check_file
from addin.push.file import push_file
from addin.review import layout

pytestmark = pytest.mark.libreoffice

#: Headings of the columns people read, on every sheet that has them.
READ = {
    "Account",
    "Region",
    "Product family",
    "Product",
    "Reason code",
    "Note",
    "Rule",
    "Message",
    "What to do",
    "Their note",
    "My note",
}
#: Points per line of wrapped 11-point text, at the least.
LINE = 13.5
PRINTED = {
    "pull": ["Demand review", "Summary: adjusted forecast"],
    "check": ["problem(s)", "What to do"],
    "push": ["No open problems", "Push id", "Org response", "changed in the org", "Take"],
}
ERRORS = re.compile(r"###|#(REF!|VALUE!|NAME\?|DIV/0!|N/A|NUM!|NULL!)")


def _stages(org_file: Path, folder: Path, office: Any) -> dict[str, Path]:
    """The demo rep's workbook after pull, after check (problems), after push (a conflict)."""
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_PLANNER

    org = LocalOrg(org_file)
    review = ReviewFile(pull_review_file(org, folder / "review.xlsx", horizon=6, history=1))
    stages = {"pull": folder / "1-pull.xlsx"}
    shutil.copyfile(review.path, stages["pull"])

    review.edit({review.open_cell(0, 1): "lots", review.open_cell(1, 0): 75})
    report = check_file(review.path)
    assert not report.ok and len(report.issues) >= 3
    stages["check"] = folder / "2-check.xlsx"
    shutil.copyfile(review.path, stages["check"])

    # The rep fixes them in LibreOffice, as typed (a long note wraps in its cell).
    texts: dict[str, str] = {}
    for block in (0, 1):
        row_block = review.block_of(review.open_cell(block, 0))
        texts[review.row_cell(layout.H_REASON, row_block)] = layout.REASON_CODES[0]
        texts[review.row_cell(layout.H_NOTE, row_block)] = (
            "Confirmed with the buyer in the quarterly review; the distributor holds two "
            "weeks of stock, so the spring order ships in two lots."
        )
    cells = {f"{layout.REVIEW}!{a}": v for a, v in texts.items()}
    office.edit(
        review.path,
        {"values": {f"{layout.REVIEW}!{review.open_cell(0, 1)}": 480}, "texts": cells},
    )
    push_file(review.path, str(org_file))  # the Push Log's first receipt
    address = review.open_cell(2, 0)
    row_block = review.block_of(address)
    review.edit(
        {
            address: 950,
            review.row_cell(layout.H_REASON, row_block): layout.REASON_CODES[1],
            review.row_cell(layout.H_NOTE, row_block): "Buyer confirmed the spring order",
        }
    )
    from addin.book.xlsx import XlsxBook
    from addin.review.readback import read_workbook

    (change,) = read_workbook(XlsxBook.open(review.path)).changes
    planner = LocalOrg(org_file, username=DEMO_PLANNER)
    planner.update(
        "AccountProductPeriodForecast",
        [
            {
                "Id": change.record_id,
                "AdjustedForecastedQuantity": 910,
                "AdjustmentComments": "[Allocation] Supply review cut after the plant audit",
            }
        ],
    )
    with pytest.raises(ConflictsFound):
        push_file(review.path, str(org_file))
    stages["push"] = folder / "3-push.xlsx"
    shutil.copyfile(review.path, stages["push"])
    return stages


def _lines(text: str, width: float, bold: bool) -> int:
    """Lines of ``text`` wrapped in a column ``width`` wide (11-point Calibri, as LibreOffice
    draws it with Carlito: about 1.2 characters of text per width unit, bold 1.05)."""
    fits = max(1, int(width * (1.05 if bold else 1.2)) - 1)
    return sum(len(textwrap.wrap(p, fits)) or 1 for p in text.split("\n"))


def _width(ws: Any, letter: str) -> float:
    """The column's width in characters (8.43, the default, for a column never sized); a
    file saved by LibreOffice sizes runs of columns at once (``<col min= max=>``)."""
    index = column_index_from_string(letter)
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= index <= (dim.max or dim.min) and dim.customWidth:
            return dim.width
    return 8.43


def _cut_off(ws: Any) -> list[str]:
    """Cells in the columns people read whose text does not show whole."""
    heading_rows = [
        row[0].row
        for row in ws.iter_rows(max_row=min(ws.max_row, 40))
        if any(c.value in READ for c in row)
    ]
    found = []
    for top in heading_rows:
        columns = [c for c in ws[top] if c.value in READ]
        for head in columns:
            letter = head.column_letter
            if any(
                d.hidden and d.min <= head.column <= (d.max or d.min)
                for d in ws.column_dimensions.values()
                if d.min is not None
            ):
                continue
            width = _width(ws, letter)
            for (cell,) in ws.iter_rows(min_row=top + 1, min_col=head.column, max_col=head.column):
                if not isinstance(cell.value, str) or not cell.value:
                    continue
                if cell.value in READ:  # the next table's heading row
                    break
                bold = bool(cell.font and cell.font.b)
                if cell.alignment is not None and cell.alignment.wrap_text:
                    height = ws.row_dimensions[cell.row].height or 15
                    if _lines(cell.value, width, bold) * LINE > height:
                        found.append(f"{ws.title}!{cell.coordinate} wraps past its row")
                elif len(cell.value) / (1.0 if bold else 1.1) + 1 > width:
                    found.append(f"{ws.title}!{cell.coordinate} {cell.value!r} > {width}")
    return found


def _lock_reasons_cut_off(wb: Any) -> list[str]:
    sheet, ref = next(iter(wb.defined_names[layout.N_LOCK_ANCHOR].destinations))
    ws = wb[sheet]
    row = int(re.sub(r"\D", "", ref))
    height = ws.row_dimensions[row].height or 15
    return [
        f"{sheet}!{c.coordinate} lock reason wraps past its row"
        for c in ws[row]
        if isinstance(c.value, str)
        and c.alignment.wrap_text
        and _lines(c.value, _width(ws, c.column_letter), False) * LINE > height
    ]


def test_every_sheet_prints_whole_after_pull_check_and_push(
    org_file: Path, libreoffice: Any, tmp_path: Path
) -> None:
    keep = os.environ.get("DEMANDGRID_RENDER_DIR")
    folder = Path(keep) / "review-sheets" if keep else tmp_path
    if keep:
        shutil.rmtree(folder, ignore_errors=True)  # this test's own folder, from a last run
    folder.mkdir(parents=True, exist_ok=True)
    stages = _stages(org_file, folder, libreoffice)
    problems = []
    for stage, path in stages.items():
        wb = openpyxl.load_workbook(path)
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        expected = {"pull": 2, "check": 3, "push": 5}[stage]  # Review, Summary, then the rest
        assert len(visible) == expected, [ws.title for ws in visible]
        for ws in visible:
            problems += [f"{stage}: {p}" for p in _cut_off(ws)]
        problems += [f"{stage}: {p}" for p in _lock_reasons_cut_off(wb)]

        pdf = libreoffice.pdf(path, path.with_suffix(".pdf"))
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        problems += [f"{stage}: {m.group(0)} on the printed pages" for m in ERRORS.finditer(text)]
        for shown in PRINTED[stage]:  # every sheet prints, headings and all
            assert shown in text, (stage, shown)
        if keep:
            subprocess.run(
                ["pdftoppm", "-png", "-r", "70", str(pdf), str(pdf.with_suffix(""))], check=True
            )
    assert problems == [], "\n".join(problems[:20])
