"""A table on a worksheet made readable, for ``XlsxBook.format_table`` (the file side of
``BookSurface.format_table``): widths, named heading and input styles, number formats, wrapped
text with row heights, a frozen heading, list drop-downs and print setup, with one style array
per column shared by its cells, so a 54,000-row Push Log costs one pass of assignments.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from copy import copy
from functools import lru_cache
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from addin.book.surface import HEADING_STYLE, INPUT_STYLE, ColumnFormat


def format_table(
    wb: Any,
    ws: Any,
    header: str,
    columns: Sequence[ColumnFormat],
    rows: int,
    *,
    title_rows: int = 0,
    choices: Mapping[int, Sequence[str]] | None = None,
) -> None:
    """The table at ``header`` on ``ws`` made readable (see ``BookSurface.format_table``).

    One style array per column, shared by the column's cells (set on the cell, not looked
    up and copied per cell), so a 54,000-row Push Log costs one pass of assignments.
    Empty cells get a cell only where their style shows (the input column).
    """
    col0, top = origin(header)
    first, last = top + 1, top + rows
    last_col = col0 + len(columns) - 1
    cells = ws._cells
    heading = _style(wb, ws, HEADING_STYLE, _heading_look, border=True)
    for c in range(col0, last_col + 1):
        if (top, c) in cells:
            cells[(top, c)]._style = heading
    title = _style(
        wb, ws, None, lambda cell: setattr(cell, "font", Font(name="Calibri", bold=True, size=12))
    )
    for r in range(top - title_rows, top):
        if (r, col0) in cells:
            cells[(r, col0)]._style = title
    plain = StyleArray()
    lines: dict[int, int] = {top: _lines_of(ws, top, col0, columns, bold=True)}
    for j, column in enumerate(columns):
        c = col0 + j
        ws.column_dimensions[get_column_letter(c)].width = column.width
        look = _style(
            wb,
            ws,
            INPUT_STYLE if column.input else None,
            _input_look if column.input else None,
            number_format=column.number_format,
            wrap=column.wrap,
        )
        for r in range(first, last + 1):
            cell = cells.get((r, c))
            if cell is None:
                if not column.input:
                    continue
                cell = ws.cell(row=r, column=c)
            cell._style = look
            if column.wrap and isinstance(cell._value, str) and len(cell._value) > column.width:
                n = _wrapped_lines(cell._value, column.width)
                if n > lines.get(r, 1):
                    lines[r] = n
        for r in range(last + 1, ws.max_row + 1):  # a longer previous table's rows
            if (r, c) in cells:
                cells[(r, c)]._style = plain
    # Wrapped text gets its height here: LibreOffice does not fit rows when it opens a
    # file, and Excel only when a cell is edited.
    dims = ws.row_dimensions
    for r in range(top, max(ws.max_row, last) + 1):
        n = lines.get(r, 1)
        if n > 1:
            dims[r].height = LINE_HEIGHT * n + 2
        elif r in dims and dims[r].customHeight:
            dims[r].height = None
    for j, allowed in (choices or {}).items():
        letter = get_column_letter(col0 + j)
        _drop_list_validations(ws, col0 + j)
        if rows:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(allowed) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not a choice",
                error="Choose " + " or ".join(allowed) + " from the drop-down, or leave it blank.",
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}{first}:{letter}{last}")
    ws.freeze_panes = f"A{first}"
    ws.print_title_rows = f"{top}:{top}"
    ws.print_area = (
        f"{get_column_letter(col0)}{top - title_rows}:{get_column_letter(last_col)}{max(last, top)}"
    )
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _style(
    wb: Any,
    ws: Any,
    named: str | None,
    look: Callable[[Cell], None] | None,
    *,
    number_format: str | None = None,
    wrap: bool = False,
    border: bool = False,
) -> StyleArray:
    """A style array: the workbook's named style ``named`` if it has one, else ``look``;
    then the number format, top alignment (wrapped if asked) and a bottom rule."""
    cell = Cell(ws)
    if named is not None and named in wb.named_styles:
        cell.style = named
    elif look is not None:
        look(cell)
    if number_format:
        cell.number_format = number_format
    if wrap or named is None:
        alignment = copy(cell.alignment)
        alignment.vertical = "top"
        alignment.wrap_text = wrap or alignment.wrap_text
        if wrap:  # text off the figures right of it
            alignment.horizontal = "left"
            alignment.indent = 1
        cell.alignment = alignment
    if border:
        rule = copy(cell.border)
        rule.bottom = Side(style="medium", color="1F4E78")
        cell.border = rule
    return cell._style


#: Points per line of wrapped 11-point text.
LINE_HEIGHT = 15


@lru_cache(maxsize=4096)  # names and notes repeat row after row in a Push Log
def _wrapped_lines(text: str, width: float, bold: bool = False) -> int:
    """How many lines ``text`` takes wrapped at word boundaries in a column ``width``
    characters wide (Excel's unit: the width of a "0"; average text runs a little narrower,
    bold a little wider)."""
    fits = max(1, round(width * (1.0 if bold else 1.1)) - 1)
    count = 0
    for paragraph in text.split("\n"):
        count += len(textwrap.wrap(paragraph, fits, break_long_words=True)) or 1
    return count


def _lines_of(ws: Any, row: int, col0: int, columns: Sequence[ColumnFormat], bold: bool) -> int:
    """The most lines any cell of ``row`` takes (headings wrap in every column)."""
    most = 1
    for j, column in enumerate(columns):
        cell = ws._cells.get((row, col0 + j))
        if cell is not None and isinstance(cell._value, str):
            most = max(most, _wrapped_lines(cell._value, column.width, bold))
    return most


def _heading_look(cell: Cell) -> None:
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", fgColor="1F4E78")
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _input_look(cell: Cell) -> None:
    cell.font = Font(color="0000FF")
    cell.fill = PatternFill("solid", fgColor="FFF2CC")
    cell.protection = Protection(locked=False)


def _drop_list_validations(ws: Any, col: int) -> None:
    """Take off list drop-downs that cover column ``col`` (the previous table's)."""
    kept = []
    for dv in ws.data_validations.dataValidation:
        covers = dv.type == "list" and any(r.min_col <= col <= r.max_col for r in dv.sqref.ranges)
        if not covers:
            kept.append(dv)
    ws.data_validations.dataValidation = kept


def origin(top_left: str) -> tuple[int, int]:
    """(column, row) of the top-left cell of an A1 address."""
    letters, row = coordinate_from_string(top_left.replace("$", "").split(":")[0])
    return column_index_from_string(letters), row
