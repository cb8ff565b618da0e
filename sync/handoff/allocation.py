"""A supply planner's allocation checked against the demand it cuts.

The allocation file says, for one supply plan (``plan_id``), which accounts get how much less of
a product in a month (``cut``), the shortfall supply stated for that product and month
(``shortfall``), and the rule the planner applied (``rule``: fair share, strategic priority...).
``plan_cuts`` ties every row to a forecast cell of the planner's pulled region and refuses, row
by row: unknown accounts or products, a month outside the pull, a locked or past period, a cut
that is not a positive number or exceeds the cell's demand (its starting value: adjusted, else
baseline), a repeated cell, and cuts of a product and month that do not add up to the stated
shortfall. ``fairness`` gives each account's cut percent beside the rule applied.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from sync.handoff.rows import RowProblem, cell_text, month_key, parse_decimal, parse_month
from sync.org.records import period_dates
from sync.org.seam import Org

COLUMNS = ("plan_id", "account", "product", "month", "cut", "shortfall", "rule")
PLAN_ID_LENGTH = 80


@dataclass(frozen=True)
class Cut:
    """One validated cut: a forecast cell, its demand before, the cut, and the rule."""

    row: int
    plan_id: str
    record_id: str
    row_key: str
    account_id: str
    account_name: str
    product_id: str
    product_name: str
    period_start: date
    demand: Decimal
    cut: Decimal
    shortfall: Decimal
    rule: str

    @property
    def allocated(self) -> Decimal:
        return self.demand - self.cut

    @property
    def percent(self) -> Decimal:
        return (
            (self.cut * 100 / self.demand).quantize(Decimal("0.1")) if self.demand else Decimal(0)
        )

    def note(self) -> str:
        return (
            f"Allocation {self.plan_id}: cut {_num(self.cut)} of {_num(self.demand)} "
            f"({self.percent}%) for a shortfall of {_num(self.shortfall)} "
            f"in {month_key(self.period_start)}; rule: {self.rule or 'not stated'}."
        )


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f"{int(value):,}" if value == value.to_integral_value() else text


def product_codes(org: Org) -> dict[str, str]:
    """SKU (``Product2.ProductCode``, lower case) -> product Id."""
    return {
        str(r["ProductCode"]).strip().lower(): str(r["Id"])
        for r in org.query("SELECT Id, ProductCode FROM Product2")
        if r.get("ProductCode")
    }


class _Cells:
    """The pulled region's cells, found by account and product (name, Id or SKU) and month."""

    def __init__(self, frame: pd.DataFrame, skus: dict[str, str]) -> None:
        self.frame = frame
        self.accounts: dict[str, str] = {}
        self.products: dict[str, str] = {}
        self.ambiguous: set[str] = set()
        for account_id, name in frame[["account_id", "account_name"]].drop_duplicates().to_numpy():
            key = str(name).strip().lower()
            if self.accounts.get(key, str(account_id)) != str(account_id):
                self.ambiguous.add(key)  # two accounts of one name: only the Id tells them apart
            self.accounts.setdefault(key, str(account_id))
            self.accounts[str(account_id)[:15].lower()] = str(account_id)
        product_ids = set(frame["product_id"].astype(str))
        for product_id, name in frame[["product_id", "product_name"]].drop_duplicates().to_numpy():
            self.products.setdefault(str(name).strip().lower(), str(product_id))
            self.products[str(product_id)[:15].lower()] = str(product_id)
        for sku, product_id in skus.items():
            if product_id in product_ids:
                self.products.setdefault(sku, product_id)
        starts = period_dates(frame["period_start"].tolist())
        self.by_cell: dict[tuple[str, str, date], Any] = {
            (str(r.account_id), str(r.product_id), start): r
            for r, start in zip(frame.itertuples(index=False), starts, strict=True)
        }
        self.periods = sorted({k[2] for k in self.by_cell})

    def account(self, text: str) -> str | None:
        key = text.strip().lower()
        return self.accounts.get(key) or self.accounts.get(key[:15])

    def product(self, text: str) -> str | None:
        key = text.strip().lower()
        return self.products.get(key) or self.products.get(key[:15])


def _demand(cell: Any) -> Decimal:
    adjusted, baseline = cell.adjusted, cell.baseline
    value = adjusted if adjusted == adjusted and adjusted is not None else baseline
    return parse_decimal(value if value == value and value is not None else 0) or Decimal(0)


def plan_cuts(
    rows: Sequence[tuple[int, dict[str, Any]]], frame: pd.DataFrame, skus: dict[str, str]
) -> tuple[list[Cut], list[RowProblem]]:
    """Tie each allocation row to a cell of the pulled ``frame``; see the module docstring."""
    cells = _Cells(frame, skus)
    cuts: list[Cut] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, date], int] = {}
    plans: dict[str, int] = {}
    for number, row in rows:
        cut, found = _one_row(number, row, cells)
        problems.extend(found)
        if cut is None:
            continue
        plans.setdefault(cut.plan_id, number)
        where = (cut.account_id, cut.product_id, cut.period_start)
        if where in seen:
            problems.append(
                RowProblem(
                    number,
                    "account",
                    cut.account_name,
                    f"{cut.account_name} / {cut.product_name} {month_key(cut.period_start)} is "
                    f"already cut on row {seen[where]}: keep one row per account, product and month.",
                )
            )
            continue
        seen[where] = number
        cuts.append(cut)
    if len(plans) > 1:
        first = sorted(plans.items(), key=lambda kv: kv[1])
        problems.append(
            RowProblem(
                first[1][1],
                "plan_id",
                first[1][0],
                f"one file holds one allocation plan, but this row names another plan than row "
                f"{first[0][1]} ({first[0][0]!r}): split the file by plan_id.",
            )
        )
    problems.extend(_shortfall_problems(cuts))
    return cuts, sorted(problems, key=lambda p: p.row)


def _one_row(
    number: int, row: dict[str, Any], cells: _Cells
) -> tuple[Cut | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def refuse(column: str, fix: str) -> None:
        problems.append(RowProblem(number, column, cell_text(row.get(column)), fix))

    plan_id = cell_text(row.get("plan_id"))
    if not plan_id or len(plan_id) > PLAN_ID_LENGTH:
        refuse("plan_id", f"give the allocation plan's id (1 to {PLAN_ID_LENGTH} characters).")
    account_id = cells.account(cell_text(row.get("account")))
    if cell_text(row.get("account")).lower() in cells.ambiguous:
        account_id = None
        refuse("account", "several accounts in the region have this name: give the account's Id.")
    elif account_id is None:
        refuse("account", "no account of this name or Id is in the planner's region.")
    product_id = cells.product(cell_text(row.get("product")))
    if product_id is None:
        refuse("product", "no product of this name, SKU or Id is in the planner's region.")
    period = parse_month(row.get("month"))
    if period is None:
        refuse("month", "write the month as YYYY-MM.")
    cut = parse_decimal(row.get("cut"))
    if cut is None or cut <= 0:
        refuse("cut", "write the quantity cut as a number above 0.")
    shortfall = parse_decimal(row.get("shortfall"))
    if shortfall is None or shortfall <= 0:
        refuse(
            "shortfall", "write the shortfall supply stated for this product and month (above 0)."
        )
    if problems:
        return None, problems
    assert account_id and product_id and period and cut is not None and shortfall is not None
    cell = cells.by_cell.get((account_id, product_id, period))
    if cell is None:
        span = (
            f"{month_key(cells.periods[0])} to {month_key(cells.periods[-1])}"
            if cells.periods
            else "none"
        )
        refuse(
            "month",
            f"this account has no forecast cell for the product in {month_key(period)} in the "
            f"planner's pull (months {span}): check the month, account and product.",
        )
        return None, problems
    if bool(cell.locked):
        refuse(
            "month",
            f"{month_key(period)} is locked for {cell.account_name} / {cell.product_name} "
            f"({cell.lock_reason or 'locked'}): allocation cuts only open periods. "
            + (
                "Reopen the review for the cut first (`demandgrid cycle reopen`)."
                if str(cell.lock_reason).startswith("review closed")
                else "Move the cut to an open month or drop the row."
            ),
        )
        return None, problems
    demand = _demand(cell)
    if cut > demand:
        refuse(
            "cut",
            f"the cut is more than the demand ({_num(demand)} for {cell.account_name} / "
            f"{cell.product_name} in {month_key(period)}): cut at most {_num(demand)}.",
        )
        return None, problems
    return (
        Cut(
            row=number,
            plan_id=plan_id,
            record_id=str(cell.record_id),
            row_key=str(cell.row_key),
            account_id=account_id,
            account_name=str(cell.account_name),
            product_id=product_id,
            product_name=str(cell.product_name),
            period_start=period,
            demand=demand,
            cut=cut,
            shortfall=shortfall,
            rule=cell_text(row.get("rule")),
        ),
        problems,
    )


def _shortfall_problems(cuts: Sequence[Cut]) -> list[RowProblem]:
    groups: dict[tuple[str, date], list[Cut]] = defaultdict(list)
    for c in cuts:
        groups[(c.product_id, c.period_start)].append(c)
    problems = []
    for group in groups.values():
        first = group[0]
        stated = {c.shortfall for c in group}
        total = sum((c.cut for c in group), Decimal(0))
        what = f"{first.product_name} in {month_key(first.period_start)}"
        rows = ", ".join(str(c.row) for c in group)
        if len(stated) > 1:
            problems.append(
                RowProblem(
                    first.row,
                    "shortfall",
                    _num(first.shortfall),
                    f"rows {rows} state different shortfalls for {what}: state one.",
                )
            )
        elif total != first.shortfall:
            problems.append(
                RowProblem(
                    first.row,
                    "shortfall",
                    _num(first.shortfall),
                    f"the cuts of {what} (rows {rows}) add up to {_num(total)}, not the stated "
                    f"shortfall {_num(first.shortfall)}: correct the cuts or the shortfall.",
                )
            )
    return problems


FAIRNESS_COLUMNS = ("account", "demand", "cut", "allocated", "cut_percent", "rules")
NOT_CUT = "not cut"


def fairness(
    cuts: Sequence[Cut], frame: pd.DataFrame | None = None
) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal, str]]:
    """Per account (largest cut percent first): its demand in the products and months the plan
    cuts, the cut, what is left, the cut in percent and the rule(s) applied. With the pulled
    ``frame``, accounts of the region that share those products and months but were not cut
    are listed too (0%, "not cut"), so the view shows who carried the shortfall and who did not."""
    cut_cells = {(c.product_id, c.period_start) for c in cuts}
    demand: dict[str, Decimal] = defaultdict(Decimal)
    cut: dict[str, Decimal] = defaultdict(Decimal)
    rules: dict[str, set[str]] = defaultdict(set)
    for c in cuts:
        demand[c.account_name] += c.demand
        cut[c.account_name] += c.cut
        rules[c.account_name].add(c.rule or "not stated")
    if frame is not None and cut_cells:
        cut_ids = {c.record_id for c in cuts}
        starts = period_dates(frame["period_start"].tolist())
        for r, start in zip(frame.itertuples(index=False), starts, strict=True):
            if (str(r.product_id), start) in cut_cells and str(r.record_id) not in cut_ids:
                account = str(r.account_name)
                demand[account] += _demand(r)
                if account not in cut:
                    rules[account].add(NOT_CUT)
    out = []
    for account, total in demand.items():
        taken = cut.get(account, Decimal(0))
        percent = (taken * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)
        out.append(
            (account, total, taken, total - taken, percent, ", ".join(sorted(rules[account])))
        )
    return sorted(out, key=lambda r: (-r[4], r[0]))
