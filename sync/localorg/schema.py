"""The local org's schema: Manufacturing Cloud objects with their real API names and fields.

One SQLite table per object, named as the object; one column per field, named as the field
(field types and their storage: ``sync.localorg.fields``).
"""

from __future__ import annotations

from sync.localorg.fields import (
    FieldDef,
    ObjectDef,
    boolean,
    date_field,
    datetime_field,
    external_key,
    integer,
    measures,
    name,
    number,
    owner,
    percent,
    picklist,
    reference,
    sobject,
    text,
)


def _periodic_targets() -> tuple[FieldDef, ...]:
    """AcctMgrPeriodicTargetDstr's wide layout: 12 periods, each with quantity and currency."""
    out: list[FieldDef] = []
    for n in range(1, 13):
        out.append(reference(f"Period{n}Id", "Period", f"Period{n}"))
        out.append(number(f"Period{n}TargetValue", updateable=True))
        out.append(number(f"Period{n}TargetCurrencyValue", "currency", updateable=True))
    return tuple(out)


#: The fields a rep may change on a forecast cell, and nothing else.
CELL_UPDATEABLE = ("AdjustedForecastedQuantity", "AdjustedForecastedRevenue", "AdjustmentComments")
#: AdjustmentComments' length in Salesforce.
COMMENTS_LENGTH = 2000

# Key prefixes: 00D Organization, 005 User, 001 Account, 01t Product2 and 026 Period are the
# real ones. The Manufacturing Cloud prefixes (0i*, 0m*, 0s*) and the custom object's a0D are
# invented here (plausible, unique); nothing in demandgrid may depend on their values.
_OBJECT_LIST = (
    sobject("Organization", "00D", "Organization", name()),
    sobject(
        "User",
        "005",
        "User",
        text("Username", 80),
        FieldDef("Name", "string", "Full Name", length=121, nillable=False),
        text("FirstName", 40, updateable=True),
        text("LastName", 80, updateable=True),
        text("Email", 128, updateable=True, kind="email"),
        boolean("IsActive", updateable=True),
        text("Title", 80, updateable=True),
        # Division holds a rep's home sales region (North America, EMEA, APAC, LATAM).
        text("Division", 80, updateable=True),
        reference("ManagerId", "User", "Manager", "Manager ID", updateable=True),
    ),
    sobject(
        "Account",
        "001",
        "Account",
        name(updateable=True),
        owner(),
        picklist("Type", updateable=True),
        picklist("Industry", updateable=True),
        text("BillingCountry", 80, updateable=True),
        text("BillingState", 80, updateable=True),
        text("Region__c", 80, updateable=True),
    ),
    sobject(
        "Product2",
        "01t",
        "Product",
        name(updateable=True),
        text("ProductCode", 255, updateable=True),
        picklist("Family", updateable=True),
        boolean("IsActive", updateable=True),
    ),
    sobject(
        "Period",
        "026",
        "Period",
        picklist("Type"),
        date_field("StartDate"),
        date_field("EndDate"),
        reference("FiscalYearSettingsId", "FiscalYearSettings", None, "Fiscal Year Settings ID"),
        integer("Number"),
        text("PeriodLabel", 255),
        text("FullyQualifiedLabel", 255),
        boolean("IsForecastPeriod"),
    ),
    sobject(
        "AccountForecast",
        "0iF",
        "Account Forecast",
        name(),
        owner(),
        reference("AccountId", "Account", "Account", "Account ID", nillable=False),
        date_field("StartDate"),
        date_field("EndDate"),
        picklist("Status"),  # Active or Expired; an Expired forecast can't be edited or reactivated
        percent("DefaultAccountGrowthPercentage"),
        percent("DefaultMarketGrowthPercentage"),
        FieldDef("LastCalculatedDate", "datetime", "Recalculation Date"),
        number("TotalRevenue", "currency"),
        number("TotalAdjustedRevenue", "currency"),
    ),
    sobject(
        "AccountProductForecast",
        "0iP",
        "Account Product Forecast",
        name(),
        reference("AccountForecastId", "AccountForecast", "AccountForecast", nillable=False),
        reference("ProductId", "Product2", "Product", "Product ID", nillable=False),
        boolean("IsActive"),
        boolean("IsSystemGenerated"),
    ),
    sobject(
        "AccountForecastPeriodMetric",
        "0iM",
        "Account Forecast Period Metric",
        name(),
        reference("AccountForecastId", "AccountForecast", "AccountForecast", nillable=False),
        reference("PeriodId", "Period", "Period", "Period ID", nillable=False),
        date_field("StartDate"),
        date_field("EndDate"),
        percent("AccountGrowthPercentage"),
        percent("MarketGrowthPercentage"),
    ),
    sobject(
        "AccountProductPeriodForecast",
        "0iQ",
        "Account Product Period Forecast",
        name(),
        reference(
            "AccountProductForecastId",
            "AccountProductForecast",
            "AccountProductForecast",
            nillable=False,
        ),
        reference(
            "AccForecastPeriodMetricId", "AccountForecastPeriodMetric", "AccForecastPeriodMetric"
        ),
        reference("PeriodId", "Period", "Period", "Period ID", nillable=False),
        date_field("StartDate"),
        date_field("EndDate"),
        *measures(
            "Forecasted", "CurrentOrders", "PastOrders", "SalesAgreementPlanned", "Opportunity"
        ),
        *measures("AdjustedForecasted", updateable=True),
        FieldDef(
            "AdjustmentComments",
            "textarea",
            "Adjustment Comments",
            length=COMMENTS_LENGTH,
            updateable=True,
        ),
        boolean("IsActive"),
        FieldDef("LastCalculatedDate", "datetime", "Last Calculated Date"),
    ),
    sobject(
        "AccountForecastAdjustment",
        "0iA",
        "Account Forecast Adjustment",
        name(),
        reference(
            "AccountProdPeriodForecastId",
            "AccountProductPeriodForecast",
            "AccountProdPeriodForecast",
            nillable=False,
        ),
        reference("AdjustedById", "User", "AdjustedBy", "Adjusted By ID"),
        FieldDef("AdjustmentComments", "textarea", "Adjustment Comments", length=COMMENTS_LENGTH),
        picklist("AdjustmentType"),  # Quantity or Revenue
        number("FromValue"),
        number("ToValue"),
        boolean("IsActive"),  # only the last three adjustments of a cell are active
    ),
    sobject(
        "AcctMgrTarget",
        "0mT",
        "Account Manager Target",
        name(updateable=True),
        owner(),
        reference("AssignedToUserId", "User", "AssignedToUser", "Assigned To User ID"),
        reference(
            "FiscalYearId", "Period", "FiscalYear", "Fiscal Year ID"
        ),  # a Period of Type Year
        date_field("StartDate"),
        date_field("EndDate"),
        picklist("Measure"),  # Quantity or Revenue
        picklist("MeasureType"),
        number("TargetValue", updateable=True),
        number("TargetCurrencyValue", "currency", updateable=True),
        reference("ParentAcctMgrTargetId", "AcctMgrTarget", "ParentAcctMgrTarget"),
    ),
    sobject(
        "AcctMgrTargetDstr",
        "0mD",
        "Account Manager Target Distribution",
        name(updateable=True),
        reference("AcctMgrTargetId", "AcctMgrTarget", "AcctMgrTarget", nillable=False),
        reference("AccountId", "Account", "Account", "Account ID"),
        reference("ProductId", "Product2", "Product", "Product ID"),
        number("TargetValue", updateable=True),
        number("TargetCurrencyValue", "currency", updateable=True),
    ),
    sobject(
        "AcctMgrPeriodicTargetDstr",
        "0mP",
        "Account Manager Periodic Target Distribution",
        name(updateable=True),
        reference("AcctMgrTargetDstrId", "AcctMgrTargetDstr", "AcctMgrTargetDstr", nillable=False),
        *_periodic_targets(),
    ),
    sobject(
        "SalesAgreement",
        "0sA",
        "Sales Agreement",
        name(updateable=True),
        owner(),
        reference("AccountId", "Account", "Account", "Account ID", nillable=False),
        picklist("Status", updateable=True),  # Draft, Approved, Activated, Expired, ...
        date_field("StartDate", updateable=True),
        date_field("EndDate"),
        picklist("ScheduleFrequency", updateable=True),  # Monthly or Quarterly
        integer("ScheduleCount"),
        picklist("ActualsCalculationMode", updateable=True),  # Automatic or Manual
    ),
    sobject(
        "SalesAgreementProduct",
        "0sP",
        "Sales Agreement Product",
        name(updateable=True),
        reference("SalesAgreementId", "SalesAgreement", "SalesAgreement", nillable=False),
        reference("ProductId", "Product2", "Product", "Product ID"),
        number("SalesPrice", "currency", updateable=True),
        integer("InitialPlannedQuantity"),
        number("TotalPlannedQuantity"),
        number("TotalActualQuantity"),
        number("TotalForecastedQuantity"),
        number("TotalPlannedAmount", "currency"),
        number("TotalActualAmount", "currency"),
    ),
    sobject(
        "SalesAgreementProductSchedule",
        "0sS",
        "Sales Agreement Product Schedule",
        name(),
        reference(
            "SalesAgreementProductId",
            "SalesAgreementProduct",
            "SalesAgreementProduct",
            nillable=False,
        ),
        date_field("StartDate"),
        date_field("EndDate"),
        integer("PlannedQuantity"),
        number("PlannedQuantityValue", updateable=True),
        number("PlannedAmount", "currency"),
        integer("ActualQuantity"),
        number("ActualQuantityValue", updateable=True),
        number("ActualAmount", "currency"),
        number("SalesPrice", "currency"),
        boolean("IsUnderRevision"),
    ),
    # FP&A (issue 6): the prior cycle's locked consensus plan, one row per account x product x
    # month, stored in the org so every user sees the same prior plan.
    sobject(
        "DemandPlanSnapshot__c",
        "a0D",
        "Demand Plan Snapshot",
        name(updateable=True),
        owner(),
        text("Cycle__c", 7, updateable=True),  # "YYYY-MM": the S&OP cycle the plan was locked in
        reference("Account__c", "Account", "Account__r", updateable=True),
        reference("Product__c", "Product2", "Product__r", updateable=True),
        reference("Period__c", "Period", "Period__r", updateable=True),
        date_field("PeriodStartDate__c", updateable=True),
        number("Quantity__c", updateable=True),  # the consensus: adjusted, else baseline
        number("Revenue__c", "currency", updateable=True),
        boolean("IsLocked__c", updateable=True),
        # Issue 12: one line of a content-hashed plan snapshot (its header: DemandPlanCycle__c).
        text("SnapshotId__c", 40, updateable=True),
        external_key("LineKey__c", 120),  # <SnapshotId>|<Account15>|<Product15>|<YYYY-MM>
        text("CellId__c", 18, updateable=True),
        reference("Rep__c", "User", "Rep__r", updateable=True),
        number("BaselineQuantity__c", updateable=True),
        number("BaselineRevenue__c", "currency", updateable=True),
        number("RepQuantity__c", updateable=True),
        number("RepRevenue__c", "currency", updateable=True),
        number("TargetQuantity__c", updateable=True),
        number("TargetRevenue__c", "currency", updateable=True),
        text("ReasonCode__c", 40, updateable=True),
        text("Note__c", COMMENTS_LENGTH, updateable=True, kind="textarea"),
    ),
    # Issue 12: one closed demand review = one plan snapshot's header.
    sobject(
        "DemandPlanCycle__c",
        "a0E",
        "Demand Plan Cycle",
        name(updateable=True),
        owner(),
        external_key("SnapshotId__c", 40),
        text("Cycle__c", 7, updateable=True),
        text("Region__c", 80, updateable=True),  # blank: every region
        datetime_field("ClosedAt__c", updateable=True),
        reference("ClosedBy__c", "User", "ClosedBy__r", updateable=True),
        text("ContentHash__c", 64, updateable=True),
        integer("LineCount__c", updateable=True),
        picklist("Status__c", updateable=True),  # Closed, Reopened
        datetime_field("ReopenedAt__c", updateable=True),
        reference("ReopenedBy__c", "User", "ReopenedBy__r", updateable=True),
        text("ReopenReason__c", COMMENTS_LENGTH, updateable=True, kind="textarea"),
        date_field("FirstPeriod__c", updateable=True),
        date_field("LastPeriod__c", updateable=True),
    ),
    # Issue 13: the production commitment by product line and month (`demandgrid import supply`).
    sobject(
        "SupplyCommitment__c",
        "a0F",
        "Supply Commitment",
        name(updateable=True),
        owner(),
        external_key("Key__c", 120),  # <ProductFamily>|<YYYY-MM>
        text("ProductFamily__c", 80, updateable=True),
        date_field("PeriodStartDate__c", updateable=True),
        number("Quantity__c", updateable=True),
        text("PlanId__c", 80, updateable=True),
        datetime_field("LoadedAt__c", updateable=True),
    ),
    # Phase 1 data gathering (issue 13 A): ERP actuals where the model has no writable home,
    # distributor point-of-sale lines, and the log of loads behind the data-freshness line.
    sobject(
        "ErpActual__c",
        "a1E",
        "ERP Actual",
        name(updateable=True),
        external_key("Key__c", 120),  # <Account15>|<Product15>|<YYYY-MM>
        reference("Account__c", "Account", "Account__r", updateable=True),
        reference("Product__c", "Product2", "Product__r", updateable=True),
        date_field("PeriodStartDate__c", updateable=True),
        number("Quantity__c", updateable=True),
        number("Revenue__c", "currency", updateable=True),
        text("SourceFile__c", 255, updateable=True),
        datetime_field("LoadedAt__c", updateable=True),
    ),
    sobject(
        "PosSale__c",
        "a1P",
        "POS Sale",
        name(updateable=True),
        external_key("Key__c", 120),  # <Account15>|<YYYY-MM>|<PART>
        reference("Account__c", "Account", "Account__r", updateable=True),  # the distributor
        reference("Product__c", "Product2", "Product__r", updateable=True),  # empty: unmatched
        text("DistributorPart__c", 80, updateable=True),
        date_field("PeriodStartDate__c", updateable=True),
        number("Quantity__c", updateable=True),
        number("Revenue__c", "currency", updateable=True),
        text("Note__c", 255, updateable=True),
        text("SubmissionId__c", 80, updateable=True),
        datetime_field("SubmittedAt__c", updateable=True),
        boolean("IsCurrent__c", updateable=True),  # False: replaced by a resubmission
    ),
    sobject(
        "DataLoad__c",
        "a1L",
        "Data Load",
        name(updateable=True),
        external_key("Key__c", 120),  # <source>|<loaded at>|<random>
        text("Source__c", 80, updateable=True),  # "ERP actuals" or "POS"
        datetime_field("LoadedAt__c", updateable=True),
        text("LoadedBy__c", 80, updateable=True),
        text("File__c", 255, updateable=True),
        integer("Rows__c"),
        integer("Written__c"),
        date_field("Through__c", updateable=True),  # the latest period the load carried
    ),
    # Design wins (issue 13 part B): closed-won opportunities and their line-item schedules,
    # with their real API names and key prefixes; read-only here (demo data only).
    sobject(
        "Opportunity",
        "006",
        "Opportunity",
        name(updateable=True),
        owner(),
        reference("AccountId", "Account", "Account", "Account ID", updateable=True),
        picklist("StageName", updateable=True),  # "Closed Won", "Closed Lost", "Negotiation", ...
        boolean("IsClosed"),
        boolean("IsWon"),
        date_field("CloseDate", updateable=True),
        number("Amount", "currency", updateable=True),
    ),
    sobject(
        "OpportunityLineItem",
        "00k",
        "Opportunity Product",
        name(),
        reference("OpportunityId", "Opportunity", "Opportunity", "Opportunity ID", nillable=False),
        reference("Product2Id", "Product2", "Product2", "Product ID"),
        text("ProductCode", 255),
        number("Quantity", updateable=True),
        number("UnitPrice", "currency", updateable=True),
        number("TotalPrice", "currency", updateable=True),
        boolean("HasQuantitySchedule"),
        boolean("HasRevenueSchedule"),
    ),
    sobject(
        "OpportunityLineItemSchedule",
        "00o",
        "Opportunity Product Schedule",
        reference(
            "OpportunityLineItemId",
            "OpportunityLineItem",
            "OpportunityLineItem",
            "Opportunity Product ID",
            nillable=False,
        ),
        date_field("ScheduleDate", updateable=True),
        number("Quantity", updateable=True),
        number("Revenue", "currency", updateable=True),
        picklist("Type"),  # Quantity, Revenue or Both
        text("Description", 255, updateable=True),
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
