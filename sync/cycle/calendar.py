"""The S&OP calendar: when each phase of a monthly cycle opens and closes, per region if needed.

Read from the ``[cycle]`` section of ``demandgrid.toml`` (absent: the defaults below)::

    [cycle]
    horizon = 18                      # months a plan snapshot covers, from the cycle's month
    planners = ["planner@demandgrid.demo"]  # who may close and reopen (default: Title "...Planner")
    # each phase opens and closes on a day of the cycle's month (31 = the month's last day)
    data_gathering = { open = 1, close = 5 }
    demand_review = { open = 6, close = 12 }
    supply_review = { open = 13, close = 18 }
    executive_meeting = { open = 20, close = 22 }

    [cycle.regions.EMEA]              # a region's own days (the other phases stay)
    demand_review = { open = 6, close = 14 }

    [cycle.dates."2026-12"]           # one cycle's own dates (holidays), for every region
    demand_review = { open = "2026-12-03", close = "2026-12-09" }

A cycle is a month (``"2026-11"``); its phases run in the order above and may not overlap. A
phase is open from the start of its ``open`` day to the end of its ``close`` day. The demand
review's close is the lock point: ``demandgrid cycle close`` snapshots the plan and locks the
cycle's periods (its month and ``horizon - 1`` after) until the next cycle begins.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

CONFIG_FILE = Path("demandgrid.toml")
PHASES = ("data_gathering", "demand_review", "supply_review", "executive_meeting")
PHASE_LABELS = {
    "data_gathering": "Data gathering",
    "demand_review": "Demand review",
    "supply_review": "Supply review",
    "executive_meeting": "Executive S&OP meeting",
}
DEFAULT_DAYS: dict[str, tuple[int, int]] = {
    "data_gathering": (1, 5),
    "demand_review": (6, 12),
    "supply_review": (13, 18),
    "executive_meeting": (20, 22),
}
DEFAULT_HORIZON = 18
_CYCLE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_KEYS = {"horizon", "planners", "regions", "dates", *PHASES}


class CalendarInvalid(ValueError):
    """The ``[cycle]`` section cannot be used; the message names the file, line and key."""


@dataclass(frozen=True)
class Phase:
    name: str  # one of PHASES
    opens: date
    closes: date  # the last day it is open

    @property
    def label(self) -> str:
        return PHASE_LABELS[self.name]

    def state(self, today: date) -> str:
        """``open``, ``closed`` (over) or ``upcoming``."""
        if today < self.opens:
            return "upcoming"
        return "open" if today <= self.closes else "closed"


Days = dict[str, tuple[int, int]]
Dates = dict[str, dict[str, tuple[date, date]]]


@dataclass(frozen=True)
class Calendar:
    """The S&OP calendar (module docstring). ``configured``: a ``[cycle]`` section was found."""

    days: Days = field(default_factory=lambda: dict(DEFAULT_DAYS))
    regions: dict[str, Days] = field(default_factory=dict)
    dates: Dates = field(default_factory=dict)
    horizon: int = DEFAULT_HORIZON
    planners: tuple[str, ...] = ()
    configured: bool = False
    source: str = "built-in defaults"

    def phases(self, cycle: str, region: str | None = None) -> list[Phase]:
        """The cycle's phases in order, with the region's own days where it has them."""
        first = cycle_start(cycle)
        days = dict(self.days, **self.regions.get(region or "", {}))
        own = self.dates.get(cycle, {})
        out = []
        for name in PHASES:
            if name in own:
                opens, closes = own[name]
            else:
                opens, closes = (_day_of(first, d) for d in days[name])
            out.append(Phase(name, opens, closes))
        return out

    def phase(self, cycle: str, name: str, region: str | None = None) -> Phase:
        return next(p for p in self.phases(cycle, region) if p.name == name)

    def periods(self, cycle: str) -> tuple[date, date]:
        """The first days of the first and last periods a snapshot of ``cycle`` covers."""
        first = cycle_start(cycle)
        return first, add_months(first, self.horizon - 1)

    def review_closed(self, cycle: str, today: date, region: str | None = None) -> date | None:
        """The demand review's close day when it has passed (and the cycle is still current)."""
        if cycle_of(today) != cycle:
            return None
        closes = self.phase(cycle, "demand_review", region).closes
        return closes if today > closes else None


def cycle_of(day: date) -> str:
    """The cycle ``day`` falls in: its month, ``"YYYY-MM"``."""
    return f"{day.year:04d}-{day.month:02d}"


def cycle_start(cycle: str) -> date:
    if not _CYCLE.match(cycle or ""):
        raise CalendarInvalid(f"{cycle!r} is not a cycle: give the month as YYYY-MM, e.g. 2026-11.")
    return date(int(cycle[:4]), int(cycle[5:]), 1)


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def previous_cycle(cycle: str) -> str:
    return cycle_of(add_months(cycle_start(cycle), -1))


def _day_of(first: date, day: int) -> date:
    last = add_months(first, 1) - timedelta(days=1)
    return min(first + timedelta(days=day - 1), last)


# ---------------------------------------------------------------- reading demandgrid.toml


def calendar_near(workbook: str | Path | None = None) -> Calendar:
    """The calendar in ``demandgrid.toml`` beside ``workbook``, else in the current folder."""
    if workbook is not None:
        beside = Path(workbook).resolve().parent / CONFIG_FILE.name
        if beside.is_file():
            return load_calendar(beside)
    return load_calendar()


def load_calendar(path: str | Path | None = None) -> Calendar:
    """The calendar in ``path`` (default ``demandgrid.toml`` here); defaults when absent."""
    path = Path(path) if path is not None else CONFIG_FILE
    if not path.is_file():
        return Calendar()
    text = path.read_text(encoding="utf-8")
    try:
        section = tomllib.loads(text).get("cycle")
    except tomllib.TOMLDecodeError as e:
        raise CalendarInvalid(f"{path} is not valid TOML ({e}). Fix the file and retry.") from None
    if section is None:
        return Calendar(source=f"{path} (no [cycle] section: built-in defaults)")
    return _Reader(path, text).calendar(section)


@dataclass
class _Reader:
    path: Path
    text: str

    def fail(self, table: str, key: str, problem: str) -> CalendarInvalid:
        line = _line_of(self.text, table, key)
        where = f"{self.path}, line {line}" if line else str(self.path)
        return CalendarInvalid(f"{where}: [{table}] {key}: {problem}")

    def calendar(self, section: Any) -> Calendar:
        if not isinstance(section, dict):
            raise self.fail("cycle", "cycle", "must be a table.")
        unknown = sorted(set(section) - _KEYS)
        if unknown:
            raise self.fail(
                "cycle",
                unknown[0],
                f"is not a calendar setting. Known: {', '.join(sorted(_KEYS))}.",
            )
        horizon = section.get("horizon", DEFAULT_HORIZON)
        if not isinstance(horizon, int) or isinstance(horizon, bool) or not 1 <= horizon <= 60:
            raise self.fail(
                "cycle", "horizon", f"must be a month count from 1 to 60, not {horizon!r}."
            )
        planners = section.get("planners", [])
        if not isinstance(planners, list) or not all(isinstance(p, str) for p in planners):
            raise self.fail("cycle", "planners", "must be a list of usernames in quotes.")
        days = self.days("cycle", section, dict(DEFAULT_DAYS))
        regions = {}
        for region, table in _table(section.get("regions", {})).items():
            name = f'cycle.regions."{region}"'
            regions[region] = self.days(name, _table(table), {}, base=days)
        dates = {
            cycle: self.dates(cycle, _table(table), days)
            for cycle, table in _table(section.get("dates", {})).items()
        }
        return Calendar(
            days=days,
            regions=regions,
            dates=dates,
            horizon=horizon,
            planners=tuple(p.strip().lower() for p in planners),
            configured=True,
            source=str(self.path),
        )

    def days(self, table: str, section: dict, days: Days, base: Days | None = None) -> Days:
        for name in PHASES:
            if name not in section:
                continue
            opens, closes = self.pair(table, name, section[name], int)
            for day in (opens, closes):
                if not 1 <= day <= 31:
                    raise self.fail(table, name, f"days run from 1 to 31, not {day}.")
            days[name] = (opens, closes)
        self.in_order(table, {**(base or {}), **days})
        return days

    def dates(self, cycle: str, section: dict, days: Days) -> dict[str, tuple[date, date]]:
        table = f'cycle.dates."{cycle}"'
        try:
            first = cycle_start(cycle)
        except CalendarInvalid:
            raise self.fail(
                "cycle.dates", cycle, 'name the cycle as YYYY-MM, e.g. "2026-12".'
            ) from None
        own: dict[str, tuple[date, date]] = {}
        for name in PHASES:
            if name in section:
                own[name] = self.pair(table, name, section[name], date)
            else:
                own[name] = (_day_of(first, days[name][0]), _day_of(first, days[name][1]))
        unknown = sorted(set(section) - set(PHASES))
        if unknown:
            raise self.fail(table, unknown[0], f"is not a phase. Phases: {', '.join(PHASES)}.")
        self.in_order(table, own)
        return {k: v for k, v in own.items() if k in section}

    def pair(self, table: str, name: str, value: Any, kind: type) -> tuple[Any, Any]:
        shape = (
            "{ open = 6, close = 12 }"
            if kind is int
            else '{ open = "2026-12-03", close = "2026-12-09" }'
        )
        if not isinstance(value, dict) or set(value) != {"open", "close"}:
            raise self.fail(table, name, f"write it as {shape}.")
        out: list[Any] = []
        for key in ("open", "close"):
            v = value[key]
            if kind is date and isinstance(v, str):
                try:
                    v = date.fromisoformat(v)
                except ValueError:
                    raise self.fail(
                        table, name, f"{key} = {v!r} is not a date (YYYY-MM-DD)."
                    ) from None
            if not isinstance(v, kind) or isinstance(v, bool):
                raise self.fail(
                    table,
                    name,
                    f"{key} must be a {'day number' if kind is int else 'date'}; write it as {shape}.",
                )
            out.append(v)
        if out[1] < out[0]:
            raise self.fail(table, name, f"closes ({out[1]}) before it opens ({out[0]}).")
        return out[0], out[1]

    def in_order(self, table: str, spans: dict[str, tuple[Any, Any]]) -> None:
        present = [n for n in PHASES if n in spans]
        for before, after in zip(present, present[1:], strict=False):
            if spans[after][0] <= spans[before][1]:
                raise self.fail(
                    table,
                    after,
                    f"opens ({spans[after][0]}) before {before} closes ({spans[before][1]}); "
                    "phases run in order and may not overlap.",
                )


def _table(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line of ``key`` in ``[table]`` (or as ``table.key`` / inline), for messages."""
    header = re.compile(r"^\s*\[+\s*" + re.escape(table).replace('"', '"?') + r"\s*\]+\s*$")
    setting = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=')
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("["):
            inside = bool(header.match(line))
            if inside and key == table.rsplit(".", 1)[-1].strip('"'):
                return number
            continue
        if inside and setting.match(line):
            return number
    return None
