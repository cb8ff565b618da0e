"""A page of the pre-read: a sheet with a title, the snapshot and lag it reads, notes, and
tables whose figures are formulas over the Data sheet; printed landscape, one page wide, with
the cycle and snapshot in the header and page numbers in the footer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin.book.sheet_xml import column_letter
from addin.fpa.sheets import BOLD, NOTE, TITLE, TOTAL_BORDER, heading_row, print_setup

MONEY, QTY, PCT, RATIO = "#,##0;-#,##0", "#,##0;-#,##0", "0.0%", "0.00"
PP = '+0.0" pp";-0.0" pp";0.0" pp"'  # value added, in percentage points of WAPE
SUBTITLE = Font(italic=True, color="1F3864")
CHART_ROWS = 17  # rows a chart takes at the top of its page, under the notes


@dataclass
class Page:
    """One topic's sheet, written top to bottom (``row`` is the next free row)."""

    ws: Worksheet
    row: int = 1

    @classmethod
    def new(cls, wb: Workbook, name: str, title: str, stamp: str, widths: Sequence[float]) -> Page:
        ws = wb.create_sheet(name)
        ws["A1"] = title
        ws["A1"].font = TITLE
        ws["A2"] = stamp
        ws["A2"].font = SUBTITLE
        ws["A2"].data_type = "s"
        for i, width in enumerate(widths):
            ws.column_dimensions[column_letter(i + 1)].width = width
        print_setup(ws)
        ws.oddHeader.left.text = f"demandgrid pre-read: {title}".replace("&", "&&")
        ws.oddHeader.right.text = stamp.replace("&", "&&")
        ws.oddFooter.center.text = "Page &P of &N"
        ws.print_title_rows = "1:2"  # the title and the snapshot on every printed page
        ws.sheet_view.showGridLines = False
        return cls(ws, 4)

    def note(self, text: str) -> None:
        cell = self.ws.cell(self.row, 1, text)
        cell.font, cell.data_type = NOTE, "s"
        self.row += 1

    def skip(self, rows: int) -> str:
        """Leave ``rows`` rows for a chart; returns the anchor cell of the space."""
        anchor = f"A{self.row}"
        self.row += rows
        return anchor

    def heading(self, text: str) -> None:
        self.row += 1
        self.ws.cell(self.row, 1, text).font = BOLD
        self.row += 1

    def table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[Any]],
        formats: Sequence[str | None],
        total: Sequence[Any] | None = None,
    ) -> tuple[int, int]:
        """Write a table; cells are formulas ("=...") or labels. Returns (first, last) data row
        (the total row excluded)."""
        heading_row(self.ws, self.row, list(headings))
        first = self.row + 1
        for i, values in enumerate(rows):
            self._row(first + i, values, formats)
        last = first + len(rows) - 1
        self.row = last + 1
        if total is not None:
            self._row(self.row, total, formats, bold=True)
            self.row += 1
        self.row += 1
        return first, last

    def _row(
        self, r: int, values: Sequence[Any], formats: Sequence[str | None], bold: bool = False
    ) -> None:
        for j, value in enumerate(values):
            cell = self.ws.cell(r, j + 1, value)
            fmt = formats[j] if j < len(formats) else None
            if fmt:
                cell.number_format = fmt
            if isinstance(value, str) and not value.startswith("="):
                cell.data_type = "s"
            if bold:
                cell.font, cell.border = BOLD, TOTAL_BORDER
            if j and fmt:
                cell.alignment = Alignment(horizontal="right")
            elif j:
                cell.alignment = Alignment(horizontal="left", indent=1)
