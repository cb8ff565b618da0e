"""Fixtures for the review workbook tests: a synthetic ``PulledCells`` (no org needed), with the
injection-style names and the lock cases the workbook must handle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sync.org.records import CELL_COLUMNS, PullContext

INJECTION_ACCOUNTS = ('=HYPERLINK("http://x","y")', "+1 Industries", "-2 Tooling", "@Fasteners")
WILDCARD_ACCOUNT = "Parts * Tools? ~Co"  # SUMIFS wildcards must match literally on the Summary


@dataclass
class SyntheticCells:
    frame: pd.DataFrame
    context: PullContext
    periods: list[date] = field(default_factory=list)


def month(first: date, k: int) -> date:
    y, m = divmod(first.month - 1 + k, 12)
    return date(first.year + y, m + 1, 1)


def synthetic_cells(
    accounts: int = 6,
    families: int = 3,
    periods: int = 8,
    *,
    past: int = 2,
    first: date = date(2026, 10, 1),
    expired_account: int | None = 1,
    seed: int = 3,
) -> SyntheticCells:
    """A small pull: ``accounts`` x ``families`` products x ``periods`` months.

    The first ``past`` periods are locked as past; the account at index ``expired_account`` has
    an expired forecast (all its cells locked); every third cell has an org adjusted value and
    a note; the first accounts carry injection-style names.
    """
    rng = np.random.default_rng(seed)
    others = (f"Account {i:02d}" for i in range(accounts))
    names = [*INJECTION_ACCOUNTS, WILDCARD_ACCOUNT, *others][:accounts]
    fams = [f"Family {chr(65 + f)}" for f in range(families)]
    months = [month(first, k) for k in range(periods)]
    rows = []
    n = 0
    for a, account in enumerate(sorted(names)):
        for f, family in enumerate(fams):
            key = f"0ap{a:03d}{f:03d}".ljust(18, "A")
            for p, start in enumerate(months):
                n += 1
                baseline = float(rng.integers(0, 500))
                adjusted = float(baseline + 10) if n % 3 == 0 else np.nan
                is_past = p < past
                expired = expired_account is not None and a == expired_account
                rows.append(
                    {
                        "record_id": f"0aq{n:06d}".ljust(18, "B"),
                        "row_key": key,
                        "account_id": f"001{a:04d}".ljust(18, "C"),
                        "account_name": account,
                        "region": "North" if a % 2 else "South",
                        "product_id": f"01t{f:04d}".ljust(18, "D"),
                        "product_name": f"{family} widget",
                        "product_family": family,
                        "period_id": f"0pe{p:04d}".ljust(18, "E"),
                        "period_start": start,
                        "baseline": baseline,
                        "adjusted": adjusted,
                        "note": "promo" if n % 3 == 0 else "",
                        "actual": float(rng.integers(0, 400)) if is_past else np.nan,
                        "last_year": float(rng.integers(0, 400)),
                        "target": float(rng.integers(100, 600)),
                        "modstamp": "2026-11-20T10:00:00.000+0000",
                        "locked": is_past or expired,
                        "lock_reason": "past period"
                        if is_past
                        else ("forecast expired" if expired else ""),
                    }
                )
    frame = pd.DataFrame(rows, columns=list(CELL_COLUMNS))
    frame = frame.sort_values(["account_name", "product_family", "product_name", "period_start"])
    context = PullContext(
        org_id="00D000000000001AAA",
        org_name="Demo Manufacturing",
        instance="local:demo/org.sqlite",
        user_id="005000000000001AAA",
        user_name="Alex Morgan",
        pulled_by="alex.morgan@demo.local",
        pulled_at="2026-11-24T09:00:00Z",
        measure="quantity",
        profile="standard",
        horizon=periods - past,
        first_period=months[0],
    )
    return SyntheticCells(frame.reset_index(drop=True), context, months)


@pytest.fixture
def cells() -> SyntheticCells:
    return synthetic_cells()
