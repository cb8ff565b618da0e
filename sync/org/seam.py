"""The org: the one seam between demandgrid and wherever forecast records live.

Pull, check and push are written once, above this seam. Below it sit two backends:
the embedded local org (`sync.localorg.LocalOrg`, SQLite) and Salesforce
(`sync.salesforce.backend.SalesforceOrg`, simple-salesforce). Tests put a real HTTPS server
speaking the Salesforce REST protocol in front of the local org, so the Salesforce
backend is exercised for real.

What crosses the seam, and nothing more:
- ``query(soql)``: SOQL text in (built with ``format_soql``), records out, Salesforce-shaped:
  plain dicts keyed by API field name, parent relationships as nested dicts
  (``{"AccountProductForecast": {"AccountForecast": {"Account": {"Name": ...}}}}``),
  an ``"attributes"`` entry with ``type`` (and ``url``). Pages are followed inside;
  each page costs one API call.
- ``update(object_name, records)``: at most ``UPDATE_LIMIT`` records, each a dict with ``Id``
  and the fields to set; **all or none**: either every record is written and a list of
  successes comes back, or nothing is written and ``UpdateRefused`` is raised carrying the
  per-record errors. One API call.
- ``upsert(object_name, key_field, records)``: create or update, matched on the external-id
  field ``key_field`` that every record carries (no ``Id``); at most ``UPDATE_LIMIT`` records,
  all or none, one API call; ``SaveResult.created`` says which were new. Sending the same
  records again changes nothing, so a call whose outcome is unknown is simply sent again.
  Every record demandgrid creates in an org (snapshots, loads) goes this way.
- ``describe(object_name)``: the object's fields (type, length, scale, updateable, relationships).
- ``limits()``: the remaining daily API budget.
- ``identity()``: which org and which user we are talking to.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

#: Records one ``update`` call may carry: a Composite request of 5 sObject Collections x 200.
UPDATE_LIMIT = 1000
#: Records per sObject Collection inside one Composite request.
COLLECTION_LIMIT = 200
#: Collections (or queries) per Composite request.
COMPOSITE_COLLECTIONS = 5
#: Records per query page (Salesforce's default and maximum batch size).
QUERY_PAGE = 2000

Record = dict[str, Any]


@dataclass(frozen=True)
class FieldError:
    """One error in Salesforce's shape: ``{"statusCode", "message", "fields"}``."""

    status_code: str
    message: str
    fields: tuple[str, ...] = ()

    def as_salesforce(self) -> dict[str, Any]:
        return {
            "statusCode": self.status_code,
            "message": self.message,
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class SaveResult:
    """The org's answer for one record of an update, in request order."""

    id: str
    success: bool
    errors: tuple[FieldError, ...] = ()
    created: bool = False  # an upsert that inserted the record (False: it updated one)


@dataclass(frozen=True)
class FieldDescribe:
    name: str
    type: str  # Salesforce field types: id, string, textarea, double, currency, int, date, datetime, boolean, picklist, reference
    label: str = ""
    length: int = 0
    precision: int = 0
    scale: int = 0
    updateable: bool = False
    createable: bool = False
    nillable: bool = True
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    external_id: bool = False  # may key an upsert


@dataclass(frozen=True)
class ObjectDescribe:
    name: str
    label: str
    key_prefix: str
    fields: tuple[FieldDescribe, ...]
    updateable: bool = True
    queryable: bool = True

    def field(self, name: str) -> FieldDescribe | None:
        for f in self.fields:
            if f.name.lower() == name.lower():
                return f
        return None


@dataclass(frozen=True)
class ApiLimits:
    daily_api_requests_max: int
    daily_api_requests_remaining: int


@dataclass(frozen=True)
class OrgIdentity:
    """Who we are talking to. Never carries a token."""

    org_id: str  # 18-character Organization Id
    org_name: str
    user_id: str
    username: str
    instance: str  # "local:/path/to/org.sqlite" or "https://example.my.salesforce.com"


@dataclass
class CallCounter:
    """API calls made through one org object, by kind. Call counts do not vary between runs."""

    query: int = 0
    update: int = 0  # write calls: update and upsert
    describe: int = 0
    limits: int = 0
    other: int = 0
    log: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.query + self.update + self.describe + self.limits + self.other


# ---------------------------------------------------------------- errors people see


class OrgError(Exception):
    """Something the org refused or could not do. The message says what and what to do."""


class QueryRefused(OrgError):
    """The org refused a query (``MALFORMED_QUERY``, ``INVALID_FIELD``, ...)."""

    def __init__(self, message: str, error_code: str = "MALFORMED_QUERY") -> None:
        super().__init__(message)
        self.error_code = error_code


class UpdateRefused(OrgError):
    """An all-or-none update failed: nothing of this call was written."""

    def __init__(self, message: str, results: Sequence[SaveResult]) -> None:
        super().__init__(message)
        self.results = tuple(results)


class SessionExpired(OrgError):
    """The session is no longer valid and could not be refreshed. Sign in again."""


class ApiLimitExceeded(OrgError):
    """``REQUEST_LIMIT_EXCEEDED``: the org's daily API budget is spent."""


class OrgUnavailable(OrgError):
    """The org did not answer (network down, 5xx after retries, timeouts)."""


class MappingMismatch(OrgError):
    """A mapped object or field is missing or not updateable in this org."""


# ---------------------------------------------------------------- the seam


@runtime_checkable
class Org(Protocol):
    """What pull, check and push may ask of an org. See the module docstring."""

    calls: CallCounter

    def identity(self) -> OrgIdentity: ...

    def query(self, soql: str) -> Iterator[Record]: ...

    def update(self, object_name: str, records: Sequence[Record]) -> list[SaveResult]: ...

    def upsert(
        self, object_name: str, key_field: str, records: Sequence[Record]
    ) -> list[SaveResult]: ...

    def describe(self, object_name: str) -> ObjectDescribe: ...

    def limits(self) -> ApiLimits: ...


def chunks(records: Sequence[Record], size: int = UPDATE_LIMIT) -> Iterator[Sequence[Record]]:
    """Split records into update calls of at most ``size``."""
    for start in range(0, len(records), size):
        yield records[start : start + size]
