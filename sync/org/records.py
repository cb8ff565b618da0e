"""The records that flow through demandgrid: pulled cells, changes, receipts.

org -> pull -> ``PulledCell`` rows (one per forecast cell, as a frame with ``CELL_COLUMNS``)
-> grid -> workbook -> (the rep edits) -> ``Change`` list -> checks -> batch -> push -> ``Receipt``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: Columns of the pulled-cells frame, one row per forecast cell, in this order.
CELL_COLUMNS = (
    "record_id",  # AccountProductPeriodForecast Id (18 chars)
    "row_key",  # AccountProductForecast Id: one grid block per account x product
    "account_id",
    "account_name",
    "region",
    "product_id",
    "product_name",
    "product_family",
    "period_id",
    "period_start",  # datetime.date, first day of the month
    "baseline",  # float: system forecast
    "adjusted",  # float or NaN: the rep's number as the org holds it
    "note",  # str: AdjustmentComments in the org ("" if none)
    "actual",  # float or NaN: orders in the period
    "last_year",  # float or NaN
    "target",  # float or NaN: account-manager target for the period
    "modstamp",  # str: SystemModstamp, ISO 8601 as the org sends it
    "locked",  # bool
    "lock_reason",  # str: "" when editable, else why ("past period", "frozen until 2026-12-05", ...)
)


def period_dates(values: list[Any]) -> list[date]:
    """Period starts as ``date``s, whether a frame holds them as dates (a pull), timestamps or
    ISO strings (a frame read back or built elsewhere)."""
    return [v if v.__class__ is date else _day(v) for v in values]


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def cell_keys(frame: Any) -> list[tuple[str, str, date]]:
    """(account id, product id, period start) of each row of a cells frame (``CELL_COLUMNS``):
    the key other data about a cell (ERP actuals, POS, won schedules, targets) is matched on."""
    return list(
        zip(
            frame["account_id"].astype(str).tolist(),
            frame["product_id"].astype(str).tolist(),
            period_dates(frame["period_start"].tolist()),
            strict=True,
        )
    )


@dataclass(frozen=True)
class PullContext:
    """Who pulled what, from where, when: stored in the workbook's hidden record."""

    org_id: str
    org_name: str
    instance: str
    user_id: str  # the rep whose portfolio this is
    user_name: str
    pulled_by: str  # the signed-in username that ran the pull
    pulled_at: str  # ISO 8601 UTC
    measure: str
    profile: str
    horizon: int
    first_period: date | None = None
    team: bool = False  # a planner's pull: the rep and everyone reporting to them


@dataclass(frozen=True)
class Change:
    """One adjusted cell whose workbook value differs from what was pulled."""

    record_id: str
    sheet: str
    cell: str  # A1 address in the workbook, e.g. "H14"
    account_name: str
    product_name: str
    period_start: date
    old: float | None  # adjusted value when pulled (None = empty)
    new: float | None
    note: str
    reason_code: str
    modstamp: str  # SystemModstamp when pulled
    old_note: str | None = None  # the org's note when pulled (None: unknown, not compared)


@dataclass(frozen=True)
class Conflict:
    """A cell someone else changed in the org since the pull."""

    change: Change
    theirs: float | None
    their_note: str
    their_modstamp: str


@dataclass(frozen=True)
class CellReceipt:
    record_id: str
    cell: str
    account_name: str
    product_name: str
    period_start: date
    old: float | None
    new: float | None
    note: str
    reason_code: str
    outcome: str  # "written", "already in org", "kept theirs", "overwrote theirs", "not sent: ..."
    modstamp: str = ""  # SystemModstamp after the write
    theirs: float | None = None  # "kept/overwrote theirs": the org's value found at push time


@dataclass
class Receipt:
    """What one push did: written into the Push Log sheet and the local journal."""

    push_id: str
    started_at: str
    finished_at: str
    org_id: str
    instance: str
    username: str
    workbook: str
    cells: list[CellReceipt] = field(default_factory=list)
    update_calls: int = 0
    query_calls: int = 0
    responses: list[str] = field(default_factory=list)
    dry_run: bool = False
