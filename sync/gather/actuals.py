"""ERP actuals -> the org: resolve each row, refuse what cannot load, compare with what the org
holds, and send only the difference.

Where each row goes (ADR 13): every row to ``ErpActual__c`` (quantity and revenue, keyed
``<Account15>|<Product15>|<YYYY-MM>``: the model has no other writable home for revenue or for
accounts without an agreement), and its quantity also to the matching monthly
``SalesAgreementProductSchedule.ActualQuantityValue`` when the account has a sales agreement
for the product in that month; that agreement must compute its actuals manually
(``ActualsCalculationMode`` Manual), or the row is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from simple_salesforce import format_soql

from sync.gather import lookup
from sync.gather.refusals import Refusal
from sync.gather.writes import now_on_wire, record_load, update_all, upsert_all
from sync.org.seam import Org, Record

ERP_ACTUAL = "ErpActual__c"
SCHEDULE = "SalesAgreementProductSchedule"
SOURCE = "ERP actuals"
#: Digits the org holds before the decimal point (precision 18, scale 2).
MAX_VALUE = 10**16


@dataclass(frozen=True)
class ErpRow:
    """One row of an ERP extract as read from its file (``row``: the file's row number)."""

    row: int
    account: str
    product: str
    period_start: date  # first day of the month
    quantity: float
    revenue: float | None = None


@dataclass(frozen=True)
class ResolvedRow:
    row: int
    account_id: str
    account_name: str
    product_id: str
    product_name: str
    period_start: date
    quantity: float
    revenue: float | None

    @property
    def key(self) -> str:
        return f"{self.account_id[:15]}|{self.product_id[:15]}|{self.period_start:%Y-%m}"


@dataclass
class ActualsPlan:
    """What a load would do: refusals, the records to send, and what is already in the org."""

    rows: int
    refusals: list[Refusal] = field(default_factory=list)
    resolved: list[ResolvedRow] = field(default_factory=list)
    actuals: list[Record] = field(default_factory=list)  # ErpActual__c upserts
    schedules: list[Record] = field(default_factory=list)  # schedule updates (Id, value)
    unchanged: int = 0

    @property
    def calls(self) -> int:
        """Write calls the load will make (1,000 records per call, plus the load's log line)."""
        writes = -(-len(self.actuals) // 1000) + -(-len(self.schedules) // 1000)
        return writes + (1 if writes else 0)

    @property
    def through(self) -> date | None:
        return max((r.period_start for r in self.resolved), default=None)


@dataclass(frozen=True)
class ActualsLoaded:
    rows: int
    written: int  # ErpActual__c records created or updated
    schedules: int  # agreement schedules updated
    unchanged: int
    calls: int  # write calls made
    skipped: int  # refused rows left out (--skip-refused)


def plan_actuals(
    org: Org, rows: Sequence[ErpRow], *, today: date, source_file: str = ""
) -> ActualsPlan:
    """Resolve, validate and compare every row; nothing is sent."""
    plan = ActualsPlan(rows=len(rows))
    accounts, products = lookup.accounts(org), lookup.products(org)
    this_month = today.replace(day=1)
    first_row: dict[str, int] = {}
    for r in rows:
        resolved = _resolve(r, accounts, products, this_month, plan.refusals)
        if resolved is None:
            continue
        if resolved.key in first_row:
            plan.refusals.append(
                Refusal(
                    r.row,
                    "month",
                    f"{r.period_start:%Y-%m}",
                    f"the same account, product and month as row {first_row[resolved.key]}",
                    "Sum the two rows into one, or remove the duplicate.",
                )
            )
            continue
        first_row[resolved.key] = r.row
        plan.resolved.append(resolved)
    if not plan.resolved:
        return plan
    _agreement_homes(org, plan)
    _compare_with_org(org, plan, source_file)
    return plan


def _resolve(
    r: ErpRow,
    accounts: lookup.Directory,
    products: lookup.Directory,
    this_month: date,
    refusals: list[Refusal],
) -> ResolvedRow | None:
    before = len(refusals)
    account, product = accounts.find(r.account), products.find(r.product)
    if account.problem:
        refusals.append(
            Refusal(
                r.row,
                "account",
                r.account,
                account.problem,
                "Use the account's name as Salesforce shows it, or its Id.",
            )
        )
    if product.problem:
        refusals.append(
            Refusal(
                r.row,
                "product",
                r.product,
                product.problem,
                "Use the product's code (SKU), its name, or its Id.",
            )
        )
    if r.period_start > this_month:
        refusals.append(
            Refusal(
                r.row,
                "month",
                f"{r.period_start:%Y-%m}",
                f"a future month (today is {this_month:%Y-%m})",
                "Actuals are for past and current months: check the month.",
            )
        )
    for column, value in (("quantity", r.quantity), ("revenue", r.revenue)):
        if value is not None and abs(value) >= MAX_VALUE:
            refusals.append(
                Refusal(
                    r.row,
                    column,
                    f"{value:g}",
                    "more than the 16 digits the org holds before the decimal point",
                    "Check the value (a unit or a pasted total?).",
                )
            )
    if len(refusals) > before:
        return None
    return ResolvedRow(
        r.row,
        account.id,
        account.name,
        product.id,
        product.name,
        r.period_start,
        round(r.quantity, 2),
        None if r.revenue is None else round(r.revenue, 2),
    )


def _agreement_homes(org: Org, plan: ActualsPlan) -> None:
    """Schedule updates for rows whose account has an agreement for the product that month;
    refuse rows whose agreement computes its actuals itself."""
    first = min(r.period_start for r in plan.resolved)
    last = max(r.period_start for r in plan.resolved)
    soql = format_soql(
        "SELECT Id, StartDate, ActualQuantityValue, SalesAgreementProduct.ProductId, "
        "SalesAgreementProduct.SalesAgreement.AccountId, "
        "SalesAgreementProduct.SalesAgreement.Name, "
        "SalesAgreementProduct.SalesAgreement.ActualsCalculationMode "
        "FROM SalesAgreementProductSchedule WHERE StartDate >= {} AND StartDate <= {}",
        first,
        last,
    )
    homes: dict[tuple[str, str, str], list[Record]] = defaultdict(list)
    for s in org.query(soql):
        agreement = s["SalesAgreementProduct"]["SalesAgreement"]
        key = (agreement["AccountId"], s["SalesAgreementProduct"]["ProductId"], s["StartDate"][:7])
        homes[key].append(s)
    keep: list[ResolvedRow] = []
    for r in plan.resolved:
        found = homes.get((r.account_id, r.product_id, f"{r.period_start:%Y-%m}"), [])
        automatic = [
            s
            for s in found
            if (s["SalesAgreementProduct"]["SalesAgreement"]["ActualsCalculationMode"] or "")
            != "Manual"
        ]
        if automatic:
            name = automatic[0]["SalesAgreementProduct"]["SalesAgreement"]["Name"]
            plan.refusals.append(
                Refusal(
                    r.row,
                    "account",
                    r.account_name,
                    f"sales agreement {name!r} calculates its actuals itself "
                    "(ActualsCalculationMode is not Manual)",
                    "Ask the Salesforce admin to set the agreement's Actuals Calculation Mode "
                    "to Manual, or leave this row out.",
                )
            )
            continue
        keep.append(r)
        for s in found:
            if _differs(s["ActualQuantityValue"], r.quantity):
                plan.schedules.append({"Id": s["Id"], "ActualQuantityValue": r.quantity})
    plan.resolved = keep


def _compare_with_org(org: Org, plan: ActualsPlan, source_file: str) -> None:
    first = min(r.period_start for r in plan.resolved)
    last = max(r.period_start for r in plan.resolved)
    held = {
        r["Key__c"]: (r["Quantity__c"], r["Revenue__c"])
        for r in org.query(
            format_soql(
                "SELECT Key__c, Quantity__c, Revenue__c FROM ErpActual__c "
                "WHERE PeriodStartDate__c >= {} AND PeriodStartDate__c <= {}",
                first,
                last,
            )
        )
    }
    loaded_at = now_on_wire()
    for r in plan.resolved:
        before = held.get(r.key)
        if before and not _differs(before[0], r.quantity) and not _differs(before[1], r.revenue):
            plan.unchanged += 1
            continue
        plan.actuals.append(
            {
                "Key__c": r.key,
                "Name": f"{r.account_name} | {r.product_name} | {r.period_start:%Y-%m}"[:80],
                "Account__c": r.account_id,
                "Product__c": r.product_id,
                "PeriodStartDate__c": r.period_start.isoformat(),
                "Quantity__c": r.quantity,
                "Revenue__c": r.revenue,
                "SourceFile__c": source_file[-255:],
                "LoadedAt__c": loaded_at,
            }
        )


def _differs(held: float | None, new: float | None) -> bool:
    if held is None or new is None:
        return (held is None) != (new is None)
    return abs(float(held) - float(new)) >= 0.005


def load_actuals(
    org: Org,
    plan: ActualsPlan,
    *,
    source_file: str = "",
    skip_refused: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ActualsLoaded:
    """Send the plan: ErpActual__c upserts, then schedule updates, then the load's log line.

    Refuses (ValueError, a programming error) a plan with refusals unless ``skip_refused``:
    callers show the refusals first."""
    if plan.refusals and not skip_refused:
        raise ValueError("the plan has refused rows: show them, or pass skip_refused")
    say = progress or (lambda _: None)
    say(f"Writing {len(plan.actuals):,} ERP actuals")
    calls = upsert_all(org, ERP_ACTUAL, plan.actuals)
    say(f"Updating {len(plan.schedules):,} agreement schedules")
    calls += update_all(org, SCHEDULE, plan.schedules)
    calls += record_load(
        org,
        SOURCE,
        file=source_file,
        rows=plan.rows,
        written=len(plan.actuals) + len(plan.schedules),
        through=plan.through,
    )
    refused_rows = len({r.row for r in plan.refusals})
    return ActualsLoaded(
        rows=plan.rows,
        written=len(plan.actuals),
        schedules=len(plan.schedules),
        unchanged=plan.unchanged,
        calls=calls,
        skipped=refused_rows,
    )


# ---------------------------------------------------------------- reconciliation

RECONCILE_COLUMNS = (
    "account_id",
    "account_name",
    "period_start",
    "erp_qty",
    "erp_rev",
    "loaded_qty",
    "orders_qty",
    "agreement_qty",
    "difference",
    "status",
)


def reconcile(org: Org, plan: ActualsPlan) -> pd.DataFrame:
    """ERP vs org by account and month: the file's totals beside what the org holds loaded
    (ErpActual__c), its orders (the forecast cells' CurrentOrdersQuantity, what the review's
    Actual row shows) and its agreement schedules' actuals. ``difference`` = ERP - orders."""
    if not plan.resolved:
        return pd.DataFrame(columns=list(RECONCILE_COLUMNS))
    erp = pd.DataFrame(
        [
            (r.account_id, r.account_name, r.period_start, r.quantity, r.revenue or 0.0)
            for r in plan.resolved
        ],
        columns=["account_id", "account_name", "period_start", "erp_qty", "erp_rev"],
    )
    erp = erp.groupby(["account_id", "account_name", "period_start"], as_index=False).sum()
    accounts = sorted(erp["account_id"].unique())
    first, last = erp["period_start"].min(), erp["period_start"].max()
    org_side = _org_by_account_month(org, accounts, first, last)
    out = erp.merge(org_side, on=["account_id", "period_start"], how="left")
    for column in ("loaded_qty", "orders_qty", "agreement_qty"):
        out[column] = out[column].fillna(0.0)
    out["difference"] = (out["erp_qty"] - out["orders_qty"]).round(2)
    out["status"] = [
        "matches orders" if abs(d) < 0.005 else ("no orders in org" if o == 0 else "differs")
        for d, o in zip(out["difference"], out["orders_qty"], strict=True)
    ]
    out = out.sort_values(["account_name", "account_id", "period_start"], kind="stable")
    return out.loc[:, list(RECONCILE_COLUMNS)].reset_index(drop=True)


def _org_by_account_month(org: Org, accounts: list[str], first: date, last: date) -> pd.DataFrame:
    sums: dict[tuple[str, date], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])

    def add(account: str, day: str, slot: int, value: float | None) -> None:
        sums[(account, date.fromisoformat(day[:10]).replace(day=1))][slot] += float(value or 0)

    for start in range(0, len(accounts), 200):
        some = accounts[start : start + 200]
        for r in org.query(
            format_soql(
                "SELECT Account__c, PeriodStartDate__c, Quantity__c FROM ErpActual__c "
                "WHERE Account__c IN {} AND PeriodStartDate__c >= {} AND PeriodStartDate__c <= {}",
                some,
                first,
                last,
            )
        ):
            add(r["Account__c"], r["PeriodStartDate__c"], 0, r["Quantity__c"])
        for r in org.query(
            format_soql(
                "SELECT CurrentOrdersQuantity, StartDate, "
                "AccountProductForecast.AccountForecast.AccountId "
                "FROM AccountProductPeriodForecast WHERE "
                "AccountProductForecast.AccountForecast.AccountId IN {} "
                "AND StartDate >= {} AND StartDate <= {}",
                some,
                first,
                last,
            )
        ):
            account = r["AccountProductForecast"]["AccountForecast"]["AccountId"]
            add(account, r["StartDate"], 1, r["CurrentOrdersQuantity"])
        for r in org.query(
            format_soql(
                "SELECT ActualQuantityValue, StartDate, "
                "SalesAgreementProduct.SalesAgreement.AccountId "
                "FROM SalesAgreementProductSchedule WHERE "
                "SalesAgreementProduct.SalesAgreement.AccountId IN {} "
                "AND StartDate >= {} AND StartDate <= {}",
                some,
                first,
                last,
            )
        ):
            account = r["SalesAgreementProduct"]["SalesAgreement"]["AccountId"]
            add(account, r["StartDate"], 2, r["ActualQuantityValue"])
    return pd.DataFrame(
        [(a, p, *v) for (a, p), v in sums.items()],
        columns=["account_id", "period_start", "loaded_qty", "orders_qty", "agreement_qty"],
    )


# ---------------------------------------------------------------- for accuracy (sync.cycle)

ERP_ACTUAL_COLUMNS = ("account_id", "product_id", "period_start", "actual_qty", "actual_rev")


def read_erp_actuals(org: Org, first: date, last: date) -> pd.DataFrame:
    """Loaded ERP actuals of months ``first``..``last``, one row per account x product x month,
    in the columns of ``sync.cycle.actuals.read_actuals`` (so accuracy can prefer them over
    orders where loaded, as the review grid does)."""
    soql = format_soql(
        "SELECT Account__c, Product__c, PeriodStartDate__c, Quantity__c, Revenue__c "
        "FROM ErpActual__c WHERE PeriodStartDate__c >= {} AND PeriodStartDate__c <= {} "
        "ORDER BY Account__c, Product__c, PeriodStartDate__c",
        first,
        last,
    )
    frame = pd.DataFrame(
        [
            (
                r["Account__c"],
                r["Product__c"],
                date.fromisoformat(r["PeriodStartDate__c"]),
                r["Quantity__c"],
                r["Revenue__c"],
            )
            for r in org.query(soql)
        ],
        columns=list(ERP_ACTUAL_COLUMNS),
    )
    for column in ("actual_qty", "actual_rev"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame
