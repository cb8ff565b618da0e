"""A recording stand-in for the xlwings objects the live path uses, backed by openpyxl.

``FakeBook.open(path)`` loads a workbook file; ``addin.excel.book.ExcelBook`` then works on it as it
would on Excel: sheets by name, ``range(...)`` with ``.value`` (``options(ndim=2)``),
``.formula``, ``.color``, ``.note``/``add_note``, ``.resize``, ``.clear_contents``, union
addresses ("A1,C3"), ``used_range``, ``sheet.notes``, ``book.names``, ``app.status_bar`` and
``app.alert``, and the table finish (``column_width``, ``number_format``, ``wrap_text``,
``font.bold``, ``clear_formats``, ``data_validation``, ``page_setup.print_area``, and through
``.api``: ``Style``, ``Borders``, ``VerticalAlignment``, ``PageSetup``, the window's freeze).
Content lands in the openpyxl workbook so tests can assert it, and **every call
that would cross to Excel** (COM on Windows) is counted in ``FakeBook.calls`` by kind.

Excel's behaviour that matters here is mimicked: numbers read back as floats; a string written
with a leading apostrophe is text (the apostrophe is not stored, ``.formula`` shows it); a
string starting with "=" is entered as a formula; formulas are not calculated (a value read of
a formula cell gives its text, as an uncalculated file does through openpyxl).
"""

from __future__ import annotations

from collections import Counter
from copy import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Side
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation


class FakeApp:
    def __init__(self, calls: Counter[str]) -> None:
        self._calls = calls
        self.status_history: list[Any] = []
        self.alerts: list[dict[str, Any]] = []
        self.opened: list[str] = []
        self.books = FakeBooks(self)
        self.book: FakeBook | None = None  # set by FakeBook

    @property
    def api(self) -> FakeAppApi:
        return FakeAppApi(self)

    @property
    def status_bar(self) -> Any:
        self._calls["app.status_bar"] += 1
        return self.status_history[-1] if self.status_history else False

    @status_bar.setter
    def status_bar(self, value: Any) -> None:
        self._calls["app.status_bar"] += 1
        self.status_history.append(value)

    selected: tuple[str, str] | None = None  # (sheet, address) the user selected

    @property
    def selection(self) -> Any:
        self._calls["app.selection"] += 1
        if self.selected is None or self.book is None:
            return None
        sheet, address = self.selected
        return self.book.sheets[sheet].range(address)

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        self._calls["app.alert"] += 1
        self.alerts.append({"prompt": prompt, "title": title, "mode": mode})
        return "ok"


class FakeAppApi:
    """The native application: only the active window (freezing panes)."""

    def __init__(self, app: FakeApp) -> None:
        self._app = app

    @property
    def ActiveWindow(self) -> FakeWindow:  # noqa: N802 - Excel's object model
        self._app._calls["app.api"] += 1
        assert self._app.book is not None
        return FakeWindow(self._app.book)


class FakeWindow:
    """Excel's window: freezing applies to the active sheet, above ``SplitRow``."""

    def __init__(self, book: FakeBook) -> None:
        self.__dict__["_book"] = book

    def __setattr__(self, name: str, value: Any) -> None:
        book = self.__dict__["_book"]
        book.calls["app.api"] += 1
        self.__dict__[name] = value
        if name == "FreezePanes":
            ws = book.wb.active
            split = self.__dict__.get("SplitRow", 0)
            ws.freeze_panes = f"A{split + 1}" if value and split else None


class FakePageSetup:
    """The native page setup: orientation, fit to pages, print titles (counted per call)."""

    def __init__(self, sheet: FakeSheet) -> None:
        self.__dict__["_sheet"] = sheet

    def __setattr__(self, name: str, value: Any) -> None:
        sheet = self.__dict__["_sheet"]
        sheet._book.calls["sheet.api"] += 1
        ws = sheet._ws
        if name == "Orientation":
            ws.page_setup.orientation = "landscape" if value == 2 else "portrait"
        elif name == "FitToPagesWide":
            ws.page_setup.fitToWidth = value
            ws.sheet_properties.pageSetUpPr.fitToPage = True
        elif name == "FitToPagesTall":
            ws.page_setup.fitToHeight = value or 0
        elif name == "PrintTitleRows":
            ws.print_title_rows = value.replace("$", "")


class FakeSheetPageSetup:
    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    @property
    def print_area(self) -> Any:
        self._sheet._book.calls["sheet.page_setup"] += 1
        return self._sheet._ws.print_area

    @print_area.setter
    def print_area(self, value: str) -> None:
        self._sheet._book.calls["sheet.page_setup"] += 1
        self._sheet._ws.print_area = value.replace("$", "")


class FakeBooks:
    def __init__(self, app: FakeApp) -> None:
        self._app = app

    def open(self, path: str) -> None:
        self._app._calls["books.open"] += 1
        self._app.opened.append(str(path))


class FakeSheetApi:
    """The native sheet object: only what protection needs."""

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    @property
    def ProtectContents(self) -> bool:  # noqa: N802 - Excel's object model
        self._sheet._book.calls["sheet.api"] += 1
        return bool(self._sheet._ws.protection.sheet)

    def Protect(self, **options: Any) -> None:  # noqa: N802
        self._sheet._book.calls["sheet.api"] += 1
        self._sheet._ws.protection.sheet = True
        self._sheet._book.protect_options[self._sheet._ws.title] = options

    @property
    def PageSetup(self) -> FakePageSetup:  # noqa: N802
        self._sheet._book.calls["sheet.api"] += 1
        return FakePageSetup(self._sheet)


class FakeBookApi:
    def __init__(self, book: FakeBook) -> None:
        self._book = book

    @property
    def ProtectStructure(self) -> bool:  # noqa: N802
        self._book.calls["book.api"] += 1
        return bool(self._book.wb.security and self._book.wb.security.lockStructure)

    def Unprotect(self) -> None:  # noqa: N802
        self._book.calls["book.api"] += 1
        self._book.wb.security.lockStructure = False

    def Protect(self, Structure: bool = False) -> None:  # noqa: N802, N803
        self._book.calls["book.api"] += 1
        self._book.wb.security.lockStructure = Structure


class FakeBook:
    """An xlwings ``Book`` stand-in over an openpyxl workbook."""

    def __init__(self, wb: Any, path: str = "", app: FakeApp | None = None) -> None:
        self.wb = wb
        self.fullname = path
        self.calls: Counter[str] = Counter()
        self.app = app or FakeApp(self.calls)
        self.app._calls = self.calls
        self.app.book = self
        self.sheets = FakeSheets(self)
        self.names = FakeNames(self)
        self.api = FakeBookApi(self)
        self.protect_options: dict[str, dict[str, Any]] = {}
        self.saved = 0
        self.closed = False
        self.largest_read = 0  # cells in the biggest single value or formula read

    @classmethod
    def open(cls, path: str | Path) -> FakeBook:
        return cls(openpyxl.load_workbook(path, rich_text=False), str(path))

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def reset_calls(self) -> None:
        self.calls.clear()

    def close(self) -> None:
        self.calls["book.close"] += 1
        self.closed = True

    def save(self, path: str | None = None) -> None:
        self.calls["book.save"] += 1
        self.saved += 1
        target = path or self.fullname
        if target:
            self.wb.save(target)


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self._book = book

    def __iter__(self):
        self._book.calls["sheets.iter"] += 1
        return iter([FakeSheet(self._book, ws) for ws in self._book.wb.worksheets])

    def __len__(self) -> int:
        self._book.calls["sheets.count"] += 1
        return len(self._book.wb.worksheets)

    def __getitem__(self, key: str | int) -> FakeSheet:
        self._book.calls["sheets.item"] += 1
        ws = self._book.wb.worksheets[key] if isinstance(key, int) else self._book.wb[key]
        return FakeSheet(self._book, ws)

    @property
    def active(self) -> FakeSheet:
        self._book.calls["sheets.active"] += 1
        return FakeSheet(self._book, self._book.wb.active)

    def add(self, name: str, before: Any = None, after: FakeSheet | None = None) -> FakeSheet:
        self._book.calls["sheets.add"] += 1
        wb = self._book.wb
        index = wb.worksheets.index(after._ws) + 1 if after is not None else None
        return FakeSheet(self._book, wb.create_sheet(name, index))


class FakeSheet:
    def __init__(self, book: FakeBook, ws: Any) -> None:
        self._book = book
        self._ws = ws

    @property
    def name(self) -> str:
        self._book.calls["sheet.name"] += 1
        return self._ws.title

    @property
    def book(self) -> FakeBook:
        return self._book

    @property
    def api(self) -> FakeSheetApi:
        return FakeSheetApi(self)

    def activate(self) -> None:
        self._book.calls["sheet.activate"] += 1
        self._book.wb.active = self._book.wb.worksheets.index(self._ws)

    @property
    def page_setup(self) -> FakeSheetPageSetup:
        return FakeSheetPageSetup(self)

    def range(self, address: str) -> FakeRange:
        self._book.calls["sheet.range"] += 1
        return FakeRange(self, address.replace("$", ""))

    def __getitem__(self, address: str) -> FakeRange:
        return self.range(address)

    @property
    def used_range(self) -> FakeRange:
        self._book.calls["sheet.used_range"] += 1
        ws = self._ws
        return FakeRange(self, f"A1:{get_column_letter(max(ws.max_column, 1))}{max(ws.max_row, 1)}")

    @property
    def notes(self) -> list[FakeNote]:
        self._book.calls["sheet.notes"] += 1
        found = []
        for _key, cell in sorted(self._ws._cells.items()):
            if cell.comment is not None:
                found.append(FakeNote(FakeRange(self, cell.coordinate), cell))
        self._book.calls["note"] += len(found)  # each note is fetched from Excel
        return found


class FakeNote:
    def __init__(self, location: FakeRange, cell: Any) -> None:
        self.location = location
        self._cell = cell

    @property
    def text(self) -> str:
        return self._cell.comment.text if self._cell.comment else ""

    def delete(self) -> None:
        self.location._sheet._book.calls["note.delete"] += 1
        self._cell.comment = None


def _excel_number_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FakeRange:
    def __init__(self, sheet: FakeSheet, address: str, options: dict[str, Any] | None = None):
        self._sheet = sheet
        self._address = address
        self._options = options or {}

    @property
    def sheet(self) -> FakeSheet:
        return self._sheet

    @property
    def row(self) -> int:
        return self._areas()[0][1]

    # --- geometry
    def _areas(self) -> list[tuple[int, int, int, int]]:
        out = []
        for part in self._address.split(","):
            min_col, min_row, max_col, max_row = range_boundaries(part)
            out.append((min_col, min_row, max_col or min_col, max_row or min_row))
        return out

    def _cells(self) -> list[list[Any]]:
        min_col, min_row, max_col, max_row = self._areas()[0]
        ws = self._sheet._ws
        return [
            [ws.cell(row=r, column=c) for c in range(min_col, max_col + 1)]
            for r in range(min_row, max_row + 1)
        ]

    def _count(self, what: str) -> None:
        self._sheet._book.calls[what] += 1

    @property
    def address(self) -> str:
        return ",".join(
            f"${get_column_letter(a)}${b}:${get_column_letter(c)}${d}"
            if (a, b) != (c, d)
            else f"${get_column_letter(a)}${b}"
            for a, b, c, d in self._areas()
        )

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        return FakeRange(self._sheet, self._address, {**self._options, **options})

    def resize(self, row_size: int | None = None, column_size: int | None = None) -> FakeRange:
        self._count("range.resize")
        min_col, min_row, max_col, max_row = self._areas()[0]
        rows = row_size or (max_row - min_row + 1)
        cols = column_size or (max_col - min_col + 1)
        end = f"{get_column_letter(min_col + cols - 1)}{min_row + rows - 1}"
        return FakeRange(self._sheet, f"{get_column_letter(min_col)}{min_row}:{end}")

    # --- values
    def _read(self) -> list[list[Any]]:
        cells = self._cells()
        book = self._sheet._book
        book.largest_read = max(book.largest_read, sum(map(len, cells)))
        return cells

    @property
    def value(self) -> Any:
        self._count("range.value.get")
        rows = [[_read_value(cell) for cell in row] for row in self._read()]
        if self._options.get("ndim") == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows

    @value.setter
    def value(self, block: Any) -> None:
        self._count("range.value.set")
        self._put(block, formulas=False)

    @property
    def formula(self) -> Any:
        self._count("range.formula.get")
        rows = tuple(tuple(_read_formula(cell) for cell in row) for row in self._read())
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @formula.setter
    def formula(self, block: Any) -> None:
        self._count("range.formula.set")
        self._put(block, formulas=True)

    def _put(self, block: Any, formulas: bool) -> None:
        if not isinstance(block, list | tuple):
            block = [[block]]
        elif block and not isinstance(block[0], list | tuple):
            block = [list(block)]
        min_col, min_row, _, _ = self._areas()[0]
        ws = self._sheet._ws
        for r, row in enumerate(block):
            for c, value in enumerate(row):
                _write_cell(ws.cell(row=min_row + r, column=min_col + c), value)

    def clear_contents(self) -> None:
        self._count("range.clear_contents")
        for row in self._cells():
            for cell in row:
                cell.value = None

    # --- formats
    @property
    def color(self) -> Any:
        self._count("range.color.get")
        fill = self._cells()[0][0].fill
        return fill.fgColor.rgb if fill is not None and fill.fill_type == "solid" else None

    @color.setter
    def color(self, value: Any) -> None:
        self._count("range.color.set")
        fill = PatternFill("solid", fgColor=value.lstrip("#").upper()) if value else PatternFill()
        ws = self._sheet._ws
        for min_col, min_row, max_col, max_row in self._areas():
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    ws.cell(row=r, column=c).fill = fill

    def _each(self) -> list[Any]:
        """Every cell of every area (a whole column ``A:A`` as far as the sheet goes)."""
        ws = self._sheet._ws
        out = []
        for min_col, min_row, max_col, max_row in self._areas():
            rows = range(min_row or 1, (max_row or ws.max_row) + 1)
            out += [ws.cell(row=r, column=c) for r in rows for c in range(min_col, max_col + 1)]
        return out

    @property
    def column_width(self) -> Any:
        self._count("range.column_width.get")
        letter = get_column_letter(self._areas()[0][0])
        return self._sheet._ws.column_dimensions[letter].width

    @column_width.setter
    def column_width(self, value: float) -> None:
        self._count("range.column_width.set")
        for min_col, _, max_col, _ in self._areas():
            for c in range(min_col, max_col + 1):
                self._sheet._ws.column_dimensions[get_column_letter(c)].width = value

    @property
    def number_format(self) -> str:
        self._count("range.number_format.get")
        return self._cells()[0][0].number_format

    @number_format.setter
    def number_format(self, value: str) -> None:
        self._count("range.number_format.set")
        for cell in self._each():
            cell.number_format = value

    @property
    def wrap_text(self) -> bool:
        self._count("range.wrap_text.get")
        return bool(self._cells()[0][0].alignment.wrap_text)

    @wrap_text.setter
    def wrap_text(self, value: bool) -> None:
        self._count("range.wrap_text.set")
        for cell in self._each():
            cell.alignment = Alignment(
                wrap_text=value,
                horizontal=cell.alignment.horizontal,
                vertical=cell.alignment.vertical,
            )

    @property
    def font(self) -> FakeFont:
        self._count("range.font")
        return FakeFont(self)

    def clear_formats(self) -> None:
        self._count("range.clear_formats")
        for cell in self._each():
            cell.style = "Normal"

    @property
    def rows(self) -> FakeRows:
        return FakeRows(self)

    @property
    def data_validation(self) -> FakeValidation:
        self._count("range.data_validation")
        return FakeValidation(self)

    @property
    def api(self) -> FakeRangeApi:
        return FakeRangeApi(self)

    # --- notes
    @property
    def note(self) -> FakeNote | None:
        self._count("range.note.get")
        cell = self._cells()[0][0]
        return FakeNote(self, cell) if cell.comment is not None else None

    def add_note(self, text: str) -> FakeNote:
        self._count("range.add_note")
        cell = self._cells()[0][0]
        cell.comment = Comment(text, "demandgrid")
        return FakeNote(self, cell)


def _read_value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # Excel has one number type
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _read_formula(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        return str(value)
    if isinstance(value, str):
        # Text that Excel would otherwise parse shows its "'" prefix in the formula bar.
        return "'" + value if value.startswith(("=", "+", "-", "@")) else value
    if isinstance(value, datetime | date):
        return str(value)
    return _excel_number_text(value)


def _parses_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _write_cell(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        if value.startswith("'"):
            cell.value = value[1:]
            cell.data_type = "s"
        elif value.startswith("="):
            cell.value = value  # openpyxl marks it a formula
        elif value == "":
            cell.value = None
        elif _parses_as_number(value):
            cell.value = float(value)  # as Excel does with unprefixed "00123" or "-5"
        elif value.startswith(("+", "-", "@")):
            cell.value = "=" + value[1:]  # Excel enters these as formulas
        else:
            cell.value = value
            cell.data_type = "s"
    else:
        cell.value = value


class FakeRows:
    def __init__(self, cells: FakeRange) -> None:
        self._range = cells

    def autofit(self) -> None:
        self._range._count("range.rows.autofit")


class FakeFont:
    def __init__(self, cells: FakeRange) -> None:
        self._range = cells

    @property
    def bold(self) -> bool:
        self._range._count("range.font.bold")
        return bool(self._range._cells()[0][0].font.bold)

    @bold.setter
    def bold(self, value: bool) -> None:
        self._range._count("range.font.bold")
        for cell in self._range._each():
            font = cell.font
            cell.font = Font(name=font.name, size=font.size, color=font.color, bold=value)


class FakeValidation:
    """Data validation on a range (xlwings 0.37.5+): ``set_list`` and ``delete``."""

    def __init__(self, cells: FakeRange) -> None:
        self._range = cells

    def _covered(self) -> tuple[Any, str]:
        ws = self._range._sheet._ws
        return ws, self._range._address

    def delete(self) -> None:
        self._range._count("range.data_validation.delete")
        ws, address = self._covered()
        min_col, min_row, max_col, max_row = range_boundaries(address)
        kept = []
        for dv in ws.data_validations.dataValidation:
            hit = any(
                r.min_col <= max_col
                and r.max_col >= min_col
                and r.min_row <= max_row
                and r.max_row >= min_row
                for r in dv.sqref.ranges
            )
            if not hit:
                kept.append(dv)
        ws.data_validations.dataValidation = kept

    def set_list(self, source: list[Any], *, in_cell_dropdown: bool = True) -> None:
        self._range._count("range.data_validation.set")
        ws, address = self._covered()
        dv = DataValidation(type="list", formula1='"' + ",".join(map(str, source)) + '"')
        ws.add_data_validation(dv)
        dv.add(address)


class FakeBorder:
    def __init__(self, cells: FakeRange, index: int) -> None:
        self.__dict__["_range"] = cells
        self.__dict__["_index"] = index

    def __setattr__(self, name: str, value: Any) -> None:
        cells = self.__dict__["_range"]
        cells._count("range.api.borders")
        if name == "LineStyle" and self.__dict__["_index"] == 9:  # xlEdgeBottom
            for cell in cells._each():
                border = copy(cell.border)
                border.bottom = Side(style="thin")
                cell.border = border


class FakeStyle:
    def __init__(self, name: str) -> None:
        self.Name = name  # noqa: N815 - Excel's object model


class FakeRangeApi:
    """The native range object: only ``Style`` (get: the shared named style, else None)."""

    def __init__(self, cells: FakeRange) -> None:
        self._range = cells

    def _all(self) -> list[Any]:
        ws = self._range._sheet._ws
        return [
            ws.cell(row=r, column=c)
            for min_col, min_row, max_col, max_row in self._range._areas()
            for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)
        ]

    @property
    def Style(self) -> FakeStyle | None:  # noqa: N802
        self._range._count("range.api.style")
        names = {cell.style for cell in self._all()}
        return FakeStyle(names.pop()) if len(names) == 1 else None

    @Style.setter
    def Style(self, name: str) -> None:  # noqa: N802
        self._range._count("range.api.style")
        for cell in self._all():
            cell.style = name  # the named style's fill (and the rest of its format)

    def Borders(self, index: int) -> FakeBorder:  # noqa: N802
        self._range._count("range.api.borders")
        return FakeBorder(self._range, index)

    @property
    def VerticalAlignment(self) -> Any:  # noqa: N802
        return None

    @VerticalAlignment.setter
    def VerticalAlignment(self, value: int) -> None:  # noqa: N802
        self._range._count("range.api.alignment")
        vertical = {-4160: "top", -4108: "center", -4107: "bottom"}.get(value)
        for cell in self._all():
            cell.alignment = Alignment(
                wrap_text=cell.alignment.wrap_text,
                horizontal=cell.alignment.horizontal,
                vertical=vertical,
            )


class FakeName:
    def __init__(self, refers_to: str) -> None:
        self.refers_to = refers_to


class FakeNames:
    def __init__(self, book: FakeBook) -> None:
        self._book = book

    def contains(self, name: str) -> bool:
        self._book.calls["names.contains"] += 1
        return name in self._book.wb.defined_names

    def __call__(self, name: str) -> FakeName:
        self._book.calls["names.item"] += 1
        return FakeName("=" + self._book.wb.defined_names[name].attr_text)

    def add(self, name: str, refers_to: str) -> FakeName:
        self._book.calls["names.add"] += 1
        names = self._book.wb.defined_names
        if name in names:
            del names[name]
        names[name] = DefinedName(name, attr_text=refers_to.lstrip("="))
        return FakeName(refers_to)
