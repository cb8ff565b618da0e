"""The S&OP calendar from ``demandgrid.toml`` ``[cycle]``: defaults, regions, one cycle's own dates,
and refusals that name the file, line and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sync.cycle.calendar import (
    Calendar,
    CalendarInvalid,
    calendar_near,
    cycle_of,
    load_calendar,
    previous_cycle,
)
from sync.cycle.locks import calendar_locks

GOOD = """\
[check]
require_note = true

[cycle]
horizon = 12
planners = ["Planner@DemandGrid.demo"]
data_gathering = { open = 1, close = 4 }
demand_review = { open = 5, close = 10 }
supply_review = { open = 11, close = 17 }
executive_meeting = { open = 20, close = 31 }

[cycle.regions.EMEA]
demand_review = { open = 5, close = 12 }
supply_review = { open = 13, close = 17 }

[cycle.dates."2026-12"]
data_gathering = { open = "2026-12-01", close = "2026-12-02" }
demand_review = { open = "2026-12-03", close = "2026-12-09" }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demandgrid.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path):
    calendar = load_calendar(tmp_path / "absent.toml")
    assert not calendar.configured and calendar.horizon == 18
    phases = calendar.phases("2026-11")
    assert [p.name for p in phases] == [
        "data_gathering",
        "demand_review",
        "supply_review",
        "executive_meeting",
    ]
    review = phases[1]
    assert (review.opens, review.closes) == (date(2026, 11, 6), date(2026, 11, 12))
    assert review.state(date(2026, 11, 5)) == "upcoming"
    assert review.state(date(2026, 11, 12)) == "open"
    assert review.state(date(2026, 11, 13)) == "closed"
    assert calendar.periods("2026-11") == (date(2026, 11, 1), date(2028, 4, 1))
    assert cycle_of(date(2026, 1, 31)) == "2026-01" and previous_cycle("2026-01") == "2025-12"


def test_a_configured_calendar_with_regions_and_dates(tmp_path):
    calendar = load_calendar(write(tmp_path, GOOD))
    assert calendar.configured and calendar.horizon == 12
    assert calendar.planners == ("planner@demandgrid.demo",)
    assert calendar.phase("2026-11", "demand_review").closes == date(2026, 11, 10)
    assert calendar.phase("2026-11", "demand_review", "EMEA").closes == date(2026, 11, 12)
    assert calendar.phase("2026-11", "supply_review", "EMEA").opens == date(2026, 11, 13)
    assert calendar.phase("2026-11", "executive_meeting", "EMEA").opens == date(2026, 11, 20)
    assert calendar.phase("2026-12", "demand_review").opens == date(2026, 12, 3)
    # day 31 is the month's last day in a shorter month
    assert calendar.phase("2027-02", "executive_meeting").closes == date(2027, 2, 28)
    assert calendar.periods("2026-11")[1] == date(2027, 10, 1)
    assert calendar_near(tmp_path / "review.xlsx").source == str(tmp_path / "demandgrid.toml")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "[cycle]\ndata_gathering = { open = 1, close = 6 }\ndemand_review = { open = 6, close = 12 }\n",
            3,
            [
                "[cycle] demand_review",
                "opens (6) before data_gathering closes (6)",
                "may not overlap",
            ],
        ),
        (
            "[cycle]\n\ndemand_review = { open = 12, close = 6 }\n",
            3,
            ["[cycle] demand_review", "closes (6) before it opens (12)"],
        ),
        (
            "[cycle]\nsupply_review = { open = 0, close = 18 }\n",
            2,
            ["supply_review", "days run from 1 to 31, not 0"],
        ),
        (
            '[cycle]\n[cycle.dates."2026-12"]\ndemand_review = { open = "2026-12-32", close = "2026-12-09" }\n',
            3,
            ['[cycle.dates."2026-12"] demand_review', "'2026-12-32' is not a date"],
        ),
        (
            '[cycle]\n[cycle.dates."2026-12"]\nsupply_review = { open = "2026-12-08", close = "2026-12-20" }\n',
            3,
            ["supply_review", "opens (2026-12-08) before demand_review closes (2026-12-12)"],
        ),
        (
            "[cycle]\ndemand_reveiw = { open = 6, close = 12 }\n",
            2,
            ["demand_reveiw", "is not a calendar setting"],
        ),
        ("[cycle]\nhorizon = 0\n", 2, ["horizon", "from 1 to 60"]),
        ("[cycle]\ndemand_review = 6\n", 2, ["write it as { open = 6, close = 12 }"]),
        ('[cycle]\nplanners = "me"\n', 2, ["planners", "list of usernames"]),
        (
            "[cycle]\n[cycle.regions.EMEA]\ndemand_review = { open = 2, close = 12 }\n",
            3,
            ['[cycle.regions."EMEA"] demand_review', "before data_gathering closes"],
        ),
    ],
)
def test_refusals_name_the_line_and_key(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(CalendarInvalid) as caught:
        load_calendar(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}: "), message
    for word in words:
        assert word in message


def test_broken_toml_and_bad_cycle_names(tmp_path):
    with pytest.raises(CalendarInvalid, match="is not valid TOML"):
        load_calendar(write(tmp_path, "[cycle\n"))
    with pytest.raises(CalendarInvalid, match="give the month as YYYY-MM"):
        Calendar().phases("2026-13")


def test_only_a_configured_calendar_locks_and_only_after_the_close_day(tmp_path):
    periods = 18
    assert calendar_locks(Calendar(), date(2026, 11, 20)) == ()
    calendar = load_calendar(write(tmp_path, GOOD))
    assert calendar_locks(calendar, date(2026, 11, 10)) == ()  # the review's last day
    locks = calendar_locks(calendar, date(2026, 11, 11))
    everyone = [e for e in locks if e[1] == "*"]
    emea = [e for e in locks if e[1] == "EMEA"]
    assert len(everyone) == 12 and everyone[0][0] == date(2026, 11, 1) and periods > 12
    assert everyone[0][2] == "demand review closed on 2026-11-10 (S&OP calendar)"
    assert emea and all(reason == "" for _, _, reason in emea)  # EMEA still open
    later = calendar_locks(calendar, date(2026, 11, 13))
    assert all(e[2].startswith("demand review closed on") for e in later)
