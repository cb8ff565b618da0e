"""The local org's schema: Manufacturing Cloud objects with their real API names and fields.

One SQLite table per object, named as the object; one column per field, named as the field.
Stored types: id/reference/string/textarea/picklist -> TEXT; double/currency/percent -> REAL;
int -> INTEGER; boolean -> INTEGER 0/1; date -> TEXT 'YYYY-MM-DD';
datetime -> TEXT 'YYYY-MM-DDTHH:MM:SS.000+0000' (Salesforce's wire format, sortable).
The SOQL engine (``sync.localorg.soql.query``) and describe both read these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str  # id, reference, string, textarea, picklist, double, currency, percent, int, boolean, date, datetime
    label: str = ""
    length: int = 0
    precision: int = 0
    scale: int = 0
    updateable: bool = False
    createable: bool = True
    nillable: bool = True
    reference_to: str | None = None  # target object for a reference field
    relationship_name: str | None = None  # e.g. "Account" for AccountId


@dataclass(frozen=True)
class ObjectDef:
    name: str
    key_prefix: str  # first three characters of every Id of this object
    label: str
    fields: tuple[FieldDef, ...]

    def field(self, name: str) -> FieldDef | None:
        lowered = name.lower()
        for f in self.fields:
            if f.name.lower() == lowered:
                return f
        return None

    def relationship(self, name: str) -> FieldDef | None:
        lowered = name.lower()
        for f in self.fields:
            if f.relationship_name and f.relationship_name.lower() == lowered:
                return f
        return None


def sql_type(f: FieldDef) -> str:
    """The SQLite column type that stores a field (see the module docstring)."""
    if f.type in ("double", "currency", "percent"):
        return "REAL"
    if f.type in ("int", "boolean"):
        return "INTEGER"
    return "TEXT"


# ---------------------------------------------------------------- field builders
# Number fields: Salesforce's field reference lists the forecast quantities as double and the
# revenues as currency with 18 digits; we give both scale 2 (precision 18, so at most 16
# digits before the point). The org refuses more decimals than the scale and more digits than
# precision - scale (NUMBER_OUTSIDE_VALID_RANGE), so a value that passes here fits a real org.


def _id(label: str) -> FieldDef:
    return FieldDef("Id", "id", label, length=18, createable=False, nillable=False)


def _ref(
    name: str,
    to: str,
    relationship: str | None,
    label: str = "",
    *,
    updateable: bool = False,
    nillable: bool = True,
) -> FieldDef:
    return FieldDef(
        name,
        "reference",
        label or name,
        length=18,
        updateable=updateable,
        nillable=nillable,
        reference_to=to,
        relationship_name=relationship,
    )


def _text(
    name: str, length: int = 255, *, updateable: bool = False, kind: str = "string"
) -> FieldDef:
    return FieldDef(name, kind, name, length=length, updateable=updateable)


def _pick(name: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, "picklist", name, length=255, updateable=updateable)


def _num(name: str, kind: str = "double", *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, kind, name, precision=18, scale=2, updateable=updateable)


def _pct(name: str) -> FieldDef:
    return FieldDef(name, "percent", name, precision=5, scale=2)


def _int(name: str) -> FieldDef:
    return FieldDef(name, "int", name, precision=9)


def _bool(name: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, "boolean", name, updateable=updateable, nillable=False)


def _date(name: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, "date", name, updateable=updateable)


def _name(*, updateable: bool = False) -> FieldDef:
    return FieldDef("Name", "string", "Name", length=255, updateable=updateable, nillable=False)


def _owner() -> FieldDef:
    return _ref("OwnerId", "User", "Owner", "Owner ID", updateable=True, nillable=False)


def _audit() -> tuple[FieldDef, ...]:
    """The system audit fields every object carries; none is writable through the API."""
    return (
        FieldDef("CreatedDate", "datetime", "Created Date", createable=False, nillable=False),
        _ref("CreatedById", "User", "CreatedBy", "Created By ID", nillable=False),
        FieldDef(
            "LastModifiedDate", "datetime", "Last Modified Date", createable=False, nillable=False
        ),
        _ref("LastModifiedById", "User", "LastModifiedBy", "Last Modified By ID", nillable=False),
        FieldDef("SystemModstamp", "datetime", "System Modstamp", createable=False, nillable=False),
    )


def _object(name: str, prefix: str, label: str, *fields: FieldDef) -> ObjectDef:
    return ObjectDef(name, prefix, label, (_id(f"{label} ID"), *fields, *_audit()))


def _measures(*stems: str, updateable: bool = False) -> tuple[FieldDef, ...]:
    """``<stem>Quantity`` (double) and ``<stem>Revenue`` (currency) for each stem."""
    out: list[FieldDef] = []
    for stem in stems:
        out.append(_num(f"{stem}Quantity", updateable=updateable))
        out.append(_num(f"{stem}Revenue", "currency", updateable=updateable))
    return tuple(out)


def _periodic_targets() -> tuple[FieldDef, ...]:
    """AcctMgrPeriodicTargetDstr's wide layout: 12 periods, each with quantity and currency."""
    out: list[FieldDef] = []
    for n in range(1, 13):
        out.append(_ref(f"Period{n}Id", "Period", f"Period{n}"))
        out.append(_num(f"Period{n}TargetValue", updateable=True))
        out.append(_num(f"Period{n}TargetCurrencyValue", "currency", updateable=True))
    return tuple(out)


#: The fields a rep may change on a forecast cell, and nothing else.
CELL_UPDATEABLE = ("AdjustedForecastedQuantity", "AdjustedForecastedRevenue", "AdjustmentComments")
#: AdjustmentComments' length in Salesforce.
COMMENTS_LENGTH = 2000

# Key prefixes: 00D Organization, 005 User, 001 Account, 01t Product2 and 026 Period are the
# real ones. The Manufacturing Cloud prefixes (0i*, 0m*, 0s*) and the custom object's a0D are
# invented here (plausible, unique); nothing in demandgrid may depend on their values.
_OBJECT_LIST = (
    _object("Organization", "00D", "Organization", _name()),
    _object(
        "User",
        "005",
        "User",
        _text("Username", 80),
        FieldDef("Name", "string", "Full Name", length=121, nillable=False),
        _text("FirstName", 40, updateable=True),
        _text("LastName", 80, updateable=True),
        _text("Email", 128, updateable=True, kind="email"),
        _bool("IsActive", updateable=True),
        _text("Title", 80, updateable=True),
        # Division holds a rep's home sales region (North America, EMEA, APAC, LATAM).
        _text("Division", 80, updateable=True),
        _ref("ManagerId", "User", "Manager", "Manager ID", updateable=True),
    ),
    _object(
        "Account",
        "001",
        "Account",
        _name(updateable=True),
        _owner(),
        _pick("Type", updateable=True),
        _pick("Industry", updateable=True),
        _text("BillingCountry", 80, updateable=True),
        _text("BillingState", 80, updateable=True),
        _text("Region__c", 80, updateable=True),
    ),
    _object(
        "Product2",
        "01t",
        "Product",
        _name(updateable=True),
        _text("ProductCode", 255, updateable=True),
        _pick("Family", updateable=True),
        _bool("IsActive", updateable=True),
    ),
    _object(
        "Period",
        "026",
        "Period",
        _pick("Type"),
        _date("StartDate"),
        _date("EndDate"),
        _ref("FiscalYearSettingsId", "FiscalYearSettings", None, "Fiscal Year Settings ID"),
        _int("Number"),
        _text("PeriodLabel", 255),
        _text("FullyQualifiedLabel", 255),
        _bool("IsForecastPeriod"),
    ),
    _object(
        "AccountForecast",
        "0iF",
        "Account Forecast",
        _name(),
        _owner(),
        _ref("AccountId", "Account", "Account", "Account ID", nillable=False),
        _date("StartDate"),
        _date("EndDate"),
        _pick("Status"),  # Active or Expired; an Expired forecast can't be edited or reactivated
        _pct("DefaultAccountGrowthPercentage"),
        _pct("DefaultMarketGrowthPercentage"),
        FieldDef("LastCalculatedDate", "datetime", "Recalculation Date"),
        _num("TotalRevenue", "currency"),
        _num("TotalAdjustedRevenue", "currency"),
    ),
    _object(
        "AccountProductForecast",
        "0iP",
        "Account Product Forecast",
        _name(),
        _ref("AccountForecastId", "AccountForecast", "AccountForecast", nillable=False),
        _ref("ProductId", "Product2", "Product", "Product ID", nillable=False),
        _bool("IsActive"),
        _bool("IsSystemGenerated"),
    ),
    _object(
        "AccountForecastPeriodMetric",
        "0iM",
        "Account Forecast Period Metric",
        _name(),
        _ref("AccountForecastId", "AccountForecast", "AccountForecast", nillable=False),
        _ref("PeriodId", "Period", "Period", "Period ID", nillable=False),
        _date("StartDate"),
        _date("EndDate"),
        _pct("AccountGrowthPercentage"),
        _pct("MarketGrowthPercentage"),
    ),
    _object(
        "AccountProductPeriodForecast",
        "0iQ",
        "Account Product Period Forecast",
        _name(),
        _ref(
            "AccountProductForecastId",
            "AccountProductForecast",
            "AccountProductForecast",
            nillable=False,
        ),
        _ref("AccForecastPeriodMetricId", "AccountForecastPeriodMetric", "AccForecastPeriodMetric"),
        _ref("PeriodId", "Period", "Period", "Period ID", nillable=False),
        _date("StartDate"),
        _date("EndDate"),
        *_measures(
            "Forecasted", "CurrentOrders", "PastOrders", "SalesAgreementPlanned", "Opportunity"
        ),
        *_measures("AdjustedForecasted", updateable=True),
        FieldDef(
            "AdjustmentComments",
            "textarea",
            "Adjustment Comments",
            length=COMMENTS_LENGTH,
            updateable=True,
        ),
        _bool("IsActive"),
        FieldDef("LastCalculatedDate", "datetime", "Last Calculated Date"),
    ),
    _object(
        "AccountForecastAdjustment",
        "0iA",
        "Account Forecast Adjustment",
        _name(),
        _ref(
            "AccountProdPeriodForecastId",
            "AccountProductPeriodForecast",
            "AccountProdPeriodForecast",
            nillable=False,
        ),
        _ref("AdjustedById", "User", "AdjustedBy", "Adjusted By ID"),
        FieldDef("AdjustmentComments", "textarea", "Adjustment Comments", length=COMMENTS_LENGTH),
        _pick("AdjustmentType"),  # Quantity or Revenue
        _num("FromValue"),
        _num("ToValue"),
        _bool("IsActive"),  # only the last three adjustments of a cell are active
    ),
    _object(
        "AcctMgrTarget",
        "0mT",
        "Account Manager Target",
        _name(updateable=True),
        _owner(),
        _ref("AssignedToUserId", "User", "AssignedToUser", "Assigned To User ID"),
        _ref("FiscalYearId", "Period", "FiscalYear", "Fiscal Year ID"),  # a Period of Type Year
        _date("StartDate"),
        _date("EndDate"),
        _pick("Measure"),  # Quantity or Revenue
        _pick("MeasureType"),
        _num("TargetValue", updateable=True),
        _num("TargetCurrencyValue", "currency", updateable=True),
        _ref("ParentAcctMgrTargetId", "AcctMgrTarget", "ParentAcctMgrTarget"),
    ),
    _object(
        "AcctMgrTargetDstr",
        "0mD",
        "Account Manager Target Distribution",
        _name(updateable=True),
        _ref("AcctMgrTargetId", "AcctMgrTarget", "AcctMgrTarget", nillable=False),
        _ref("AccountId", "Account", "Account", "Account ID"),
        _ref("ProductId", "Product2", "Product", "Product ID"),
        _num("TargetValue", updateable=True),
        _num("TargetCurrencyValue", "currency", updateable=True),
    ),
    _object(
        "AcctMgrPeriodicTargetDstr",
        "0mP",
        "Account Manager Periodic Target Distribution",
        _name(updateable=True),
        _ref("AcctMgrTargetDstrId", "AcctMgrTargetDstr", "AcctMgrTargetDstr", nillable=False),
        *_periodic_targets(),
    ),
    _object(
        "SalesAgreement",
        "0sA",
        "Sales Agreement",
        _name(updateable=True),
        _owner(),
        _ref("AccountId", "Account", "Account", "Account ID", nillable=False),
        _pick("Status", updateable=True),  # Draft, Approved, Activated, Expired, ...
        _date("StartDate", updateable=True),
        _date("EndDate"),
        _pick("ScheduleFrequency", updateable=True),  # Monthly or Quarterly
        _int("ScheduleCount"),
        _pick("ActualsCalculationMode", updateable=True),  # Automatic or Manual
    ),
    _object(
        "SalesAgreementProduct",
        "0sP",
        "Sales Agreement Product",
        _name(updateable=True),
        _ref("SalesAgreementId", "SalesAgreement", "SalesAgreement", nillable=False),
        _ref("ProductId", "Product2", "Product", "Product ID"),
        _num("SalesPrice", "currency", updateable=True),
        _int("InitialPlannedQuantity"),
        _num("TotalPlannedQuantity"),
        _num("TotalActualQuantity"),
        _num("TotalForecastedQuantity"),
        _num("TotalPlannedAmount", "currency"),
        _num("TotalActualAmount", "currency"),
    ),
    _object(
        "SalesAgreementProductSchedule",
        "0sS",
        "Sales Agreement Product Schedule",
        _name(),
        _ref(
            "SalesAgreementProductId",
            "SalesAgreementProduct",
            "SalesAgreementProduct",
            nillable=False,
        ),
        _date("StartDate"),
        _date("EndDate"),
        _int("PlannedQuantity"),
        _num("PlannedQuantityValue", updateable=True),
        _num("PlannedAmount", "currency"),
        _int("ActualQuantity"),
        _num("ActualQuantityValue", updateable=True),
        _num("ActualAmount", "currency"),
        _num("SalesPrice", "currency"),
        _bool("IsUnderRevision"),
    ),
    # FP&A (issue 6): the prior cycle's locked consensus plan, one row per account x product x
    # month, stored in the org so every user sees the same prior plan.
    _object(
        "DemandPlanSnapshot__c",
        "a0D",
        "Demand Plan Snapshot",
        _name(updateable=True),
        _owner(),
        _text("Cycle__c", 7, updateable=True),  # "YYYY-MM": the S&OP cycle the plan was locked in
        _ref("Account__c", "Account", "Account__r", updateable=True),
        _ref("Product__c", "Product2", "Product__r", updateable=True),
        _ref("Period__c", "Period", "Period__r", updateable=True),
        _date("PeriodStartDate__c", updateable=True),
        _num("Quantity__c", updateable=True),
        _num("Revenue__c", "currency", updateable=True),
        _bool("IsLocked__c", updateable=True),
    ),
)

#: Every object of the local org by API name.
OBJECTS: dict[str, ObjectDef] = {o.name: o for o in _OBJECT_LIST}
_BY_LOWER = {name.lower(): o for name, o in OBJECTS.items()}
_BY_PREFIX = {o.key_prefix: o for o in _OBJECT_LIST}
assert len(_BY_PREFIX) == len(OBJECTS), "key prefixes must be unique"


def object_def(name: str) -> ObjectDef | None:
    """The object called ``name`` (API names are case-insensitive), or None."""
    return _BY_LOWER.get(name.lower())


def object_for_prefix(prefix: str) -> ObjectDef | None:
    """The object whose Ids start with ``prefix`` (three characters, case-sensitive)."""
    return _BY_PREFIX.get(prefix)
