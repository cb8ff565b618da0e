"""The ``aaf`` mapping profile: Advanced Account Forecasting (docs/aaf.md, ADR 14).

A grid cell is an ``AdvAccountForecastFact`` (account x product x period of one forecast set
partner), its numbers are measure *fields* of the fact: the system forecast
(``ForecastedQuantity``), orders, last year's orders, and the customer's editable custom
measure (``AdjustedQuantity__c`` by default: a measure definition with ComputationMethod
CUSTOM exposes it). The note is not on the fact: it is the ``Comment`` of the latest
``AdvAcctForecastFactAdj`` of that fact and measure. So a change is written as the fact's new
measure **and** a new adjustment record (initial value, updated value, comment) in one
all-or-none ``Org.save``, the adjustment upserted on ``DemandgridKey__c`` (fact, measure and
the fact's stamp before) so re-sending it is harmless. ``writes_adjustment_record = False``
is for an org whose API update creates the adjustment record itself (not documented by
Salesforce): then only the fact is written, and notes are not kept.

Which profile an org speaks: ``detect_profile`` (describe, then one look at the data), unless
the org's configuration says (``profile = "aaf"`` in ``orgs.toml``; measures and the fact
object in ``demandgrid.toml`` ``[mapping]``: ``profile_from_config``).
"""

from __future__ import annotations

import tomllib
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from simple_salesforce import format_soql

from sync.org.mapping import (
    PROFILES,
    STANDARD,
    CellState,
    Chunker,
    History,
    MappingProfile,
    Measure,
    number,
)
from sync.org.seam import (
    COLLECTION_LIMIT,
    COMPOSITE_COLLECTIONS,
    UPDATE_LIMIT,
    MappingMismatch,
    Org,
    OrgError,
    Record,
    SaveResult,
    Write,
)

MEASURE_DEF = "AdvAcctForecastMeasureDef"
EDITABLE = "CUSTOM"
#: The set partner status that locks its facts, and the status pull's lock rules know it by.
INACTIVE, LOCKED_STATUS = "Inactive", "Expired"
_measure_defs: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class MeasureFields:
    """The fact fields of one measure (quantity or revenue)."""

    baseline: str
    adjusted: str
    actual: str
    last_year: str


@dataclass(frozen=True)
class AafProfile(MappingProfile):
    """Advanced Account Forecasting (see the module docstring)."""

    quantity: MeasureFields = MeasureFields(
        "ForecastedQuantity", "AdjustedQuantity__c", "OrderQuantity", "LastYearOrderQuantity"
    )
    revenue: MeasureFields = MeasureFields(
        "ForecastedRevenue", "AdjustedRevenue__c", "OrderRevenue", "LastYearOrderRevenue"
    )
    adjustment_fact: str = "AdvAcctForecastFactId"
    adjustment_fact_relationship: str = "AdvAcctForecastFact"
    adjustment_key: str = "DemandgridKey__c"  # external id on the adjustment record
    writes_adjustment_record: bool = True

    def with_measure(self, measure: Measure) -> MappingProfile:
        fields = self.quantity if measure == "quantity" else self.revenue
        return replace(
            self,
            measure=measure,
            baseline=fields.baseline,
            adjusted=fields.adjusted,
            actual=fields.actual,
            last_year=fields.last_year,
            target_value_suffix="TargetValue" if measure == "quantity" else "TargetCurrencyValue",
            changes_per_call=changes_per_call(self.writes_adjustment_record),
        )

    def updateable_fields(self) -> tuple[str, ...]:
        return (self.adjusted,)

    def created_fields(self) -> tuple[tuple[str, str], ...]:
        if not self.writes_adjustment_record:
            return ()
        fields = (self.adjustment_key, self.adjustment_fact, "AdvAcctForecastMeasureDefId",
                  "InitialValue", "UpdatedValue", self.note)  # fmt: skip
        return tuple((self.adjustment_object, f) for f in fields)

    # ------------------------------------------------------------ pull

    def cell_paths(self) -> dict[str, str]:
        paths = super().cell_paths()
        del paths["row_key"], paths["note"]  # from complete_cells
        paths["forecast_set"] = "SetPartner.AdvAccountForecastSetId"
        return paths

    def cell_condition(self) -> str:
        return "Id != null"

    def complete_cells(
        self, org: Org, cells: pd.DataFrame, owners: Sequence[str], first: date, last: date
    ) -> pd.DataFrame:
        """One block per account x product; the note from the latest adjustment record; an
        Inactive set partner locks like an expired account forecast."""
        out = cells.copy()
        out["row_key"] = out["account_id"].str[:15] + "|" + out["product_id"].str[:15]
        status = out["forecast_status"]
        out["forecast_status"] = status.where(status != INACTIVE, LOCKED_STATUS)
        notes: dict[str, str] = {}
        rel = self.adjustment_fact_relationship
        template = (
            "SELECT {fact:literal}, Comment FROM {obj:literal} WHERE {measure:literal} "
            "AND {rel:literal}.{owner:literal} IN {ids} AND {rel:literal}.{start:literal} >= "
            "{first} AND {rel:literal}.{start:literal} <= {last} ORDER BY CreatedDate, Id"
        )
        for soql in _owner_chunks(template, owners, fact=self.adjustment_fact,
                                  obj=self.adjustment_object, measure=self.history().where,
                                  rel=rel, owner=self.owner_path, start=self.period_start,
                                  first=first, last=last):  # fmt: skip
            for r in org.query(soql):
                notes[str(r[self.adjustment_fact])[:15]] = r.get("Comment") or ""
        out["note"] = [notes.get(i[:15], "") for i in out["record_id"]]
        closed = self.closed_windows(org)
        out["org_lock"] = [closed.get(str(s)[:15], "") for s in out["forecast_set"]]
        return out

    def closed_windows(self, org: Org) -> dict[str, str]:
        """Forecast sets (15-character Id) whose monthly adjustment window is closed today, with
        the lock reason. One query. [I] The window's ``ProfileId`` is not looked at, and only
        ``Frequency = Month`` windows are known (docs/aaf.md)."""
        today = getattr(org, "today", None)
        if not isinstance(today, date):
            today = datetime.now(UTC).date()
        soql = (
            "SELECT AdvAccountForecastSetId, StartDay, AdjustmentDayCount FROM "
            "AdvAcctForecastAdjPeriod WHERE Frequency = 'Month'"
        )
        closed: dict[str, str] = {}
        for r in org.query(soql):
            first, days = int(r.get("StartDay") or 1), int(r.get("AdjustmentDayCount") or 31)
            if not first <= today.day < first + days:
                last = first + days - 1
                closed[str(r["AdvAccountForecastSetId"])[:15]] = (
                    f"outside the adjustment window (days {first}-{last} of each month)"
                )
        return closed

    # ------------------------------------------------------------ push

    def check_writable(self, org: Org) -> None:
        self.measure_definition(org)

    def measure_definition(self, org: Org) -> str:
        """The Id of the measure definition exposing ``adjusted``; refused unless editable."""
        cached = _cache(org).get(self.adjusted)
        if cached:
            return cached
        soql = format_soql(
            "SELECT Id, AdvAcctForecastMeasureDefName, ComputationMethod FROM {:literal} "
            "WHERE ForecastDataMeasureName = {}",
            MEASURE_DEF,
            self.adjusted,
        )
        found = list(org.query(soql))
        if not found:
            raise MappingMismatch(
                f"No measure definition ({MEASURE_DEF}) exposes the measure {self.adjusted} in "
                "this org, so demandgrid cannot write it. Ask your admin to add one with "
                "Computation Method CUSTOM, or name the org's editable measure in "
                "demandgrid.toml [mapping] (docs/aaf.md)."
            )
        editable = [r for r in found if r.get("ComputationMethod") == EDITABLE]
        if not editable:
            r = found[0]
            raise MappingMismatch(
                f"The measure definition '{r.get('AdvAcctForecastMeasureDefName')}' "
                f"({MEASURE_DEF} {r['Id']}, measure {self.adjusted}) is not editable: its "
                f"Computation Method is {r.get('ComputationMethod')}, not {EDITABLE}. Nothing "
                "was sent. Map the grid's adjusted value to a CUSTOM measure in demandgrid.toml "
                "[mapping], or ask your admin (docs/salesforce.md, Advanced Account Forecasting)."
            )
        _cache(org)[self.adjusted] = editable[0]["Id"]
        return str(editable[0]["Id"])

    def reread(self, org: Org, ids: Sequence[str], chunk: Chunker) -> dict[str, CellState]:
        values: dict[str, tuple[float | None, str]] = {}
        template = "SELECT {fields:literal} FROM {obj:literal} WHERE Id IN {ids}"
        fields = ", ".join(["Id", self.adjusted, self.modstamp])
        for soql in chunk(template, ids, fields=fields, obj=self.cell_object):
            for r in org.query(soql):
                values[r["Id"]] = (number(r.get(self.adjusted)), r.get(self.modstamp) or "")
        notes: dict[str, str] = {}
        template = (
            "SELECT {fact:literal}, Comment FROM {obj:literal} WHERE {measure:literal} "
            "AND {fact:literal} IN {ids} ORDER BY CreatedDate, Id"
        )
        found = list(values)
        args = {"fact": self.adjustment_fact, "obj": self.adjustment_object}
        for soql in chunk(template, found, measure=self.history().where, **args):
            for r in org.query(soql):
                notes[str(r[self.adjustment_fact])[:15]] = r.get("Comment") or ""
        return {i: (v, notes.get(i[:15], ""), s) for i, (v, s) in values.items()}

    def reread_queries_per_chunk(self) -> int:
        return 2

    def write(
        self, org: Org, records: Sequence[Record], before: Mapping[str, CellState]
    ) -> list[SaveResult]:
        facts = [{"Id": r["Id"], self.adjusted: r.get(self.adjusted)} for r in records]
        if not self.writes_adjustment_record:
            return org.update(self.cell_object, facts)
        definition = self.measure_definition(org)
        adjustments = [
            {
                self.adjustment_key: adjustment_key(r["Id"], self.adjusted, before.get(r["Id"])),
                self.adjustment_fact: r["Id"],
                "AdvAcctForecastMeasureDefId": definition,
                "InitialValue": (before.get(r["Id"]) or (None, "", ""))[0],
                "UpdatedValue": r.get(self.adjusted),
                "Comment": r.get(self.note),
            }
            for r in records
        ]
        results = org.save(
            [
                Write(self.cell_object, facts),
                Write(self.adjustment_object, adjustments, self.adjustment_key),
            ]
        )
        return results[: len(facts)]

    def history(self) -> History:
        return History(
            object=self.adjustment_object,
            parent_id=self.adjustment_fact,
            parent=self.adjustment_fact_relationship,
            from_value="InitialValue",
            to_value="UpdatedValue",
            note="Comment",
            where=format_soql(f"{MEASURE_DEF}.ForecastDataMeasureName = {{}}", self.adjusted),
            note_on_parent=False,
            adjusted_by="CreatedById",  # demandgrid's writes do not set AdjustedById
        )

    def note_location(self) -> tuple[str, str]:
        return (self.adjustment_object, self.note)


def changes_per_call(writes_adjustment_record: bool) -> int:
    """Changes one all-or-none call carries: with an adjustment record each, the facts and the
    adjustments go in separate collections of 200, five at most: 400 (2 + 2 collections)."""
    if not writes_adjustment_record:
        return UPDATE_LIMIT
    return COLLECTION_LIMIT * (COMPOSITE_COLLECTIONS // 2)


def adjustment_key(fact_id: str, measure: str, before: CellState | None) -> str:
    """The adjustment record's external id: one per fact, measure and state the change left."""
    stamp = before[2] if before else ""
    return f"{fact_id[:15]}|{measure}|{stamp}"[:120]


def _cache(org: Org) -> dict[str, str]:
    try:
        return _measure_defs.setdefault(org, {})
    except TypeError:  # an org that cannot be weakly referenced: no cache
        return {}


def _owner_chunks(template: str, owners: Sequence[str], **args: Any) -> list[str]:
    return [
        format_soql(template, ids=list(owners[i : i + 200]), **args)
        for i in range(0, len(owners), 200)
    ]


AAF = AafProfile(
    name="aaf",
    measure="quantity",
    cell_object="AdvAccountForecastFact",
    baseline="ForecastedQuantity",
    adjusted="AdjustedQuantity__c",
    note="Comment",
    actual="OrderQuantity",
    last_year="LastYearOrderQuantity",
    modstamp="SystemModstamp",
    period_start="PeriodStartDate",
    period_id="PeriodId",
    product_forecast="",
    account_path="Account",
    owner_path="Account.OwnerId",
    product_path="Product",
    forecast_status_path="SetPartner.Status",
    region_field="Region__c",
    adjustment_object="AdvAcctForecastFactAdj",
    period_object="AdvAccountForecastPeriod",
    changes_per_call=changes_per_call(True),
)
PROFILES["aaf"] = AAF


def profile_from_config(
    section: Mapping[str, Any], measure: Measure = "quantity"
) -> MappingProfile:
    """A profile from a ``[mapping]`` table (``demandgrid.toml``; docs/aaf.md): ``profile``,
    and for ``aaf`` the ``fact_object``, the measure fields and ``writes_adjustment_record``."""
    name = str(section.get("profile", "standard"))
    if name != "aaf":
        from sync.org.mapping import profile

        return profile(name, measure)
    known = {
        "profile", "fact_object", "adjustment_object", "writes_adjustment_record",
        "baseline_quantity", "adjusted_quantity", "actual_quantity", "last_year_quantity",
        "baseline_revenue", "adjusted_revenue", "actual_revenue", "last_year_revenue",
        "region_field", "owner_path",
    }  # fmt: skip
    unknown = sorted(set(section) - known)
    if unknown:
        raise ValueError(
            f"[mapping] has unknown keys: {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
        )

    def fields(unit: str, default: MeasureFields) -> MeasureFields:
        return MeasureFields(
            str(section.get(f"baseline_{unit}", default.baseline)),
            str(section.get(f"adjusted_{unit}", default.adjusted)),
            str(section.get(f"actual_{unit}", default.actual)),
            str(section.get(f"last_year_{unit}", default.last_year)),
        )

    custom = replace(
        AAF,
        cell_object=str(section.get("fact_object", AAF.cell_object)),
        adjustment_object=str(section.get("adjustment_object", AAF.adjustment_object)),
        writes_adjustment_record=bool(section.get("writes_adjustment_record", True)),
        quantity=fields("quantity", AAF.quantity),
        revenue=fields("revenue", AAF.revenue),
        region_field=str(section.get("region_field", AAF.region_field)),
        owner_path=str(section.get("owner_path", AAF.owner_path)),
    )
    return custom.with_measure(measure)


class MappingConfigError(OrgError):
    """``demandgrid.toml``'s ``[mapping]`` cannot be read or names unknown keys."""


#: Where the ``[mapping]`` section is read from: the directory demandgrid runs in.
CONFIG_FILE = Path("demandgrid.toml")


def mapping_section(config_file: Path = CONFIG_FILE) -> dict[str, Any]:
    """``[mapping]`` of ``config_file`` (empty when the file or the section is absent)."""
    if not config_file.is_file():
        return {}
    try:
        doc = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise MappingConfigError(
            f"Cannot read {config_file}: {e}. Fix or remove the file."
        ) from None
    return dict(doc.get("mapping") or {})


def configured_profile(
    name: str, measure: Measure = "quantity", config_file: Path = CONFIG_FILE
) -> MappingProfile:
    """The profile ``name`` with ``[mapping]``'s fact object and measures when that section
    describes the same profile (a workbook pulled with them is pushed with them)."""
    section = mapping_section(config_file)
    try:
        if str(section.get("profile") or "") == name:
            return profile_from_config(section, measure)
        return profile_from_config({"profile": name}, measure)
    except ValueError as e:
        raise MappingConfigError(f"{config_file}: {e}") from None


def detect_profile(org: Org, measure: Measure = "quantity") -> MappingProfile:
    """The profile an org speaks: standard when only its objects exist (``describe``), AAF
    when only AAF's do; when both, whichever holds forecast records (standard if neither)."""
    standard = _has_object(org, STANDARD.cell_object)
    aaf = _has_object(org, AAF.cell_object)
    if standard and aaf:
        aaf = not _holds_records(org, STANDARD.cell_object) and _holds_records(org, AAF.cell_object)
    return (AAF if aaf else STANDARD).with_measure(measure)


def _has_object(org: Org, name: str) -> bool:
    try:
        org.describe(name)
    except OrgError:
        return False
    return True


def _holds_records(org: Org, name: str) -> bool:
    soql = format_soql("SELECT Id FROM {:literal} LIMIT 1", name)
    return any(True for _ in org.query(soql))
