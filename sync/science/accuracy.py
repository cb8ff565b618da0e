"""Accuracy of plan snapshots against the actuals that followed, by lag: MAPE, WAPE, bias and
tracking signal, by any grouping (region, product family, rep, account, snapshot).

Conventions (``sync.science.conventions``): error = forecast - actual, so bias is positive when
the plan was over; MAPE leaves out periods with zero actuals and says how many it left out;
WAPE = sum |error| / sum |actual|; tracking signal = the cumulative error of the slice's monthly
totals / their mean absolute error (a series over time, so it does not grow with the number of
lines). A slice with no actuals has no figures (NaN), never a division error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync.science.conventions import LINE_KEY

#: Which plan a figure measures: the snapshot's column per measure.
FORECASTS = {"baseline": "baseline", "rep": "rep", "consensus": "consensus"}
METRIC_COLUMNS = (
    "points",
    "mape",
    "mape_left_out",
    "wape",
    "bias",
    "tracking_signal",
    "abs_error",
    "error",
    "actual",
    "forecast",
)


@dataclass(frozen=True)
class Accuracy:
    """The accuracy of one slice: ``points`` periods, of which ``mape_left_out`` had zero
    actuals and are not in MAPE."""

    points: int
    mape: float
    mape_left_out: int
    wape: float
    bias: float
    tracking_signal: float
    abs_error: float
    error: float
    actual: float
    forecast: float


def accuracy(
    forecast: np.ndarray | pd.Series,
    actual: np.ndarray | pd.Series,
    periods: np.ndarray | pd.Series | None = None,
) -> Accuracy:
    """MAPE, WAPE, bias and tracking signal of ``forecast`` against ``actual`` (same length);
    ``periods`` (each point's month) makes the tracking signal one over monthly totals, else
    the points are the series."""
    f = np.asarray(forecast, dtype=float)
    a = np.asarray(actual, dtype=float)
    err = f - a
    abs_err = np.abs(err)
    nonzero = a != 0
    total_abs_actual = float(np.abs(a).sum())
    return Accuracy(
        points=len(a),
        mape=float((abs_err[nonzero] / np.abs(a[nonzero])).mean()) if nonzero.any() else math.nan,
        mape_left_out=int((~nonzero).sum()),
        wape=float(abs_err.sum()) / total_abs_actual if total_abs_actual else math.nan,
        bias=float(err.mean()) if len(a) else math.nan,
        tracking_signal=tracking_signal(err, periods),
        abs_error=float(abs_err.sum()),
        error=float(err.sum()),
        actual=float(a.sum()),
        forecast=float(f.sum()),
    )


def tracking_signal(errors: np.ndarray, periods: np.ndarray | pd.Series | None = None) -> float:
    """Cumulative error / mean absolute error of the series (the monthly totals of ``errors``
    when ``periods`` is given); NaN for a series of fewer than two months or without error."""
    if periods is not None and len(errors):
        errors = pd.Series(errors).groupby(np.asarray(periods), sort=True).sum().to_numpy()
    mad = float(np.abs(errors).mean()) if len(errors) > 1 else math.nan
    return float(errors.sum()) / mad if mad else math.nan


def scored_lines(
    snapshots: pd.DataFrame,
    actuals: pd.DataFrame,
    measure: str = "qty",
    forecast: str = "consensus",
) -> pd.DataFrame:
    """The snapshot lines whose period has actuals, with ``forecast`` and ``actual`` columns
    (``measure`` "qty" or "rev"; ``forecast`` "baseline", "rep" or "consensus"). A period with
    no actuals row has not happened yet (or has no orders on record) and is left out."""
    column = f"{FORECASTS[forecast]}_{measure}"
    actual = actuals[[*LINE_KEY, f"actual_{measure}"]].rename(
        columns={f"actual_{measure}": "actual"}
    )
    lines = snapshots.merge(actual, on=LINE_KEY, how="inner")
    lines["forecast"] = lines[column].astype(float)
    lines["actual"] = lines["actual"].astype(float)
    return lines


def accuracy_table(lines: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per group of ``by`` (sorted) with ``METRIC_COLUMNS`` and the snapshots it spans
    (``snapshot_ids``: the first and last id and how many)."""
    rows = []
    if len(lines):
        for key, group in lines.groupby(by, sort=True, dropna=False):
            keys = key if isinstance(key, tuple) else (key,)
            figures = accuracy(group["forecast"], group["actual"], group["period_start"])
            rows.append(
                {
                    **dict(zip(by, keys, strict=True)),
                    "snapshot_ids": snapshot_span(group["snapshot_id"]),
                    **figures.__dict__,
                }
            )
    return pd.DataFrame(rows, columns=[*by, "snapshot_ids", *METRIC_COLUMNS])


def snapshot_span(ids: pd.Series) -> str:
    """``"SNAP-2026-01-ALL"`` for one snapshot, ``"SNAP-2025-12-ALL .. SNAP-2026-10-ALL (11)"``
    for several."""
    unique = sorted(set(ids))
    if not unique:
        return ""
    if len(unique) == 1:
        return unique[0]
    return f"{unique[0]} .. {unique[-1]} ({len(unique)})"
