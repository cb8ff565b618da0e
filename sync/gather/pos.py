"""Distributor point-of-sale (POS) submissions -> ``PosSale__c``: one record per distributor x
month x distributor part number, keyed ``<Account15>|<YYYY-MM>|<PART>``.

A submission replaces the distributor's earlier one for the same month: its lines are upserted
(only those that differ from what the org holds), and the earlier lines it no longer carries
are marked ``IsCurrent__c = false`` (the seam has no delete; readers count current lines only).
A part the crosswalk does not know is loaded with no product and listed in the unmatched queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from simple_salesforce import format_soql

from sync.gather import lookup
from sync.gather.actuals import MAX_VALUE
from sync.gather.refusals import Refusal
from sync.gather.writes import record_load, update_all, upsert_all
from sync.org.seam import Org, Record

POS_SALE = "PosSale__c"
SOURCE = "POS"
DISTRIBUTOR_TYPE = "Distributor"


@dataclass(frozen=True)
class PosLine:
    """One line of a submission as read from the workbook (``row``: its row number there)."""

    row: int
    part: str
    quantity: float
    revenue: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Submission:
    distributor: str  # the distributor's account Id (or name)
    period: date  # first day of the month
    lines: tuple[PosLine, ...]
    file: str = ""


@dataclass(frozen=True)
class CrosswalkEntry:
    distributor_id: str
    part: str
    product_id: str
    product_name: str


class Crosswalk:
    """Distributor part numbers -> products, per distributor (case and spaces ignored)."""

    def __init__(self, entries: Sequence[CrosswalkEntry]) -> None:
        self.entries = list(entries)
        self._map = {(e.distributor_id, part_key(e.part)): e for e in entries}

    def parts(self, distributor_id: str) -> list[CrosswalkEntry]:
        return sorted(
            (e for e in self.entries if e.distributor_id == distributor_id),
            key=lambda e: part_key(e.part),
        )

    def find(self, distributor_id: str, part: str) -> CrosswalkEntry | None:
        return self._map.get((distributor_id, part_key(part)))

    @property
    def distributors(self) -> list[str]:
        return sorted({e.distributor_id for e in self.entries})


def part_key(part: str) -> str:
    return "".join(part.split()).upper()


@dataclass
class PosPlan:
    distributor_id: str
    distributor_name: str
    period: date
    rows: int
    refusals: list[Refusal] = field(default_factory=list)
    upserts: list[Record] = field(default_factory=list)
    superseded: list[Record] = field(default_factory=list)  # Id + IsCurrent__c false
    unmatched: list[PosLine] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class PosLoaded:
    distributor: str
    period: date
    written: int
    superseded: int
    unchanged: int
    unmatched: int
    calls: int


def find_distributor(org: Org, text: str) -> lookup.Found:
    """The distributor's account (an Id or exact name) of Type Distributor."""
    found = lookup.accounts(org).find(text)
    if found.problem:
        return found
    if lookup.account_types(org).get(found.id) != DISTRIBUTOR_TYPE:
        return lookup.Found(problem=f"account {found.name!r} is not of Type Distributor")
    return found


def plan_submission(
    org: Org, submission: Submission, crosswalk: Crosswalk, *, today: date, submitted_at: str
) -> PosPlan:
    """Check every line and compare with what the org holds; nothing is sent."""
    distributor = find_distributor(org, submission.distributor)
    plan = PosPlan(distributor.id, distributor.name, submission.period, len(submission.lines))
    if distributor.problem:
        plan.refusals.append(
            Refusal(
                0,
                "distributor",
                submission.distributor,
                distributor.problem,
                "Use the submission workbook built for this distributor (pos template).",
            )
        )
        return plan
    if submission.period > today.replace(day=1):
        plan.refusals.append(
            Refusal(
                0,
                "period",
                f"{submission.period:%Y-%m}",
                "a future month",
                "POS is reported after the month's sales: check the period.",
            )
        )
    if not submission.lines:
        plan.refusals.append(
            Refusal(
                0,
                "lines",
                "",
                "no lines filled in",
                "Type the units sold for each part (0 when none) and send it again.",
            )
        )
    seen: dict[str, int] = {}
    for line in submission.lines:
        _check_line(line, seen, plan.refusals)
    if plan.refusals:
        return plan
    held = _held(org, plan.distributor_id, submission.period)
    submission_id = f"{plan.distributor_id[:15]}|{submission.period:%Y-%m}|{submitted_at}"[:80]
    keys = set()
    for line in submission.lines:
        entry = crosswalk.find(plan.distributor_id, line.part)
        if entry is None:
            plan.unmatched.append(line)
        key = sale_key(plan.distributor_id, submission.period, line.part)
        keys.add(key)
        product_id = entry.product_id if entry else None
        values = (
            round(line.quantity, 2),
            _round(line.revenue),
            line.note[:255] or None,
            product_id,
        )
        before = held.get(key)
        if before is not None and before[1:] == (True, *values):
            plan.unchanged += 1
            continue
        plan.upserts.append(
            {
                "Key__c": key,
                "Name": f"{plan.distributor_name} | {submission.period:%Y-%m} | {line.part}"[:80],
                "Account__c": plan.distributor_id,
                "Product__c": product_id,
                "DistributorPart__c": line.part[:80],
                "PeriodStartDate__c": submission.period.isoformat(),
                "Quantity__c": values[0],
                "Revenue__c": values[1],
                "Note__c": values[2],
                "SubmissionId__c": submission_id,
                "SubmittedAt__c": submitted_at,
                "IsCurrent__c": True,
            }
        )
    plan.superseded = [
        {"Id": record_id, "IsCurrent__c": False}
        for key, (record_id, current, *_rest) in sorted(held.items())
        if current and key not in keys
    ]
    return plan


def _check_line(line: PosLine, seen: dict[str, int], refusals: list[Refusal]) -> None:
    key = part_key(line.part)
    if key in seen:
        refusals.append(
            Refusal(
                line.row,
                "Part number",
                line.part,
                f"the same part as row {seen[key]}",
                "Put the part's units on one row.",
            )
        )
    seen.setdefault(key, line.row)
    if len(key) > 60:
        refusals.append(
            Refusal(
                line.row,
                "Part number",
                line.part[:40],
                "longer than 60 characters",
                "Type the part number only.",
            )
        )
    for column, value in (("Units sold", line.quantity), ("Sales value", line.revenue)):
        if value is not None and abs(value) >= MAX_VALUE:
            refusals.append(
                Refusal(
                    line.row,
                    column,
                    f"{value:g}",
                    "more digits than the org holds",
                    "Check the value.",
                )
            )
    if line.quantity < 0 and not line.note.strip():
        refusals.append(
            Refusal(
                line.row,
                "Units sold",
                f"{line.quantity:g}",
                "negative units without a note",
                "A return? Say so in the row's Note, or correct the units.",
            )
        )


def sale_key(distributor_id: str, period: date, part: str) -> str:
    return f"{distributor_id[:15]}|{period:%Y-%m}|{part_key(part)}"[:120]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _held(org: Org, distributor_id: str, period: date) -> dict[str, tuple]:
    soql = format_soql(
        "SELECT Id, Key__c, IsCurrent__c, Quantity__c, Revenue__c, Note__c, Product__c "
        "FROM PosSale__c WHERE Account__c = {} AND PeriodStartDate__c = {}",
        distributor_id,
        period,
    )
    return {
        r["Key__c"]: (
            r["Id"],
            bool(r["IsCurrent__c"]),
            r["Quantity__c"],
            r["Revenue__c"],
            r["Note__c"] or None,
            r["Product__c"] or None,
        )
        for r in org.query(soql)
    }


def load_submission(org: Org, plan: PosPlan, *, file: str = "") -> PosLoaded:
    """Send a checked plan: the submission's lines, then the superseded marks, then the log."""
    if plan.refusals:
        raise ValueError("the plan has refused lines: show them first")
    calls = upsert_all(org, POS_SALE, plan.upserts)
    calls += update_all(org, POS_SALE, plan.superseded)
    calls += record_load(
        org,
        SOURCE,
        file=file,
        rows=plan.rows,
        written=len(plan.upserts) + len(plan.superseded),
        through=plan.period,
    )
    return PosLoaded(
        plan.distributor_name,
        plan.period,
        len(plan.upserts),
        len(plan.superseded),
        plan.unchanged,
        len(plan.unmatched),
        calls,
    )


# ---------------------------------------------------------------- what the org holds


@dataclass(frozen=True)
class PosSale:
    distributor_id: str
    product_id: str | None
    part: str
    period_start: date
    quantity: float
    revenue: float | None
    submitted_at: str


def current_sales(
    org: Org, first: date, last: date, distributors: Sequence[str] = ()
) -> list[PosSale]:
    """The current POS lines of months ``first``..``last`` (of some distributors, or all)."""
    soql = format_soql(
        "SELECT Account__c, Product__c, DistributorPart__c, PeriodStartDate__c, Quantity__c, "
        "Revenue__c, SubmittedAt__c FROM PosSale__c WHERE IsCurrent__c = true "
        "AND PeriodStartDate__c >= {} AND PeriodStartDate__c <= {}",
        first,
        last,
    )
    out: list[PosSale] = []
    for start in range(0, max(len(distributors), 1), 200):
        some = list(distributors[start : start + 200])
        query = soql + (format_soql(" AND Account__c IN {}", some) if some else "")
        out += [
            PosSale(
                r["Account__c"],
                r["Product__c"] or None,
                r["DistributorPart__c"] or "",
                date.fromisoformat(r["PeriodStartDate__c"]),
                float(r["Quantity__c"] or 0),
                r["Revenue__c"],
                r["SubmittedAt__c"] or "",
            )
            for r in org.query(query)
        ]
    return out
