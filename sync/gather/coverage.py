"""Who has sent POS for a month by the deadline, coverage in percent, and POS against sell-in
(what we shipped to the distributor: ERP actuals where loaded, else the org's orders)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from simple_salesforce import format_soql

from sync.gather.pos import DISTRIBUTOR_TYPE, current_sales
from sync.org.seam import Org

ON_TIME, LATE, MISSING = "on time", "late", "missing"


@dataclass(frozen=True)
class DistributorCoverage:
    distributor_id: str
    name: str
    status: str  # on time, late, missing
    submitted_at: str  # "" when missing
    pos_qty: float
    sell_in_qty: float
    sell_in_source: str  # "ERP" or "orders"

    @property
    def difference(self) -> float:
        return round(self.pos_qty - self.sell_in_qty, 2) if self.status != MISSING else 0.0


@dataclass(frozen=True)
class Coverage:
    period: date
    deadline: date
    distributors: tuple[DistributorCoverage, ...]

    @property
    def expected(self) -> int:
        return len(self.distributors)

    def count(self, status: str) -> int:
        return sum(1 for d in self.distributors if d.status == status)

    @property
    def percent(self) -> float:
        """Distributors that submitted by the deadline, in percent of those expected."""
        return 100.0 * self.count(ON_TIME) / self.expected if self.expected else 0.0

    @property
    def percent_of_sell_in(self) -> float:
        """The on-time distributors' share of the month's sell-in to all distributors."""
        total = sum(d.sell_in_qty for d in self.distributors)
        on_time = sum(d.sell_in_qty for d in self.distributors if d.status == ON_TIME)
        return 100.0 * on_time / total if total else 0.0


def pos_coverage(org: Org, period: date, deadline: date) -> Coverage:
    period = period.replace(day=1)
    distributors = {
        r["Id"]: r["Name"] or ""
        for r in org.query(
            format_soql(
                "SELECT Id, Name FROM Account WHERE Type = {} ORDER BY Name", DISTRIBUTOR_TYPE
            )
        )
    }
    ids = list(distributors)
    submitted: dict[str, str] = {}
    pos: dict[str, float] = defaultdict(float)
    for sale in current_sales(org, period, period, ids):
        pos[sale.distributor_id] += sale.quantity
        submitted[sale.distributor_id] = max(
            submitted.get(sale.distributor_id, ""), sale.submitted_at
        )
    sell_in, source = _sell_in(org, ids, period)
    rows = []
    for account_id, name in distributors.items():
        at = submitted.get(account_id, "")
        status = MISSING if not at else (ON_TIME if _day(at) <= deadline else LATE)
        rows.append(
            DistributorCoverage(
                account_id,
                name,
                status,
                at,
                round(pos.get(account_id, 0.0), 2),
                round(sell_in.get(account_id, 0.0), 2),
                source.get(account_id, "orders"),
            )
        )
    order = {MISSING: 0, LATE: 1, ON_TIME: 2}
    rows.sort(key=lambda d: (order[d.status], d.name.casefold(), d.distributor_id))
    return Coverage(period, deadline, tuple(rows))


def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp.replace("+0000", "+00:00")).date()


def _sell_in(org: Org, ids: list[str], period: date) -> tuple[dict[str, float], dict[str, str]]:
    orders: dict[str, float] = defaultdict(float)
    erp: dict[str, float] = defaultdict(float)
    for start in range(0, len(ids), 200):
        some = ids[start : start + 200]
        for r in org.query(
            format_soql(
                "SELECT CurrentOrdersQuantity, AccountProductForecast.AccountForecast.AccountId "
                "FROM AccountProductPeriodForecast WHERE StartDate = {} AND "
                "AccountProductForecast.AccountForecast.AccountId IN {}",
                period,
                some,
            )
        ):
            account = r["AccountProductForecast"]["AccountForecast"]["AccountId"]
            orders[account] += float(r["CurrentOrdersQuantity"] or 0)
        for r in org.query(
            format_soql(
                "SELECT Account__c, Quantity__c FROM ErpActual__c "
                "WHERE PeriodStartDate__c = {} AND Account__c IN {}",
                period,
                some,
            )
        ):
            erp[r["Account__c"]] += float(r["Quantity__c"] or 0)
    sell_in = {a: erp[a] if a in erp else orders.get(a, 0.0) for a in ids}
    return sell_in, {a: "ERP" if a in erp else "orders" for a in ids}
