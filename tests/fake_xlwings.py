"""A recording stand-in for the xlwings objects the live path uses, backed by openpyxl.

``FakeBook.open(path)`` loads a workbook file; ``addin.excel.book.ExcelBook`` then works on it as it
would on Excel: sheets by name, ``range(...)`` with ``.value`` (``options(ndim=2)``),
``.formula``, ``.color``, ``.note``/``add_note``, ``.resize``, ``.clear_contents``, union
addresses ("A1,C3"), ``used_range``, ``sheet.notes``, ``book.names``, ``app.status_bar`` and
``app.alert``. Content lands in the openpyxl workbook so tests can assert it, and **every call
that would cross to Excel** (COM on Windows) is counted in ``FakeBook.calls`` by kind.

Excel's behaviour that matters here is mimicked: numbers read back as floats; a string written
with a leading apostrophe is text (the apostrophe is not stored, ``.formula`` shows it); a
string starting with "=" is entered as a formula; formulas are not calculated (a value read of
a formula cell gives its text, as an uncalculated file does through openpyxl).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.defined_name import DefinedName


class FakeApp:
    def __init__(self, calls: Counter[str]) -> None:
        self._calls = calls
        self.status_history: list[Any] = []
        self.alerts: list[dict[str, Any]] = []
        self.opened: list[str] = []
        self.books = FakeBooks(self)

    @property
    def status_bar(self) -> Any:
        self._calls["app.status_bar"] += 1
        return self.status_history[-1] if self.status_history else False

    @status_bar.setter
    def status_bar(self, value: Any) -> None:
        self._calls["app.status_bar"] += 1
        self.status_history.append(value)

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
        self.sheets = FakeSheets(self)
        self.names = FakeNames(self)
        self.api = FakeBookApi(self)
        self.protect_options: dict[str, dict[str, Any]] = {}
        self.saved = 0
        self.closed = False

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
    @property
    def value(self) -> Any:
        self._count("range.value.get")
        rows = [[_read_value(cell) for cell in row] for row in self._cells()]
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
        rows = tuple(tuple(_read_formula(cell) for cell in row) for row in self._cells())
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
