"""One all-or-none ``save`` in the local org: updates by Id and upserts on an external-id
field, of several objects, in one SQLite transaction with one stamp (``LocalOrg.save``).

An upsert finds each record's row by its key: a found row is updated (the rules of
``sync.localorg.rules``, the key itself not rewritten), a new key inserts a row whose fields
must be createable and valid, with a fresh Id. Every record of every write is checked before
anything is written; one bad record refuses the whole save.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date

from sync.localorg.fields import ObjectDef
from sync.localorg.ids import counter_of, make_id, to18
from sync.localorg.rules import check_update, label, value_errors
from sync.localorg.schema import object_def
from sync.localorg.tables import insert_sql, next_stamp
from sync.localorg.writes import write_update
from sync.org.seam import FieldError, Record, SaveResult, Write

_SYSTEM = ("Id", "attributes")


def check_save(
    conn: sqlite3.Connection, writes: Sequence[Write], *, today: date
) -> tuple[list[list[tuple[FieldError, ...]]], list[list[str | None]]]:
    """Per write, each record's errors, and the Id an upsert's key found (None: a new row)."""
    errors: list[list[tuple[FieldError, ...]]] = []
    found: list[list[str | None]] = []
    for w in writes:
        obj = object_def(w.object_name)
        if obj is None:
            bad = (FieldError("INVALID_TYPE", f"sObject type '{w.object_name}' is not supported."),)
            errors.append([bad] * len(w.records))
            found.append([None] * len(w.records))
        elif w.key_field is None:
            errors.append(check_update(conn, obj, w.records, today=today))
            found.append([str(r.get("Id") or "") for r in w.records])
        else:
            errs, ids = _check_upsert(conn, obj, w.key_field, w.records, today)
            errors.append(errs)
            found.append(ids)
    return errors, found


def _check_upsert(
    conn: sqlite3.Connection, obj: ObjectDef, key: str, records: Sequence[Record], today: date
) -> tuple[list[tuple[FieldError, ...]], list[str | None]]:
    key_def = obj.field(key)
    if key_def is None or key_def.type not in ("string", "id"):
        bad = FieldError(
            "INVALID_FIELD", f"{key} is not an external id field of {obj.name}", (key,)
        )
        return [(bad,)] * len(records), [None] * len(records)
    keys = [r.get(key) for r in records]
    existing = _ids_by_key(conn, obj, key_def.name, [k for k in keys if isinstance(k, str)])
    errors: list[tuple[FieldError, ...]] = []
    ids: list[str | None] = []
    for record, k in zip(records, keys, strict=True):
        if not isinstance(k, str) or not k or "Id" in record:
            why = f"every record carries its {key} and no Id"
            errors.append((FieldError("MISSING_ARGUMENT", why, (key,)),))
            ids.append(None)
            continue
        row_id = existing.get(k)
        ids.append(row_id)
        rest = {n: v for n, v in record.items() if n not in _SYSTEM and n.lower() != key.lower()}
        if row_id is not None:
            errors.append(check_update(conn, obj, [{**rest, "Id": row_id}], today=today)[0])
        else:
            errors.append(tuple(_insert_errors(obj, record)))
    return errors, ids


def _insert_errors(obj: ObjectDef, record: Record) -> list[FieldError]:
    out: list[FieldError] = []
    for name, value in record.items():
        if name in _SYSTEM:
            continue
        f = obj.field(name)
        if f is None:
            out.append(
                FieldError(
                    "INVALID_FIELD",
                    f"No such column '{name}' on sobject of type {obj.name}",
                    (name,),
                )
            )
        elif not f.createable or f.type == "id":
            out.append(
                FieldError(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {f.name} ({label(f)} is not createable).",
                    (f.name,),
                )
            )
        elif value is not None:
            out.extend(value_errors(f, value))
    return out


def _ids_by_key(
    conn: sqlite3.Connection, obj: ObjectDef, key: str, keys: list[str]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        batch = keys[start : start + 500]
        marks = ", ".join("?" for _ in batch)
        # Identifiers come from the schema; values are bound parameters.
        sql = f'SELECT "{key}", Id FROM "{obj.name}" WHERE "{key}" IN ({marks})'  # noqa: S608
        found.update((k, i) for k, i in conn.execute(sql, batch))
    return found


def write_save(
    conn: sqlite3.Connection,
    writes: Sequence[Write],
    found: list[list[str | None]],
    *,
    user_id: str,
) -> list[SaveResult]:
    """Write the checked ``writes`` with one stamp; results in request order."""
    stamp = next_stamp(conn)
    results: list[SaveResult] = []
    for w, ids in zip(writes, found, strict=True):
        obj = object_def(w.object_name)
        assert obj is not None  # checked
        key = (w.key_field or "").lower()
        updates: list[Record] = []
        for record, row_id in zip(w.records, ids, strict=True):
            if row_id is None:
                row_id = _insert(conn, obj, record, stamp=stamp, user_id=user_id)
                results.append(SaveResult(row_id, True, created=True))
                continue
            rest = {n: v for n, v in record.items() if n not in _SYSTEM and n.lower() != key}
            updates.append({**rest, "Id": row_id})
            results.append(SaveResult(to18(row_id), True))
        if updates:
            write_update(conn, obj, updates, user_id=user_id, stamp=stamp)
    return results


def _insert(
    conn: sqlite3.Connection, obj: ObjectDef, record: Record, *, stamp: str, user_id: str
) -> str:
    last = conn.execute(f'SELECT max("Id") FROM "{obj.name}"').fetchone()[0]  # noqa: S608
    row_id = make_id(obj.key_prefix, (counter_of(last) if last else 0) + 1)
    values = {obj.field(n).name: v for n, v in record.items() if n not in _SYSTEM}  # type: ignore[union-attr]
    if obj.field("Name") is not None and "Name" not in values:
        values["Name"] = row_id
    values.update(
        Id=row_id,
        CreatedDate=stamp,
        CreatedById=user_id,
        LastModifiedDate=stamp,
        LastModifiedById=user_id,
        SystemModstamp=stamp,
    )
    names = list(values)
    conn.execute(insert_sql(obj, names), [_stored(values[n]) for n in names])
    return row_id


def _stored(value: object) -> object:
    if value == "":
        return None
    return int(value) if isinstance(value, bool) else value
