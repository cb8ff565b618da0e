"""Bulk API 2.0 query: a big read in a few calls instead of one call per 2,000 records.

``SalesforceOrg.query`` asks REST for the first page; when its ``totalSize`` is above
``BULK_THRESHOLD`` and the SOQL is one Bulk 2.0 can run (``bulk_eligible``: no aggregates,
``GROUP BY``, ``OFFSET``, ``TYPEOF`` or subqueries), it runs the query as a Bulk job instead:
``POST jobs/query`` (create), ``GET jobs/query/{id}`` (poll until ``JobComplete``, waiting a
little longer each time), then ``GET jobs/query/{id}/results?maxRecords=`` paged by the
``Sforce-Locator`` header (``"null"`` on the last set), all in the API version the job was created
with (another version is refused with 409). The CSV rows come back as the records REST would
give: parents as nested dicts, numbers, booleans and ``None`` by the object's describe.

Every call goes through the backend's ``WireSession``: counted (as ``query``), token refreshed
once on 401, reads retried on 5xx and dropped connections, never a header or a body in the logs.
A job that Salesforce refuses to create (400) or that ends ``Failed`` or ``Aborted`` is not an
error for the user: ``start`` answers ``None`` and the backend reads the same query over REST.

Writes never go through Bulk ingest (it is not all-or-none): they stay on Composite calls.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests

from sync.org.seam import (
    ApiLimitExceeded,
    ObjectDescribe,
    OrgError,
    OrgUnavailable,
    Record,
    SessionExpired,
)
from sync.salesforce.wire import error_code, error_message

#: Records above which a query runs as a Bulk 2.0 job (10 REST pages of 2,000).
BULK_THRESHOLD = 20_000
#: Records per results call (``maxRecords``): 100,000 rows of a cell query are about 40 MB of CSV.
RESULTS_PAGE = 100_000
#: How long a job may take before we give up on it (seconds).
MAX_WAIT = 600.0

log = logging.getLogger("sync.salesforce.backend")

_UNSUPPORTED = re.compile(
    r"\b(?:COUNT|COUNT_DISTINCT|SUM|AVG|MIN|MAX|FORMAT|convertCurrency|toLabel)\s*\("
    r"|\bGROUP\s+BY\b|\bOFFSET\b|\bTYPEOF\b|\(\s*SELECT\b|\bFOR\s+(?:VIEW|REFERENCE|UPDATE)\b",
    re.IGNORECASE,
)
_DONE = "null"  # the Sforce-Locator of the last result set
_FINISHED_BADLY = ("Failed", "Aborted")


def bulk_eligible(soql: str) -> bool:
    """Whether Bulk API 2.0 can run ``soql``: not an aggregate, ``GROUP BY``, ``OFFSET``,
    ``TYPEOF``, subquery or ``FOR VIEW/REFERENCE/UPDATE`` (those stay on REST)."""
    return _UNSUPPORTED.search(soql) is None


@dataclass(frozen=True)
class BulkJob:
    """A query job that reached ``JobComplete``."""

    id: str
    object_name: str
    version: str
    records: int


class Bulk:
    """Bulk 2.0 query jobs over the backend's session.

    ``base`` is ``<instance>/services/data/v<version>``; ``headers`` gives the current
    ``Authorization`` headers; ``describe`` the (cached) describe of an object."""

    def __init__(
        self,
        session: requests.Session,
        base: str,
        headers: Callable[[], dict[str, str]],
        describe: Callable[[str], ObjectDescribe],
        sleep: Callable[[float], None],
        *,
        max_wait: float = MAX_WAIT,
        page: int = RESULTS_PAGE,
    ) -> None:
        self._session = session
        self._base = base.rstrip("/")
        self._headers = headers
        self._describe = describe
        self._sleep = sleep
        self.max_wait = max_wait
        self.page = page

    @property
    def version(self) -> str:
        return self._base.rsplit("/v", 1)[1]

    def start(self, soql: str) -> BulkJob | None:
        """Create the job and wait until it is complete; ``None`` when Bulk cannot run it
        (refused at creation, or the job ended ``Failed`` or ``Aborted``): read it over REST."""
        body = {"operation": "query", "query": soql, "contentType": "CSV", "lineEnding": "LF"}
        response = self._call("POST", "/jobs/query", json=body, idempotent=True)
        if response.status_code == 400:
            log.warning("Bulk query refused (%s); reading over REST", error_code(_json(response)))
            return None
        info = self._ok(response, "creating a Bulk query job")
        job_id, object_name = str(info.get("id", "")), str(info.get("object", ""))
        waited, attempt = 0.0, 0
        while True:
            state_info = self._ok(self._call("GET", f"/jobs/query/{job_id}"), "a Bulk job's state")
            state = str(state_info.get("state", ""))
            if state == "JobComplete":
                count = int(state_info.get("numberRecordsProcessed") or 0)
                return BulkJob(job_id, object_name, self.version, count)
            if state in _FINISHED_BADLY:
                reason = state_info.get("errorMessage") or "no reason given"
                log.warning("Bulk query job %s %s (%s); reading over REST", job_id, state, reason)
                return None
            if waited >= self.max_wait:
                self._abort(job_id)
                raise OrgUnavailable(
                    f"Salesforce's Bulk API did not finish reading {object_name} within "
                    f"{self.max_wait:.0f} seconds (job {job_id}). Nothing was changed; try again "
                    "later, when the org is less busy."
                )
            delay = min(8.0, 0.25 * (2**attempt))
            self._sleep(delay)
            waited += delay
            attempt += 1

    def records(self, job: BulkJob) -> Iterator[Record]:
        """The job's records, one results call per ``page`` records, shaped as REST gives them."""
        locator: str | None = None
        shape: _Shape | None = None
        read = 0
        while True:
            params: dict[str, Any] = {"maxRecords": self.page}
            if locator:
                params["locator"] = locator
            response = self._call("GET", f"/jobs/query/{job.id}/results", params=params)
            if response.status_code == 409:
                raise OrgError(
                    f"Salesforce refused the results of Bulk job {job.id}: they must be read in "
                    f"the API version the job was created with ({job.version}). Run the command "
                    "again; it starts a new job."
                )
            self._ok(response, "the results of a Bulk query job", json_body=False)
            rows = csv.reader(io.StringIO(response.content.decode("utf-8")))
            header = next(rows, None)
            if header is not None:
                shape = shape or _Shape(job.object_name, header, self._describe)
                for row in rows:
                    read += 1
                    yield shape.record(row)
            locator = response.headers.get("Sforce-Locator") or _DONE
            if locator == _DONE:
                if job.records and read != job.records:  # never a silently short read
                    raise OrgUnavailable(
                        f"Salesforce's Bulk job {job.id} reported {job.records:,} {job.object_name} "
                        f"records but its results held {read:,}. Nothing was changed; run the "
                        "command again."
                    )
                return

    # ------------------------------------------------------------ calls

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self._headers(), "Accept": "application/json, text/csv"}
        started = time.perf_counter()
        response = self._session.request(method, self._base + path, headers=headers, **kwargs)
        log.debug("bulk %s %s: %s in %.2f s", method, path, response.status_code, _since(started))
        return response

    def _ok(self, response: requests.Response, what: str, *, json_body: bool = True) -> Any:
        status = response.status_code
        if status < 300:
            return _json(response) if json_body else None
        content = _json(response)
        code, message = error_code(content), error_message(content)
        if status == 401:  # the session already tried to renew the token once
            raise SessionExpired(
                f"The Salesforce session expired during {what} and could not be renewed. Sign "
                "in again (`demandgrid login`), then repeat the command."
            )
        if code == "REQUEST_LIMIT_EXCEEDED":
            raise ApiLimitExceeded(
                f"Salesforce refused {what}: the org's daily API request limit is spent. Nothing "
                "was written and nothing is lost. Try again once the rolling 24-hour window frees "
                "calls, or ask your admin to raise the limit."
            )
        if status >= 500:
            raise OrgUnavailable(
                f"Salesforce failed {what} (HTTP {status}) after retries: {message}. Try again in "
                "a few minutes; nothing is lost."
            )
        raise OrgError(f"Salesforce refused {what}: {message} ({code or status}).")

    def _abort(self, job_id: str) -> None:
        try:
            self._call("PATCH", f"/jobs/query/{job_id}", json={"state": "Aborted"})
        except requests.RequestException:
            pass  # the job expires on its own; nothing depends on it


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


def _since(started: float) -> float:
    return time.perf_counter() - started


# ---------------------------------------------------------------- CSV rows -> records


def _number(text: str) -> float:
    return float(text)


def _integer(text: str) -> Any:
    value = float(text)
    return int(value) if value.is_integer() else value


def _boolean(text: str) -> bool:
    return text.lower() == "true"


def _datetime(text: str) -> str:
    # Bulk writes UTC as "...Z"; REST as "...+0000": records look the same either way.
    return text[:-1] + "+0000" if text.endswith("Z") else text


_CONVERT: dict[str, Callable[[str], Any]] = {
    "double": _number,
    "currency": _number,
    "percent": _number,
    "int": _integer,
    "boolean": _boolean,
    "datetime": _datetime,
}


class _Shape:
    """How a CSV row of ``header`` (dotted column names) becomes a REST-shaped record: parents as
    nested dicts (``None`` when every field of the parent is empty), values typed by describe."""

    def __init__(
        self, object_name: str, header: list[str], describe: Callable[[str], ObjectDescribe]
    ) -> None:
        paths = [tuple(name.split(".")) for name in header]
        self._object = object_name
        self._columns = [
            (path[:-1], path[-1], self._converter(object_name, path, describe)) for path in paths
        ]
        self._parents = sorted({p[:n] for p in paths for n in range(1, len(p))}, key=len)
        self._types = {p: self._walk(object_name, p, describe) or p[-1] for p in self._parents}

    def record(self, row: list[str]) -> Record:
        root: Record = {"attributes": {"type": self._object}}
        nodes: dict[tuple[str, ...], Record] = {(): root}
        for parent in self._parents:
            child: Record = {"attributes": {"type": self._types[parent]}}
            nodes[parent[:-1]][parent[-1]] = child
            nodes[parent] = child
        for (parent, key, convert), text in zip(self._columns, row, strict=False):
            nodes[parent][key] = None if text == "" else (convert(text) if convert else text)
        for parent in reversed(self._parents):  # deepest first: an empty parent becomes None
            node = nodes[parent]
            if all(v is None for k, v in node.items() if k != "attributes"):
                nodes[parent[:-1]][parent[-1]] = None
        return root

    @staticmethod
    def _walk(
        object_name: str, path: tuple[str, ...], describe: Callable[[str], ObjectDescribe]
    ) -> str | None:
        """The object at the end of the relationship ``path`` from ``object_name``."""
        current: str | None = object_name
        for name in path:
            if current is None:
                return None
            try:
                d = describe(current)
            except OrgError:
                return None
            match = next(
                (
                    f
                    for f in d.fields
                    if (f.relationship_name or "").lower() == name.lower() and f.reference_to
                ),
                None,
            )
            current = match.reference_to[0] if match else None
        return current

    def _converter(
        self, object_name: str, path: tuple[str, ...], describe: Callable[[str], ObjectDescribe]
    ) -> Callable[[str], Any] | None:
        owner = self._walk(object_name, path[:-1], describe)
        if owner is None:
            return None
        try:
            field = describe(owner).field(path[-1])
        except OrgError:
            return None
        return _CONVERT.get(field.type) if field is not None else None
