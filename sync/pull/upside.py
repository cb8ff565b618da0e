"""Design-win upside: closed-won opportunities' line-item schedules beside the forecast cells,
counting only what the period forecast does not already hold.

The rule (``UpsideRules``, the ``[upside]`` section of ``demandgrid.toml``): for each cell
(account x product x month), ``wins`` is the sum of the ``OpportunityLineItemSchedule``
quantities (revenue, for the revenue measure) of won opportunities (``Opportunity.IsWon``)
of that account and product dated in the month. The period forecast's ``Opportunity{Quantity,
Revenue}`` already sums the *active* opportunities of the period, and the forecast formula may
add it to the baseline. Whether a closed-won opportunity counts as active is unconfirmed, so it
is a setting: when ``closed_won_in_opportunity_measure`` and ``baseline_includes_opportunities``
are both true (the defaults: never count twice), the part the org may already hold is taken
off, ``upside = max(0, wins - Opportunity)``; otherwise ``upside = wins``. A cell the org's
note shows as an accepted design win (``[Design win]``) shows no upside: it was taken once.

One query for the schedules of the pulled accounts (chunked by Id) and one for the
``Opportunity`` measure of just the cells that have wins. An org that refuses these queries (no
opportunity schedules, a profile whose cell object has no Opportunity measure) gets a review
without Upside rows.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sync.org.mapping import MappingProfile
from sync.org.records import cell_keys
from sync.org.seam import Org, OrgError, QueryRefused

UPSIDE_COLUMN = "upside"
ACCEPTED_PREFIX = "[Design win]"


CONFIG_FILE = Path("demandgrid.toml")


class UpsideRulesInvalid(OrgError):
    """The ``[upside]`` settings cannot be used (unknown name, not true/false, bad TOML)."""


@dataclass(frozen=True)
class UpsideRules:
    """What the org's baseline already holds (see the module docstring)."""

    closed_won_in_opportunity_measure: bool = True  # unconfirmed: is closed-won "active"?
    baseline_includes_opportunities: bool = True  # the forecast formula adds Opportunity*

    @property
    def subtract_opportunity_measure(self) -> bool:
        return self.closed_won_in_opportunity_measure and self.baseline_includes_opportunities


def load_upside_rules(config: Path | None = None) -> UpsideRules:
    """The ``[upside]`` section of ``config`` (``demandgrid.toml`` in the current directory when
    not given; absent is fine: the defaults, which never count a win twice)."""
    path = config or CONFIG_FILE
    if not path.is_file():
        return UpsideRules()
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("upside", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise UpsideRulesInvalid(f"{path} cannot be read ({e}). Fix the file and retry.") from None
    known = {f.name for f in fields(UpsideRules)}
    wrong = sorted(k for k, v in section.items() if k not in known or not isinstance(v, bool))
    if wrong:
        raise UpsideRulesInvalid(
            f"{path}: [upside] {', '.join(wrong)} is not a setting or not true/false. Settings: "
            f"{', '.join(sorted(known))} (each true or false). Fix the file and retry."
        )
    return UpsideRules(**section)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def won_schedules(
    org: Org,
    account_ids: list[str],
    first: date,
    last: date,
    measure: str,
    names: dict[tuple[str, str, date], set[str]] | None = None,
) -> dict[tuple[str, str, date], float]:
    """(account Id, product Id, month) -> the won schedules' quantity (or revenue) in it;
    ``names``, when given, collects the won opportunities' names per cell."""
    from sync.pull.cells import in_chunks  # the shared chunking of Id lists

    value = "Quantity" if measure == "quantity" else "Revenue"
    template = (
        "SELECT OpportunityLineItem.Opportunity.AccountId, OpportunityLineItem.Opportunity.Name, "
        "OpportunityLineItem.Product2Id, "
        "ScheduleDate, {value:literal} FROM OpportunityLineItemSchedule "
        "WHERE OpportunityLineItem.Opportunity.AccountId IN {ids} "
        "AND OpportunityLineItem.Opportunity.IsWon = true "
        "AND ScheduleDate >= {first} AND ScheduleDate < {after}"
    )
    wins: dict[tuple[str, str, date], float] = {}
    for soql in in_chunks(
        template, sorted(set(account_ids)), value=value, first=first, after=_next_month(last)
    ):
        for r in org.query(soql):
            item = r.get("OpportunityLineItem") or {}
            account = (item.get("Opportunity") or {}).get("AccountId")
            amount = r.get(value)
            if not account or amount is None or not r.get("ScheduleDate"):
                continue
            month = date.fromisoformat(str(r["ScheduleDate"])[:10]).replace(day=1)
            key = (str(account), str(item.get("Product2Id")), month)
            wins[key] = wins.get(key, 0.0) + float(amount)
            if names is not None:
                names.setdefault(key, set()).add(str(item["Opportunity"].get("Name") or ""))
    return wins


def _opportunity_measure(
    org: Org, profile: MappingProfile, record_ids: list[str]
) -> dict[str, float]:
    from sync.pull.cells import in_chunks

    field = "Opportunity" + ("Quantity" if profile.measure == "quantity" else "Revenue")
    template = "SELECT Id, {field:literal} FROM {cell:literal} WHERE Id IN {ids}"
    out: dict[str, float] = {}
    for soql in in_chunks(template, record_ids, field=field, cell=profile.cell_object):
        for r in org.query(soql):
            out[str(r["Id"])] = float(r.get(field) or 0.0)
    return out


def upside_values(
    org: Org,
    frame: pd.DataFrame,
    profile: MappingProfile,
    rules: UpsideRules | None = None,
    notes: list[str] | None = None,
) -> np.ndarray:
    """The design-win upside of every row of a pulled-cells frame (NaN where there is none);
    ``notes``, when given, is filled with one line per row naming the won opportunities."""
    rules = rules or load_upside_rules()
    out = np.full(len(frame), np.nan)
    if notes is not None:
        notes[:] = [""] * len(frame)
    if frame.empty:
        return out
    keys = cell_keys(frame)
    starts = [k[2] for k in keys]
    names: dict[tuple[str, str, date], set[str]] = {}
    accounts = [k[0] for k in keys]
    wins = won_schedules(org, accounts, min(starts), max(starts), profile.measure, names)
    if not wins:
        return out
    rows = [i for i, k in enumerate(keys) if k in wins]
    record_ids = frame["record_id"].astype(str).tolist()
    ids = [record_ids[i] for i in rows]
    covered = _opportunity_measure(org, profile, ids) if rules.subtract_opportunity_measure else {}
    org_notes = frame["note"].astype(str).tolist()
    for i, record_id in zip(rows, ids, strict=True):
        if org_notes[i].startswith(ACCEPTED_PREFIX):
            continue
        value = wins[keys[i]] - covered.get(record_id, 0.0)
        if value > 0:
            out[i] = value
            if notes is not None:
                notes[i] = _explain(sorted(names.get(keys[i], ())), rules)
    return out


def _explain(opportunities: list[str], rules: UpsideRules) -> str:
    taken = (
        " less what the period forecast's Opportunity measure already holds"
        if rules.subtract_opportunity_measure
        else ""
    )
    return (
        f"Design win: {', '.join(opportunities)}. Upside = won schedules{taken}. Not in the "
        "Adjusted row until accepted: `demandgrid upside accept`, or add it to the Adjusted "
        "cell yourself with reason code Design win and a note."
    )


def with_upside(
    org: Org, cells: Any, profile: MappingProfile, rules: UpsideRules | None = None
) -> Any:
    """``cells`` (``PulledCells``) with the ``upside`` column added to its frame."""
    frame = cells.frame.copy()
    notes: list[str] = []
    try:
        values = upside_values(org, frame, profile, rules, notes)
    except QueryRefused:
        # An org (or mapping profile) without opportunity schedules or the Opportunity measure:
        # the review works without Upside rows rather than not at all.
        return cells
    frame[UPSIDE_COLUMN] = values
    frame[f"{UPSIDE_COLUMN}_note"] = notes
    return replace(cells, frame=frame)
