"""The Data sheet: every figure of the pre-read as a plain value in titled, filterable blocks,
one per topic, where an analyst drills. The pages hold formulas over these cells only.

``DataSheet.block`` writes a frame and returns a ``Block`` that says where each row's value of
each column is (``block.ref(i, "plan_rev")`` -> ``Data!$D$12``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from openpyxl.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from addin.book.sheet_xml import column_letter
from addin.fpa.sheets import BOLD, TITLE, heading_row, print_setup, text_width

DATA = "Data"


@dataclass
class Block:
    """Where a frame landed on the Data sheet: heading row ``head``, rows after it."""

    name: str
    head: int
    columns: list[str]
    rows: int
    values: dict[str, list[Any]] = field(default_factory=dict)

    def ref(self, i: int, column: str, absolute: bool = True) -> str:
        col = column_letter(self.columns.index(column) + 1)
        row = self.head + 1 + i
        return f"{DATA}!${col}${row}" if absolute else f"{DATA}!{col}{row}"

    def span(self, column: str) -> str:
        """The whole column of the block's rows (for SUM, COUNTIF)."""
        col = column_letter(self.columns.index(column) + 1)
        return f"{DATA}!${col}${self.head + 1}:${col}${max(self.head + self.rows, self.head + 1)}"


@dataclass
class DataSheet:
    """The Data sheet being written, top to bottom."""

    wb: Workbook
    ws: Worksheet = field(init=False)
    row: int = 1
    texts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ws = self.wb.create_sheet(DATA)
        self.ws["A1"] = "Data: every figure of the pre-read; the pages are formulas over it."
        self.ws["A1"].font = TITLE
        self.row = 3
        print_setup(self.ws)
        self.ws.oddHeader.left.text = "demandgrid pre-read: Data"
        self.ws.oddFooter.center.text = "Page &P of &N"

    def block(self, name: str, title: str, frame: pd.DataFrame, columns: list[str]) -> Block:
        """Write ``frame[columns]`` under ``title`` as an Excel table named ``name``."""
        ws = self.ws
        ws.cell(self.row, 1, title).font = BOLD
        head = self.row + 1
        heading_row(ws, head, columns, height=15)
        for i, values in enumerate(frame[columns].itertuples(index=False)):
            for j, value in enumerate(values):
                cell = ws.cell(head + 1 + i, j + 1, _cell_value(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # org strings stay text, never formulas
                    self.texts.append(value)
        rows = len(frame)
        if rows:
            ref = f"A{head}:{column_letter(len(columns))}{head + rows}"
            table = Table(displayName=f"data_{name}", ref=ref)
            table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
            ws.add_table(table)
        self.row = head + rows + 3
        column_values = {c: list(frame[c]) for c in columns}
        return Block(name, head, list(columns), rows, column_values)

    def finish(self) -> None:
        for j in range(1, 16):
            self.ws.column_dimensions[column_letter(j)].width = text_width(
                self.texts, least=14, most=40
            )
        self.ws.freeze_panes = "A3"


def _cell_value(value: Any) -> Any:
    """Numbers as numbers (no NaN: an empty cell), dates as dates, everything else as text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (int, float, date)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _cell_value(value.item())
    return str(value)
