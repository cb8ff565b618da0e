"""Lock rules: which forecast cells a rep may not adjust, and why.

Salesforce has no lock field on a forecast cell; the project decides. A cell is locked when
(first reason wins):

1. its period is past (the period started before the current month): "past period";
2. it lies in the frozen zone, the first ``frozen_months`` months from the current one:
   "frozen: inside the 1-month frozen zone";
3. a closed demand review (``closed``, from ``sync.cycle.locks``): entries (period start,
   region or ``"*"``, reason), the first entry matching a cell's period and region decides, and
   an empty reason keeps it open: "review closed on 2026-11-12 by Avery Quinn" (before 4, so the
   reason is the same across the period);
4. its account forecast is ``Expired``: "account forecast expired";
5. the S&OP calendar has closed it: every period starting on or before ``closed_through``, or a
   period whose date in ``close_dates`` has come: "closed by the S&OP calendar on 2026-11-30".

``apply_locks`` is a pure function of frame columns (``period_start`` and, when present,
``forecast_status``) and ``today``, so pull sets the locks and push re-checks them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

#: The optional frame column holding the account forecast's status (``Active``, ``Expired``).
FORECAST_STATUS = "forecast_status"

PAST = "past period"
EXPIRED = "account forecast expired"


@dataclass(frozen=True)
class LockRules:
    """The configurable lock rules (see the module docstring)."""

    frozen_months: int = 1
    lock_expired: bool = True
    expired_status: str = "Expired"
    closed_through: date | None = None
    #: Per period (its first day): the day the S&OP calendar closes it. Given as a mapping,
    #: kept as sorted pairs so the rules stay hashable.
    close_dates: Mapping[date, date] | tuple[tuple[date, date], ...] = ()
    #: Closed reviews (issue 12): (period start, region or "*", reason or "" for open).
    closed: tuple[tuple[date, str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.frozen_months < 0:
            raise ValueError(f"frozen_months must be 0 or more, not {self.frozen_months}")
        pairs = (
            self.close_dates.items() if isinstance(self.close_dates, Mapping) else self.close_dates
        )
        object.__setattr__(self, "close_dates", tuple(sorted(pairs)))

    def frozen_reason(self) -> str:
        months = "1-month" if self.frozen_months == 1 else f"{self.frozen_months}-month"
        return f"frozen: inside the {months} frozen zone"


DEFAULT_RULES = LockRules()


def _add_months(first: date, months: int) -> date:
    total = first.year * 12 + first.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def lock_reasons(
    period_start: pd.Series,
    status: pd.Series | None,
    rules: LockRules,
    today: date,
    region: pd.Series | None = None,
) -> np.ndarray:
    """The lock reason of every cell ("" where editable), as an object array."""
    starts = pd.to_datetime(period_start).dt.date.to_numpy()
    month0 = today.replace(day=1)
    frozen_end = _add_months(month0, rules.frozen_months)
    reasons = np.full(len(starts), "", dtype=object)
    open_ = np.ones(len(starts), dtype=bool)

    def lock(mask: np.ndarray, reason: object) -> None:
        hit = mask & open_
        reasons[hit] = reason
        open_[hit] = False

    lock(starts < month0, PAST)
    lock(starts < frozen_end, rules.frozen_reason())
    # a closed review before the account's own status: the reason is the same period-wide
    if rules.closed:
        regions = (
            np.full(len(starts), "", dtype=object)
            if region is None
            else region.fillna("").astype(str).to_numpy(dtype=object)
        )
        decided = np.zeros(len(starts), dtype=bool)
        for start, where, reason in rules.closed:
            hit = (starts == start) & ~decided & (True if where == "*" else regions == where)
            decided |= hit
            if reason:
                lock(hit, reason)
    if rules.lock_expired and status is not None:
        lock((status.fillna("") == rules.expired_status).to_numpy(dtype=bool), EXPIRED)
    if rules.closed_through is not None:
        closed = f"closed by the S&OP calendar on {rules.closed_through.isoformat()}"
        lock(starts <= rules.closed_through, closed)
    for start, closes in rules.close_dates:  # type: ignore[misc]
        if closes <= today:
            lock(starts == start, f"closed by the S&OP calendar on {closes.isoformat()}")
    return reasons


def apply_locks(frame: pd.DataFrame, rules: LockRules, today: date) -> pd.DataFrame:
    """A copy of ``frame`` with ``locked`` and ``lock_reason`` set by ``rules`` as of ``today``.

    Needs ``period_start``; uses ``forecast_status`` when the frame has it.
    """
    status = frame[FORECAST_STATUS] if FORECAST_STATUS in frame.columns else None
    region = frame["region"] if "region" in frame.columns else None
    reasons = lock_reasons(frame["period_start"], status, rules, today, region)
    out = frame.copy()
    out["lock_reason"] = pd.Series(reasons, index=frame.index, dtype=object)
    out["locked"] = out["lock_reason"] != ""
    return out
