"""Lock points: close a cycle's demand review (taking the plan snapshot) and reopen it.

``close_cycle`` reads every forecast cell of the cycle's periods (one region's accounts, or all),
the owners' adjustment history and the targets, and writes one ``DemandPlanSnapshot__c`` line per
cell, then the ``DemandPlanCycle__c`` header with the content hash, all through ``org.upsert``
keyed on external ids: ``ceil(lines / 1,000)`` calls for the lines and one for the header.
The header goes last, so a close that dies half-way leaves no header, and running it again
writes the same lines over themselves and completes: never a duplicate.

Where each value comes from (the decision, also in docs/cycle.md):
- baseline: the cell's system forecast (``Forecasted*``) at the close;
- consensus: the cell's adjusted value at the close (whoever set it last), else the baseline;
- the rep's value: the ``ToValue`` of the last quantity adjustment made by the account
  forecast's owner (``AccountForecastAdjustment``, which Salesforce keeps, the older ones
  inactive), else the baseline. Revenues at the cell's own price;
- reason code and note: the cell's ``AdjustmentComments`` in the ``[CODE] note`` form push
  writes (``sync.push.plan``);
- target: the account-manager target of the account x product x month.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from shlex import quote
from typing import Any

import pandas as pd
from simple_salesforce import format_soql

from sync.cycle.calendar import Calendar, cycle_of
from sync.cycle.snapshots import (
    CLOSED,
    REOPENED,
    SnapshotHeader,
    find_header,
    headers,
    parse_stamp,
)
from sync.fpa.plan import _targets as targets_by_period
from sync.org.mapping import STANDARD, MappingProfile
from sync.org.seam import UPDATE_LIMIT, Org, OrgError, Record
from sync.org.snapshot import (
    CYCLE_KEY,
    CYCLE_OBJECT,
    LINE_KEY,
    LINE_OBJECT,
    hash_texts,
    line_key,
    line_text,
    snapshot_id,
    text_digest,
)
from sync.pull.cells import org_today

REASON_LENGTH = 40
NOTE_LENGTH = 2000
_CODED = re.compile(r"^\[([^\]\n]{1,200})\]\s*(.*)$", re.DOTALL)


class NotAPlanner(OrgError):
    """Only a demand planner may close or reopen a review."""


class CloseRefused(OrgError):
    """The close cannot go ahead (nothing in scope, overlapping scopes, ...)."""


@dataclass(frozen=True)
class CloseReceipt:
    header: SnapshotHeader | None
    snapshot_id: str
    lines: int
    write_calls: int
    already_closed: bool = False


def split_note(comment: str | None) -> tuple[str, str]:
    """``"[Promotion] spring push"`` -> ``("Promotion", "spring push")``; no code -> ``("", note)``."""
    text = (comment or "").strip()
    found = _CODED.match(text)
    if not found:
        return "", text
    return found.group(1).strip()[:REASON_LENGTH], found.group(2).strip()


# ---------------------------------------------------------------- who may


def require_planner(org: Org, calendar: Calendar, action: str) -> tuple[str, str]:
    """The signed-in user's (Id, name) when they may ``action``; else ``NotAPlanner``."""
    who = org.identity()
    found = list(
        org.query(format_soql("SELECT Id, Name, Title FROM User WHERE Id = {}", who.user_id))
    )
    title = str(found[0].get("Title") or "") if found else ""
    name = str(found[0].get("Name") or who.username) if found else who.username
    allowed = (
        who.username.lower() in calendar.planners
        if calendar.planners
        else "planner" in title.lower()
    )
    if not allowed:
        who_may = [
            str(r.get("Name"))
            for r in org.query("SELECT Name, Title FROM User WHERE Title LIKE '%Planner%'")
        ]
        rule = (
            f"the planners listed in {calendar.source} [cycle] planners ({', '.join(calendar.planners)})"
            if calendar.planners
            else f"a demand planner ({', '.join(who_may) or 'a user titled Planner'})"
        )
        raise NotAPlanner(
            f"Only a demand planner may {action}: {who.username} is not one"
            f"{f' (title: {title})' if title else ''}. Ask {rule} to run it, or have your "
            "admin add you to the planners in demandgrid.toml [cycle]."
        )
    return who.user_id, name


# ---------------------------------------------------------------- close


def close_cycle(
    org: Org,
    cycle: str | None = None,
    region: str | None = None,
    *,
    calendar: Calendar | None = None,
    profile: MappingProfile = STANDARD,
    on_progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> CloseReceipt:
    """Close ``cycle``'s demand review (default: the current one) and snapshot its plan."""
    calendar = calendar or Calendar()
    cycle = cycle or cycle_of(org_today(org))
    first, last = calendar.periods(cycle)
    sid = snapshot_id(cycle, region)
    closer, _ = require_planner(org, calendar, f"close the demand review of {cycle}")
    existing = find_header(org, cycle, region)
    if existing is not None and existing.status == CLOSED:
        return CloseReceipt(existing, sid, existing.line_count, 0, already_closed=True)
    _refuse_overlap(org, cycle, region)
    lines, texts = snapshot_lines(org, cycle, region, first, last, profile)
    if not lines:
        raise CloseRefused(
            f"No forecast cells for {cycle}{f' in region {region}' if region else ''} between "
            f"{first:%b %Y} and {last:%b %Y}: nothing to snapshot. Check the region's name "
            "(Account.Region__c) and the cycle."
        )
    writes_before = org.calls.update
    done = 0
    for start in range(0, len(lines), UPDATE_LIMIT):
        chunk = lines[start : start + UPDATE_LIMIT]
        org.upsert(LINE_OBJECT, LINE_KEY, chunk)
        done += len(chunk)
        if on_progress:
            on_progress(done, len(lines))
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    header: Record = {
        CYCLE_KEY: sid,
        "Name": sid,
        "Cycle__c": cycle,
        "Region__c": region,
        "ClosedAt__c": stamp,
        "ClosedBy__c": closer,
        "ContentHash__c": hash_texts(sid, cycle, region, texts),
        "LineCount__c": len(lines),
        "Status__c": CLOSED,
        "FirstPeriod__c": first.isoformat(),
        "LastPeriod__c": last.isoformat(),
    }
    org.upsert(CYCLE_OBJECT, CYCLE_KEY, [header])
    written = org.calls.update - writes_before
    return CloseReceipt(find_header(org, cycle, region), sid, len(lines), written)


def _refuse_overlap(org: Org, cycle: str, region: str | None) -> None:
    """A snapshot of all regions and one of a region would hold the same cells twice."""
    for other in headers(org, format_soql("Cycle__c = {}", cycle)):
        if other.status == CLOSED and (other.region is None) != (region is None):
            raise CloseRefused(
                f"The demand review of {cycle} is already closed for "
                f"{other.region or 'all regions'} ({other.snapshot_id}), which overlaps "
                f"{region or 'all regions'}. Reopen it first (`demandgrid cycle reopen --cycle "
                f"{cycle}{f' --region {quote(other.region)}' if other.region else ''} "
                '--reason "..."`).'
            )


def snapshot_lines(
    org: Org,
    cycle: str,
    region: str | None,
    first: date,
    last: date,
    profile: MappingProfile = STANDARD,
) -> tuple[list[Record], list[tuple[str, str]]]:
    """One snapshot line (as the upsert sends it) per forecast cell of the cycle's periods, and
    each line's (key, canonical text) for the content hash."""
    cells = _cells(org, profile, first, last, region)
    if cells.empty:
        return [], []
    reps = _owners_last_values(org, profile, first, last)
    cells["period_day"] = [date.fromisoformat(str(v)[:10]) for v in cells["period_start"]]
    targets = targets_by_period(org, profile, set(cells["period_day"]))
    targets = targets.rename(columns={"period_start": "period_day"})
    cells = cells.merge(targets, how="left", on=["account_id", "product_id", "period_day"])
    sid = snapshot_id(cycle, region)
    out: list[Record] = []
    texts: list[tuple[str, str]] = []
    for row in cells.itertuples(index=False):
        line = _line(row, sid, cycle, reps)
        text = line_text(line)
        line["Name"] = f"{cycle} {line['PeriodStartDate__c'][:7]} #{text_digest(text)}"
        out.append(line)
        texts.append((line[LINE_KEY], text))
    return out, texts


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, 2)


def _line(row: Any, sid: str, cycle: str, reps: dict[tuple[str, str], float | None]) -> Record:
    period = date.fromisoformat(str(row.period_start)[:10])
    baseline = _number(row.baseline) or 0.0
    baseline_rev = _number(row.baseline_rev)
    adjusted, adjusted_rev = _number(row.adjusted), _number(row.adjusted_rev)
    price = _price(baseline, baseline_rev, adjusted, adjusted_rev)
    consensus = adjusted if adjusted is not None else baseline
    consensus_rev = adjusted_rev if adjusted is not None else baseline_rev
    owner = str(row.owner_id or "")
    rep = reps.get((str(row.record_id)[:15], owner[:15]), baseline)
    rep = baseline if rep is None else rep
    if rep == consensus:
        rep_rev = consensus_rev
    elif rep == baseline:
        rep_rev = baseline_rev
    else:
        rep_rev = round(rep * price, 2)
    code, note = split_note(row.note)
    line: Record = {
        LINE_KEY: line_key(sid, str(row.account_id), str(row.product_id), period),
        "SnapshotId__c": sid,
        "Cycle__c": cycle,
        "CellId__c": str(row.record_id),
        "Account__c": str(row.account_id),
        "Product__c": str(row.product_id),
        "Period__c": row.period_id,
        "Rep__c": owner or None,
        "PeriodStartDate__c": period.isoformat(),
        "BaselineQuantity__c": baseline,
        "BaselineRevenue__c": baseline_rev,
        "RepQuantity__c": rep,
        "RepRevenue__c": rep_rev,
        "Quantity__c": consensus,
        "Revenue__c": consensus_rev,
        "TargetQuantity__c": _number(row.target),
        "TargetRevenue__c": _number(row.target_currency),
        "ReasonCode__c": code or None,
        "Note__c": note[:NOTE_LENGTH] or None,
        "IsLocked__c": True,
    }
    return line


def _price(
    baseline: float, baseline_rev: float | None, adjusted: float | None, adjusted_rev: float | None
) -> float:
    if baseline and baseline_rev is not None:
        return baseline_rev / baseline
    if adjusted and adjusted_rev is not None:
        return adjusted_rev / adjusted
    return 0.0


def _get(record: Record, path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _cells(
    org: Org, p: MappingProfile, first: date, last: date, region: str | None
) -> pd.DataFrame:
    revenue = p.with_measure("revenue")
    paths = {
        "record_id": "Id",
        "period_id": p.period_id,
        "period_start": p.period_start,
        "baseline": p.baseline,
        "baseline_rev": revenue.baseline,
        "adjusted": p.adjusted,
        "adjusted_rev": revenue.adjusted,
        "note": p.note,
        "account_id": f"{p.account_path}.Id",
        "product_id": f"{p.product_forecast}.ProductId",
        "owner_id": p.owner_path,
    }
    where = format_soql(f"{p.period_start} >= {{}} AND {p.period_start} <= {{}}", first, last)
    if region is not None:
        where += format_soql(f" AND {p.account_path}.{p.region_field} = {{}}", region)
    soql = f"SELECT {', '.join(paths.values())} FROM {p.cell_object} WHERE {where}"  # noqa: S608
    rows = [[_get(r, path) for path in paths.values()] for r in org.query(soql)]
    return pd.DataFrame(rows, columns=list(paths), dtype=object)


def _owners_last_values(
    org: Org, p: MappingProfile, first: date, last: date
) -> dict[tuple[str, str], float | None]:
    """(cell Id 15, adjuster Id 15) -> the value of that user's last quantity adjustment."""
    cell = "AccountProdPeriodForecast"
    soql = format_soql(
        f"SELECT {cell}Id, AdjustedById, ToValue, CreatedDate FROM {p.adjustment_object} "  # noqa: S608
        f"WHERE AdjustmentType = 'Quantity' AND {cell}.{p.period_start} >= {{}} "
        f"AND {cell}.{p.period_start} <= {{}} ORDER BY CreatedDate, Id",
        first,
        last,
    )
    out: dict[tuple[str, str], float | None] = {}
    for r in org.query(soql):
        key = (str(r.get(f"{cell}Id") or "")[:15], str(r.get("AdjustedById") or "")[:15])
        out[key] = _number(r.get("ToValue"))
    return out


# ---------------------------------------------------------------- reopen


def reopen_cycle(
    org: Org,
    cycle: str | None = None,
    region: str | None = None,
    *,
    reason: str,
    calendar: Calendar | None = None,
    now: datetime | None = None,
) -> SnapshotHeader:
    """Reopen a closed review: the header says who, when and why (each reopen is a new line of
    ``ReopenReason__c``); the snapshot's lines stay as they were until the next close."""
    calendar = calendar or Calendar()
    cycle = cycle or cycle_of(org_today(org))
    reason = " ".join((reason or "").split())
    if not reason:
        raise CloseRefused(
            'Say why the review is reopened: `demandgrid cycle reopen --reason "..."`. '
            "The reason is kept in the snapshot's header."
        )
    user_id, name = require_planner(org, calendar, f"reopen the demand review of {cycle}")
    header = find_header(org, cycle, region)
    if header is None or header.status != CLOSED:
        state = "was never closed" if header is None else "is already reopened"
        raise CloseRefused(
            f"The demand review of {cycle}{f' ({region})' if region else ''} {state}: "
            "nothing to reopen. See `demandgrid cycle list`."
        )
    when = now or datetime.now(UTC)
    entry = f"{when:%Y-%m-%d %H:%M} UTC {name}: {reason}"
    log = "\n".join(x for x in (header.reopen_log, entry) if x)
    log = log[-NOTE_LENGTH:]
    org.upsert(
        CYCLE_OBJECT,
        CYCLE_KEY,
        [
            {
                CYCLE_KEY: header.snapshot_id,
                "Status__c": REOPENED,
                "ReopenedAt__c": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "ReopenedBy__c": user_id,
                "ReopenReason__c": log,
            }
        ],
    )
    reopened = find_header(org, cycle, region)
    assert reopened is not None
    return reopened


__all__ = ["CloseReceipt", "close_cycle", "parse_stamp", "reopen_cycle", "split_note"]
