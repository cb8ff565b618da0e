"""Pull: org -> one row per forecast cell of a rep's portfolio (``PulledCells``).

Scope: the cells of the account forecasts the rep owns (``include_team`` adds the users who
report to the rep: a planner's region), of active account x product forecasts, for the monthly
periods from ``history`` months before the current month to ``horizon - 1`` months after it.
Field names come from the mapping profile; targets are the rep's account-manager targets
(``AcctMgrTarget`` -> ``AcctMgrTargetDstr`` -> ``AcctMgrPeriodicTargetDstr``, 12 periods wide)
unpivoted to one value per account x product x period. Locks come from ``sync.pull.locks``.

Queries: one to find the rep (one more for the team), then the cells and the targets, each
paged by the org (2,000 records a page). Nothing is queried per account.
"""

from __future__ import annotations

import difflib
import gc
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from simple_salesforce import format_soql

from sync.org.mapping import STANDARD, MappingProfile
from sync.org.records import CELL_COLUMNS, PullContext, cell_keys
from sync.org.seam import Org, OrgError, Record
from sync.pull.locks import LockRules, apply_locks

#: Keep every query under this many characters (Salesforce allows 100,000).
MAX_QUERY_CHARS = 90_000
PERIODS_PER_TARGET_ROW = 12
_USER_ID = re.compile(r"005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?\Z", re.ASCII)


class UnknownRep(OrgError):
    """The rep named for a pull is no user of the org."""


class AmbiguousRep(OrgError):
    """The rep's full name matches several users."""


@dataclass(frozen=True)
class PulledCells:
    frame: pd.DataFrame  # columns exactly CELL_COLUMNS, sorted by account, family, product, period
    context: PullContext
    periods: list[date]  # the period columns of the grid, in order


@dataclass(frozen=True)
class Rep:
    id: str
    name: str
    username: str


# ---------------------------------------------------------------- periods and queries


def _add_months(first: date, months: int) -> date:
    total = first.year * 12 + first.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def pull_periods(today: date, *, horizon: int, history: int) -> list[date]:
    """First days of the months from ``history`` before today's month to ``horizon - 1`` after."""
    month0 = today.replace(day=1)
    return [_add_months(month0, k) for k in range(-history, horizon)]


def in_chunks(template: str, ids: Sequence[str], **fields: Any) -> Iterator[str]:
    """``format_soql(template, ids=chunk, **fields)`` for chunks of ``ids`` small enough that
    each query stays under ``MAX_QUERY_CHARS`` (``{ids}`` in the template takes the Id list)."""
    if not ids:
        return
    bare = len(format_soql(template, ids=[], **fields))
    per_id = max(len(format_soql("{}", i)) for i in ids) + 1
    size = max(1, (MAX_QUERY_CHARS - bare) // per_id)
    for start in range(0, len(ids), size):
        yield format_soql(template, ids=list(ids[start : start + size]), **fields)


def org_today(org: Org) -> date:
    """The org's date: the local org's pinned ``today`` if it has one, else today (UTC)."""
    today = getattr(org, "today", None)
    return today if isinstance(today, date) else datetime.now(UTC).date()


# ---------------------------------------------------------------- the rep


def find_rep(org: Org, rep: str) -> Rep:
    """The user ``rep`` names: a username, a full name or a User Id (case-insensitive)."""
    rep = rep.strip()
    if _USER_ID.match(rep):
        soql = format_soql("SELECT Id, Name, Username FROM User WHERE Id = {}", rep)
    else:
        soql = format_soql(
            "SELECT Id, Name, Username FROM User WHERE Username = {} OR Name = {}", rep, rep
        )
    found = [Rep(r["Id"], r["Name"] or "", r["Username"] or "") for r in org.query(soql)]
    exact = [u for u in found if u.username.lower() == rep.lower() or u.id == rep]
    if exact:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join(sorted(u.username for u in found))
        raise AmbiguousRep(
            f"{len(found)} users are called {rep!r} ({names}). Pull by username instead."
        )
    users = list(org.query("SELECT Name, Username FROM User WHERE IsActive = true"))
    labels = {u["Username"].lower(): u["Username"] for u in users if u.get("Username")}
    labels.update({u["Name"].lower(): u["Name"] for u in users if u.get("Name")})
    close = difflib.get_close_matches(rep.lower(), list(labels), n=5, cutoff=0.5)
    hint = (
        f" Close matches: {', '.join(labels[c] for c in close)}."
        if close
        else " Check the spelling; a rep is named by username, full name or User Id."
    )
    raise UnknownRep(f"No user {rep!r} in the org {_org_label(org)}.{hint}")


def _org_label(org: Org) -> str:
    ident = org.identity()
    return f"'{ident.org_name}' ({ident.instance})"


def team_of(org: Org, manager: Rep) -> list[str]:
    """Ids of the active users who report to ``manager``."""
    soql = format_soql(
        "SELECT Id FROM User WHERE ManagerId = {} AND IsActive = true ORDER BY Id", manager.id
    )
    return [r["Id"] for r in org.query(soql)]


# ---------------------------------------------------------------- records -> columns


class _Columns:
    """Values at dotted paths of Salesforce-shaped records, one list per path. Each parent level
    is walked once for all records and shared by the paths below it."""

    def __init__(self, records: list[Record]) -> None:
        self._levels: dict[str, list[Any]] = {"": records}

    def _level(self, prefix: str) -> list[Any]:
        if prefix not in self._levels:
            parent, _, key = prefix.rpartition(".")
            above = self._level(parent)
            if None in above:
                self._levels[prefix] = [n.get(key) if n is not None else None for n in above]
            else:  # every parent present: the lookups run in C
                self._levels[prefix] = list(map(dict.get, above, repeat(key)))
        return self._levels[prefix]

    def __getitem__(self, path: str) -> list[Any]:
        return self._level(path)


def _numbers(values: list[Any]) -> np.ndarray:
    return np.array(values, dtype=float)  # None -> NaN


def _texts(values: list[Any]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


# ---------------------------------------------------------------- the pull


def pull_cells(
    org: Org,
    rep: str,
    *,
    profile: MappingProfile = STANDARD,
    horizon: int = 18,
    history: int = 3,
    locks: LockRules | None = None,
    include_team: bool = False,
) -> PulledCells:
    """The rep's forecast cells (see the module docstring), one row per cell, with locks."""
    with _collector_paused():
        return _pull(org, rep, profile, horizon, history, locks, include_team)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A big pull holds hundreds of thousands of small, acyclic record dicts; every run of the
    # cycle collector would walk them all again (about a third of the pull's time).
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _pull(
    org: Org,
    rep: str,
    profile: MappingProfile,
    horizon: int,
    history: int,
    locks: LockRules | None,
    include_team: bool,
) -> PulledCells:
    if horizon < 1 or history < 0:
        raise ValueError(f"horizon must be 1 or more and history 0 or more ({horizon}, {history})")
    today = org_today(org)
    who = find_rep(org, rep)
    owners = [who.id, *(team_of(org, who) if include_team else [])]
    periods = pull_periods(today, horizon=horizon, history=history)
    cells = _cell_frame(org, profile, owners, periods[0], periods[-1])
    cells = profile.complete_cells(org, cells, owners, periods[0], periods[-1])
    cells["target"] = _targets(org, profile, owners, periods, cells)
    cells = apply_locks(cells, locks or LockRules(), today)
    cells = cells.sort_values(
        ["account_name", "account_id", "product_family", "product_name", "row_key", "period_start"],
        kind="stable",
    )
    frame = cells.loc[:, list(CELL_COLUMNS)].reset_index(drop=True)
    ident = org.identity()
    context = PullContext(
        org_id=ident.org_id,
        org_name=ident.org_name,
        instance=ident.instance,
        user_id=who.id,
        user_name=who.name,
        pulled_by=ident.username,
        pulled_at=datetime.now(UTC).isoformat(timespec="seconds"),
        measure=profile.measure,
        profile=profile.name,
        horizon=horizon,
        first_period=periods[0],
        team=include_team,
    )
    return PulledCells(frame, context, periods)


_NUMBER_COLUMNS = ("baseline", "adjusted", "actual", "last_year")
#: Records turned into columns at a time: the record dicts of a big pull never all exist at once.
_BATCH = 20_000


def _absorb(
    batch: list[Record], fields: dict[str, str], values: dict[str, list[Any]], shared: dict
) -> None:
    """Append the batch's values to ``values`` (column -> list), texts shared through ``shared``."""
    found = _Columns(batch)
    for column, path in fields.items():
        column_values = found[path]
        if column not in _NUMBER_COLUMNS:
            column_values = list(map(shared.setdefault, column_values, column_values))
        values[column].extend(column_values)


def _cell_frame(
    org: Org, p: MappingProfile, owners: list[str], first: date, last: date
) -> pd.DataFrame:
    fields = p.cell_paths()
    template = (
        "SELECT {fields:literal} FROM {cell:literal} WHERE {owner:literal} IN {ids} "
        "AND {condition:literal} AND {start:literal} >= {first} AND {start:literal} <= {last} "
        "ORDER BY Id"
    )
    values: dict[str, list[Any]] = {column: [] for column in fields}
    shared: dict[Any, Any] = {}  # one object per distinct text: names repeat on every period
    batch: list[Record] = []
    for soql in in_chunks(
        template,
        owners,
        fields=", ".join(dict.fromkeys(fields.values())),
        cell=p.cell_object,
        owner=p.owner_path,
        condition=p.cell_condition(),
        start=p.period_start,
        first=first,
        last=last,
    ):
        for record in org.query(soql):
            batch.append(record)
            if len(batch) == _BATCH:
                _absorb(batch, fields, values, shared)
                batch = []
    _absorb(batch, fields, values, shared)
    columns: dict[str, Any] = {}
    for column in fields:
        found = values.pop(column)  # each list goes as soon as its column is built
        if column in _NUMBER_COLUMNS:
            columns[column] = _numbers(found)
        elif column == "period_start":
            days = {v: date.fromisoformat(v) for v in set(found) if v}
            columns[column] = [days.get(v) for v in found]
        else:
            columns[column] = _texts(found)
    return pd.DataFrame(columns, columns=list(fields))


def _targets(
    org: Org, p: MappingProfile, owners: list[str], periods: list[date], cells: pd.DataFrame
) -> np.ndarray:
    """The target of every cell (NaN where none), from the wide periodic distributions."""
    if cells.empty:
        return np.array([], dtype=float)
    dstr, target = p.target_distribution_object, p.target_object
    slots = range(1, PERIODS_PER_TARGET_ROW + 1)
    fields = [f"{dstr}.AccountId", f"{dstr}.ProductId"]
    fields += [f"Period{n}.StartDate" for n in slots]
    fields += [f"Period{n}{p.target_value_suffix}" for n in slots]
    template = (
        "SELECT {fields:literal} FROM {periodic:literal} WHERE {assigned:literal} IN {ids} "
        "AND {starts:literal} < {after} AND {ends:literal} >= {first}"
    )
    through = f"{dstr}.{target}"
    slot_keys = [(f"Period{n}", f"Period{n}{p.target_value_suffix}") for n in slots]
    totals: dict[tuple[Any, Any, Any], float] = {}
    for soql in in_chunks(
        template,
        owners,
        fields=", ".join(fields),
        periodic=p.periodic_target_object,
        assigned=f"{through}.AssignedToUserId",
        starts=f"{through}.StartDate",
        after=_add_months(periods[-1], 1),
        ends=f"{through}.EndDate",
        first=periods[0],
    ):
        for r in org.query(soql):
            split = r.get(dstr) or {}
            account, product = split.get("AccountId"), split.get("ProductId")
            for period_key, value_key in slot_keys:
                period, value = (r.get(period_key) or {}).get("StartDate"), r.get(value_key)
                if period and value is not None:
                    key = (account, product, date.fromisoformat(period))
                    totals[key] = totals.get(key, 0.0) + float(value)
    return np.array([totals.get(k, math.nan) for k in cell_keys(cells)], dtype=float)
