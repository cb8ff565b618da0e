"""The demo org on Advanced Account Forecasting (``demandgrid demo --model aaf``).

Same story, same numbers: the standard demo is built first, then every forecast cell becomes an
``AdvAccountForecastFact`` of one forecast set (one set partner per account forecast: Active,
or Inactive where the standard forecast is Expired), every adjustment an
``AdvAcctForecastFactAdj``, the closed cycles' snapshot lines name the facts (``CellId__c``,
their digests and the headers' content hashes recomputed, so every past snapshot verifies),
and the standard forecast records are removed, so the org is
recognised as AAF (``sync.org.mapping.detect_profile``). Measures: the calculated ones
(Forecasted, Order, LastYearOrder, Opportunity, SalesAgreement) and the customer's editable
custom measures ``AdjustedQuantity__c`` / ``AdjustedRevenue__c`` (CUSTOM, adjustments tracked).
Deterministic: rows are converted in Id order with counters.
"""

from __future__ import annotations

import sqlite3

from sync.localorg.ids import make_id
from sync.localorg.schema import OBJECTS
from sync.localorg.tables import insert_sql
from sync.org.snapshot import (
    HASHED_FIELDS,
    LINE_DIGEST,
    LINE_KEY,
    hash_texts,
    line_text,
    text_digest,
)

#: (fact field, definition name, computation method) of the demo's measure definitions.
MEASURES = (
    ("ForecastedQuantity", "Forecasted Quantity", "DATA_PROCESSING_ENGINE_DEFINITION"),
    ("ForecastedRevenue", "Forecasted Revenue", "DATA_PROCESSING_ENGINE_DEFINITION"),
    ("OrderQuantity", "Order Quantity", "DATA_PROCESSING_ENGINE_DEFINITION"),
    ("OrderRevenue", "Order Revenue", "DATA_PROCESSING_ENGINE_DEFINITION"),
    ("LastYearOrderQuantity", "Last Year Order Quantity", "DATA_PROCESSING_ENGINE_DEFINITION"),
    ("LastYearOrderRevenue", "Last Year Order Revenue", "DATA_PROCESSING_ENGINE_DEFINITION"),
    ("AdjustedQuantity__c", "Adjusted Quantity", "CUSTOM"),
    ("AdjustedRevenue__c", "Adjusted Revenue", "CUSTOM"),
)
_STANDARD = (
    "AccountForecastAdjustment",
    "AccountProductPeriodForecast",
    "AccountForecastPeriodMetric",
    "AccountProductForecast",
)
_STAMPS = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp")


def _add(conn: sqlite3.Connection, object_name: str, rows: list[dict]) -> None:
    if rows:
        obj = OBJECTS[object_name]
        names = list(rows[0])
        conn.executemany(insert_sql(obj, names), [[r[n] for n in names] for r in rows])


def convert_to_aaf(conn: sqlite3.Connection, admin_id: str, stamp: str) -> None:
    """Turn the standard demo in ``conn`` (inside the build's transaction) into its AAF twin."""
    audit = dict(zip(_STAMPS, (stamp, admin_id, stamp, admin_id, stamp), strict=True))
    set_id, group_id = make_id("0Xs", 1), make_id("0Xg", 1)
    months = conn.execute(
        "SELECT DISTINCT PeriodId, StartDate, EndDate FROM AccountProductPeriodForecast "
        "ORDER BY StartDate"
    ).fetchall()
    _add(conn, "AdvAcctForecastPeriodGroup", [
        dict(Id=group_id, Name="Monthly", PeriodType="Month", StartDate=months[0][1],
             EndDate=months[-1][2], **audit)
    ])  # fmt: skip
    _add(conn, "AdvAccountForecastSet", [
        dict(Id=set_id, Name="Demand Review", Status="Active", CalculationFrequency="Monthly",
             ForecastPeriodGroupId=group_id, **audit)
    ])  # fmt: skip
    _add(conn, "AdvAcctForecastAdjPeriod", [
        dict(Id=make_id("0Xw", 1), Name="Monthly window", AdvAccountForecastSetId=set_id,
             Frequency="Month", StartDay=1, AdjustmentDayCount=31, ProfileId=None, **audit)
    ])  # fmt: skip
    defs = {}
    rows = []
    for n, (field, label, method) in enumerate(MEASURES, start=1):
        defs[field] = make_id("0Xm", n)
        rows.append(
            dict(Id=defs[field], AdvAcctForecastMeasureDefName=label,
                 AdvAccountForecastSetId=set_id, ForecastDataMeasureName=field,
                 ForecastMeasureName=label, ComputationMethod=method, AggregationType="SUM",
                 IsAdjustmentTracked=int(method == "CUSTOM"), **audit)
        )  # fmt: skip
    _add(conn, "AdvAcctForecastMeasureDef", rows)
    periods = {}
    rows = []
    for n, (period_id, start, end) in enumerate(months, start=1):
        periods[period_id] = make_id("0Xp", n)
        rows.append(dict(Id=periods[period_id], Name=start[:7], PeriodGroupId=group_id,
                         StartDate=start, EndDate=end, **audit))  # fmt: skip
    _add(conn, "AdvAccountForecastPeriod", rows)
    partners = {}
    rows = []
    for n, (forecast_id, account_id, status, name) in enumerate(
        conn.execute("SELECT Id, AccountId, Status, Name FROM AccountForecast ORDER BY Id"), start=1
    ):
        partners[forecast_id] = make_id("0Xa", n)
        rows.append(dict(Id=partners[forecast_id], Name=name, AdvAccountForecastSetId=set_id,
                         AccountId=account_id,
                         Status="Inactive" if status == "Expired" else "Active", **audit))  # fmt: skip
    _add(conn, "AdvAcctForecastSetPartner", rows)
    facts = {}
    rows = []
    cells = conn.execute(
        "SELECT c.Id, c.Name, af.AccountId, apf.ProductId, c.PeriodId, af.Id, c.StartDate, "
        "c.ForecastedQuantity, c.ForecastedRevenue, c.CurrentOrdersQuantity, "
        "c.CurrentOrdersRevenue, c.PastOrdersQuantity, c.PastOrdersRevenue, "
        "c.OpportunityQuantity, c.OpportunityRevenue, c.SalesAgreementPlannedQuantity, "
        "c.SalesAgreementPlannedRevenue, c.AdjustedForecastedQuantity, "
        "c.AdjustedForecastedRevenue, c.CreatedDate, c.CreatedById, c.LastModifiedDate, "
        "c.LastModifiedById, c.SystemModstamp FROM AccountProductPeriodForecast c "
        "JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId "
        "JOIN AccountForecast af ON af.Id = apf.AccountForecastId "
        "WHERE c.IsActive = 1 AND apf.IsActive = 1 ORDER BY c.Id"
    )
    for n, c in enumerate(cells, start=1):
        facts[c[0]] = make_id("0Xf", n)
        rows.append(
            dict(Id=facts[c[0]], Name=c[1], AccountId=c[2], ProductId=c[3],
                 PeriodId=periods[c[4]], SetPartnerId=partners[c[5]], SetUseId=None,
                 PeriodStartDate=c[6], Status="Active",
                 ForecastedQuantity=c[7], ForecastedRevenue=c[8], OrderQuantity=c[9],
                 OrderRevenue=c[10], LastYearOrderQuantity=c[11], LastYearOrderRevenue=c[12],
                 OpportunityQuantity=c[13], OpportunityRevenue=c[14],
                 SalesAgreementQuantity=c[15], SalesAgreementRevenue=c[16],
                 AdjustedQuantity__c=c[17], AdjustedRevenue__c=c[18],
                 **dict(zip(_STAMPS, c[19:24], strict=True)))
        )  # fmt: skip
    _add(conn, "AdvAccountForecastFact", rows)
    rows = []
    history = conn.execute(
        "SELECT AccountProdPeriodForecastId, AdjustmentType, FromValue, ToValue, "
        "AdjustmentComments, AdjustedById, CreatedDate FROM AccountForecastAdjustment ORDER BY Id"
    )
    for n, (cell, kind, old, new, note, by, created) in enumerate(history, start=1):
        if cell not in facts:
            continue
        adj_id = make_id("0Xj", n)
        rows.append(
            dict(Id=adj_id, Name=f"AAFA-{n:07d}", AdvAcctForecastFactId=facts[cell],
                 AdvAcctForecastMeasureDefId=defs[f"Adjusted{kind}__c"], AdjustedById=by,
                 InitialValue=old, UpdatedValue=new, Comment=note, DemandgridKey__c=None,
                 CreatedDate=created, CreatedById=by, LastModifiedDate=created,
                 LastModifiedById=by, SystemModstamp=created)
        )  # fmt: skip
    _add(conn, "AdvAcctForecastFactAdj", rows)
    _rename_snapshot_cells(conn, facts)
    for name in _STANDARD:
        conn.execute(f'DELETE FROM "{name}"')  # noqa: S608 - names from this module


def _rename_snapshot_cells(conn: sqlite3.Connection, facts: dict[str, str]) -> None:
    """The closed cycles' snapshot lines name the forecast cell they came from: now its fact.
    So each line's digest (the end of its ``Name``) and each header's content hash are made
    again: what ``sync.cycle.snapshots.verify_snapshot`` checks. One pass, by Id."""
    fields = ("Id", "Name", *HASHED_FIELDS)
    columns = ", ".join(f'"{f}"' for f in fields)
    texts: dict[str, list[tuple[str, str]]] = {}
    names = []
    for row in conn.execute(f'SELECT {columns} FROM "DemandPlanSnapshot__c" ORDER BY "Id"'):  # noqa: S608
        line = dict(zip(fields, row, strict=True))
        line["CellId__c"] = facts.get(str(line["CellId__c"]), line["CellId__c"])
        text = line_text(line)
        texts.setdefault(str(line["SnapshotId__c"]), []).append((str(line[LINE_KEY]), text))
        name = f"{str(line['Name'])[:-LINE_DIGEST]}{text_digest(text)}"
        names.append((name, line["CellId__c"], line["Id"]))
    conn.executemany(
        'UPDATE "DemandPlanSnapshot__c" SET "Name" = ?, "CellId__c" = ? WHERE "Id" = ?', names
    )
    heads = conn.execute(
        'SELECT "SnapshotId__c", "Cycle__c", "Region__c" FROM "DemandPlanCycle__c"'
    )
    conn.executemany(
        'UPDATE "DemandPlanCycle__c" SET "ContentHash__c" = ? WHERE "SnapshotId__c" = ?',
        [(hash_texts(sid, cycle, region, texts.get(sid, [])), sid) for sid, cycle, region in heads],
    )
