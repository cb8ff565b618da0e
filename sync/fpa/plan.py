"""The FP&A plan: every forecast cell in a forecast set's horizon, all reps, in long form.

``read_plan(org, forecast_set)`` asks the org for the cells (one query, paged by 2,000), the
reps' names, the account-manager targets and the prior cycle's locked plan
(``DemandPlanSnapshot__c``), and returns one row per account x product x month with baseline,
consensus (adjusted if set, else baseline), revenue equivalents, target, prior plan, actuals
and last year. Prices come from the cell's own revenue / quantity, else the product's average.
Rows the prior plan has but the live plan no longer has are kept (with consensus 0), so the
prior plan's totals stay whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from simple_salesforce import format_soql

from sync.fpa.forecast_sets import ForecastSet, quarter_label, quarter_number
from sync.org.aaf import detect_profile
from sync.org.mapping import STANDARD, MappingProfile
from sync.org.seam import Org, OrgIdentity, Record

#: Columns of the plan frame, one row per account x product x month, in this order.
PLAN_COLUMNS = (
    "account_id",
    "account_name",
    "region",
    "rep",
    "product_id",
    "product_name",
    "product_family",
    "period_start",  # datetime.date, first of the month
    "quarter",  # "2027 Q1"
    "quarter_no",  # 20271
    "baseline",  # system forecast, quantity
    "adjusted",  # the reps' number, NaN when not set
    "consensus",  # adjusted if set, else baseline
    "price",  # revenue per unit
    "consensus_revenue",
    "target",  # quantity, NaN when no target
    "target_revenue",
    "prior",  # prior cycle's locked quantity, NaN when the prior plan has no row
    "prior_revenue",
    "actual",  # orders in the period (quantity)
    "last_year",  # last year's orders for the period (quantity)
    "record_id",  # AccountProductPeriodForecast Id; "" for a row only the prior plan has
)

SNAPSHOT_OBJECT = "DemandPlanSnapshot__c"


@dataclass(frozen=True)
class PlanFrame:
    """What ``read_plan`` saw: the cells and where and when they came from."""

    cells: pd.DataFrame  # PLAN_COLUMNS
    forecast_set: ForecastSet
    as_of: date
    first_period: date
    last_period: date
    prior_cycle: str | None  # "YYYY-MM" of the prior plan, None when the org has none
    identity: OrgIdentity
    region: str | None = None
    queries: int = 0


def regions(org: Org, profile: MappingProfile = STANDARD) -> list[str]:
    """The sales regions the org's accounts are in, sorted (for a message naming valid ones)."""
    soql = format_soql(
        "SELECT {f:literal} FROM Account WHERE {f:literal} != null", f=profile.region_field
    )
    return sorted({str(r[profile.region_field]) for r in org.query(soql)})


def read_plan(
    org: Org,
    forecast_set: ForecastSet,
    profile: MappingProfile | None = None,
    *,
    region: str | None = None,
    as_of: date | None = None,
) -> PlanFrame:
    """Every forecast cell of ``forecast_set``'s horizon (in ``region`` if given), read with
    ``profile`` (default: the one the org speaks, ``sync.org.aaf.detect_profile``)."""
    today = as_of or date.today()
    first, last = forecast_set.first_period(today), forecast_set.last_period(today)
    calls_before = org.calls.query
    profile = profile or detect_profile(org)
    quantity = profile.with_measure("quantity")
    revenue = profile.with_measure("revenue")

    cells = _cells(org, quantity, revenue, first, last, region)
    reps = {r["Id"]: r.get("Name") or "" for r in org.query("SELECT Id, Name FROM User")}
    targets = _targets(org, profile, set(_dates(cells["period_start"])))
    cycle = _prior_cycle(org, today)
    prior = _prior(org, profile, cycle, first, last, region) if cycle else _no_prior()

    frame = _assemble(cells, reps, targets, prior)
    return PlanFrame(
        cells=frame,
        forecast_set=forecast_set,
        as_of=today,
        first_period=first,
        last_period=last,
        prior_cycle=cycle,
        identity=org.identity(),
        region=region,
        queries=org.calls.query - calls_before,
    )


# ---------------------------------------------------------------- queries


def _value(record: Record, path: str) -> Any:
    """``record["A"]["B"]["C"]`` for ``"A.B.C"``; None where a parent is missing."""
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _cells(
    org: Org,
    quantity: MappingProfile,
    revenue: MappingProfile,
    first: date,
    last: date,
    region: str | None,
) -> pd.DataFrame:
    p = quantity
    account = p.account_path
    owner = p.owner_path
    paths = {
        "record_id": "Id",
        "period_id": p.period_id,
        "period_start": p.period_start,
        "baseline": p.baseline,
        "adjusted": p.adjusted,
        "baseline_revenue": revenue.baseline,
        "actual": p.actual,
        "last_year": p.last_year,
        "product_id": f"{p.product_path}.Id",
        "product_name": f"{p.product_path}.Name",
        "product_family": f"{p.product_path}.Family",
        "account_id": f"{account}.Id",
        "account_name": f"{account}.Name",
        "region": f"{account}.{p.region_field}",
        "owner_id": owner,
    }
    where = format_soql(f"{p.period_start} >= {{}} AND {p.period_start} <= {{}}", first, last)
    if region is not None:
        where += format_soql(f" AND {account}.{p.region_field} = {{}}", region)
    # field and object names come from the mapping profile; values went through format_soql
    soql = f"SELECT {', '.join(paths.values())} FROM {p.cell_object} WHERE {where}"  # noqa: S608
    return _frame(org.query(soql), paths)


def _frame(records: Iterable[Record], paths: dict[str, str]) -> pd.DataFrame:
    rows = [[_value(r, path) for path in paths.values()] for r in records]
    return pd.DataFrame(rows, columns=list(paths), dtype=object)


def _targets(org: Org, profile: MappingProfile, period_starts: set[date]) -> pd.DataFrame:
    """Account-manager targets unpivoted from the wide 12-period layout, summed per
    account x product x period (a split over several target records adds up). Periods are
    matched by their first day: the cell's period record may be of another object (AAF)."""
    dstr = profile.target_distribution_object
    fields = [f"{dstr}.AccountId", f"{dstr}.ProductId"]
    for n in range(1, 13):
        fields += [
            f"Period{n}.StartDate",
            f"Period{n}TargetValue",
            f"Period{n}TargetCurrencyValue",
        ]
    soql = f"SELECT {', '.join(fields)} FROM {profile.periodic_target_object}"  # noqa: S608
    rows: list[tuple[Any, ...]] = []
    for r in org.query(soql):
        account, product = _value(r, f"{dstr}.AccountId"), _value(r, f"{dstr}.ProductId")
        for n in range(1, 13):
            start = _value(r, f"Period{n}.StartDate")
            period = date.fromisoformat(str(start)[:10]) if start else None
            if period in period_starts:
                rows.append(
                    (
                        account,
                        product,
                        period,
                        r.get(f"Period{n}TargetValue"),
                        r.get(f"Period{n}TargetCurrencyValue"),
                    )
                )
    frame = pd.DataFrame(
        rows, columns=["account_id", "product_id", "period_start", "target", "target_currency"]
    )
    for column in ("target", "target_currency"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    key = ["account_id", "product_id", "period_start"]
    return frame.groupby(key, as_index=False).sum(min_count=1)


def _prior_cycle(org: Org, today: date) -> str | None:
    """The latest locked cycle before the current month ("YYYY-MM"), or None."""
    current = f"{today.year:04d}-{today.month:02d}"
    soql = format_soql(
        "SELECT Cycle__c FROM DemandPlanSnapshot__c WHERE Cycle__c < {} AND IsLocked__c = true "
        "ORDER BY Cycle__c DESC LIMIT 1",
        current,
    )
    for r in org.query(soql):
        return str(r["Cycle__c"])
    return None


_PRIOR_PATHS = {
    "account_id": "Account__c",
    "account_name": "Account__r.Name",
    "region": "Account__r.Region__c",
    "owner_id": "Account__r.OwnerId",
    "product_id": "Product__c",
    "product_name": "Product__r.Name",
    "product_family": "Product__r.Family",
    "period_start": "PeriodStartDate__c",
    "prior": "Quantity__c",
    "prior_revenue": "Revenue__c",
}


def _no_prior() -> pd.DataFrame:
    return pd.DataFrame(columns=list(_PRIOR_PATHS), dtype=object)


def _prior(
    org: Org, profile: MappingProfile, cycle: str, first: date, last: date, region: str | None
) -> pd.DataFrame:
    where = format_soql(
        "Cycle__c = {} AND IsLocked__c = true AND PeriodStartDate__c >= {} "
        "AND PeriodStartDate__c <= {}",
        cycle,
        first,
        last,
    )
    if region is not None:
        where += format_soql(f" AND Account__r.{profile.region_field} = {{}}", region)
    paths = dict(_PRIOR_PATHS, region=f"Account__r.{profile.region_field}")
    soql = f"SELECT {', '.join(paths.values())} FROM {SNAPSHOT_OBJECT} WHERE {where}"  # noqa: S608
    return _frame(org.query(soql), paths)


# ---------------------------------------------------------------- assembly


def _numbers(frame: pd.DataFrame, columns: Iterator[str] | tuple[str, ...]) -> None:
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)


def _dates(series: pd.Series) -> pd.Series:
    return series.map(lambda v: v if isinstance(v, date) else date.fromisoformat(str(v)[:10]))


def _assemble(
    cells: pd.DataFrame, reps: dict[str, str], targets: pd.DataFrame, prior: pd.DataFrame
) -> pd.DataFrame:
    _numbers(cells, ("baseline", "adjusted", "baseline_revenue", "actual", "last_year"))
    _numbers(prior, ("prior", "prior_revenue"))
    _numbers(targets, ("target", "target_currency"))
    for frame in (cells, prior):
        frame["period_start"] = _dates(frame["period_start"])
        frame["rep"] = frame["owner_id"].map(reps).fillna("")

    key = ["account_id", "product_id", "period_start"]
    cells = cells.merge(targets, on=key, how="left")
    # a prior-plan row sums per key (a snapshot may split one cell) before it meets the cell
    prior_sums = prior.groupby(key, as_index=False)[["prior", "prior_revenue"]].sum(min_count=1)
    prior_labels = prior.drop_duplicates(key).drop(columns=["prior", "prior_revenue", "owner_id"])
    prior = prior_sums.merge(prior_labels, on=key, how="left")
    frame = cells.merge(prior, on=key, how="outer", suffixes=("", "_prior"), indicator=True)
    only_prior = frame["_merge"] == "right_only"
    for column in ("account_name", "region", "rep", "product_name", "product_family"):
        frame.loc[only_prior, column] = frame.loc[only_prior, f"{column}_prior"]
    frame.loc[only_prior, ["baseline"]] = 0.0
    frame["record_id"] = frame["record_id"].fillna("")

    frame["consensus"] = frame["adjusted"].where(frame["adjusted"].notna(), frame["baseline"])
    frame["price"] = _prices(frame)
    frame["consensus_revenue"] = frame["consensus"] * frame["price"]
    frame["target_revenue"] = frame["target_currency"].where(
        frame["target_currency"].notna(), frame["target"] * frame["price"]
    )
    frame["prior_revenue"] = frame["prior_revenue"].where(
        frame["prior_revenue"].notna() | frame["prior"].isna(), frame["prior"] * frame["price"]
    )
    frame["quarter"] = frame["period_start"].map(quarter_label)
    frame["quarter_no"] = frame["period_start"].map(quarter_number).astype(int)
    for column in ("account_name", "region", "rep", "product_name", "product_family"):
        frame[column] = frame[column].fillna("").astype(str)
    frame = frame.sort_values(
        ["region", "rep", "account_name", "product_family", "product_name", "period_start"],
        kind="stable",
    )
    return frame.loc[:, list(PLAN_COLUMNS)].reset_index(drop=True)


def _prices(frame: pd.DataFrame) -> pd.Series:
    """Revenue per unit: the cell's baseline revenue / baseline quantity where both are
    positive, else the product's average over the cells that have one, else 0."""
    base, revenue = frame["baseline"], frame["baseline_revenue"]
    own = (revenue / base).where((base > 0) & (revenue > 0))
    known = frame.assign(_q=base.where(own.notna()), _r=revenue.where(own.notna()))
    sums = known.groupby("product_id")[["_q", "_r"]].sum()
    by_product = (sums["_r"] / sums["_q"]).replace([np.inf, -np.inf], np.nan)
    fallback = frame["product_id"].map(by_product)
    return own.fillna(fallback).fillna(0.0).astype(float)
