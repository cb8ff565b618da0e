"""Mapping profiles: where each logical part of a forecast cell lives in an org, and how a
checked change becomes org writes.

Pull and push speak in logical names (baseline, adjusted, note, ...) and call the profile for
everything that differs between data models; nothing above the seam tests which profile it
has. ``MappingProfile`` is standard Account Forecasting (one ``AccountProductPeriodForecast``
per cell, the note on the cell, ``update`` only); ``sync.org.aaf.AafProfile`` is Advanced
Account Forecasting (facts with measures as fields, the note on an adjustment record written
with the change). The measure (quantity or revenue) comes from configuration; which profile an
org speaks from its configuration or ``sync.org.aaf.detect_profile``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from simple_salesforce import format_soql

if TYPE_CHECKING:
    import pandas as pd

    from sync.org.seam import Org, Record, SaveResult

Measure = Literal["quantity", "revenue"]
#: Turns a SOQL template with ``{ids}`` and its arguments into queries that each fit one page.
Chunker = Callable[..., list[str]]
#: What a re-read finds of one cell: (adjusted value, note, modstamp).
CellState = tuple[float | None, str, str]


@dataclass(frozen=True)
class History:
    """Where a profile's adjustment history lives (the push's proof, ``sync.push.cas``)."""

    object: str
    parent_id: str  # the history row's reference to its cell
    parent: str  # ... and that reference's relationship name
    from_value: str
    to_value: str
    note: str
    where: str  # SOQL condition (already escaped) keeping the rows of the profile's measure
    note_on_parent: bool  # True: the cell holds the note; False: the latest row's note is it
    adjusted_by: str = "AdjustedById"  # the user who made the adjustment (the rep's value)


@dataclass(frozen=True)
class MappingProfile:
    """Standard Account Forecasting; the base of every profile (see the module docstring)."""

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
    #: The object ``period_id`` refers to (a snapshot line's ``Period__c`` looks up ``Period``).
    period_object: str = "Period"
    #: Changes one all-or-none call carries (one record each here).
    changes_per_call: int = 1000

    def updateable_fields(self) -> tuple[str, ...]:
        """Fields of the cell object a push updates."""
        return (self.adjusted, self.note)

    def created_fields(self) -> tuple[tuple[str, str], ...]:
        """(object, field) a push sets on records it creates (none here)."""
        return ()

    def with_measure(self, measure: Measure) -> MappingProfile:
        return _standard(measure) if self.name == "standard" else replace(self, measure=measure)

    # ------------------------------------------------------------ pull

    def cell_paths(self) -> dict[str, str]:
        """Pulled-cell column -> field path from the cell object (``forecast_status``: the
        status that locks a cell when it equals the lock rules' ``expired_status``)."""
        return {
            "record_id": "Id",
            "row_key": f"{self.product_forecast}.Id",
            "account_id": f"{self.account_path}.Id",
            "account_name": f"{self.account_path}.Name",
            "region": f"{self.account_path}.{self.region_field}",
            "product_id": f"{self.product_path}.Id",
            "product_name": f"{self.product_path}.Name",
            "product_family": f"{self.product_path}.Family",
            "period_id": self.period_id,
            "period_start": self.period_start,
            "baseline": self.baseline,
            "adjusted": self.adjusted,
            "note": self.note,
            "actual": self.actual,
            "last_year": self.last_year,
            "modstamp": self.modstamp,
            "forecast_status": self.forecast_status_path,
        }

    def cell_condition(self) -> str:
        """The SOQL condition keeping the cells a grid shows (active ones)."""
        return f"{self.product_forecast}.IsActive = true"

    def complete_cells(
        self, org: Org, cells: pd.DataFrame, owners: Sequence[str], first: date, last: date
    ) -> pd.DataFrame:
        """Fill what the cell query alone cannot (nothing, here)."""
        return cells

    # ------------------------------------------------------------ push

    def check_writable(self, org: Org) -> None:
        """Refuse, before anything is sent, a measure this org will not let us write (the
        org's own refusal names the field here: nothing to look up)."""

    def reread(self, org: Org, ids: Sequence[str], chunk: Chunker) -> dict[str, CellState]:
        """The cells' adjusted value, note and stamp as the org holds them now."""
        template = "SELECT {fields:literal} FROM {obj:literal} WHERE Id IN {ids}"
        fields = ", ".join(["Id", self.adjusted, self.note, self.modstamp])
        found: dict[str, CellState] = {}
        for soql in chunk(template, ids, fields=fields, obj=self.cell_object):
            for r in org.query(soql):
                found[r["Id"]] = (
                    number(r.get(self.adjusted)),
                    r.get(self.note) or "",
                    r.get(self.modstamp) or "",
                )
        return found

    def reread_queries_per_chunk(self) -> int:
        return 1

    def write(
        self, org: Org, records: Sequence[Record], before: Mapping[str, CellState]
    ) -> list[SaveResult]:
        """Send one call's changes, each ``{"Id", <adjusted>, <note>}`` (``before``: each cell
        as re-read just before), all or none; one result per record."""
        return org.update(self.cell_object, records)

    def history(self) -> History:
        kind = "Quantity" if self.measure == "quantity" else "Revenue"
        return History(
            object=self.adjustment_object,
            parent_id="AccountProdPeriodForecastId",
            parent="AccountProdPeriodForecast",
            from_value="FromValue",
            to_value="ToValue",
            note="AdjustmentComments",
            where=format_soql("AdjustmentType = {}", kind),
            note_on_parent=True,
        )

    def note_location(self) -> tuple[str, str]:
        """(object, field) where the org keeps the note: its length limits a note."""
        return (self.cell_object, self.note)


def number(x: Any) -> float | None:
    """An org number as float, None for empty."""
    if x is None or x == "":
        return None
    v = float(x)
    return None if v != v else v


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
PROFILES: dict[str, MappingProfile] = {"standard": STANDARD}


def profile(name: str = "standard", measure: Measure = "quantity") -> MappingProfile:
    if name not in PROFILES:
        import sync.org.aaf  # noqa: F401 - registers "aaf"
    try:
        return PROFILES[name].with_measure(measure)
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"Unknown mapping profile {name!r}. Known profiles: {known}.") from None
