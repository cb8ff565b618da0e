"""Fixtures for check and push: small review workbooks and edits made to them with openpyxl.

``write_small_review(path)`` writes a handful of synthetic pulled cells with the real writer
(``addin.review.writer.write_workbook``), so unit tests of read-back and check need no org;
end-to-end tests pull from the local org (``addin.review.pull``). ``ReviewFile`` finds the
Adjusted cells by the grid's defined name and edits them as a rep would.
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
from openpyxl.utils.cell import range_boundaries

from addin.review import layout
from addin.review.writer import write_workbook
from sync.org.records import CELL_COLUMNS, PullContext

ORG_ID = "00D000000000001AAA"
USER = "rep@demo.example"


def _month(first: date, months: int) -> date:
    total = first.year * 12 + first.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


# Open periods whatever today is: past the current month and the default 1-month frozen zone.
PERIODS = [_month(date.today().replace(day=1), 2 + i) for i in range(3)]


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
    first_period=PERIODS[0],
)

ACCOUNTS = ["Acme Corp", '=HYPERLINK("x")']
PRODUCTS = ["Pumps", "Valves"]


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


def write_small_review(path: Path, cells: Cells | None = None) -> Path:
    """The governed workbook for ``cells``, written by the real writer."""
    return write_workbook(cells or small_cells(), path)


class ReviewFile:
    """A small review workbook on disk plus handy addresses of its Adjusted cells."""

    def __init__(self, path: Path) -> None:
        self.path = path
        wb = openpyxl.load_workbook(path)
        sheet, ref = next(iter(wb.defined_names[layout.N_GRID].destinations))
        ws = wb[sheet]
        min_col, top, max_col, bottom = range_boundaries(ref.replace("$", ""))
        heads = [c.value for c in ws[top]][:max_col]
        self.top = top
        self.columns = {
            h: get_column_letter(i + 1) for i, h in enumerate(heads) if isinstance(h, str)
        }
        self.period_columns = [
            get_column_letter(i + 1) for i, h in enumerate(heads) if hasattr(h, "year")
        ]
        kind = self.columns[layout.H_KIND]
        self.adjusted_rows = [
            r for r in range(top + 1, bottom + 1) if ws[f"{kind}{r}"].value == layout.ADJUSTED
        ]
        self.bottom = bottom
        # Unlocked cells with a record, row by row: (block index, address).
        from addin.book.xlsx import XlsxBook
        from addin.review.readback import read_workbook

        reviewed = read_workbook(XlsxBook.open(path))
        by_cell = reviewed.record.by_cell()
        row_block = {r: i for i, r in enumerate(self.adjusted_rows)}
        self.open_cells: list[tuple[int, str]] = []
        for key, row in sorted(reviewed.adjusted_rows.items(), key=lambda kv: kv[1]):
            for period in reviewed.periods:
                rec = by_cell.get((key, period.isoformat()))
                if rec is not None and not rec["locked"]:
                    self.open_cells.append((row_block[row], reviewed.address(key, period)))

    def open_cell(self, block: int = 0, nth: int = 0) -> str:
        """The ``nth`` unlocked cell of the ``block``-th block that has any."""
        blocks = sorted({b for b, _ in self.open_cells})
        b = blocks[block]
        return [a for bb, a in self.open_cells if bb == b][nth]

    def block_of(self, address: str) -> int:
        row = int("".join(ch for ch in address if ch.isdigit()))
        return self.adjusted_rows.index(row)

    def cell(self, block: int = 0, period: int = 0) -> str:
        return f"{self.period_columns[period]}{self.adjusted_rows[block]}"

    def row_cell(self, heading: str, block: int = 0) -> str:
        return f"{self.columns[heading]}{self.adjusted_rows[block]}"

    def edit(
        self,
        values: dict[str, Any],
        sheet: str = layout.REVIEW,
        comments: dict[str, str] | None = None,
    ) -> Path:
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


# ---------------------------------------------------------------- pulled from the local org


def pull_review_file(org: Any, path: Path, *, horizon: int = 6, history: int = 1) -> Path:
    """The demo rep's review workbook pulled from ``org`` by the real pull."""
    from addin.review.pull import pull_to_workbook
    from sync.localorg.demo.org import DEMO_REP

    return pull_to_workbook(org, DEMO_REP, path, horizon=horizon, history=history)


@pytest.fixture
def pulled(org: Any, tmp_path: Path) -> ReviewFile:
    """The demo rep's workbook pulled from the test's org (fresh copy of the demo org)."""
    return ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))
