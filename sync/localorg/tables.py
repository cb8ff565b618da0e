"""The local org's SQLite layout: one table per object, indices for the pull, and ``_org_meta``.

``_org_meta`` holds what every process using the same file must share: the org's Id and
admin user, the daily API budget and the calls spent today, and the last modification stamp
handed out (so stamps stay strictly increasing across processes).
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, date, datetime, timedelta

from sync.localorg.fields import ObjectDef, sql_type
from sync.localorg.schema import OBJECTS

META_TABLE = "_org_meta"

#: Indices on the foreign keys that pull, check and push filter and join on.
INDICES = (
    ("AccountProductPeriodForecast", ("AccountProductForecastId", "StartDate")),
    ("AccountProductPeriodForecast", ("PeriodId",)),
    ("AccountProductForecast", ("AccountForecastId",)),
    ("AccountForecast", ("OwnerId", "AccountId")),
    ("AccountForecast", ("AccountId",)),
    ("AccountForecastAdjustment", ("AccountProdPeriodForecastId",)),
    ("AccountForecastPeriodMetric", ("AccountForecastId",)),
    ("AcctMgrTarget", ("AssignedToUserId",)),
    ("AcctMgrTargetDstr", ("AcctMgrTargetId",)),
    ("AcctMgrTargetDstr", ("AccountId", "ProductId")),
    ("AcctMgrPeriodicTargetDstr", ("AcctMgrTargetDstrId",)),
    ("SalesAgreementProduct", ("SalesAgreementId",)),
    ("SalesAgreementProductSchedule", ("SalesAgreementProductId",)),
    ("DemandPlanSnapshot__c", ("Cycle__c", "Account__c")),
    ("Account", ("OwnerId",)),
    ("User", ("Username",)),
    ("User", ("ManagerId",)),
    ("Period", ("Type", "StartDate")),
)


def create_tables(conn: sqlite3.Connection) -> None:
    """Create every object's table, the indices and the meta table (in an empty database)."""
    for obj in OBJECTS.values():
        conn.execute(table_ddl(obj))
    for table, columns in INDICES:
        name = f"ix_{table}_{'_'.join(columns)}".replace("__", "_")
        cols = ", ".join(f'"{c}"' for c in columns)
        conn.execute(f'CREATE INDEX "{name}" ON "{table}" ({cols})')
    for obj in OBJECTS.values():  # external ids are unique, as in Salesforce
        for f in obj.fields:
            if f.external_id:
                name = f"ux_{obj.name}_{f.name}".replace("__", "_")
                conn.execute(f'CREATE UNIQUE INDEX "{name}" ON "{obj.name}" ("{f.name}")')
    conn.execute(f'CREATE TABLE "{META_TABLE}" (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
    set_meta(conn, "schema", schema_fingerprint())


def schema_fingerprint() -> str:
    """A short hash of every object's fields and types: a file built by another version of the
    schema has another fingerprint (``LocalOrg`` refuses it with a message)."""
    text = "\n".join(
        f"{o.name}.{f.name}:{f.type}" for o in OBJECTS.values() for f in sorted(o.fields, key=str)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def table_ddl(obj: ObjectDef) -> str:
    columns = []
    for f in obj.fields:
        col = f'"{f.name}" {sql_type(f)}'
        if f.name == "Id":
            col += " PRIMARY KEY"
        columns.append(col)
    return f'CREATE TABLE "{obj.name}" ({", ".join(columns)})'


def columns(obj: ObjectDef) -> list[str]:
    return [f.name for f in obj.fields]


def insert_sql(obj: ObjectDef, names: list[str] | None = None) -> str:
    names = names or columns(obj)
    cols = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    # Identifiers come from the schema, never from a caller; values are bound parameters.
    return f'INSERT INTO "{obj.name}" ({cols}) VALUES ({marks})'  # noqa: S608


# ---------------------------------------------------------------- meta


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM _org_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute(
        "INSERT INTO _org_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, str(value)),
    )


# ---------------------------------------------------------------- stamps


def format_stamp(moment: datetime) -> str:
    """Salesforce's datetime wire format, millisecond resolution, UTC: sortable as text."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def stamp_of_day(day: date, seconds: int = 0) -> str:
    """A deterministic stamp ``seconds`` after midnight UTC of ``day`` (demo data uses these)."""
    return format_stamp(
        datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)
    )


def next_stamp(conn: sqlite3.Connection) -> str:
    """A stamp strictly after every stamp handed out before, in any process (inside a write)."""
    now = datetime.now(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    last = get_meta(conn, "last_stamp")
    if last is not None:
        floor = parse_stamp(last) + timedelta(milliseconds=1)
        now = max(now, floor)
    stamp = format_stamp(now)
    set_meta(conn, "last_stamp", stamp)
    return stamp
