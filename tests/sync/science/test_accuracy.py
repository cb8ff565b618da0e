"""Accuracy figures equal Nixtla utilsforecast's losses (the pinned reference) to 1e-9, with
zero actuals, a single period and an empty slice; bias is forecast minus actual."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from science_frames import actuals, line, snapshot
from utilsforecast import losses

from sync.science.accuracy import accuracy, accuracy_table, scored_lines

CASES = {
    "mixed": ([120.0, 80.0, 50.0, 0.0, 10.0], [100.0, 100.0, 0.0, 5.0, 12.5]),
    "zero actuals": ([3.0, 0.0, 7.0], [0.0, 0.0, 4.0]),
    "single period": ([42.5], [40.0]),
    "all zero actuals": ([1.0, 2.0], [0.0, 0.0]),
}


def reference(forecast: list[float], actual: list[float]) -> dict[str, float]:
    df = pd.DataFrame({"unique_id": "x", "y": actual, "model": forecast})
    out = {}
    for name in ("mape", "wape", "bias"):
        result = getattr(losses, name)(df, models=["model"])
        out[name] = float(result["model"].iloc[0]) if len(result) else math.nan
    return out


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_metrics_equal_utilsforecast(case: str) -> None:
    forecast, actual = CASES[case]
    ours = accuracy(np.array(forecast), np.array(actual))
    ref = reference(forecast, actual)
    assert same(ours.mape, ref["mape"]), (ours.mape, ref["mape"])
    assert same(ours.bias, ref["bias"])
    if sum(abs(a) for a in actual):
        assert same(ours.wape, ref["wape"])
    else:  # utilsforecast gives inf or nan for 0/0; we give no figure
        assert math.isnan(ours.wape)


def test_mape_says_how_many_zero_actuals_it_left_out() -> None:
    ours = accuracy(np.array(CASES["zero actuals"][0]), np.array(CASES["zero actuals"][1]))
    assert ours.mape_left_out == 2
    assert ours.mape == pytest.approx(0.75, abs=1e-12)  # only |7 - 4| / 4


def test_bias_is_forecast_minus_actual_in_ours_and_in_the_reference() -> None:
    over = reference([110.0], [100.0])["bias"]
    assert over == pytest.approx(10.0)  # the reference's sign, pinned by this test
    assert accuracy(np.array([110.0]), np.array([100.0])).bias == pytest.approx(10.0)


def test_an_empty_slice_has_no_figures_and_no_error() -> None:
    ours = accuracy(np.array([]), np.array([]))
    assert ours.points == 0 and ours.mape_left_out == 0
    assert all(math.isnan(v) for v in (ours.mape, ours.wape, ours.bias, ours.tracking_signal))
    empty = pd.DataFrame({"unique_id": [], "y": [], "model": []})
    assert losses.mape(empty, models=["model"]).empty  # the reference has no row either


def test_tracking_signal_is_cumulative_error_over_mean_absolute_error() -> None:
    f, a = np.array([110.0, 90.0, 130.0]), np.array([100.0, 100.0, 100.0])
    mad = reference(list(f), list(a))
    mae = float(
        losses.mae(pd.DataFrame({"unique_id": "x", "y": a, "model": f}), ["model"])["model"].iloc[0]
    )
    assert accuracy(f, a).tracking_signal == pytest.approx((10 - 10 + 30) / mae, abs=1e-9)
    assert mad["bias"] * 3 / mae == pytest.approx(accuracy(f, a).tracking_signal, abs=1e-9)


def test_accuracy_by_lag_and_rep_matches_the_reference_per_group() -> None:
    p1, p2 = date(2026, 2, 1), date(2026, 3, 1)
    lines = snapshot(
        [
            line("2026-01", "A1", "P1", p1, consensus=120),
            line("2026-01", "A2", "P1", p2, consensus=70, rep_name="Rep Two"),
            line("2026-02", "A1", "P1", p2, consensus=95),
        ]
    )
    acts = actuals([("A1", "P1", p1, 100), ("A1", "P1", p2, 90), ("A2", "P1", p2, 0)])
    scored = scored_lines(lines, acts)
    table = accuracy_table(scored, ["lag", "rep_name"])
    assert list(zip(table["lag"], table["rep_name"], strict=False)) == [
        (1, "Rep One"),
        (2, "Rep Two"),
    ]
    for row in table.itertuples():
        group = scored[(scored["lag"] == row.lag) & (scored["rep_name"] == row.rep_name)]
        ref = reference(list(group["forecast"]), list(group["actual"]))
        assert same(row.mape, ref["mape"]) and same(row.bias, ref["bias"])
    assert table.iloc[0]["snapshot_ids"] == "SNAP-2026-01-ALL .. SNAP-2026-02-ALL (2)"
    assert table.iloc[1]["mape_left_out"] == 1 and math.isnan(table.iloc[1]["mape"])


def test_periods_without_actuals_are_not_scored() -> None:
    lines = snapshot([line("2026-01", "A1", "P1", date(2026, 6, 1))])
    assert scored_lines(lines, actuals([])).empty
    assert accuracy_table(scored_lines(lines, actuals([])), ["lag"]).empty


def test_tracking_signal_of_a_group_runs_over_its_monthly_totals() -> None:
    months = np.array(["2026-01", "2026-01", "2026-02", "2026-03"])
    f, a = np.array([110.0, 95.0, 90.0, 130.0]), np.array([100.0, 100.0, 100.0, 100.0])
    monthly_errors = np.array([5.0, -10.0, 30.0])
    expected = monthly_errors.sum() / np.abs(monthly_errors).mean()
    assert accuracy(f, a, months).tracking_signal == pytest.approx(expected, abs=1e-12)
    # twice the lines with the same errors: the signal does not grow with the number of lines
    doubled = accuracy(np.tile(f, 2), np.tile(a, 2), np.tile(months, 2))
    assert doubled.tracking_signal == pytest.approx(expected, abs=1e-12)
