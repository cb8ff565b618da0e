"""Literal values of the local org's SOQL as the SQLite org stores them: datetimes in
Salesforce's wire format, Ids widened to 18 characters, relative dates as day ranges."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sync.localorg.soql.lex import refuse
from sync.localorg.soql.parse import RelativeDate


def format_datetime(v: datetime) -> str:
    """Salesforce's wire format, as the local org stores datetimes (UTC, milliseconds)."""
    return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}+0000"


_ID_CHARS = re.compile(r"[A-Za-z0-9]{15}([A-Za-z0-9]{3})?\Z", re.ASCII)
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def id18(value: str, position: int) -> str:
    if not _ID_CHARS.match(value):
        raise refuse(
            "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {value} (position {position})"
        )
    if len(value) == 18:
        return value
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, ch in enumerate(value[start : start + 5]) if "A" <= ch <= "Z")
        suffix += _SUFFIX[bits]
    return value + suffix


# ---------------------------------------------------------------- relative dates


def add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def relative_range(rel: RelativeDate, today: date) -> tuple[date, date]:
    """The half-open range [start, end) of days a relative date literal stands for."""
    n = rel.n or 0
    day = timedelta(days=1)
    month0 = today.replace(day=1)
    year0 = date(today.year, 1, 1)
    return {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "THIS_MONTH": (month0, add_months(month0, 1)),
        "LAST_MONTH": (add_months(month0, -1), month0),
        "NEXT_MONTH": (add_months(month0, 1), add_months(month0, 2)),
        "THIS_YEAR": (year0, date(today.year + 1, 1, 1)),
        "LAST_YEAR": (date(today.year - 1, 1, 1), year0),
        "NEXT_YEAR": (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1)),
        "LAST_N_DAYS": (today - n * day, today + day),  # includes today
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),  # starts tomorrow
        "LAST_N_MONTHS": (add_months(month0, -n), month0),  # excludes this month
        "NEXT_N_MONTHS": (add_months(month0, 1), add_months(month0, n + 1)),
    }[rel.name]
