"""Forecast sets: the defaults, overrides from demandgrid.toml, and refusals."""

from __future__ import annotations

from datetime import date

import pytest

from sync.fpa.forecast_sets import (
    DEFAULT_SETS,
    ForecastSetError,
    add_months,
    forecast_set,
    load_forecast_sets,
    quarter_label,
    quarter_number,
)


def test_defaults_are_sop_18_months_and_ibp_36_by_quarter(tmp_path):
    sets = load_forecast_sets(tmp_path / "absent.toml")
    assert sets["sop"].months == 18 and not sets["sop"].show_quarters
    assert sets["ibp"].months == 36 and sets["ibp"].show_quarters
    periods = sets["ibp"].periods(date(2026, 11, 24))
    assert periods[0] == date(2026, 11, 1) and periods[-1] == date(2029, 10, 1)
    assert len(periods) == 36


def test_toml_overrides_and_adds_sets(tmp_path):
    config = tmp_path / "demandgrid.toml"
    config.write_text(
        "[forecast_sets.ibp]\nmonths = 48\n\n[forecast_sets.budget]\nmonths = 12\n"
        'show_quarters = true\nstart_offset = -2\nlabel = "Budget year"\n'
    )
    sets = load_forecast_sets(config)
    assert sets["ibp"].months == 48 and sets["ibp"].show_quarters  # the rest kept
    budget = forecast_set("budget", config)
    assert budget.first_period(date(2026, 11, 24)) == date(2026, 9, 1)
    assert budget.label == "Budget year"
    assert sets["sop"] == DEFAULT_SETS["sop"]


@pytest.mark.parametrize(
    "body, words",
    [
        ("[forecast_sets.ibp]\nmonths = 0\n", "between 1 and"),
        ("[forecast_sets.ibp]\nmonths = true\n", "must be a int"),
        ("[forecast_sets.ibp]\nhorizon = 3\n", "unknown key 'horizon'"),
        ("[forecast_sets.ibp]\nmeasure = 'pounds'\n", "measure must be"),
        ("[forecast_sets\n", "not valid TOML"),
    ],
)
def test_bad_config_is_refused_with_where_and_what(tmp_path, body, words):
    config = tmp_path / "demandgrid.toml"
    config.write_text(body)
    with pytest.raises(ForecastSetError, match=words) as e:
        load_forecast_sets(config)
    assert str(config) in str(e.value)


def test_unknown_set_names_the_known_ones(tmp_path):
    with pytest.raises(ForecastSetError, match="Known sets: ibp, sop"):
        forecast_set("budget", tmp_path / "absent.toml")


def test_months_and_quarters():
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert quarter_label(date(2027, 5, 1)) == "2027 Q2"
    assert quarter_number(date(2027, 12, 1)) == 20274
