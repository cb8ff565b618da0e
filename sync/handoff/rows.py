"""Row-level validation shared by the hand-off loads: a ``RowProblem`` names the file's row
number, the column, the value found and what to do, so a refusal can list every bad row at once
before anything is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_MONTH = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*\Z")


@dataclass(frozen=True)
class RowProblem:
    """One refused row: where (file row number, column), what was found, what to do."""

    row: int
    column: str
    value: str
    fix: str

    def __str__(self) -> str:
        shown = repr(self.value) if self.value != "" else "(empty)"
        return f"row {self.row}, {self.column} {shown}: {self.fix}"


def cell_text(value: Any) -> str:
    """A file cell as the text a person sees (None -> "", 12.0 -> "12")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_month(value: Any) -> date | None:
    """``2026-11`` / ``2026-11-01`` / a date -> the month's first day, else None."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    found = _MONTH.match(cell_text(value))
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12 or (found.group(3) and int(found.group(3)) != 1):
        return None
    return date(year, month, 1)


def parse_decimal(value: Any) -> Decimal | None:
    """A finite decimal number from a file cell (``1,200`` and ``1200.50`` read), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = cell_text(value).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def month_key(first: date) -> str:
    """A month as ``YYYY-MM`` (the hand-off files' and keys' period format)."""
    return f"{first.year:04d}-{first.month:02d}"
