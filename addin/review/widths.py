"""Names, notes and lock reasons on the Review and Summary sheets, shown whole.

The template sets every column's width for ordinary names (``addin.review.template``); an org's
names may run longer. After the writer fills the workbook, ``fit_text`` widens the name columns
(account, region, product family, product; the Summary's name columns) to the longest name they
hold, up to ``MAX_WIDTH``, and gives rows whose text wraps (the lock reasons over the periods,
a long pulled note) the height of their lines: neither LibreOffice nor Excel fits a row's
height when it opens a file, only when a cell is edited.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from addin.review import layout
from addin.review.grid import Grid, column_letter

#: Widest a name column grows (characters); a longer name wraps in its cell note, not here.
MAX_WIDTH = 60
#: Points per line of 11-point text.
LINE_HEIGHT = 15
#: Characters of bold 11-point text per width unit (the width of a "0"), with a margin.
BOLD = 1.15
NAME_COLUMNS = (layout.H_ACCOUNT, layout.H_REGION, layout.H_FAMILY, layout.H_PRODUCT)


def _width(ws: Worksheet, letter: str) -> float:
    dim = ws.column_dimensions.get(letter)
    return dim.width if dim is not None and dim.customWidth else 8.43


def _fit(ws: Worksheet, letter: str, texts: list[Any]) -> None:
    longest = max((len(t) for t in texts if isinstance(t, str)), default=0)
    needed = min(MAX_WIDTH, math.ceil(longest * BOLD) + 2)
    if needed > _width(ws, letter):
        ws.column_dimensions[letter].width = needed


def lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped at word boundaries in a column ``width`` wide."""
    fits = max(1, round(width * 1.1) - 1)
    return sum(len(textwrap.wrap(p, fits)) or 1 for p in text.split("\n"))


def fit_text(wb: Any, ws: Worksheet, grid: Grid, lock_row: int) -> None:
    """Widen the name columns and heighten wrapped rows of the filled workbook ``wb``."""
    for heading in NAME_COLUMNS:
        j = grid.col(heading)
        _fit(ws, grid.letter(j), [row[j] for row in grid.rows])
    first = grid.left + grid.first_period
    reasons = [
        lines(reason, _width(ws, column_letter(first + j)))
        for j, reason in enumerate(grid.period_locks)
        if reason
    ]
    if reasons:
        height = LINE_HEIGHT * max(reasons) + 2
        if height > (ws.row_dimensions[lock_row].height or 0):
            ws.row_dimensions[lock_row].height = height
    note = grid.col(layout.H_NOTE)
    note_width = _width(ws, grid.letter(note))
    for i, row in enumerate(grid.rows):
        text = row[note]
        if isinstance(text, str) and len(text) > note_width:
            ws.row_dimensions[grid.first_row + i].height = LINE_HEIGHT * lines(text, note_width) + 2
    summary = wb[layout.SUMMARY] if layout.SUMMARY in wb.sheetnames else None
    if summary is not None:
        for name in (layout.N_SUMMARY_ACCOUNT, layout.N_SUMMARY_FAMILY):
            where = wb.defined_names.get(name)
            for sheet, ref in list(where.destinations) if where is not None else []:
                if sheet != summary.title:
                    continue
                letter = "".join(ch for ch in ref if ch.isalpha())
                top = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
                _fit(summary, letter, [c.value for c in summary[letter][top - 1 :]])
