"""What the local org refuses in an update, as Salesforce would: per-record errors, nothing written.

``check_update`` looks at one update call (one object, up to 1,000 records) against the schema
and the stored rows, and returns each record's errors in request order. The store writes only
when every record is clean (all or none).

Rules, each with Salesforce's status code: record limit (EXCEEDED_ID_LIMIT), unknown field
(INVALID_FIELD), read-only field (INVALID_FIELD_FOR_INSERT_UPDATE), missing / malformed / foreign
Id (MISSING_ARGUMENT / MALFORMED_ID / INVALID_CROSS_REFERENCE_KEY), duplicate Id
(DUPLICATE_VALUE), deleted record (ENTITY_IS_DELETED), wrong value type
(INVALID_TYPE_ON_FIELD_IN_RECORD), number beyond precision or scale (NUMBER_OUTSIDE_VALID_RANGE),
text too long (STRING_TOO_LONG), required field emptied (REQUIRED_FIELD_MISSING), and on forecast
cells: past period or expired account forecast (FIELD_INTEGRITY_EXCEPTION).

Real Salesforce rounds a number with more decimals than the field's scale; this org refuses it
instead, so a push that sends such a value is caught in tests rather than silently rounded.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sync.localorg.fields import FieldDef, ObjectDef
from sync.localorg.ids import is_valid_id, to18
from sync.localorg.schema import CELL_UPDATEABLE, object_for_prefix
from sync.org.seam import UPDATE_LIMIT, FieldError

CELL_OBJECT = "AccountProductPeriodForecast"
PAST_PERIOD = "You can't adjust forecasts for past periods."
# [I] Salesforce documents that an Expired account forecast can't be reactivated; that its
# cells refuse adjustments is our inference, enforced here so a push re-checks the lock.
EXPIRED_FORECAST = "You can't adjust forecasts of an expired account forecast."
ROLLED_BACK = FieldError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)
_CELL_ROWS = (
    "SELECT c.Id, c.EndDate, af.Status FROM AccountProductPeriodForecast c "
    "JOIN AccountProductForecast apf ON apf.Id = c.AccountProductForecastId "
    "JOIN AccountForecast af ON af.Id = apf.AccountForecastId WHERE c.Id IN "
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def label(f: FieldDef) -> str:
    """``AdjustedForecastedQuantity`` -> ``Adjusted Forecasted Quantity`` (for messages)."""
    if f.label and f.label != f.name:
        return f.label
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", f.name.removesuffix("__c"))


def too_many(count: int) -> FieldError:
    return FieldError(
        "EXCEEDED_ID_LIMIT",
        f"record limit reached. cannot submit more than {UPDATE_LIMIT} records into this call "
        f"(this call had {count})",
    )


def check_update(
    conn: sqlite3.Connection, obj: ObjectDef, records: Sequence[Mapping[str, Any]], *, today: date
) -> list[tuple[FieldError, ...]]:
    """Each record's errors, in request order (an empty tuple: the record may be written)."""
    errors: list[list[FieldError]] = [[] for _ in records]
    ids = [r.get("Id") for r in records]
    counts = Counter(i[:15] for i in ids if isinstance(i, str) and len(i) in (15, 18))
    for n, record in enumerate(records):
        errors[n].extend(_check_id(obj, ids[n], counts))
        for name, value in record.items():
            if name in ("Id", "attributes"):
                continue
            errors[n].extend(_check_field(obj, name, value))
    known = {n: i for n, i in enumerate(ids) if not errors[n] or _only_field_errors(errors[n])}
    stored = _stored(conn, obj, [i for i in known.values() if isinstance(i, str)])
    for n, record_id in known.items():
        row = stored.get(to18(str(record_id)))
        if row is None:
            errors[n].append(FieldError("ENTITY_IS_DELETED", "entity is deleted", ()))
        elif obj.name == CELL_OBJECT:
            errors[n].extend(_check_cell_lock(row, today))
    return [tuple(e) for e in errors]


def check_upsert(
    conn: sqlite3.Connection, obj: ObjectDef, key_field: str, records: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[FieldError, ...]], dict[str, str]]:
    """Each record's errors in request order, and the Ids of the keys that already exist.

    A record is matched on ``key_field`` (an external id); a new record must set every required
    createable field, an existing one may set only updateable fields."""
    key = obj.field(key_field)
    if key is None or not key.external_id:
        what = "is not an external id field" if key else "does not exist"
        error = FieldError(
            "INVALID_FIELD", f"Field {key_field} {what} on sobject of type {obj.name}", (key_field,)
        )
        return [(error,)] * len(records), {}
    values = [_key_value(r, key.name) for r in records]
    counts = Counter(v for v in values if v)
    existing = _ids_by_key(conn, obj, key.name, [v for v in counts if v])
    errors: list[tuple[FieldError, ...]] = []
    for record, value in zip(records, values, strict=True):
        errors.append(tuple(_upsert_errors(obj, key, record, value, counts, value in existing)))
    return errors, existing


def _key_value(record: Mapping[str, Any], key: str) -> str | None:
    value = next((v for k, v in record.items() if k.lower() == key.lower()), None)
    return value if isinstance(value, str) and value else None


def _ids_by_key(conn: sqlite3.Connection, obj: ObjectDef, key: str, values: list[str]) -> dict:
    found: dict[str, str] = {}
    for start in range(0, len(values), 500):
        part = values[start : start + 500]
        marks = ", ".join("?" for _ in part)
        sql = f'SELECT "{key}", "Id" FROM "{obj.name}" WHERE "{key}" IN ({marks})'  # noqa: S608
        found.update(conn.execute(sql, part).fetchall())
    return found


def _upsert_errors(
    obj: ObjectDef,
    key: FieldDef,
    record: Mapping[str, Any],
    value: str | None,
    counts: Counter[str],
    exists: bool,
) -> list[FieldError]:
    if value is None:
        return [
            FieldError("MISSING_ARGUMENT", f"{key.name} not specified in an upsert", (key.name,))
        ]
    if counts[value] > 1:
        return [
            FieldError(
                "DUPLICATE_EXTERNAL_ID",
                f"{key.name}: {value!r} appears more than once in this call",
                (key.name,),
            )
        ]
    errors: list[FieldError] = []
    for name, field_value in record.items():
        if name == "attributes":
            continue
        f = obj.field(name)
        if f is not None and not exists and f.createable and not f.updateable:
            errors.extend(_check_value(f, field_value) if field_value is not None else [])
            continue
        errors.extend(_check_field(obj, name, field_value))
    if not exists:
        given = {k.lower() for k in record}
        missing = [
            f.name
            for f in obj.fields
            if f.createable
            and not f.nillable
            and f.type != "boolean"
            and f.name != "OwnerId"
            and f.name.lower() not in given
        ]
        if missing:
            errors.append(
                FieldError(
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]",
                    tuple(missing),
                )
            )
    return errors


def _only_field_errors(errors: list[FieldError]) -> bool:
    return all(e.fields and e.fields != ("Id",) for e in errors)


def _check_id(obj: ObjectDef, record_id: object, counts: Counter[str]) -> list[FieldError]:
    if record_id is None or record_id == "":
        return [FieldError("MISSING_ARGUMENT", "Id not specified in an update call", ("Id",))]
    if not is_valid_id(record_id):
        return [FieldError("MALFORMED_ID", f"Record ID: malformed id {record_id!r}", ("Id",))]
    assert isinstance(record_id, str)
    if record_id[:3] != obj.key_prefix:
        other = object_for_prefix(record_id[:3])
        what = f"an Id of {other.name}" if other else "not an Id of this org's objects"
        return [
            FieldError(
                "INVALID_CROSS_REFERENCE_KEY",
                f"invalid cross reference id: {record_id} is {what}, not of {obj.name}",
                ("Id",),
            )
        ]
    if counts[record_id[:15]] > 1:
        return [
            FieldError(
                "DUPLICATE_VALUE",
                f"duplicate value found: Id {record_id} appears more than once in this call",
                ("Id",),
            )
        ]
    return []


def _check_field(obj: ObjectDef, name: str, value: Any) -> list[FieldError]:
    f = obj.field(name)
    if f is None:
        return [
            FieldError(
                "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}", (name,)
            )
        ]
    if not f.updateable:
        return [
            FieldError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {f.name}. Please check the security settings "
                "of this field and verify that it is read/write for your profile or permission set.",
                (f.name,),
            )
        ]
    if value is None:
        if not f.nillable:
            return [
                FieldError(
                    "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{f.name}]", (f.name,)
                )
            ]
        return []
    return _check_value(f, value)


def _wrong_type(f: FieldDef, value: Any) -> list[FieldError]:
    shown = str(value)[:40]
    return [
        FieldError(
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            f"{label(f)}: value not of required type: {shown}",
            (f.name,),
        )
    ]


def _check_value(f: FieldDef, value: Any) -> list[FieldError]:
    if f.type in ("double", "currency", "percent", "int"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _wrong_type(f, value)
        if not math.isfinite(value) or (f.type == "int" and not float(value).is_integer()):
            return _wrong_type(f, value)
        scale = 0 if f.type == "int" else f.scale
        digits = f.precision - scale
        scaled = value * 10**scale
        if abs(value) >= 10**digits or not math.isclose(
            scaled, round(scaled), rel_tol=1e-12, abs_tol=1e-6
        ):
            return [
                FieldError(
                    "NUMBER_OUTSIDE_VALID_RANGE",
                    f"{label(f)}: value outside of valid range on numeric field: {value} "
                    f"(at most {digits} digits before and {scale} after the decimal point)",
                    (f.name,),
                )
            ]
        return []
    if f.type == "boolean":
        return [] if isinstance(value, bool) else _wrong_type(f, value)
    if f.type == "date":
        return [] if isinstance(value, str) and _DATE.match(value) else _wrong_type(f, value)
    if f.type == "reference":
        target = f.reference_to
        prefix = object_for_prefix(value[:3]) if isinstance(value, str) else None
        if not is_valid_id(value) or (target and prefix is not None and prefix.name != target):
            return [
                FieldError(
                    "INVALID_CROSS_REFERENCE_KEY",
                    f"{label(f)}: invalid cross reference id: {str(value)[:40]}",
                    (f.name,),
                )
            ]
        return []
    if not isinstance(value, str):
        return _wrong_type(f, value)
    if f.length and len(value) > f.length:
        return [
            FieldError(
                "STRING_TOO_LONG",
                f"{label(f)}: data value too large: {value[:20]}... (max length={f.length}; "
                f"this value has {len(value)} characters)",
                (f.name,),
            )
        ]
    return []


def _stored(conn: sqlite3.Connection, obj: ObjectDef, ids: list[str]) -> dict[str, tuple]:
    """The stored rows the records name, keyed by 18-character Id; for cells with lock inputs."""
    found: dict[str, tuple] = {}
    wanted = [to18(i) for i in ids]
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        marks = ", ".join("?" for _ in batch)
        # Identifiers come from the schema; values are bound parameters.
        if obj.name == CELL_OBJECT:
            sql = _CELL_ROWS + "(" + marks + ")"  # noqa: S608
        else:
            sql = 'SELECT Id FROM "' + obj.name + '" WHERE Id IN (' + marks + ")"  # noqa: S608
        for row in conn.execute(sql, batch):
            found[row[0]] = row
    return found


def _check_cell_lock(row: tuple, today: date) -> list[FieldError]:
    _, end_date, status = row
    if end_date and end_date < today.isoformat():
        return [FieldError("FIELD_INTEGRITY_EXCEPTION", PAST_PERIOD, tuple(CELL_UPDATEABLE[:2]))]
    if status == "Expired":
        return [
            FieldError("FIELD_INTEGRITY_EXCEPTION", EXPIRED_FORECAST, tuple(CELL_UPDATEABLE[:2]))
        ]
    return []
