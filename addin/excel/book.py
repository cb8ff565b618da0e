"""The open workbook in Excel behind the book surface (``addin.book.surface.BookSurface``).

``ExcelBook`` wraps an ``xlwings.Book`` (open-source core only) so check, push and refresh run
on the workbook the user is in exactly as they run on a file (``addin.book.xlsx.XlsxBook``).
Every method is one or a constant number of calls into Excel on whole 2-D blocks, never a loop
over cells; each call crosses to Excel (COM on Windows, AppleScript on macOS) and costs the
same for one cell as for thousands. The exceptions grow with what they are about, not with
the grid: ``set_fill`` with the number of marked ranges (Excel takes at most 255 characters
of union address per call), ``read_notes``/``set_notes`` with the number of notes. Reads of
more than ``READ_BLOCK_CELLS`` cells go in bands of whole rows of at most that many cells (one
call each): the array Excel marshals for one call stays bounded on an enterprise-sized sheet.

Text is written as text: every string gets Excel's text prefix (an apostrophe, which Excel
does not store as part of the value), so an account named ``=HYPERLINK("x")`` or ``00123``
stays exactly that string and never becomes a formula or a number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from addin.book.surface import HEADING_STYLE, INPUT_STYLE, Block, ColumnFormat

#: Excel's limit on the length of a Range address string.
MAX_ADDRESS = 255
#: Cells one read asks Excel for at most (a region's grid is one call; 500,000 cells a few).
READ_BLOCK_CELLS = 250_000


def _plain(address: str) -> str:
    return address.replace("$", "")


def _shape(block: Block) -> tuple[int, int]:
    return len(block), max((len(row) for row in block), default=0)


def _as_text(value: Any) -> Any:
    return "'" + value if isinstance(value, str) else value


def _two_d(value: Any) -> list[list[Any]]:
    """A formula read back as Excel gives it (a string, or a tuple of tuples) -> 2-D list."""
    if not isinstance(value, list | tuple):
        return [[value]]
    if value and not isinstance(value[0], list | tuple):
        return [list(value)]
    return [list(row) for row in value]


def row_bands(address: str, max_cells: int | None = None) -> list[str]:
    """``address`` as bands of whole rows of at most ``max_cells`` cells, top to bottom (the
    address itself when it is small enough)."""
    from openpyxl.utils.cell import range_boundaries

    max_cells = max_cells or READ_BLOCK_CELLS
    plain = _plain(address)
    min_col, min_row, max_col, max_row = range_boundaries(plain)
    if min_col is None or min_row is None or max_col is None or max_row is None:
        return [plain]
    width, height = max_col - min_col + 1, max_row - min_row + 1
    if width * height <= max_cells:
        return [plain]
    rows = max(1, max_cells // width)
    first, last = get_column_letter(min_col), get_column_letter(max_col)
    return [
        f"{first}{top}:{last}{min(top + rows - 1, max_row)}"
        for top in range(min_row, max_row + 1, rows)
    ]


def union_addresses(addresses: Sequence[str], limit: int = MAX_ADDRESS) -> list[str]:
    """Comma-joined address unions, each short enough for one Excel Range call."""
    unions: list[str] = []
    current = ""
    for address in addresses:
        candidate = f"{current},{address}" if current else address
        if len(candidate) > limit and current:
            unions.append(current)
            candidate = address
        current = candidate
    if current:
        unions.append(current)
    return unions


def _refers_to(formula: str) -> tuple[str, str] | None:
    """``='Review'!$A$8:$Z$300`` -> ("Review", "A8:Z300"); None if not a plain reference."""
    match = re.fullmatch(
        r"=?(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)", formula.strip()
    )
    if not match:
        return None
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    return sheet, _plain(match.group(3))


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _absolute(address: str) -> str:
    return ":".join(
        re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in _plain(address).split(":")
    )


def _saved_path(book: Any) -> str:
    """The workbook's file, or "" for a workbook never saved (Excel then reports "Book1")."""
    fullname = book.fullname or ""
    return fullname if os.path.isfile(fullname) else ""


def _restore_style_fill(cells: Any) -> None:
    """Take a mark off: back to the fill of the cells' named style (the template's look, as
    ``XlsxBook`` does), by re-applying the style they share. The core has no API for styles,
    so this goes through ``.api``; where the cells do not share one style, the fill is cleared.
    """
    try:
        name = cells.api.Style.Name
    except Exception:  # mixed styles (Excel returns no Style) or no native object
        name = None
    if name:
        cells.api.Style = name
    else:
        cells.color = None


def _named_style(cells: Any, name: str, color: str, *, bold: bool = False) -> None:
    """The workbook's named style ``name`` on ``cells`` (through ``.api``: the core has no
    styles); where the workbook lacks it, or on a host without it, a fill and a font."""
    try:
        cells.api.Style = name
        return
    except Exception:
        pass
    cells.color = f"#{color}"
    if bold:
        cells.font.bold = True


def _native(action: Any) -> None:
    """Run ``action`` on Excel's native objects; ignored where the host differs (macOS
    AppScript) or refuses: the table is still written, only that finish is missing."""
    try:
        action()
    except Exception:
        pass


class ExcelBook:
    """An open Excel workbook as a ``BookSurface``. ``ExcelBook.caller()`` inside RunPython."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self.path: str = _saved_path(book)

    @classmethod
    def caller(cls) -> ExcelBook:
        """The workbook the user ran the ribbon button in."""
        import xlwings as xw

        return cls(xw.Book.caller())

    @property
    def book(self) -> Any:
        return self._book

    def _range(self, sheet: str, address: str) -> Any:
        return self._book.sheets[sheet].range(_plain(address))

    # ------------------------------------------------------------------ reading
    def sheet_names(self) -> list[str]:
        return [s.name for s in self._book.sheets]

    def resolve(self, name: str) -> tuple[str, str] | None:
        names = self._book.names
        if not names.contains(name):
            return None
        refers_to = names(name).refers_to
        return _refers_to(refers_to) if refers_to else None

    def define(self, name: str, sheet: str, address: str) -> None:
        self._book.names.add(name, f"={_quote(sheet)}!{_absolute(address)}")

    def read(self, sheet: str, address: str) -> Block:
        block: list[list[Any]] = []
        for band in row_bands(address):
            block.extend(self._range(sheet, band).options(ndim=2, err_to_str=True).value)
        return block

    def read_formulas(self, sheet: str, address: str) -> Block:
        block: list[list[Any]] = []
        for band in row_bands(address):
            block.extend(self._read_formulas(sheet, band))
        return block

    def _read_formulas(self, sheet: str, address: str) -> Block:
        cells = self._range(sheet, address)
        values = cells.options(ndim=2, err_to_str=True).value
        formulas = _two_d(cells.formula)
        # A formula where Excel reports one; else the value (which keeps numbers numbers and
        # text text, also text that starts with "=" and so carries the "'" prefix in .formula).
        return [
            [
                f if isinstance(f, str) and f.startswith("=") else v
                for f, v in zip(frow, vrow, strict=True)
            ]
            for frow, vrow in zip(formulas, values, strict=True)
        ]

    def read_notes(self, sheet: str, address: str) -> dict[str, str]:
        from openpyxl.utils.cell import range_boundaries

        min_col, min_row, max_col, max_row = range_boundaries(_plain(address))
        notes: dict[str, str] = {}
        for note in self._book.sheets[sheet].notes:  # one call per note, not per cell
            cell = _plain(note.location.address)
            col, row = range_boundaries(cell)[:2]
            if min_col <= col <= max_col and min_row <= row <= max_row:
                notes[cell] = note.text or ""
        return notes

    def used_range(self, sheet: str) -> str:
        last = _plain(self._book.sheets[sheet].used_range.address).split(":")[-1]
        return f"A1:{last}"

    # ------------------------------------------------------------------ writing
    def write(self, sheet: str, top_left: str, values: Block) -> None:
        rows, cols = _shape(values)
        if not rows or not cols:
            return
        block = [[_as_text(v) for v in row] + [None] * (cols - len(row)) for row in values]
        self._range(sheet, top_left.split(":")[0]).resize(rows, cols).value = block

    def write_formulas(self, sheet: str, top_left: str, formulas: Block) -> None:
        rows, cols = _shape(formulas)
        if not rows or not cols:
            return
        block = [
            [("" if v is None else v) for v in row] + [""] * (cols - len(row)) for row in formulas
        ]
        self._range(sheet, top_left.split(":")[0]).resize(rows, cols).formula = block

    def set_fill(self, sheet: str, addresses: Sequence[str], color: str | None) -> None:
        target = self._book.sheets[sheet]
        for union in union_addresses([_plain(a) for a in addresses]):
            cells = target.range(union)
            if color:
                cells.color = f"#{color}"
            else:
                _restore_style_fill(cells)

    def set_notes(self, sheet: str, notes: dict[str, str]) -> None:
        target = self._book.sheets[sheet]
        for address, text in notes.items():
            cell = target.range(_plain(address))
            if cell.note is not None:
                cell.note.delete()
            if text:
                cell.add_note(text)

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
        """The table at ``header`` made readable (see ``BookSurface.format_table``): one call
        per distinct width, number format and finish, on column unions; never per row."""
        target = self._book.sheets[sheet]
        letters, top = coordinate_from_string(_plain(header).split(":")[0])
        col0 = column_index_from_string(letters)
        first, last = top + 1, top + rows
        used_last = int(
            _plain(target.used_range.address).split(":")[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        )

        def letter(j: int) -> str:
            return get_column_letter(col0 + j)

        def body(js: Sequence[int]) -> list[str]:
            return union_addresses([f"{letter(j)}{first}:{letter(j)}{last}" for j in js])

        widths: dict[float, list[int]] = {}
        formats: dict[str, list[int]] = {}
        for j, column in enumerate(columns):
            widths.setdefault(column.width, []).append(j)
            if column.number_format:
                formats.setdefault(column.number_format, []).append(j)
        for width, js in widths.items():
            for union in union_addresses([f"{letter(j)}:{letter(j)}" for j in js]):
                target.range(union).column_width = width
        if used_last > last:  # a longer previous table's rows: back to plain
            target.range(
                f"{letter(0)}{last + 1}:{letter(len(columns) - 1)}{used_last}"
            ).clear_formats()
        heading = target.range(f"{letter(0)}{top}:{letter(len(columns) - 1)}{top}")
        _named_style(heading, HEADING_STYLE, "1F4E78", bold=True)
        _native(lambda: setattr(heading.api.Borders(9), "LineStyle", 1))  # xlEdgeBottom
        if title_rows:
            target.range(f"{letter(0)}{top - title_rows}:{letter(0)}{top - 1}").font.bold = True
        if rows:
            table = target.range(f"{letter(0)}{first}:{letter(len(columns) - 1)}{last}")
            _native(lambda: setattr(table.api, "VerticalAlignment", -4160))  # xlTop
            for number_format, js in formats.items():
                for union in body(js):
                    target.range(union).number_format = number_format
            for union in body([j for j, c in enumerate(columns) if c.wrap]):
                wrapped = target.range(union)
                wrapped.wrap_text = True
                _native(lambda w=wrapped: setattr(w.api, "IndentLevel", 1))  # off the figures
            for union in body([j for j, c in enumerate(columns) if c.input]):
                _named_style(target.range(union), INPUT_STYLE, "FFF2CC")
            table.rows.autofit()  # wrapped text: rows as tall as their lines
        for j, allowed in (choices or {}).items():
            below = target.range(f"{letter(j)}{first}:{letter(j)}{max(last, used_last, first)}")
            validation = getattr(below, "data_validation", None)  # xlwings 0.37.5 and later
            if validation is None:
                continue
            validation.delete()
            if rows:
                target.range(f"{letter(j)}{first}:{letter(j)}{last}").data_validation.set_list(
                    list(allowed)
                )
        area = f"${letter(0)}${top - title_rows}:${letter(len(columns) - 1)}${max(last, top)}"
        target.page_setup.print_area = area

        def print_setup() -> None:
            setup = target.api.PageSetup
            setup.Orientation = 2  # xlLandscape
            setup.Zoom = False
            setup.FitToPagesWide = 1
            setup.FitToPagesTall = False
            setup.PrintTitleRows = f"${top}:${top}"

        _native(print_setup)
        _native(lambda: self._freeze(target, top))

    def _freeze(self, target: Any, rows: int) -> None:
        """Freeze the top ``rows`` of ``target`` (Excel freezes a window: the sheet is shown
        for the moment, then the sheet the user was on comes back)."""
        active = self._book.sheets.active
        target.activate()
        window = self._book.app.api.ActiveWindow
        window.FreezePanes = False
        window.ScrollRow = 1
        window.SplitColumn = 0
        window.SplitRow = rows
        window.FreezePanes = True
        active.activate()

    def ensure_sheet(self, name: str, after: str | None = None) -> None:
        sheets = self._book.sheets
        if name in [s.name for s in sheets]:
            return
        if after is not None and after in [s.name for s in sheets]:
            sheets.add(name, after=sheets[after])
        else:
            sheets.add(name, after=sheets[len(sheets) - 1])

    def clear(self, sheet: str, address: str) -> None:
        self._range(sheet, address).clear_contents()

    def status(self, message: str) -> None:
        self._book.app.status_bar = message

    def save(self) -> None:
        self._book.save()
        self.path = _saved_path(self._book) or self.path

    # ------------------------------------------------------------------ Excel only
    def open_for_writes(self) -> None:
        """Let the add-in write into protected sheets while they stay protected for the user.

        Excel's ``UserInterfaceOnly`` protection (no password in our workbooks) allows
        programmatic writes; Excel forgets it when the workbook closes, so every action sets
        it again. Structure protection (no sheets added or removed by hand) is lifted for the
        action, which may add the Check or Push Log sheet, and restored by ``done``. One call
        per sheet, through the native object (``.api``): the open-source core has no API for
        protection. On macOS the AppleScript object model differs; failures are ignored there
        and a protected sheet then reports its own error.
        """
        self._restructure = False
        try:
            for sheet in self._book.sheets:
                if sheet.api.ProtectContents:
                    sheet.api.Protect(
                        UserInterfaceOnly=True,
                        AllowSorting=True,
                        AllowFiltering=True,
                        AllowFormattingColumns=True,
                        AllowFormattingRows=True,
                    )
            if self._book.api.ProtectStructure:
                self._book.api.Unprotect()
                self._restructure = True
        except Exception:  # macOS (appscript) or an unusual host: leave protection as it is
            pass

    def done(self) -> None:
        """Restore structure protection and give the status bar back to Excel."""
        if getattr(self, "_restructure", False):
            try:
                self._book.api.Protect(Structure=True)
            except Exception:
                pass
            self._restructure = False
        self._book.app.status_bar = False

    def selection(self) -> tuple[str, int] | None:
        """(sheet, first row) of what the user has selected; None when nothing is."""
        selected = self._book.app.selection
        if selected is None:
            return None
        return selected.sheet.name, int(selected.row)

    def show(self, sheet: str) -> None:
        """Bring ``sheet`` to the front (the Check sheet after Check, the Push Log after Push)."""
        self._book.sheets[sheet].activate()

    def alert(self, message: str, title: str = "Demand Review", critical: bool = False) -> None:
        self._book.app.alert(message, title=title, mode="critical" if critical else "info")
