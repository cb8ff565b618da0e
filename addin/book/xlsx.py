"""A workbook file behind the book surface (``addin.book.surface.BookSurface``), through openpyxl.

Check and push are written once against the surface; this is its file side (the Excel side is
``addin.excel.book``). The file is loaded once with formulas; formula cells are read as their text
unless cached values are asked for, when a second, values-only load happens (once). Saving is
atomic (``addin.book.atomic.save_beside``): a new file is written beside the workbook under a unique
name and flushed to disk, the previous version is kept as ``<name>.prev.xlsx``, then the new
file replaces the workbook. A macro workbook (``.xlsm``) is loaded with its VBA project kept,
so it is saved as a macro-enabled package with ``xl/vbaProject.bin``, and so is its ``.prev``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from copy import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
    range_boundaries,
)
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from addin.book.atomic import save_beside
from addin.book.errors import WorkbookNotOurs
from addin.book.marks import set_marks
from addin.book.styles import normalise_style_ids
from addin.book.surface import HEADING_STYLE, INPUT_STYLE, Block, ColumnFormat


class WorkbookUnreadable(WorkbookNotOurs):
    """The file is missing or is not an .xlsx workbook openpyxl can open."""


MACRO_SUFFIXES = (".xlsm",)


def is_macro_workbook(path: str | Path) -> bool:
    """A macro-enabled workbook: saved back with its VBA project and content type."""
    return Path(path).suffix.lower() in MACRO_SUFFIXES


def _bounds(address: str) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of an A1 address (``$`` allowed)."""
    min_col, min_row, max_col, max_row = range_boundaries(address.replace("$", ""))
    return min_col, min_row, max_col or min_col, max_row or min_row  # type: ignore[return-value]


def strip_author_line(text: str, author: str | None) -> str:
    """A cell note without the ``Author:`` first line Excel and LibreOffice put in front."""
    if author:
        prefix = f"{author}:"
        if text.startswith(prefix):
            text = text[len(prefix) :]
            return text[1:] if text.startswith("\n") else text.lstrip(" ")
    return text


def _as_text(value: str) -> str:
    # openpyxl refuses control characters; an org string may carry them.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


class XlsxBook:
    """An .xlsx file opened for check and push. Build with ``XlsxBook.open(path)``."""

    def __init__(self, path: Path, wb: Any) -> None:
        self.path = str(path)
        self._wb = wb
        self._values_wb: Any = None

    @classmethod
    def open(cls, path: str | Path) -> XlsxBook:
        p = Path(path)
        if not p.exists():
            raise WorkbookUnreadable(
                f"No workbook at {p}. Check the file name, or pull one with `demandgrid pull`."
            )
        try:
            wb = openpyxl.load_workbook(p, rich_text=False, keep_vba=is_macro_workbook(p))
        except Exception as e:  # openpyxl raises many kinds for a non-workbook file
            raise WorkbookUnreadable(
                f"{p.name} cannot be opened as an .xlsx workbook ({type(e).__name__}). "
                "Open it in Excel and save it as .xlsx, or pull a fresh workbook."
            ) from None
        normalise_style_ids(wb, p)  # LibreOffice numbers named styles its own way
        return cls(p, wb)

    # ------------------------------------------------------------------ reading
    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def resolve(self, name: str) -> tuple[str, str] | None:
        dn = self._wb.defined_names.get(name)
        if dn is None:
            return None
        try:
            destinations = list(dn.destinations)
        except Exception:
            return None
        if not destinations:
            return None
        sheet, address = destinations[0]
        if sheet not in self._wb.sheetnames:
            return None
        return sheet, address.replace("$", "")

    def define(self, name: str, sheet: str, address: str) -> None:
        ref = f"{_quote(sheet)}!{_absolute(address)}"
        if name in self._wb.defined_names:
            del self._wb.defined_names[name]
        self._wb.defined_names[name] = DefinedName(name, attr_text=ref)

    def _sheet(self, sheet: str) -> Any:
        return self._wb[sheet]

    def read_formulas(self, sheet: str, address: str) -> Block:
        min_col, min_row, max_col, max_row = _bounds(address)
        # Straight from openpyxl's cell map: iter_rows would create every empty cell it passes.
        get = self._sheet(sheet)._cells.get
        columns = range(min_col, max_col + 1)
        block = []
        for row in range(min_row, max_row + 1):
            values = []
            for col in columns:
                cell = get((row, col))
                values.append(None if cell is None else _formula_text(cell._value))
            block.append(values)
        return block

    def read(self, sheet: str, address: str) -> Block:
        block = self.read_formulas(sheet, address)
        if not any(isinstance(v, str) and v.startswith("=") for row in block for v in row):
            return block
        values_wb = self._cached_values()
        if sheet not in values_wb.sheetnames:
            return block
        cached = values_wb[sheet]
        min_col, min_row, max_col, max_row = _bounds(address)
        values = cached.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
        )
        # A formula never calculated (written by openpyxl) has no cached value: keep its text.
        return [
            [_cached(f, v) for f, v in zip(frow, vrow, strict=True)]
            for frow, vrow in zip(block, values, strict=True)
        ]

    def _cached_values(self) -> Any:
        if self._values_wb is None:
            self._values_wb = openpyxl.load_workbook(self.path, data_only=True, rich_text=False)
        return self._values_wb

    def read_notes(self, sheet: str, address: str) -> dict[str, str]:
        min_col, min_row, max_col, max_row = _bounds(address)
        ws = self._sheet(sheet)
        notes: dict[str, str] = {}
        # Only cells that exist are scanned; comments hang on cells openpyxl created at load.
        for (row, col), cell in ws._cells.items():
            comment = cell._comment
            if comment is None or not (min_row <= row <= max_row and min_col <= col <= max_col):
                continue
            notes[cell.coordinate] = strip_author_line(comment.text or "", comment.author)
        return notes

    def used_range(self, sheet: str) -> str:
        ws = self._sheet(sheet)
        return f"A1:{get_column_letter(max(ws.max_column, 1))}{max(ws.max_row, 1)}"

    # ------------------------------------------------------------------ writing
    def write(self, sheet: str, top_left: str, values: Block) -> None:
        ws = self._sheet(sheet)
        col0, row0 = _origin(top_left)
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                cell = ws.cell(row=row0 + r, column=col0 + c)
                if isinstance(value, str):
                    cell.value = _as_text(value)
                    cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)"
                else:
                    cell.value = value
        self._values_wb = None

    def write_formulas(self, sheet: str, top_left: str, formulas: Block) -> None:
        ws = self._sheet(sheet)
        col0, row0 = _origin(top_left)
        for r, row in enumerate(formulas):
            for c, value in enumerate(row):
                ws.cell(row=row0 + r, column=col0 + c).value = value
        self._values_wb = None

    def set_fill(self, sheet: str, addresses: Sequence[str], color: str | None) -> None:
        ws = self._sheet(sheet)
        styles = {s.name: s for s in self._wb._named_styles}
        mark = PatternFill("solid", start_color=color, end_color=color) if color else None
        for address in addresses:
            min_col, min_row, max_col, max_row = _bounds(address)
            for row in ws.iter_rows(
                min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col
            ):
                for cell in row:
                    if mark is not None:
                        cell.fill = mark
                    else:  # back to the fill of the cell's named style (the template's look)
                        style = styles.get(cell.style)
                        cell.fill = style.fill if style is not None else PatternFill()

    def set_marks(self, sheet: str, cells_by_color: dict[str, list[str]]) -> None:
        """Check's marks as conditional formats above the grid's own (``addin.book.marks``)."""
        set_marks(self._sheet(sheet), cells_by_color)

    def set_notes(self, sheet: str, notes: dict[str, str]) -> None:
        ws = self._sheet(sheet)
        for address, text in notes.items():
            ws[address].comment = Comment(_as_text(text), "demandgrid") if text else None

    def format_table(
        self,
        sheet: str,
        header: str,
        columns: Sequence[ColumnFormat],
        rows: int,
        *,
        title_rows: int = 0,
        choices: Mapping[int, Sequence[str]] | None = None,
    ) -> None:
        """The table at ``header`` made readable (see ``BookSurface.format_table``).

        One style array per column, shared by the column's cells (set on the cell, not looked
        up and copied per cell), so a 54,000-row Push Log costs one pass of assignments.
        Empty cells get a cell only where their style shows (the input column).
        """
        ws = self._sheet(sheet)
        col0, top = _origin(header)
        first, last = top + 1, top + rows
        last_col = col0 + len(columns) - 1
        cells = ws._cells
        heading = self._style(ws, HEADING_STYLE, _heading_look, border=True)
        for c in range(col0, last_col + 1):
            if (top, c) in cells:
                cells[(top, c)]._style = heading
        title = self._style(
            ws, None, lambda cell: setattr(cell, "font", Font(name="Calibri", bold=True, size=12))
        )
        for r in range(top - title_rows, top):
            if (r, col0) in cells:
                cells[(r, col0)]._style = title
        plain = StyleArray()
        lines: dict[int, int] = {top: _lines_of(ws, top, col0, columns, bold=True)}
        for j, column in enumerate(columns):
            c = col0 + j
            ws.column_dimensions[get_column_letter(c)].width = column.width
            look = self._style(
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
                    error="Choose "
                    + " or ".join(allowed)
                    + " from the drop-down, or leave it blank.",
                )
                ws.add_data_validation(dv)
                dv.add(f"{letter}{first}:{letter}{last}")
        ws.freeze_panes = f"A{first}"
        ws.print_title_rows = f"{top}:{top}"
        ws.print_area = f"{get_column_letter(col0)}{top - title_rows}:{get_column_letter(last_col)}{max(last, top)}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    def _style(
        self,
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
        if named is not None and named in self._wb.named_styles:
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

    def ensure_sheet(self, name: str, after: str | None = None) -> None:
        if name in self._wb.sheetnames:
            return
        index = self._wb.sheetnames.index(after) + 1 if after in self._wb.sheetnames else None
        self._wb.create_sheet(name, index)

    def clear(self, sheet: str, address: str) -> None:
        ws = self._sheet(sheet)
        min_col, min_row, max_col, max_row = _bounds(address)
        max_row = min(max_row, ws.max_row)
        max_col = min(max_col, ws.max_column)
        for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
            for cell in row:
                cell.value = None
                cell.hyperlink = None

    def status(self, message: str) -> None:
        """Files have no status bar; progress is shown by the CLI."""

    def save(self) -> None:
        """Save atomically, keeping ``.prev``; ``WorkbookNotSaved`` leaves the file as it was."""
        save_beside(Path(self.path), self._wb.save)
        self._values_wb = None


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


def _formula_text(value: Any) -> Any:
    # Array and data-table formulas come back as objects carrying their text.
    text = getattr(value, "text", None)
    if text is not None and not isinstance(value, str):
        return text if str(text).startswith("=") else f"={text}"
    return value


def _cached(formula: Any, value: Any) -> Any:
    # A formula never calculated (written by openpyxl) has no cached value: keep its text.
    if isinstance(formula, str) and formula.startswith("=") and value is not None:
        return value
    return formula


def _origin(top_left: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(top_left.replace("$", "").split(":")[0])
    return column_index_from_string(letters), row


def _quote(sheet: str) -> str:
    return (
        sheet
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet)
        else "'" + sheet.replace("'", "''") + "'"
    )


def _absolute(address: str) -> str:
    parts = []
    for part in address.replace("$", "").split(":"):
        letters, row = coordinate_from_string(part)
        parts.append(f"${letters}${row}")
    return ":".join(parts)
