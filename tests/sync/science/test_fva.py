"""The FVA stairstep: each step's WAPE, value added that adds up exactly to naive minus final,
and a rep with no edits adds exactly 0."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from science_frames import actuals, line, snapshot
from utilsforecast import losses

from sync.science.accuracy import scored_lines
from sync.science.fva import ALL, STEPS, stairstep, with_naive

P, LY = date(2026, 3, 1), date(2025, 3, 1)
P2, LY2 = date(2026, 4, 1), date(2025, 4, 1)


def history() -> tuple[pd.DataFrame, pd.DataFrame]:
    lines = snapshot(
        [
            # Rep One overrides well, then the planner adds a little
            line(
                "2026-02",
                "A1",
                "P1",
                P,
                baseline=100,
                rep=118.3,
                consensus=121.1,
                reason_code="Promotion",
            ),
            line(
                "2026-02", "A1", "P1", P2, baseline=80, rep=60, consensus=60, reason_code="Optimism"
            ),
            # Rep Two never edits
            line("2026-02", "A2", "P1", P, baseline=50.000001, rep_name="Rep Two", rep_id="005R2"),
            # no actual a year earlier: not in the stairstep
            line("2026-02", "A3", "P1", P, baseline=10, rep_name="Rep Two"),
        ]
    )
    acts = actuals(
        [
            ("A1", "P1", P, 120),
            ("A1", "P1", LY, 90.7),
            ("A1", "P1", P2, 75),
            ("A1", "P1", LY2, 70),
            ("A2", "P1", P, 47.123457),
            ("A2", "P1", LY, 61),
            ("A3", "P1", P, 12),
        ]
    )
    return lines, acts


def fva_lines():
    lines, acts = history()
    return with_naive(scored_lines(lines, acts), acts, lag=1), acts


def test_the_steps_value_added_adds_up_exactly_to_naive_minus_final() -> None:
    fva, _ = fva_lines()
    for by in ("rep_name", "reason_code"):
        table = stairstep(fva, by)
        for _, steps in table.groupby("group"):
            errors = list(steps.sort_values("step_no")["abs_error_micro"])
            numerators = [errors[i - 1] - errors[i] for i in range(1, len(errors))]
            assert sum(numerators) == errors[0] - errors[-1]  # integers: exact
            assert steps["value_added"].sum() == pytest.approx(
                steps["value_added_vs_naive"].iloc[-1], abs=1e-15
            )


def test_a_rep_with_no_edits_adds_exactly_zero() -> None:
    fva, _ = fva_lines()
    table = stairstep(fva, "rep_name")
    rep_two = table[(table["group"] == "Rep Two") & (table["step"] == "Rep adjusted")]
    assert rep_two["value_added"].iloc[0] == 0.0
    assert table[table["group"] == "Rep Two"]["lines"].iloc[0] == 1  # A3 has no naive
    assert fva.without_naive == 1


def test_each_steps_wape_equals_the_reference() -> None:
    fva, _ = fva_lines()
    table = stairstep(fva, "rep_name")
    everyone = table[table["group"] == ALL].sort_values("step_no")
    for (_, column), wape in zip(STEPS, everyone["wape"], strict=True):
        df = pd.DataFrame({"unique_id": "x", "y": fva.lines["actual"], "m": fva.lines[column]})
        assert wape == pytest.approx(float(losses.wape(df, ["m"])["m"].iloc[0]), abs=1e-9)


def test_naive_is_the_same_month_last_year() -> None:
    fva, _ = fva_lines()
    a1 = fva.lines[(fva.lines["account_id"] == "A1") & (fva.lines["period_start"] == P)]
    assert a1["naive"].iloc[0] == 90.7


def test_reason_codes_are_groups_and_a_blank_one_is_named() -> None:
    fva, _ = fva_lines()
    groups = set(stairstep(fva, "reason_code")["group"])
    assert groups == {ALL, "Promotion", "No reason given"}  # lag 1 only: not "Optimism"


def test_an_empty_slice_gives_steps_without_figures() -> None:
    lines, acts = history()
    fva = with_naive(scored_lines(lines, acts), acts, lag=5)
    table = stairstep(fva, "rep_name")
    assert list(table["group"]) == [ALL] * 4 and table["wape"].isna().all()
