"""The Salesforce backend: the org interface (``sync.org.seam.Org``) over Salesforce's REST API,
through simple-salesforce with an explicit API version.

- ``query``: REST with ``Sforce-Query-Options: batchSize=2000``, one call per page; a query whose
  first page says it has more than ``bulk_threshold`` records runs as a Bulk API 2.0 query job
  instead (``sync.salesforce.bulk``: a handful of calls for hundreds of thousands of records).
- ``update``: up to 1,000 records as ONE ``POST /composite`` (``allOrNone``) carrying up to five
  ``PATCH /composite/sobjects`` collections of 200 records; answers mapped to ``SaveResult``.
- ``describe`` (cached per object) and ``verify_mapping`` at connect; ``limits``; ``identity``.
- Resilience (see ``sync.salesforce.wire``): a 401 refreshes the token once; reads retry 5xx, timeouts and
  dropped connections with backoff; a write whose outcome is unknown is re-read before it is
  re-sent, so a write that landed is never applied twice; ``UNABLE_TO_LOCK_ROW`` retries.

Tokens stay inside the token source and the HTTP headers: never in messages, logs or ``repr``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import requests
from simple_salesforce import Salesforce, format_soql
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from sync.org.mapping import MappingProfile
from sync.org.seam import (
    COLLECTION_LIMIT,
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
    OrgUnavailable,
    QueryRefused,
    Record,
    SaveResult,
    SessionExpired,
    UpdateRefused,
    Write,
    chunks,
    collections_of,
)
from sync.salesforce.answers import (
    composite_results,
    lock_contention,
    object_describe,
    refusal_message,
    same_value,
)
from sync.salesforce.auth import TokenSource
from sync.salesforce.bulk import BULK_THRESHOLD, Bulk, bulk_eligible
from sync.salesforce.saves import save_request, save_results
from sync.salesforce.verify import UnknownObject, check_mapping
from sync.salesforce.wire import RetryPolicy, WireSession, error_code, error_message, is_transient

DEFAULT_API_VERSION = "67.0"
_REREAD_BATCH = 200  # ids per re-read query: keeps the GET URL well under Salesforce's limit

log = logging.getLogger(__name__)


class ApiVersionUnavailable(OrgError):
    """The org does not offer the configured API version."""


class SalesforceOrg:
    """A Salesforce org through simple-salesforce. ``connect`` opens one and verifies the mapping."""

    def __init__(
        self,
        instance_url: str,
        tokens: TokenSource,
        *,
        api_version: str = DEFAULT_API_VERSION,
        retry: RetryPolicy | None = None,
        timeout: float | tuple[float, float] = (10.0, 120.0),
        verify: str | bool = True,
        sleep: Callable[[float], None] = time.sleep,
        bulk_threshold: int = BULK_THRESHOLD,
    ) -> None:
        self.calls = CallCounter()
        #: queries answering more records than this run as Bulk API 2.0 jobs
        self.bulk_threshold = bulk_threshold
        self.instance_url = instance_url.rstrip("/")
        self.api_version = api_version
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._tokens = tokens
        self._session = WireSession(self, self.retry, timeout, self._refresh_token, sleep)
        self._session.verify = verify
        self._sf = Salesforce(
            instance_url=self.instance_url,
            session_id=tokens.access_token(),
            session=self._session,
            version=api_version,
            object_pairs_hook=dict,
        )
        self._describes: dict[str, ObjectDescribe] = {}
        self._identity: OrgIdentity | None = None
        self.bulk = Bulk(
            self._session,
            f"{self.instance_url}/services/data/v{api_version}",
            lambda: dict(self._sf.headers),
            self.describe,
            sleep,
        )

    @classmethod
    def connect(
        cls,
        instance_url: str,
        tokens: TokenSource,
        *,
        profile: MappingProfile | None,
        **kwargs: Any,
    ) -> SalesforceOrg:
        """Open the org, learn who we are, and check the mapping against its describe
        (``profile`` None: the one the org speaks, ``sync.org.aaf.detect_profile``)."""
        from sync.org.aaf import detect_profile

        org = cls(instance_url, tokens, **kwargs)
        org.check_api_version()
        org.identity()
        org.verify_mapping(profile or detect_profile(org))
        return org

    def __repr__(self) -> str:
        return (
            f"SalesforceOrg(instance_url={self.instance_url!r}, api_version={self.api_version!r})"
        )

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> SalesforceOrg:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ the seam

    def query(self, soql: str) -> Iterator[Record]:
        headers = {"Sforce-Query-Options": f"batchSize={QUERY_PAGE}"}
        try:
            page = self._sf.query(soql, headers=headers)
            if not page["done"] and page["totalSize"] > self.bulk_threshold and bulk_eligible(soql):
                job = self.bulk.start(soql)
                if job is not None:
                    yield from self.bulk.records(job)
                    return
            while True:
                yield from page["records"]
                if page["done"]:
                    return
                page = self._sf.query_more(
                    page["nextRecordsUrl"], identifier_is_url=True, headers=headers
                )
        except SalesforceError as e:
            raise self._org_error(e, "the query") from None
        except requests.RequestException as e:
            raise self._unavailable(e, "the query") from None

    def update(self, object_name: str, records: Sequence[Record]) -> list[SaveResult]:
        if not records:
            return []
        if len(records) > UPDATE_LIMIT:
            # Refused here, before any call: the caller splits with ``sync.org.seam.chunks``.
            too_many = FieldError(
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {UPDATE_LIMIT} records into "
                f"this call (this call had {len(records)})",
            )
            raise UpdateRefused(
                f"{len(records)} {object_name} records in one update: at most {UPDATE_LIMIT} "
                "per call; nothing was sent (split them with sync.org.seam.chunks).",
                [SaveResult(str(r.get("Id") or ""), False, (too_many,)) for r in records],
            )
        pending = [{k: v for k, v in r.items() if k != "attributes"} for r in records]
        done: dict[str, SaveResult] = {}
        attempts = self.retry.attempts
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            try:
                answer = self._sf.restful(
                    "composite", method="POST", json=self._composite(object_name, pending)
                )
            except SalesforceError as e:
                if not (isinstance(e, SalesforceGeneralError) and e.status >= 500):
                    raise self._org_error(e, f"the update of {object_name}") from None
                outcome = f"HTTP {e.status}"
            except requests.RequestException as e:
                if not is_transient(e):
                    raise self._unavailable(e, f"the update of {object_name}") from None
                outcome = type(e).__name__
            else:
                results = composite_results(answer, pending)
                done.update((r.id, r) for r in results if r.success)
                if all(r.success for r in results):
                    return [done[r["Id"]] for r in records]
                if not last and lock_contention(results):
                    log.warning("%s: records locked by another process; retrying", object_name)
                    self._sleep(self.retry.delay(attempt))
                    continue
                raise UpdateRefused(refusal_message(object_name, results), results)
            # The outcome is unknown: the write may have landed. Re-read before re-sending.
            if last:
                raise OrgUnavailable(
                    f"Salesforce did not confirm the update of {len(pending)} {object_name} "
                    f"records after {attempts} tries ({outcome}). Run the push again: it re-reads "
                    "the records first, so nothing is applied twice."
                )
            log.warning("%s update: %s; re-reading before any re-send", object_name, outcome)
            self._sleep(self.retry.delay(attempt))
            try:
                landed = self._already_written(object_name, pending)
            except OrgUnavailable:
                raise OrgUnavailable(
                    f"Salesforce did not confirm the update of {len(pending)} {object_name} "
                    "records, and the re-read to see whether it landed got no answer either. Run "
                    "the push again when the org answers: it re-reads the records first, so "
                    "nothing is applied twice."
                ) from None
            for rec in pending:
                if rec["Id"] in landed:
                    done[rec["Id"]] = SaveResult(rec["Id"], True)
            pending = [r for r in pending if r["Id"] not in landed]
            if not pending:
                return [done[r["Id"]] for r in records]
        raise AssertionError("unreachable")  # pragma: no cover

    def upsert(
        self, object_name: str, key_field: str, records: Sequence[Record]
    ) -> list[SaveResult]:
        """Create or update on the external id ``key_field``, all or none, in one Composite call
        (a ``save`` of one part): an upsert sent twice changes nothing the second time, so a
        call whose outcome is unknown is sent again as it is."""
        return self.save([Write(object_name, records, key_field)])

    def save(self, writes: Sequence[Write]) -> list[SaveResult]:
        """Every write or none, in one Composite (``sync.salesforce.saves``). Each part is safe
        to send again (an update sets the same values, an upsert finds its key), so an answer
        lost in transit is retried as it is."""
        count = sum(len(w.records) for w in writes)
        what = " and ".join(f"{len(w.records)} {w.object_name}" for w in writes)
        if count > UPDATE_LIMIT or collections_of(writes) > COMPOSITE_COLLECTIONS:
            too_many = FieldError(
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {UPDATE_LIMIT} records in "
                f"{COMPOSITE_COLLECTIONS} collections of {COLLECTION_LIMIT} into this call (this "
                f"call had {count} in {collections_of(writes)})",
            )
            raise UpdateRefused(
                f"{what} records in one save: at most {UPDATE_LIMIT} per call; nothing was sent.",
                [
                    SaveResult(str(r.get("Id") or ""), False, (too_many,))
                    for w in writes
                    for r in w.records
                ],
            )
        if not count:
            return []
        body = save_request(writes, self.api_version)
        attempts = self.retry.attempts
        for attempt in range(attempts):
            try:
                answer = self._sf.restful("composite", method="POST", json=body)
            except SalesforceError as e:
                if not (isinstance(e, SalesforceGeneralError) and e.status >= 500):
                    raise self._org_error(e, f"the save of {what} records") from None
                outcome = f"HTTP {e.status}"
            except requests.RequestException as e:
                if not is_transient(e):
                    raise self._unavailable(e, f"the save of {what} records") from None
                outcome = type(e).__name__
            else:
                results = save_results(answer, writes)
                if all(r.success for r in results):
                    return results
                if attempt + 1 < attempts and lock_contention(results):
                    self._sleep(self.retry.delay(attempt))
                    continue
                names = " + ".join(w.object_name for w in writes)
                raise UpdateRefused(refusal_message(names, results), results)
            if attempt + 1 == attempts:
                raise OrgUnavailable(
                    f"Salesforce did not confirm the save of {what} records after {attempts} "
                    f"tries ({outcome}). Run the push again: it re-reads the records first, so "
                    "nothing is applied twice."
                )
            log.warning("save of %s: %s; sending again (safe to repeat)", what, outcome)
            self._sleep(self.retry.delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def describe(self, object_name: str) -> ObjectDescribe:
        key = object_name.lower()
        if key not in self._describes:
            try:
                body = self._sf.restful(f"sobjects/{object_name}/describe")
            except SalesforceResourceNotFound:
                raise UnknownObject(
                    f"{object_name} does not exist in this org, or this user cannot see it."
                ) from None
            except SalesforceError as e:
                raise self._org_error(e, f"describe of {object_name}") from None
            except requests.RequestException as e:
                raise self._unavailable(e, f"describe of {object_name}") from None
            self._describes[key] = object_describe(body or {})
        return self._describes[key]

    def limits(self) -> ApiLimits:
        try:
            body = self._sf.restful("limits")
        except SalesforceError as e:
            raise self._org_error(e, "reading the API limits") from None
        except requests.RequestException as e:
            raise self._unavailable(e, "reading the API limits") from None
        daily = (body or {}).get("DailyApiRequests", {})
        # An org past its limit (Salesforce allows bursts) has no calls left, never fewer.
        return ApiLimits(int(daily.get("Max", 0)), max(0, int(daily.get("Remaining", 0))))

    def identity(self) -> OrgIdentity:
        """Who we are: the userinfo endpoint, plus the org's name. Fetched once."""
        if self._identity is None:
            try:
                who: dict[str, Any] = self._sf.oauth2("userinfo") or {}
                org_id = str(who.get("organization_id", ""))
                org = self._sf.restful(f"sobjects/Organization/{org_id}", params={"fields": "Name"})
            except SalesforceError as e:
                raise self._org_error(e, "reading who is signed in") from None
            except requests.RequestException as e:
                raise self._unavailable(e, "reading who is signed in") from None
            self._identity = OrgIdentity(
                org_id=org_id,
                org_name=str((org or {}).get("Name", "")),
                user_id=str(who.get("user_id", "")),
                username=str(who.get("preferred_username", "")),
                instance=self.instance_url,
            )
        return self._identity

    def check_api_version(self) -> None:
        """The org offers this client's API version (``GET /services/data``), else say which to set."""
        try:
            response = self._session.get(f"{self.instance_url}/services/data/")
            offered = [str(v.get("version")) for v in response.json()]
        except requests.RequestException as e:
            raise self._unavailable(e, "listing the API versions") from None
        except (ValueError, AttributeError, TypeError):
            return  # no usable list: the calls themselves will say what is wrong
        if offered and self.api_version not in offered:
            newest = max(offered, key=float)
            raise ApiVersionUnavailable(
                f"{self.instance_url} does not offer Salesforce API version {self.api_version} "
                f'(its newest is {newest}). Set api_version = "{newest}" for this org in '
                "~/.demandgrid/orgs.toml (or pass --api-version at login)."
            )

    def verify_mapping(self, profile: MappingProfile) -> None:
        """Every mapped object and field exists, and the adjusted value and note are updateable
        for this user; else ``MappingMismatch`` naming what is missing."""
        check_mapping(self.describe, profile, self.identity().username)

    # ------------------------------------------------------------ internals

    def _refresh_token(self) -> str:
        token = self._tokens.refresh()
        self._sf.session_id = token
        self._sf.headers["Authorization"] = "Bearer " + token
        return token

    def _composite(self, object_name: str, records: list[Record]) -> dict[str, Any]:
        prefix = f"/services/data/v{self.api_version}"
        return {
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "PATCH",
                    "url": f"{prefix}/composite/sobjects",
                    "referenceId": f"{object_name}_{n}",
                    "body": {
                        "allOrNone": True,
                        "records": [{"attributes": {"type": object_name}, **r} for r in batch],
                    },
                }
                for n, batch in enumerate(chunks(records, COLLECTION_LIMIT))
            ],
        }

    def _already_written(self, object_name: str, records: list[Record]) -> set[str]:
        """Ids of records whose values the org already holds (a write that landed)."""
        fields = sorted({k for r in records for k in r if k != "Id"})
        held: dict[str, dict[str, Any]] = {}  # by the 15-character Id; fields by lower-case name
        for batch in chunks(records, _REREAD_BATCH):
            soql = format_soql(
                "SELECT Id, {:literal} FROM {:literal} WHERE Id IN {}",
                ", ".join(fields),
                object_name,
                [r["Id"] for r in batch],
            )
            for rec in self.query(soql):
                held[str(rec["Id"])[:15]] = {k.lower(): v for k, v in rec.items()}
        landed = set()
        for r in records:
            mine = held.get(str(r["Id"])[:15])
            if mine is not None and all(same_value(mine.get(f.lower()), r.get(f)) for f in fields):
                landed.add(r["Id"])
        return landed

    def _org_error(self, e: SalesforceError, what: str) -> OrgError:
        code, message = error_code(e.content), error_message(e.content)
        if isinstance(e, SalesforceExpiredSession):
            return SessionExpired(
                f"The Salesforce session for {self.instance_url} has expired and could not be "
                "renewed. Sign in again (`demandgrid login`), then repeat the command."
            )
        if code == "REQUEST_LIMIT_EXCEEDED":
            usage = self._session.last_usage
            budget = f" ({usage})" if usage else ""
            return ApiLimitExceeded(
                f"Salesforce refused {what}: the org's daily API request limit is spent{budget}. "
                "Nothing was written by this call and nothing is lost. Try again once the rolling "
                "24-hour window frees calls, or ask your admin to raise the limit."
            )
        if isinstance(e, SalesforceMalformedRequest) and "query" in what:
            return QueryRefused(
                f"Salesforce refused {what}: {message} ({code}).", code or "MALFORMED_QUERY"
            )
        if isinstance(e, SalesforceRefusedRequest):
            return OrgError(
                f"Salesforce refused {what}: {message} ({code}). The signed-in user may lack "
                "access: ask your admin."
            )
        if isinstance(e, SalesforceGeneralError) and e.status >= 500:
            return OrgUnavailable(
                f"Salesforce failed {what} (HTTP {e.status}) after retries: {message}. "
                "Try again in a few minutes; nothing is lost."
            )
        return OrgError(f"Salesforce refused {what}: {message} ({code or e.status}).")

    def _unavailable(self, e: requests.RequestException, what: str) -> OrgUnavailable:
        return OrgUnavailable(
            f"Salesforce at {self.instance_url} did not answer {what} "
            f"({type(e).__name__}) after {self.retry.attempts} tries. Check the network "
            "connection and try again; nothing is lost."
        )
