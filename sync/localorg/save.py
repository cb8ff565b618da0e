"""One all-or-none ``save`` in the local org: updates by Id and upserts on an external-id
field, of several objects, in one SQLite transaction with one stamp (``LocalOrg.save``).

Each part is checked as ``update`` (``rules.check_update``) or ``upsert``
(``rules.check_upsert``) checks it, every part before anything is written: one bad record
refuses the whole save. Then each part is written as those calls write it, with the save's one
stamp, so a fact's new value and its adjustment record carry the same time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date

from sync.localorg.ids import to18
from sync.localorg.rules import check_update, check_upsert
from sync.localorg.schema import object_def
from sync.localorg.tables import next_stamp
from sync.localorg.writes import write_update, write_upsert
from sync.org.seam import FieldError, SaveResult, Write


def check_save(
    conn: sqlite3.Connection, writes: Sequence[Write], *, today: date
) -> tuple[list[list[tuple[FieldError, ...]]], list[list[str | None]]]:
    """Per write, each record's errors, and the Id each upserted record's key found (None: new;
    for an update, the record's own Id)."""
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
            errs, existing = check_upsert(conn, obj, w.key_field, w.records)
            key = obj.field(w.key_field)
            name = key.name if key else w.key_field
            keys = [
                next((v for k, v in r.items() if k.lower() == name.lower()), None)
                for r in w.records
            ]
            errors.append(errs)
            found.append([existing.get(k) if isinstance(k, str) else None for k in keys])
    return errors, found


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
        if w.key_field is None:
            write_update(conn, obj, w.records, user_id=user_id, stamp=stamp)
            results.extend(SaveResult(to18(str(r["Id"])), True) for r in w.records)
            continue
        written = write_upsert(conn, obj, w.records, ids, user_id=user_id, stamp=stamp)
        results.extend(
            SaveResult(i, True, created=f is None) for i, f in zip(written, ids, strict=True)
        )
    return results
