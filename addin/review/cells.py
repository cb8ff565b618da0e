"""Cells into an openpyxl worksheet, fast: the review workbook's named styles prepared once as
shared style arrays (``Styles``), and cells created directly with a known type and a shared
style (``put``, ``put_row``), rather than through openpyxl's per-cell type inference and style
copy. ``addin.review.writer`` lays the grid out with these; ``bench/bench_pull.py`` measures the
ratio to openpyxl writing bare values.
"""

from __future__ import annotations

import re
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.worksheet import Worksheet

from addin.book.errors import UserError
from addin.review import layout
from addin.review.grid import Formula
from addin.review.template import PERIOD_HEADING

_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # not allowed in XML cells
GAP = "#,##0;[Red]-#,##0"  # a shortfall against target shows red
PERCENT = "0.0%;[Red]-0.0%"
PROBLEMS = '0;-0;""'  # no problems: an empty cell, so the ones that count stand out


class TemplateBroken(UserError):
    """The template lacks a defined name or sheet the writer needs."""


class Styles:
    """Style arrays prepared once from the template's named styles (by name, not address)."""

    def __init__(self, wb: Workbook, ws: Worksheet) -> None:
        self._ws = ws
        self.input = self.named(layout.STYLE_INPUT)
        self.text_input = self.named(layout.STYLE_TEXT_INPUT)
        self.readonly = self.named(layout.STYLE_READONLY)
        self.locked = self.named(layout.STYLE_LOCKED)
        self.heading = self.named(layout.STYLE_HEADING)
        self.total = self.named(layout.STYLE_TOTAL)
        self.period_heading = self.named(layout.STYLE_HEADING, number_format=PERIOD_HEADING)
        # The Adjusted row closes its block with a bottom rule; read-only rows have no borders,
        # so their empty cells need no cell at all (fewer cells: a faster write).
        self.label = self.named(layout.STYLE_READONLY, bold=True, rule=True)
        self.adjusted_total = self.named(layout.STYLE_TOTAL, rule=True)
        self.adjusted_gap = self.named(layout.STYLE_TOTAL, number_format=GAP, rule=True)
        self.adjusted_problems = self.named(layout.STYLE_TOTAL, number_format=PROBLEMS, rule=True)
        self.quiet_label = self.named(layout.STYLE_READONLY, color="808080")
        self.lock_status = self.named(layout.STYLE_LOCKED, wrap=True)
        self.percent = self.named(layout.STYLE_READONLY, number_format=PERCENT)
        self.total_percent = self.named(layout.STYLE_TOTAL, number_format=PERCENT)
        self.summary_gap = self.named(layout.STYLE_READONLY, number_format=GAP)
        self.summary_name = self.named(layout.STYLE_READONLY, bold=True)
        self.plain = SharedStyle(StyleArray())

    def named(
        self,
        name: str,
        *,
        number_format: str | None = None,
        bold: bool = False,
        color: str = "",
        wrap: bool = False,
        rule: bool = False,
    ) -> StyleArray:
        cell = Cell(self._ws)
        try:
            cell.style = name
        except ValueError:
            raise TemplateBroken(
                f"The template has no named style {name!r}. Restore it or rebuild the template "
                "with `demandgrid template build`."
            ) from None
        if number_format:
            cell.number_format = number_format
        if bold or color:
            font = copy(cell.font)
            font.bold = bold or font.bold
            font.color = color or font.color
            cell.font = font
        if rule:
            border = copy(cell.border)
            border.bottom = Side(style="thin", color="808080")
            cell.border = border
        if wrap:
            alignment = copy(cell.alignment)
            alignment.wrap_text = True
            alignment.vertical = "center"
            alignment.horizontal = "center"
            cell.alignment = alignment
        return SharedStyle(cell._style)


def clean_text(value: str) -> str:
    return _ILLEGAL.sub("", value)


class SharedStyle(StyleArray):
    """A style array shared by many cells, with its hash computed once.

    openpyxl hashes every cell's style array when it saves; sharing one array per (row kind,
    column) and caching its hash takes that cost out. Cells written by this module must not be
    restyled in place before the workbook is saved (``write_workbook`` saves at once).
    """

    __slots__ = ("_hash",)

    def __new__(cls, args: StyleArray) -> SharedStyle:
        self = StyleArray.__new__(cls, args)
        self._hash = hash(tuple(self))
        return self

    def __hash__(self) -> int:
        return self._hash


def put(ws: Worksheet, row: int, col: int, value: Any, style: StyleArray | None) -> None:
    """Create one cell. ``str`` is always text; only ``Formula`` becomes a formula."""
    # Cell.__new__ and direct slot assignment skip openpyxl's per-cell type inference and
    # style copy; the type is known here, and the style array is shared (see SharedStyle).
    cell = Cell.__new__(Cell)
    cell.parent = ws
    cell.row = row
    cell.column = col
    cell._style = style
    cell._hyperlink = None
    cell._comment = None
    cell.data_type = "n"
    cell._value = None
    if value is not None:
        kind = type(value)
        if kind is float or kind is int:
            cell._value = value
        elif kind is Formula:
            cell._value = str(value)
            cell.data_type = "f"
        elif isinstance(value, str):
            cell._value = clean_text(value)
            cell.data_type = "s"
        else:
            cell._style = StyleArray(style) if style is not None else None
            cell.value = value  # dates and the rest: openpyxl's own typing
            if style is not None:
                cell._style = StyleArray(style)
    ws._cells[(row, col)] = cell


def put_row(
    ws: Worksheet,
    row: int,
    left: int,
    values: list[Any],
    styles: list[StyleArray],
    keep_empty_before: int,
) -> None:
    """``put`` for a whole row, inlined: the grid's hot loop. Empty values are skipped from
    column index ``keep_empty_before`` on."""
    cells = ws._cells
    new = Cell.__new__
    for j, value in enumerate(values):
        kind = type(value)
        if value is None and j >= keep_empty_before:
            continue
        if kind is not float and kind is not int and value is not None and kind is not Formula:
            put(ws, row, left + j, value, styles[j])  # text and anything unusual
            continue
        cell = new(Cell)
        cell.parent = ws
        cell.row = row
        cell.column = left + j
        cell._style = styles[j]
        cell._hyperlink = None
        cell._comment = None
        cell._value = value
        cell.data_type = "f" if kind is Formula else "n"
        cells[(row, left + j)] = cell


def grouped_row(model: RowDimension, index: int) -> RowDimension:
    """A copy of ``model`` (an outline-level-1 row) for row ``index``, without going through
    RowDimension's validating constructor once per row (thousands of rows per pull)."""
    copied = RowDimension.__new__(RowDimension)
    copied.parent = model.parent
    copied._style = model._style
    copied.__dict__.update(model.__dict__)
    copied.__dict__["index"] = index
    return copied
