"""Hand-off files read as rows: a CSV or the first sheet of an .xlsx, its first row the headings.

Headings are matched case-insensitively with spaces read as underscores (``Product family`` is
``product_family``); each row comes back with its row number in the file (headings are row 1),
so a refusal can say where to look. A file that cannot be read, or lacks a needed column, is
refused with ``FileRefused`` before anything is sent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from addin.book.errors import UserError
from sync.handoff.rows import RowProblem

Rows = list[tuple[int, dict[str, Any]]]
#: Problems listed by row in a refusal; the rest are counted.
LISTED = 20


class FileRefused(UserError):
    """A hand-off file that cannot be read or holds rows that cannot be loaded."""


def heading_key(value: Any) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def read_rows(path: Path, needed: Sequence[str]) -> Rows:
    """The file's rows as (row number, heading -> value); refuse unreadable files and missing columns."""
    path = Path(path)
    if not path.is_file():
        raise FileRefused(f"{path} does not exist (or is a folder). Give the file's path.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            table = _csv_table(path)
        elif suffix in (".xlsx", ".xlsm"):
            table = _xlsx_table(path)
        else:
            raise FileRefused(f"{path.name}: give a .csv or .xlsx file.")
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as e:
        raise FileRefused(
            f"{path.name} cannot be read ({type(e).__name__}: {e}). Save it again as CSV "
            "(UTF-8) or .xlsx and retry. Nothing was sent."
        ) from None
    if not table:
        raise FileRefused(f"{path.name} is empty: it needs a heading row ({', '.join(needed)}).")
    headings = [heading_key(h) for h in table[0]]
    missing = [c for c in needed if c not in headings]
    if missing:
        raise FileRefused(
            f"{path.name} has no column {', '.join(missing)} in its heading row (row 1 has: "
            f"{', '.join(str(h) for h in table[0] if h not in (None, ''))}). Add or rename the "
            "column, then retry. Nothing was sent."
        )
    rows: Rows = []
    for number, values in enumerate(table[1:], start=2):
        if all(v in (None, "") or str(v).strip() == "" for v in values):
            continue
        rows.append((number, dict(zip(headings, values, strict=False))))
    return rows


def _csv_table(path: Path) -> list[list[Any]]:
    text = path.read_bytes().decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_table(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValueError(f"not an .xlsx workbook ({type(e).__name__})") from None
    try:
        return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def refuse_rows(path: Path, problems: Sequence[RowProblem], what: str) -> None:
    """``FileRefused`` listing every problem by row (the first ``LISTED``), when there are any."""
    if not problems:
        return
    shown = "\n  ".join(str(p) for p in problems[:LISTED])
    more = f"\n  ... and {len(problems) - LISTED:,} more" if len(problems) > LISTED else ""
    rows = len({p.row for p in problems})
    raise FileRefused(
        f"{Path(path).name}: {rows:,} row(s) cannot be {what}:\n  {shown}{more}\n"
        f"Fix these rows in the file and run the command again. Nothing was sent."
    )
