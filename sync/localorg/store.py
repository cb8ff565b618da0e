"""``LocalOrg``: the embedded local org, a SQLite file that answers like Salesforce.

It implements ``sync.org.seam.Org``: SOQL queries (through ``sync.localorg.soql.query``) in pages of up to 2,000
records with Salesforce-like locators, all-or-none updates of at most 1,000 records with the
org's rules (``sync.localorg.rules``), describe from the schema, a daily API budget shared by
every process using the file, and the signed-in user's identity. Each query page, update,
describe and limits call counts one API call, as Salesforce would count it.

One connection per ``LocalOrg``, usable from any thread (the test HTTPS server calls it from its
own), guarded by a lock. Writes take SQLite's write lock first (``BEGIN IMMEDIATE``), so two
processes pushing to the same file are serialised, never interleaved. A process that finds the
file locked waits up to ``BUSY_SECONDS``, then ``OrgBusy`` says so (nothing was written).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sync.localorg import tables
from sync.localorg.describe import describe_object
from sync.localorg.fields import ObjectDef
from sync.localorg.ids import make_id, to18
from sync.localorg.rules import ROLLED_BACK, check_update, check_upsert, too_many
from sync.localorg.save import check_save, write_save
from sync.localorg.schema import OBJECTS, object_def
from sync.localorg.writes import write_update, write_upsert
from sync.org.seam import (
    COMPOSITE_COLLECTIONS,
    QUERY_PAGE,
    UPDATE_LIMIT,
    ApiLimitExceeded,
    ApiLimits,
    CallCounter,
    FieldError,
    ObjectDescribe,
    OrgError,
    OrgIdentity,
    QueryRefused,
    Record,
    SaveResult,
    UpdateRefused,
    Write,
    collections_of,
)

#: The daily API request budget of a fresh local org (a Salesforce Enterprise org's order).
DAILY_API_REQUESTS = 100_000
#: The user a LocalOrg signs in as when none is named.
ADMIN_USERNAME = "admin@demandgrid.demo"
#: Query cursors kept open per org object (Salesforce keeps a handful per user, too).
OPEN_CURSORS = 50
MIN_BATCH = 200
#: How long a call waits for another process holding the org file's lock.
BUSY_SECONDS = 30.0


class NotALocalOrg(OrgError):
    """The path is missing or is not a demandgrid local org file."""


class OutdatedLocalOrg(NotALocalOrg):
    """The local org file was built by a demandgrid whose objects differ from this one's."""


class UnknownUser(OrgError):
    """The username names no user of the local org."""


class OrgBusy(OrgError):
    """Another process held the local org file locked for longer than ``BUSY_SECONDS``."""


def _is_busy(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _busy(path: Path) -> OrgBusy:
    return OrgBusy(
        f"The local org {path} is locked by another process (another demandgrid command, or "
        f"a program holding the file in a transaction) and stayed locked for "
        f"{BUSY_SECONDS:g} s. Nothing was written to the org by this call. Wait for the other "
        "process to finish (or close the program), then run the command again."
    )


@contextlib.contextmanager
def _busy_is_a_message(path: Path) -> Iterator[None]:
    """``OrgBusy`` for SQLite's "database is locked", instead of a traceback."""
    try:
        yield
    except sqlite3.OperationalError as e:
        if _is_busy(e):
            raise _busy(path) from None
        raise


@dataclass(frozen=True)
class QueryPage:
    """One page of a query answer, as Salesforce's REST ``/query`` returns it."""

    records: list[Record]
    total_size: int
    done: bool
    next_locator: str | None = None  # "01g...-2000": pass to ``query_more``


class LocalOrg:
    """The embedded local org in the SQLite file ``path``, signed in as ``username``.

    ``today`` is the org's date (default: today, UTC): periods ending before it are past and
    refuse adjustments. Tests pin it.
    """

    def __init__(
        self, path: str | Path, *, username: str | None = None, today: date | None = None
    ) -> None:
        self.path = Path(path).resolve()
        self.username = username or ADMIN_USERNAME
        if not self.path.is_file():
            raise NotALocalOrg(
                f"No local org at {self.path}. Create one with `demandgrid demo` "
                "(or sync.localorg.demo.org.create_demo_org)."
            )
        self._conn = sqlite3.connect(
            str(self.path), check_same_thread=False, timeout=BUSY_SECONDS, isolation_level=None
        )
        self._lock = threading.RLock()
        self.today = today or datetime.now(UTC).date()
        self.calls = CallCounter()
        self._cursors: OrderedDict[str, Sequence[Record]] = OrderedDict()
        self._cursor_count = 0
        try:
            self._conn.execute("PRAGMA synchronous = NORMAL")
            org = self._conn.execute('SELECT Id, Name FROM "Organization" LIMIT 1').fetchone()
        except sqlite3.DatabaseError as e:
            if _is_busy(e):
                self._conn.close()
                raise _busy(self.path) from None
            org = None
        if org is None:
            self._conn.close()
            raise NotALocalOrg(
                f"{self.path} is not a demandgrid local org (no Organization record). "
                "Create one with `demandgrid demo`."
            )
        self.org_id, self.org_name = org
        built = tables.get_meta(self._conn, "schema")
        if built != tables.schema_fingerprint():
            self._conn.close()
            raise OutdatedLocalOrg(
                f"The local org at {self.path} was built by another version of demandgrid: "
                "its objects and fields differ from this version's. Build a new one with "
                "`demandgrid demo` (it sets the old file aside) or `demandgrid demo --dir DIR`."
            )
        with _busy_is_a_message(self.path):
            user = self._conn.execute(
                'SELECT Id, Name, Username FROM "User" WHERE lower(Username) = lower(?)',
                (self.username,),
            ).fetchone()
        if user is None:
            known = [
                r[0] for r in self._conn.execute('SELECT Username FROM "User" ORDER BY Username')
            ]
            self._conn.close()
            raise UnknownUser(
                f"No user {self.username!r} in the local org at {self.path}. "
                f"Sign in as one of: {', '.join(known[:8])}{' ...' if len(known) > 8 else ''}."
            )
        self.user_id, self.user_name, self.username = user

    def __repr__(self) -> str:
        return f"LocalOrg({str(self.path)!r}, username={self.username!r})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> LocalOrg:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ the Org seam

    def identity(self) -> OrgIdentity:
        return OrgIdentity(
            org_id=self.org_id,
            org_name=self.org_name,
            user_id=self.user_id,
            username=self.username,
            instance=f"local:{self.path}",
        )

    def query(self, soql: str) -> Iterator[Record]:
        """Every record the query answers, fetched page by page (one API call per page)."""
        page = self.query_page(soql)
        yield from page.records
        while not page.done:
            assert page.next_locator is not None
            page = self.query_more(page.next_locator)
            yield from page.records

    def query_page(self, soql: str, batch_size: int = QUERY_PAGE) -> QueryPage:
        """The first page of a query; later pages from ``query_more(next_locator)``."""
        from sync.localorg.soql import query as engine

        self._spend("query", f"query {' '.join(soql.split())[:120]}")
        with self._lock:
            try:
                with _busy_is_a_message(self.path):
                    records = engine.run_rows(self._conn, OBJECTS, soql, today=self.today)
            except sqlite3.Error as e:
                raise QueryRefused(f"The local org could not run this query: {e}") from e
            return self._page(None, records, 0, _clamp(batch_size))

    def query_more(self, locator: str, batch_size: int = QUERY_PAGE) -> QueryPage:
        """The page of an open query that starts where ``locator`` points."""
        cursor_id, _, offset_text = locator.partition("-")
        with self._lock:
            records = self._cursors.get(cursor_id)
        if records is None or not offset_text.isdigit():
            raise QueryRefused(
                f"Query locator {locator!r} is invalid or has expired; run the query again.",
                "INVALID_QUERY_LOCATOR",
            )
        self._spend("query", f"queryMore {locator}")
        with self._lock:
            return self._page(cursor_id, records, int(offset_text), _clamp(batch_size))

    def update(self, object_name: str, records: Sequence[Record]) -> list[SaveResult]:
        """Write every record or none (see ``sync.localorg.rules`` for what is refused)."""
        self._spend("update", f"update {object_name} x{len(records)}")
        obj = _writable(object_name, records, "Id")
        if not records:
            return []
        with self._transaction():
            errors = check_update(self._conn, obj, records, today=self.today)
            if any(errors):
                raise _refused(obj.name, records, errors)
            write_update(self._conn, obj, records, user_id=self.user_id)
        return [SaveResult(to18(str(r["Id"])), True) for r in records]

    def upsert(
        self, object_name: str, key_field: str, records: Sequence[Record]
    ) -> list[SaveResult]:
        """Create or update every record or none, matched on the external id ``key_field``."""
        self._spend("update", f"upsert {object_name} on {key_field} x{len(records)}")
        obj = _writable(object_name, records, key_field)
        if not records:
            return []
        with self._transaction():
            errors, existing = check_upsert(self._conn, obj, key_field, records)
            if any(errors):
                raise _refused(obj.name, records, errors, key_field)
            key = obj.field(key_field).name  # type: ignore[union-attr]  # checked
            found = [existing.get(_key(r, key)) for r in records]
            ids = write_upsert(self._conn, obj, records, found, user_id=self.user_id)
        return [SaveResult(i, True, created=f is None) for i, f in zip(ids, found, strict=True)]

    def save(self, writes: Sequence[Write]) -> list[SaveResult]:
        """Every write or none, in one transaction with one stamp (``sync.localorg.save``)."""
        count = sum(len(w.records) for w in writes)
        names = " + ".join(w.object_name for w in writes)
        self._spend(
            "update", f"save {' + '.join(f'{w.object_name} x{len(w.records)}' for w in writes)}"
        )
        everything = [r for w in writes for r in w.records]
        if collections_of(writes) > COMPOSITE_COLLECTIONS:
            error = FieldError(
                "LIMIT_EXCEEDED",
                f"A composite request may hold at most {COMPOSITE_COLLECTIONS} sObject "
                f"Collections; this save needs {collections_of(writes)}.",
            )
            raise _refused(names, everything, [(error,)] * count)
        if count > UPDATE_LIMIT:
            raise _refused(names, everything, [(too_many(count),)] * count)
        if not count:
            return []
        with self._transaction():
            errors, found = check_save(self._conn, writes, today=self.today)
            flat = [e for errs in errors for e in errs]
            if any(flat):
                raise _refused(names, everything, flat)
            return write_save(self._conn, writes, found, user_id=self.user_id)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction on the file: committed when the block ends, else rolled back."""
        with self._lock, _busy_is_a_message(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def describe(self, object_name: str) -> ObjectDescribe:
        self._spend("describe", f"describe {object_name}")
        obj = object_def(object_name)
        if obj is None:
            raise QueryRefused(
                f"The org has no object called {object_name!r}. "
                f"Known objects: {', '.join(sorted(OBJECTS))}.",
                "NOT_FOUND",
            )
        return describe_object(obj)

    def limits(self) -> ApiLimits:
        self._spend("limits", "limits")
        with self._lock:
            ceiling, used = self._budget()
        return ApiLimits(ceiling, max(0, ceiling - used))

    # ------------------------------------------------------------ internals

    def _page(
        self, cursor_id: str | None, records: Sequence[Record], offset: int, batch: int
    ) -> QueryPage:
        end = offset + batch
        done = end >= len(records)
        # COUNT() answers no records and carries the count as ``total_size``.
        total = getattr(records, "total_size", len(records))
        if done:
            if cursor_id is not None:
                self._cursors.pop(cursor_id, None)
            return QueryPage(list(records[offset:end]), total, True, None)
        if cursor_id is None:
            self._cursor_count += 1
            cursor_id = make_id("01g", self._cursor_count)
            self._cursors[cursor_id] = records
            while len(self._cursors) > OPEN_CURSORS:
                self._cursors.popitem(last=False)
        return QueryPage(list(records[offset:end]), total, False, f"{cursor_id}-{end}")

    def _budget(self) -> tuple[int, int]:
        ceiling = int(tables.get_meta(self._conn, "api_daily_max") or DAILY_API_REQUESTS)
        day = datetime.now(UTC).date().isoformat()
        if tables.get_meta(self._conn, "api_day") != day:
            return ceiling, 0
        return ceiling, int(tables.get_meta(self._conn, "api_used") or 0)

    def _spend(self, kind: str, note: str) -> None:
        """Count one API call here and in the file's daily budget; refuse when it is spent."""
        with self._lock, _busy_is_a_message(self.path):
            # A lost count after a power cut is harmless: skip the fsync for the budget
            # counter (it made every query page cost ~15 ms); data writes keep NORMAL.
            self._conn.execute("PRAGMA synchronous = OFF")
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                ceiling, used = self._budget()
                if used >= ceiling:
                    raise ApiLimitExceeded(
                        f"REQUEST_LIMIT_EXCEEDED: the org's daily budget of {ceiling:,} API "
                        "requests is spent. Try again tomorrow (UTC), or ask your admin."
                    )
                tables.set_meta(self._conn, "api_day", datetime.now(UTC).date().isoformat())
                tables.set_meta(self._conn, "api_used", used + 1)
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                self._conn.execute("PRAGMA synchronous = NORMAL")
            setattr(self.calls, kind, getattr(self.calls, kind) + 1)
            self.calls.log.append(note)


def _writable(object_name: str, records: Sequence[Record], key: str) -> ObjectDef:
    """The object a write names, if it is known and the call is within the record limit."""
    obj = object_def(object_name)
    if obj is None:
        error = FieldError("INVALID_TYPE", f"sObject type '{object_name}' is not supported.")
        raise _refused(object_name, records, [(error,)] * len(records), key)
    if len(records) > UPDATE_LIMIT:
        raise _refused(obj.name, records, [(too_many(len(records)),)] * len(records), key)
    return obj


def is_current_local_org(path: Path) -> bool:
    """Whether ``path`` is a local org built with this version's objects (False for an
    outdated one; other problems are left to ``LocalOrg`` to report)."""
    try:
        LocalOrg(path).close()
    except OutdatedLocalOrg:
        return False
    except OrgError:
        return True
    return True


def _key(record: Record, key: str) -> str:
    return next(str(v) for k, v in record.items() if k.lower() == key.lower())


def _clamp(batch_size: int) -> int:
    return max(MIN_BATCH, min(QUERY_PAGE, int(batch_size)))


def _refused(
    object_name: str,
    records: Sequence[Record],
    errors: Sequence[tuple[FieldError, ...]],
    key: str = "Id",
) -> UpdateRefused:
    results = [
        SaveResult(str(r.get("Id") or ""), False, errs or (ROLLED_BACK,))
        for r, errs in zip(records, errors, strict=True)
    ]
    failing = [(n, errs) for n, errs in enumerate(errors) if errs]
    first_n, first = failing[0]
    where = f"record {first_n + 1} ({records[first_n].get(key) or f'no {key}'})"
    verb = "update" if key == "Id" else "upsert"
    return UpdateRefused(
        f"The org refused the {verb} of {len(records)} {object_name} record(s); nothing was "
        f"written. {len(failing)} record(s) failed; first, {where}: "
        f"{first[0].status_code}: {first[0].message}",
        results,
    )
