"""Plain report tables (reconciliation, unmatched parts, coverage) as .xlsx sheets or CSV, with
org strings kept as text: never a formula in the workbook, never one when a CSV is opened.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from addin.book.atomic import save_beside

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
    """A sheet with a bold heading row, frozen, one row per record; strings stay text."""
    ws = book.create_sheet(title)
    ws.append(list(headings))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([None] * len(headings))
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=ws.max_row, column=col)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # "=HYPERLINK(...)" from the org stays text
            elif isinstance(value, float):
                cell.number_format = number_format
    ws.freeze_panes = "A2"
    for col, heading in enumerate(headings, start=1):
        longest = max([len(str(heading))] + [_shown_length(r[col - 1]) for r in rows[:500]])
        ws.column_dimensions[get_column_letter(col)].width = min(60, longest + 3)
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
