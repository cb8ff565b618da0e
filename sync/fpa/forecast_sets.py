"""Forecast sets: which horizon of monthly periods a plan covers, and how it is shown.

Two sets ship by default: the operational S&OP set (18 monthly periods from the current month)
and the IBP set (36 months, shown monthly and by quarter). ``demandgrid.toml`` may override
either or add more under ``[forecast_sets.<name>]``::

    [forecast_sets.ibp]
    months = 48
    show_quarters = true
    label = "IBP, four years"

A mistake in that file is refused with a message naming the file, the set and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

CONFIG_FILE = Path("demandgrid.toml")
MAX_MONTHS = 120


class ForecastSetError(ValueError):
    """An unknown forecast set, or a ``[forecast_sets.*]`` entry that makes no sense."""


@dataclass(frozen=True)
class ForecastSet:
    """A horizon of monthly periods starting ``start_offset`` months from the current month."""

    name: str
    months: int
    show_quarters: bool = False
    label: str = ""
    start_offset: int = 0  # 0 = the current month; -3 would include the last three months
    measure: str = "quantity"
    reporting_currency: str = "USD"

    def first_period(self, as_of: date) -> date:
        return add_months(date(as_of.year, as_of.month, 1), self.start_offset)

    def last_period(self, as_of: date) -> date:
        """First day of the horizon's last month."""
        return add_months(self.first_period(as_of), self.months - 1)

    def periods(self, as_of: date) -> list[date]:
        first = self.first_period(as_of)
        return [add_months(first, n) for n in range(self.months)]


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter_label(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarter_number(day: date) -> int:
    """A sortable number for the calendar quarter: 2027 Q1 -> 20271."""
    return day.year * 10 + (day.month - 1) // 3 + 1


DEFAULT_SETS: dict[str, ForecastSet] = {
    "sop": ForecastSet("sop", 18, False, "Operational S&OP (18 months)"),
    "ibp": ForecastSet("ibp", 36, True, "Integrated business planning (36 months)"),
}

_KINDS = {
    "months": int,
    "show_quarters": bool,
    "label": str,
    "start_offset": int,
    "measure": str,
    "reporting_currency": str,
}


def load_forecast_sets(config: Path | None = None) -> dict[str, ForecastSet]:
    """The default sets, overridden and extended by ``[forecast_sets.*]`` in ``config``
    (``demandgrid.toml`` in the current directory when not given; absent is fine)."""
    path = config if config is not None else CONFIG_FILE
    sets = dict(DEFAULT_SETS)
    if not path.exists():
        return sets
    try:
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ForecastSetError(f"{path} is not valid TOML ({e}). Fix the file and retry.") from None
    section = parsed.get("forecast_sets", {})
    if not isinstance(section, dict):
        raise ForecastSetError(f"{path}: [forecast_sets] must be a table of sets.")
    for name, entry in section.items():
        if not isinstance(entry, dict):
            raise ForecastSetError(f"{path}: [forecast_sets.{name}] must be a table.")
        base = sets.get(name, ForecastSet(name, 18))
        sets[name] = replace(base, **_checked(path, name, entry))
    return sets


def _checked(path: Path, name: str, entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in entry.items():
        kind = _KINDS.get(key)
        if kind is None:
            known = ", ".join(_KINDS)
            raise ForecastSetError(
                f"{path}: [forecast_sets.{name}] has an unknown key {key!r}. Known keys: {known}."
            )
        # bool is an int in Python; a month count of `true` is still a mistake
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ForecastSetError(
                f"{path}: [forecast_sets.{name}] {key} must be a {kind.__name__}, not {value!r}."
            )
        out[key] = value
    months = out.get("months")
    if months is not None and not 1 <= months <= MAX_MONTHS:
        raise ForecastSetError(
            f"{path}: [forecast_sets.{name}] months must be between 1 and {MAX_MONTHS}, "
            f"not {months}."
        )
    if out.get("measure", "quantity") not in ("quantity", "revenue"):
        raise ForecastSetError(
            f"{path}: [forecast_sets.{name}] measure must be 'quantity' or 'revenue'."
        )
    return out


def forecast_set(name: str, config: Path | None = None) -> ForecastSet:
    """The set called ``name`` (``--set``), from the defaults and ``demandgrid.toml``."""
    sets = load_forecast_sets(config)
    try:
        return sets[name]
    except KeyError:
        known = ", ".join(sorted(sets))
        raise ForecastSetError(
            f"No forecast set called {name!r}. Known sets: {known} "
            f"(add one under [forecast_sets.{name}] in {CONFIG_FILE})."
        ) from None
