"""Writing one checked update into the local org: values, stamps and adjustment history.

Runs inside the store's write transaction, after ``rules.check_update`` found nothing wrong.
Every record of the call gets the same new ``LastModifiedDate``/``SystemModstamp`` (one
Salesforce transaction), strictly later than any stamp the file handed out before. A forecast
cell whose adjusted quantity or revenue changes gets an ``AccountForecastAdjustment`` row;
only the three latest adjustments of a cell stay active, as in Salesforce.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sync.localorg.fields import ObjectDef
from sync.localorg.ids import counter_of, make_id, to18
from sync.localorg.rules import CELL_OBJECT
from sync.localorg.schema import OBJECTS
from sync.localorg.tables import insert_sql, next_stamp
from sync.org.seam import Record

ADJUSTMENT = OBJECTS["AccountForecastAdjustment"]
#: Adjustments of one cell that stay active; older ones are kept, inactive.
ACTIVE_ADJUSTMENTS = 3
_MEASURES = (("AdjustedForecastedQuantity", "Quantity"), ("AdjustedForecastedRevenue", "Revenue"))


def write_update(
    conn: sqlite3.Connection,
    obj: ObjectDef,
    records: Sequence[Record],
    *,
    user_id: str,
    stamp: str | None = None,
) -> str:
    """Write ``records`` (already checked) and return the stamp they now carry (``stamp``, or
    a new one)."""
    stamp = stamp or next_stamp(conn)
    before = _adjusted_before(conn, records) if obj.name == CELL_OBJECT else {}
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for record in records:
        names = tuple(
            obj.field(k).name  # type: ignore[union-attr]  # checked by the rules
            for k in record
            if k not in ("Id", "attributes")
        )
        values = tuple(_stored_value(v) for k, v in record.items() if k not in ("Id", "attributes"))
        groups.setdefault(names, []).append((*values, stamp, user_id, stamp, to18(record["Id"])))
    for names, rows in groups.items():
        sets = ", ".join(f'"{n}" = ?' for n in names)
        if sets:
            sets += ", "
        # Identifiers come from the schema; values are bound parameters.
        sql = (
            f'UPDATE "{obj.name}" SET {sets}"LastModifiedDate" = ?, '  # noqa: S608
            '"LastModifiedById" = ?, "SystemModstamp" = ? WHERE "Id" = ?'
        )
        conn.executemany(sql, rows)
    if before:
        _record_adjustments(conn, records, before, stamp=stamp, user_id=user_id)
    return stamp


def write_upsert(
    conn: sqlite3.Connection,
    obj: ObjectDef,
    records: Sequence[Record],
    ids: Sequence[str | None],
    *,
    user_id: str,
) -> list[str]:
    """Write ``records`` (already checked): update those with an Id in ``ids``, insert the rest
    with new Ids, one stamp, and this user as creator (and owner, where the object has one).
    Returns every record's Id in request order."""
    stamp = next_stamp(conn)
    last = conn.execute(f'SELECT max("Id") FROM "{obj.name}"').fetchone()[0]  # noqa: S608
    counter = counter_of(last) if last else 0
    out: list[str] = []
    updates: list[Record] = []
    for record, record_id in zip(records, ids, strict=True):
        fields = {_name(obj, k): v for k, v in record.items() if k != "attributes"}
        if record_id is not None:
            updates.append({"Id": record_id, **fields})
            out.append(record_id)
            continue
        counter += 1
        record_id = make_id(obj.key_prefix, counter)
        row: dict[str, Any] = {f.name: 0 for f in obj.fields if f.type == "boolean"}
        if obj.field("OwnerId"):
            row["OwnerId"] = user_id
        row.update({k: _stored_value(v) for k, v in fields.items()})
        row.update(
            Id=record_id,
            CreatedDate=stamp,
            CreatedById=user_id,
            LastModifiedDate=stamp,
            LastModifiedById=user_id,
            SystemModstamp=stamp,
        )
        conn.execute(insert_sql(obj, list(row)), list(row.values()))
        out.append(record_id)
    if updates:
        write_update(conn, obj, updates, user_id=user_id, stamp=stamp)
    return out


def _name(obj: ObjectDef, name: str) -> str:
    f = obj.field(name)
    assert f is not None  # checked by the rules
    return f.name


def _stored_value(value: Any) -> Any:
    # Salesforce stores an empty text as null, and booleans as true/false (0/1 here).
    if value == "":
        return None
    return int(value) if isinstance(value, bool) else value


def _adjusted_before(conn: sqlite3.Connection, records: Sequence[Record]) -> dict[str, tuple]:
    """Adjusted quantity, revenue and note of each cell before the write."""
    ids = [to18(r["Id"]) for r in records]
    found: dict[str, tuple] = {}
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        marks = ", ".join("?" for _ in batch)
        sql = (
            "SELECT Id, AdjustedForecastedQuantity, AdjustedForecastedRevenue, AdjustmentComments "
            "FROM AccountProductPeriodForecast WHERE Id IN (" + marks + ")"  # noqa: S608
        )
        for row in conn.execute(sql, batch):
            found[row[0]] = row[1:]
    return found


def _record_adjustments(
    conn: sqlite3.Connection,
    records: Sequence[Record],
    before: dict[str, tuple],
    *,
    stamp: str,
    user_id: str,
) -> None:
    last = conn.execute('SELECT max("Id") FROM "AccountForecastAdjustment"').fetchone()[0]
    counter = counter_of(last) if last else 0
    rows = []
    touched = []
    for record in records:
        cell_id = to18(record["Id"])
        old_q, old_r, old_note = before[cell_id]
        old = {"AdjustedForecastedQuantity": old_q, "AdjustedForecastedRevenue": old_r}
        note_key = next((k for k in record if k.lower() == "adjustmentcomments"), None)
        note = _stored_value(record[note_key]) if note_key else old_note
        for field, kind in _MEASURES:
            key = next((k for k in record if k.lower() == field.lower()), None)
            if key is None or not _changed(old[field], record[key]):
                continue
            counter += 1
            rows.append(
                (
                    make_id(ADJUSTMENT.key_prefix, counter),
                    f"AFA-{counter:07d}",
                    cell_id,
                    user_id,
                    note,
                    kind,
                    old[field],
                    record[key],
                    1,
                    stamp,
                    user_id,
                    stamp,
                    user_id,
                    stamp,
                )
            )
            touched.append(cell_id)
    if not rows:
        return
    conn.executemany(insert_sql(ADJUSTMENT, ADJUSTMENT_COLUMNS), rows)
    conn.executemany(
        'UPDATE "AccountForecastAdjustment" SET "IsActive" = 0, "LastModifiedDate" = ?, '
        '"SystemModstamp" = ? WHERE "AccountProdPeriodForecastId" = ? AND "IsActive" = 1 '
        'AND "Id" NOT IN (SELECT "Id" FROM "AccountForecastAdjustment" '
        'WHERE "AccountProdPeriodForecastId" = ? ORDER BY "Id" DESC LIMIT ?)',
        [(stamp, stamp, c, c, ACTIVE_ADJUSTMENTS) for c in dict.fromkeys(touched)],
    )


ADJUSTMENT_COLUMNS = [
    "Id",
    "Name",
    "AccountProdPeriodForecastId",
    "AdjustedById",
    "AdjustmentComments",
    "AdjustmentType",
    "FromValue",
    "ToValue",
    "IsActive",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
]


def _changed(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is not new
    return abs(float(old) - float(new)) > 1e-9 * max(1.0, abs(float(old)))
