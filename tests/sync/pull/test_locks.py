"""Lock rules as a pure function of the frame: each reason, their order, and the options."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sync.pull.locks import FORECAST_STATUS, LockRules, apply_locks

TODAY = date(2026, 11, 24)
MONTHS = [date(2026, m, 1) for m in range(9, 13)] + [date(2027, m, 1) for m in range(1, 4)]


def frame(status: str = "Active") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": [f"c{i}" for i in range(len(MONTHS))],
            "period_start": MONTHS,
            FORECAST_STATUS: status,
        }
    )


def reasons(rules: LockRules, status: str = "Active", today: date = TODAY) -> list[str]:
    locked = apply_locks(frame(status), rules, today)
    assert (locked["locked"] == (locked["lock_reason"] != "")).all()
    return locked["lock_reason"].tolist()


FROZEN = "frozen: inside the 1-month frozen zone"


def test_default_rules():
    assert reasons(LockRules()) == ["past period", "past period", FROZEN, "", "", "", ""]


def test_expired_forecast_locks_the_open_periods():
    expired = "account forecast expired"
    assert (
        reasons(LockRules(), status="Expired")
        == ["past period", "past period", FROZEN] + [expired] * 4
    )
    assert reasons(LockRules(lock_expired=False), status="Expired")[3:] == [""] * 4


def test_frozen_zone_length():
    assert reasons(LockRules(frozen_months=0))[2:4] == ["", ""]
    three = reasons(LockRules(frozen_months=3))
    assert three[2:6] == ["frozen: inside the 3-month frozen zone"] * 3 + [""]


def test_sop_calendar():
    closed = reasons(LockRules(frozen_months=0, closed_through=date(2026, 12, 31)))
    assert closed[2:5] == ["closed by the S&OP calendar on 2026-12-31"] * 2 + [""]
    calendar = {date(2027, 1, 1): date(2026, 11, 20), date(2027, 2, 1): date(2026, 12, 20)}
    by_date = reasons(LockRules(close_dates=calendar))
    assert by_date[4:] == ["closed by the S&OP calendar on 2026-11-20", "", ""]
    later = reasons(LockRules(close_dates=calendar), today=date(2026, 12, 20))
    assert later[5] == "closed by the S&OP calendar on 2026-12-20"


def test_rules_are_hashable_and_validated():
    assert hash(LockRules(close_dates={date(2027, 1, 1): date(2026, 11, 20)}))
    with pytest.raises(ValueError, match="frozen_months"):
        LockRules(frozen_months=-1)


def test_without_status_column_and_input_untouched():
    cells = frame().drop(columns=[FORECAST_STATUS])
    out = apply_locks(cells, LockRules(), TODAY)
    assert "locked" not in cells.columns and out["lock_reason"].tolist()[:3] == [
        "past period",
        "past period",
        FROZEN,
    ]
    assert apply_locks(cells.iloc[:0], LockRules(), TODAY).empty
    as_text = cells.assign(period_start=[d.isoformat() for d in MONTHS])
    assert (
        apply_locks(as_text, LockRules(), TODAY)["lock_reason"].tolist()
        == out["lock_reason"].tolist()
    )
