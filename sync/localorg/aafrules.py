"""What the local org refuses in an update of Advanced Account Forecasting facts.

Rules (Salesforce's status code FIELD_INTEGRITY_EXCEPTION for each), checked per record after
``sync.localorg.rules`` found the fields themselves valid:

- a measure field may change only when a measure definition (``AdvAcctForecastMeasureDef``)
  exposes it with ``ComputationMethod`` CUSTOM (user-editable); the message names the definition;
- a fact of an ``Inactive`` set partner can't be edited (Salesforce: "If a partner record is
  inactive, you can't edit the corresponding forecast fact records");
- a fact of a past period can't be edited;
- outside the forecast set's adjustment window (``AdvAcctForecastAdjPeriod``: monthly,
  ``StartDay`` + ``AdjustmentDayCount`` days) nothing can be edited. No window row: always open.

The comment's 2,000 characters are the adjustment record's field length (``rules``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sync.localorg.ids import to18
from sync.org.seam import FieldError

FACT_OBJECT = "AdvAccountForecastFact"
_FACT_ROWS = (
    "SELECT f.Id, f.PeriodStartDate, p.Status, p.AdvAccountForecastSetId "
    "FROM AdvAccountForecastFact f LEFT JOIN AdvAcctForecastSetPartner p ON p.Id = f.SetPartnerId "
    "WHERE f.Id IN "
)
_MEASURE_SUFFIXES = ("Quantity", "Revenue", "Quantity__c", "Revenue__c")


def _integrity(message: str, field: str) -> FieldError:
    return FieldError("FIELD_INTEGRITY_EXCEPTION", message, (field,))


def fact_errors(
    conn: sqlite3.Connection, records: Sequence[Mapping[str, Any]], *, today: date
) -> list[list[FieldError]]:
    """Each fact update's errors under the AAF rules (see the module docstring)."""
    if not records:
        return []
    defs = {
        str(row[0]).lower(): (row[1], row[2])
        for row in conn.execute(
            "SELECT ForecastDataMeasureName, AdvAcctForecastMeasureDefName, ComputationMethod "
            "FROM AdvAcctForecastMeasureDef WHERE ForecastDataMeasureName IS NOT NULL"
        )
    }
    ids = [to18(str(r["Id"])) for r in records]
    marks = ", ".join("?" for _ in ids)
    rows = {row[0]: row for row in conn.execute(_FACT_ROWS + "(" + marks + ")", ids)}  # noqa: S608
    windows = _windows(conn)
    out: list[list[FieldError]] = []
    for record, fact_id in zip(records, ids, strict=True):
        errs: list[FieldError] = []
        measures = [
            k for k in record if k not in ("Id", "attributes") and k.endswith(_MEASURE_SUFFIXES)
        ]
        for field in measures:
            found = defs.get(field.lower())
            if found is None:
                errs.append(
                    _integrity(
                        f"No measure definition exposes {field} on this forecast set, so it "
                        "can't be edited.",
                        field,
                    )
                )
            elif found[1] != "CUSTOM":
                errs.append(
                    _integrity(
                        f"The measure definition '{found[0]}' ({field}) isn't user-editable: "
                        f"its Computation Method is {found[1]}, not CUSTOM.",
                        field,
                    )
                )
        row = rows.get(fact_id)
        if row is not None and measures and not errs:
            errs.extend(_lock_errors(row, windows, today, measures[0]))
        out.append(errs)
    return out


def _lock_errors(
    row: tuple, windows: dict[str, tuple[int, int]], today: date, field: str
) -> list[FieldError]:
    _, start, status, set_id = row
    if status == "Inactive":
        return [
            _integrity("The set partner is inactive: its forecast facts can't be edited.", field)
        ]
    if start and start < today.replace(day=1).isoformat():
        return [_integrity("You can't adjust forecasts for past periods.", field)]
    window = windows.get(set_id or "")
    if window is not None:
        first, days = window
        if not first <= today.day < first + days:
            return [
                _integrity(
                    f"Outside the adjustment window (day {first} for {days} days of each "
                    f"month; today is day {today.day}).",
                    field,
                )
            ]
    return []


def _windows(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    return {
        str(set_id): (int(start or 1), int(days or 31))
        for set_id, start, days in conn.execute(
            "SELECT AdvAccountForecastSetId, StartDay, AdjustmentDayCount "
            "FROM AdvAcctForecastAdjPeriod WHERE Frequency = 'Month'"
        )
    }
