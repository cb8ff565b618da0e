"""Mapping profiles: which org object and field holds each logical part of a forecast cell.

Pull and push speak in logical names (baseline, adjusted, note, ...); a profile says where
those live in a given org. The default is standard Account Forecasting with the quantity
measure; revenue, and other profiles, come from configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Measure = Literal["quantity", "revenue"]


@dataclass(frozen=True)
class MappingProfile:
    name: str
    measure: Measure
    cell_object: str  # one grid cell per record
    baseline: str  # system forecast (read-only)
    adjusted: str  # the rep's number (updateable)
    note: str  # adjustment note (updateable with the adjusted value)
    actual: str  # orders in the period
    last_year: str  # last year's orders for the period
    modstamp: str
    period_start: str
    period_id: str
    # relationship paths from the cell object
    product_forecast: str  # AccountProductForecast relationship name
    account_path: str  # relationship path from the cell to the Account
    owner_path: str  # path to the account forecast owner (the rep)
    product_path: str
    forecast_status_path: str  # AccountForecast.Status (Expired locks the cell)
    region_field: str  # field on Account holding the sales region
    # targets: AcctMgrTarget -> AcctMgrTargetDstr -> AcctMgrPeriodicTargetDstr (wide, 12 periods)
    target_object: str = "AcctMgrTarget"
    target_distribution_object: str = "AcctMgrTargetDstr"
    periodic_target_object: str = "AcctMgrPeriodicTargetDstr"
    target_value_suffix: str = "TargetValue"  # Period{n}TargetValue or Period{n}TargetCurrencyValue
    adjustment_object: str = "AccountForecastAdjustment"
    note_max_length: int = 2000

    def updateable_fields(self) -> tuple[str, str]:
        return (self.adjusted, self.note)

    def with_measure(self, measure: Measure) -> MappingProfile:
        return _standard(measure) if self.name == "standard" else replace(self, measure=measure)


def _standard(measure: Measure) -> MappingProfile:
    unit = "Quantity" if measure == "quantity" else "Revenue"
    return MappingProfile(
        name="standard",
        measure=measure,
        cell_object="AccountProductPeriodForecast",
        baseline=f"Forecasted{unit}",
        adjusted=f"AdjustedForecasted{unit}",
        note="AdjustmentComments",
        actual=f"CurrentOrders{unit}",
        last_year=f"PastOrders{unit}",
        modstamp="SystemModstamp",
        period_start="StartDate",
        period_id="PeriodId",
        product_forecast="AccountProductForecast",
        account_path="AccountProductForecast.AccountForecast.Account",
        owner_path="AccountProductForecast.AccountForecast.OwnerId",
        product_path="AccountProductForecast.Product",
        forecast_status_path="AccountProductForecast.AccountForecast.Status",
        region_field="Region__c",
        target_value_suffix="TargetValue" if measure == "quantity" else "TargetCurrencyValue",
    )


STANDARD = _standard("quantity")
PROFILES = {"standard": STANDARD}


def profile(name: str = "standard", measure: Measure = "quantity") -> MappingProfile:
    try:
        return PROFILES[name].with_measure(measure)
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"Unknown mapping profile {name!r}. Known profiles: {known}.") from None
