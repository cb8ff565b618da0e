"""Plain report tables (reconciliation, unmatched parts, coverage) as .xlsx sheets or CSV, with
org strings kept as text: never a formula in the workbook, never one when a CSV is opened.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from addin.book.atomic import save_beside
from addin.book.surface import ColumnFormat
from addin.book.table import format_table

_FORMULA_START = ("=", "+", "-", "@")


def csv_safe(value: Any) -> Any:
    """Text a spreadsheet would read as a formula, quoted so it opens as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def add_sheet(
    book: Any,
    title: str,
    headings: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    number_format: str = "#,##0.##",
) -> Any:
    """A readable table sheet (``addin.book.table.format_table``: styled frozen heading, fitted
    widths, landscape print one page wide); org strings stay text."""
    ws = book.create_sheet(title)
    ws.append(list(headings))
    for row in rows:
        ws.append([None] * len(headings))
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=ws.max_row, column=col)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # "=HYPERLINK(...)" from the org stays text
    columns = []
    for col, heading in enumerate(headings):
        values = [r[col] for r in rows[:500]]
        numeric = any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        longest = max([len(str(heading))] + [_shown_length(v) for v in values])
        columns.append(
            ColumnFormat(
                width=min(60, longest + (5 if numeric else 3)),
                number_format=number_format if numeric else None,
                wrap=longest > 60,
            )
        )
    format_table(book, ws, "A1", columns, len(rows))
    ws.auto_filter.ref = ws.dimensions
    return ws


def _shown_length(value: Any) -> int:
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return len("" if value is None else str(value))


def write_tables(
    path: Path, tables: dict[str, tuple[Sequence[str], Sequence[Sequence[Any]]]]
) -> Path:
    """Write the tables to ``path``: each a sheet of an .xlsx, or the first as a CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        headings, rows = next(iter(tables.values()))
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(headings)
            out.writerows([csv_safe(v) for v in row] for row in rows)
        return path
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, (headings, rows) in tables.items():
        add_sheet(book, title, headings, rows)
    return save_beside(path, book.save, keep_previous=False)
