"""Forecast value added as a stairstep: seasonal naive (the same month last year's actual) ->
system baseline -> the rep's adjusted value -> consensus after the planner's review.

Each step's WAPE and its value added against the step before and against naive, per rep or per
reason code. Errors are summed in integer millionths of a unit (the org keeps six decimals), so
within a group every step shares one denominator and the steps' value added adds up exactly to
naive minus final; a rep whose adjusted value equals the baseline adds exactly 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync.science.accuracy import snapshot_span
from sync.science.conventions import LINE_KEY, NO_REASON

MICRO = 1_000_000
#: (step name, the line column it reads), in stairstep order.
STEPS = (
    ("Naive (same month last year)", "naive"),
    ("System baseline", "baseline_qty"),
    ("Rep adjusted", "rep_qty"),
    ("Consensus", "consensus_qty"),
)
ALL = "All"
FVA_COLUMNS = (
    "group",
    "step_no",
    "step",
    "lines",
    "abs_error_micro",
    "actual_micro",
    "wape",
    "value_added",  # vs the step before (0 for naive)
    "value_added_vs_naive",
    "snapshot_ids",
    "lag",
)


@dataclass(frozen=True)
class FvaLines:
    """Snapshot lines at one lag with their actual and naive forecast; ``without_naive`` lines
    had an actual but no actual a year earlier and are not in the stairstep."""

    lines: pd.DataFrame
    lag: int
    without_naive: int


def with_naive(scored: pd.DataFrame, actuals: pd.DataFrame, lag: int) -> FvaLines:
    """The scored lines (``accuracy.scored_lines``, quantity) at ``lag`` with ``naive``: the
    actual quantity of the same account and product twelve months before the period."""
    at_lag = scored[scored["lag"] == lag]
    if at_lag.empty or actuals.empty:
        return FvaLines(at_lag.assign(naive=pd.Series(dtype=float)).head(0), lag, len(at_lag))
    year_ago = actuals[[*LINE_KEY, "actual_qty"]].rename(columns={"actual_qty": "naive"})
    year_ago = year_ago.assign(
        period_start=[
            d.replace(year=d.year + 1) for d in pd.to_datetime(year_ago["period_start"]).dt.date
        ]
    )
    at_lag = at_lag.assign(period_start=pd.to_datetime(at_lag["period_start"]).dt.date)
    joined = at_lag.merge(year_ago, on=LINE_KEY, how="left")
    has_naive = joined["naive"].notna()
    return FvaLines(joined[has_naive].reset_index(drop=True), lag, int((~has_naive).sum()))


def micro(values: pd.Series) -> np.ndarray:
    """Quantities as integer millionths (the org's six decimals), exact to sum."""
    return np.rint(values.astype(float).to_numpy() * MICRO).astype(np.int64)


def stairstep(fva: FvaLines, by: str | None = None) -> pd.DataFrame:
    """One row per group x step (``FVA_COLUMNS``): all lines as group "All", then each value
    of ``by`` ("rep_name" or "reason_code"; a blank reason code is "No reason given")."""
    lines = fva.lines
    if by == "reason_code":
        lines = lines.assign(reason_code=lines["reason_code"].fillna("").replace("", NO_REASON))
    groups: list[tuple[str, pd.DataFrame]] = [(ALL, lines)]
    if by is not None and len(lines):
        groups += [(str(k), g) for k, g in lines.groupby(by, sort=True)]
    rows = [row for name, group in groups for row in _steps(name, group, fva.lag)]
    return pd.DataFrame(rows, columns=list(FVA_COLUMNS))


def _steps(name: str, lines: pd.DataFrame, lag: int) -> list[dict[str, object]]:
    actual = micro(lines["actual"])
    denominator = int(np.abs(actual).sum())
    errors = [int(np.abs(micro(lines[column]) - actual).sum()) for _, column in STEPS]
    span = snapshot_span(lines["snapshot_id"])
    rows = []
    for i, (step, _) in enumerate(STEPS):
        before = errors[i - 1] if i else errors[0]
        rows.append(
            {
                "group": name,
                "step_no": i,
                "step": step,
                "lines": len(lines),
                "abs_error_micro": errors[i],
                "actual_micro": denominator,
                "wape": errors[i] / denominator if denominator else np.nan,
                "value_added": (before - errors[i]) / denominator if denominator else np.nan,
                "value_added_vs_naive": (errors[0] - errors[i]) / denominator
                if denominator
                else np.nan,
                "snapshot_ids": span,
                "lag": lag,
            }
        )
    return rows
