"""Reading a gathering file (CSV or .xlsx) into rows of text by column heading, with the file's
row numbers, and turning cells into numbers and months with a refusal for each that is not.

A workbook's formulas are read through their saved values; a formula with no saved value (a
file written by a program and never opened) is refused, never taken as empty.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from addin.gather.errors import GatherFileRefused

#: Marks a formula whose saved value is missing (never confused with an empty cell).
NO_SAVED_VALUE = object()


@dataclass(frozen=True)
class FileRow:
    row: int  # as the file shows it: the heading is row 1 (or the table's heading row)
    cells: dict[str, Any]  # heading (casefolded) -> value


def read_table(path: Path, *, sheet: str | None = None) -> tuple[list[str], list[FileRow]]:
    """Headings and non-empty rows of the first sheet (or ``sheet``) or CSV file."""
    if not path.is_file():
        raise GatherFileRefused(f"{path}: no such file. Check the path.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grid = _csv_grid(path)
    elif suffix in (".xlsx", ".xlsm"):
        grid = _xlsx_grid(path, sheet)
    else:
        raise GatherFileRefused(f"{path}: not a .csv or .xlsx file. Save it as one of those.")
    return _table(path, grid)


def _csv_grid(path: Path) -> list[tuple[int, list[Any]]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise GatherFileRefused(f"{path}: not a text file. Export the data as CSV (UTF-8).")
    if "\x00" in text:
        raise GatherFileRefused(f"{path}: not a text file. Export the data as CSV (UTF-8).")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    return [(reader.line_num, row) for row in reader]


def _xlsx_grid(path: Path, sheet: str | None) -> list[tuple[int, list[Any]]]:
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, data_only=True, read_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise GatherFileRefused(
            f"{path}: not a readable .xlsx workbook ({e}). Open it in Excel and save it again."
        ) from None
    try:
        name = sheet or values.sheetnames[0]
        if name not in values.sheetnames:
            raise GatherFileRefused(f"{path}: no sheet {name!r}. Sheets: {values.sheetnames}.")
        out: list[tuple[int, list[Any]]] = []
        for n, (shown, typed) in enumerate(
            zip(
                values[name].iter_rows(values_only=True),
                formulas[name].iter_rows(values_only=True),
                strict=False,
            ),
            start=1,
        ):
            out.append((n, [_saved(v, f) for v, f in zip(shown, typed, strict=False)]))
        return out
    finally:
        values.close()
        formulas.close()


def _saved(value: Any, typed: Any) -> Any:
    if value is None and isinstance(typed, str) and typed.startswith("="):
        return NO_SAVED_VALUE
    return value


def _table(path: Path, grid: list[tuple[int, list[Any]]]) -> tuple[list[str], list[FileRow]]:
    filled = [(n, row) for n, row in grid if any(_text(v) for v in row)]
    if not filled:
        raise GatherFileRefused(f"{path}: the file is empty. Export the data with a heading row.")
    heading_row, headings = filled[0]
    names = [_text(h).casefold() for h in headings]
    rows = [
        FileRow(n, {h: v for h, v in zip(names, row, strict=False) if h}) for n, row in filled[1:]
    ]
    if not rows:
        raise GatherFileRefused(
            f"{path}: only a heading row (row {heading_row}), no data. Export the rows too."
        )
    return [_text(h) for h in headings if _text(h)], rows


def find_columns(
    path: Path, headings: Sequence[str], wanted: dict[str, str], optional: Sequence[str] = ()
) -> None:
    """Refuse the file when a wanted heading (role -> heading) is missing."""
    have = {h.casefold() for h in headings}
    missing = [
        f"{role} ({heading!r})"
        for role, heading in wanted.items()
        if heading.casefold() not in have and role not in optional
    ]
    if missing:
        raise GatherFileRefused(
            f"{path}: no column for {', '.join(missing)}. The file's headings are: "
            f"{', '.join(repr(h) for h in headings)}. Rename the columns, or name yours in "
            'demandgrid.toml, e.g. [actuals] account = "Customer".'
        )


def _text(value: Any) -> str:
    if value is None or value is NO_SAVED_VALUE:
        return ""
    return str(value).strip()


# ---------------------------------------------------------------- cells -> values

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?$")


class CellRefused(ValueError):
    """A cell's value is not what its column needs; the message is the problem, ``fix`` the fix."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.fix = fix


def as_number(value: Any, *, required: bool = True) -> float | None:
    """A cell as a number: numbers, and text like ``1234.5`` or ``1,234.5``."""
    if value is NO_SAVED_VALUE:
        raise CellRefused(
            "a formula with no saved value",
            "Open the file in Excel or LibreOffice and save it, or paste the values.",
        )
    if isinstance(value, bool):
        raise CellRefused("TRUE/FALSE, not a number", "Type the number.")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellRefused("not a finite number", "Type the number.")
        return float(value)
    if isinstance(value, (date, datetime)):
        raise CellRefused("a date, not a number", "Type the number (check the column).")
    text = _text(value)
    if not text:
        if required:
            raise CellRefused("empty", "Type the number (0 if none).")
        return None
    if text.endswith("%"):
        raise CellRefused("a percentage, not a number", "Type the quantity or amount itself.")
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise CellRefused("not a number", "Type digits only, with . for decimals.")
    return float(text)


def as_month(value: Any) -> date:
    """A cell as the first day of its month: a date, or text ``2026-10`` / ``2026-10-01``."""
    if value is NO_SAVED_VALUE:
        raise CellRefused(
            "a formula with no saved value",
            "Open the file in Excel or LibreOffice and save it, or paste the values.",
        )
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellRefused(
            "a number, not a month", "Format the column as a date, or type the month as 2026-10."
        )
    text = _text(value)
    match = _MONTH.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        day = int(match.group(3) or 1)
        try:
            date(year, month, day)
            return date(year, month, 1)
        except ValueError:
            pass
    if not text:
        raise CellRefused("empty", "Type the month as 2026-10.")
    raise CellRefused("not a month this can read", "Type the month as 2026-10 (year-month).")


def as_text(value: Any) -> str:
    if value is NO_SAVED_VALUE:
        raise CellRefused(
            "a formula with no saved value",
            "Open the file in Excel or LibreOffice and save it, or paste the values.",
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)
