"""Fixtures for check and push: small review workbooks written with openpyxl from ``addin.layout``.

``small_review(path)`` lays out a handful of synthetic pulled cells with the grid builder
(``addin.grid.build_grid``) and writes them as the governed workbook would: grid on Review,
defined names, hidden record. Unit tests of read-back and check use it so they need no org;
end-to-end tests use the real pull (``addin.pull_workbook``) on the local org.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter

from addin import layout
from addin.grid import Formula, build_grid, record_cells
from addin.record import WorkbookRecord, encode
from sync.records import CELL_COLUMNS, PullContext

ORG_ID = "00D000000000001AAA"
USER = "rep@demo.example"

CONTEXT = PullContext(
    org_id=ORG_ID,
    org_name="Demo Manufacturing",
    instance="local:/tmp/none.sqlite",
    user_id="005000000000001AAA",
    user_name="Dana Rep",
    pulled_by=USER,
    pulled_at="2026-11-24T10:00:00Z",
    measure="quantity",
    profile="standard",
    horizon=3,
    first_period=date(2026, 12, 1),
)

ACCOUNTS = ["Acme Corp", "=HYPERLINK(\"x\")"]
PRODUCTS = ["Pumps", "Valves"]
PERIODS = [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]


@dataclass
class Cells:
    frame: pd.DataFrame
    context: PullContext
    periods: list[date]


def small_cells(*, locked_period: int | None = None, adjusted: bool = True) -> Cells:
    """2 accounts x 2 products x 3 periods; cell (i, j) baseline 100*(i+1)+j, adjusted +5."""
    rows: list[dict[str, Any]] = []
    n = 0
    for a, account in enumerate(ACCOUNTS):
        for p, product in enumerate(PRODUCTS):
            key = f"0AP00000000000{a}{p}AA"
            for j, period in enumerate(PERIODS):
                n += 1
                base = float(100 * (2 * a + p + 1) + j)
                locked = locked_period == j
                rows.append(
                    {
                        "record_id": f"0AZ0000000000{n:02d}AA",
                        "row_key": key,
                        "account_id": f"001000000000000{a}AA",
                        "account_name": account,
                        "region": "EMEA",
                        "product_id": f"01t00000000000{p}AA",
                        "product_name": product,
                        "product_family": "Fluid",
                        "period_id": f"0Pd00000000000{j}AA",
                        "period_start": period,
                        "baseline": base,
                        "adjusted": base + 5 if adjusted else float("nan"),
                        "note": "",
                        "actual": float("nan"),
                        "last_year": base - 10,
                        "target": base + 20,
                        "modstamp": "2026-11-20T08:00:00.000+0000",
                        "locked": locked,
                        "lock_reason": "past period" if locked else "",
                    }
                )
    frame = pd.DataFrame(rows, columns=list(CELL_COLUMNS))
    return Cells(frame, CONTEXT, PERIODS)


def write_small_review(path: Path, cells: Cells | None = None, *, top: int = 8) -> Path:
    """The governed workbook for ``cells``, written with openpyxl following ``addin.layout``."""
    cells = cells or small_cells()
    grid = build_grid(cells, top=top)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = layout.REVIEW
    for c, heading in enumerate(grid.headings, start=1):
        ws.cell(row=top, column=c, value=heading)
    for r, row in enumerate(grid.rows, start=top + 1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and not isinstance(value, Formula):
                cell.data_type = "s"
    for (r, c), text in grid.cell_notes.items():
        ws.cell(row=grid.first_row + r, column=c + 1).comment = Comment(text, "demandgrid")
    last = get_column_letter(len(grid.headings))
    wb.defined_names[layout.N_GRID] = openpyxl.workbook.defined_name.DefinedName(
        layout.N_GRID, attr_text=f"Review!$A${top}:${last}${grid.last_row}"
    )
    p0 = get_column_letter(grid.first_period + 1)
    p1 = get_column_letter(grid.first_period + len(grid.periods))
    wb.defined_names[layout.N_PERIODS] = openpyxl.workbook.defined_name.DefinedName(
        layout.N_PERIODS, attr_text=f"Review!${p0}${top}:${p1}${top}"
    )
    lists = wb.create_sheet(layout.LISTS)
    for i, code in enumerate(layout.REASON_CODES, start=1):
        lists.cell(row=i, column=1, value=code)
    wb.defined_names[layout.N_REASON_CODES] = openpyxl.workbook.defined_name.DefinedName(
        layout.N_REASON_CODES, attr_text=f"Lists!$A$1:$A${len(layout.REASON_CODES)}"
    )
    rec = wb.create_sheet(layout.RECORD)
    rec.sheet_state = "veryHidden"
    record = WorkbookRecord(context=cells.context, cells=record_cells(cells.frame))
    for i, value in enumerate(encode(record), start=1):
        rec.cell(row=i, column=1, value=value).data_type = "s"
    wb.defined_names[layout.N_RECORD] = openpyxl.workbook.defined_name.DefinedName(
        layout.N_RECORD, attr_text=f"{layout.RECORD}!$A$1"
    )
    wb.save(path)
    return path


class ReviewFile:
    """A small review workbook on disk plus handy addresses of its Adjusted cells."""

    def __init__(self, path: Path) -> None:
        self.path = path
        wb = openpyxl.load_workbook(path)
        ws = wb[layout.REVIEW]
        heads = [c.value for c in ws[8]]
        self.columns = {h: get_column_letter(i + 1) for i, h in enumerate(heads) if isinstance(h, str)}
        self.period_columns = [
            get_column_letter(i + 1) for i, h in enumerate(heads) if hasattr(h, "year")
        ]
        self.adjusted_rows = [
            r for r in range(9, ws.max_row + 1) if ws.cell(r, 5).value == layout.ADJUSTED
        ]

    def cell(self, block: int = 0, period: int = 0) -> str:
        return f"{self.period_columns[period]}{self.adjusted_rows[block]}"

    def row_cell(self, heading: str, block: int = 0) -> str:
        return f"{self.columns[heading]}{self.adjusted_rows[block]}"

    def edit(self, values: dict[str, Any], sheet: str = layout.REVIEW, comments: dict[str, str] | None = None) -> Path:
        wb = openpyxl.load_workbook(self.path)
        ws = wb[sheet]
        for address, value in values.items():
            ws[address].value = value
        for address, text in (comments or {}).items():
            ws[address].comment = Comment(text, "Dana Rep")
        wb.save(self.path)
        return self.path


@pytest.fixture
def review(tmp_path: Path) -> ReviewFile:
    return ReviewFile(write_small_review(tmp_path / "review.xlsx"))
