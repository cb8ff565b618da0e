"""Bulk API 2.0 query jobs for the test server, as the Bulk API 2.0 guide describes them:
``POST jobs/query`` creates a job (``UploadComplete``), ``GET jobs/query/{id}`` answers its state
(``InProgress`` for ``polls`` polls, then ``JobComplete``; ``Failed`` with an ``errorMessage``
when a test says so), ``PATCH`` with ``{"state": "Aborted"}`` aborts it, ``DELETE`` removes it,
and ``GET jobs/query/{id}/results?locator=&maxRecords=`` answers CSV (every value quoted, columns
in the order the query names them, parents as dotted columns, null as empty) with the
``Sforce-NumberOfRecords`` and ``Sforce-Locator`` headers (``null`` on the last set). Results are
read in the API version the job was created with, else 409. Records come from the org's query
cursor set by set; once the last set is read, only that set can be read again (Salesforce keeps
every set while the job exists). Queries Bulk cannot run (aggregates,
``GROUP BY``, ``OFFSET``, ``TYPEOF``, subqueries) are refused at creation with 400.

Pure bookkeeping: the server runs the query on the org's thread and hands the records here."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import itertools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .wire import WireError

#: Bulk API 2.0 query exists from this API version on.
FIRST_VERSION = 47.0
#: Records per result set when the client gives no ``maxRecords``.
DEFAULT_PAGE = 50_000
_REFUSED = re.compile(
    r"\b(?:COUNT|COUNT_DISTINCT|SUM|AVG|MIN|MAX)\s*\(|\bGROUP\s+BY\b|\bOFFSET\b|\bTYPEOF\b"
    r"|\(\s*SELECT\b",
    re.IGNORECASE,
)
_SELECT = re.compile(r"^\s*SELECT\s+(.*?)\s+FROM\s+(\w+)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class CsvAnswer:
    """A CSV body and the headers that go with it."""

    text: str
    headers: dict[str, str]


@dataclass
class Job:
    id: str
    object_name: str
    soql: str
    version: str
    created_by: str
    columns: list[str]
    records: Sequence[dict[str, Any]]
    polls: int  # InProgress answers left before JobComplete
    state: str = "UploadComplete"
    error: str = ""
    served: list[int] = field(default_factory=list)  # records per results call, in order

    def info(self) -> dict[str, Any]:
        answer = {
            "id": self.id,
            "operation": "query",
            "object": self.object_name,
            "createdById": self.created_by,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        }
        if self.state == "JobComplete":
            answer["numberRecordsProcessed"] = len(self.records)
        if self.state == "Failed":
            answer["errorMessage"] = self.error
        return answer


class BulkJobs:
    """The server's query jobs. ``polls`` is how many state polls answer ``InProgress`` before a
    job completes; ``fail_next`` makes the next job end ``Failed`` with that message."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._numbers = itertools.count(1)
        self.polls = 0
        self.fail_next: str | None = None

    def __getitem__(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise WireError(404, "NOT_FOUND", f"Job with ID {job_id} was not found.")
        return job

    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    @staticmethod
    def check(body: Any, version: str) -> tuple[str, str, list[str]]:
        """(SOQL, object, columns) of a create request, or the 400 Salesforce answers."""
        if float(version) < FIRST_VERSION:
            raise WireError(404, "NOT_FOUND", "The requested resource does not exist")
        if not isinstance(body, dict) or body.get("operation") not in ("query", "queryAll"):
            raise WireError(400, "API_ERROR", "operation: a query job needs 'query' or 'queryAll'.")
        soql = str(body.get("query") or "")
        if body.get("contentType", "CSV") != "CSV":
            raise WireError(400, "API_ERROR", "contentType: only CSV is supported.")
        if _REFUSED.search(soql):
            raise WireError(
                400,
                "API_ERROR",
                "Bulk API 2.0 does not support aggregate functions, GROUP BY, OFFSET, TYPEOF or "
                "nested queries.",
            )
        m = _SELECT.match(soql)
        if m is None:
            raise WireError(400, "API_ERROR", "The query is not a SOQL SELECT.")
        columns = [c.strip() for c in m.group(1).split(",") if c.strip()]
        return soql, m.group(2), columns

    def create(
        self,
        soql: str,
        object_name: str,
        columns: list[str],
        records: Sequence[dict[str, Any]],
        version: str,
        user_id: str,
    ) -> Job:
        number = next(self._numbers)
        job = Job(
            id=f"750{number:012d}AAA",
            object_name=object_name,
            soql=soql,
            version=version,
            created_by=user_id,
            columns=columns,
            records=records,
            polls=self.polls,
        )
        if self.fail_next is not None:
            job.error, self.fail_next = self.fail_next, None
        with self._lock:
            self._jobs[job.id] = job
        return job

    def state(self, job_id: str) -> dict[str, Any]:
        job = self[job_id]
        if job.state in ("UploadComplete", "InProgress"):
            if job.polls > 0:
                job.polls -= 1
                job.state = "InProgress"
            else:
                job.state = "Failed" if job.error else "JobComplete"
        return job.info()

    def abort(self, job_id: str, body: Any) -> dict[str, Any]:
        job = self[job_id]
        if not isinstance(body, dict) or body.get("state") != "Aborted":
            raise WireError(400, "API_ERROR", "state: a query job can only be set to Aborted.")
        if job.state in ("JobComplete", "Failed"):
            raise WireError(400, "API_ERROR", f"The job is {job.state}: it cannot be aborted.")
        job.state = "Aborted"
        return job.info()

    def delete(self, job_id: str) -> None:
        self[job_id]
        with self._lock:
            del self._jobs[job_id]

    def results(self, job_id: str, version: str, query: dict[str, list[str]]) -> CsvAnswer:
        job = self[job_id]
        if job.version != version:
            raise WireError(
                409,
                "API_ERROR",
                f"The job was created in API version {job.version}: read its results in the same "
                "version.",
            )
        if job.state != "JobComplete":
            raise WireError(
                412,
                "JOB_NOT_COMPLETE",
                "can only download query results of successfully completed bulk job with "
                f"status: JOB_COMPLETE. Current status: {job.state.upper()}",
            )
        start = _offset((query.get("locator") or [""])[0])
        size_text = (query.get("maxRecords") or [str(DEFAULT_PAGE)])[0]
        if not size_text.isdigit() or int(size_text) < 1:
            raise WireError(400, "API_ERROR", "maxRecords must be a positive whole number.")
        end = min(len(job.records), start + int(size_text))
        job.served.append(end - start)
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(job.columns)
        paths = [c.split(".") for c in job.columns]
        for record in job.records[start:end]:
            writer.writerow([_csv_value(_at(record, path)) for path in paths])
        locator = locator_for(end) if end < len(job.records) else "null"
        headers = {"Sforce-NumberOfRecords": str(end - start), "Sforce-Locator": locator}
        return CsvAnswer(out.getvalue(), headers)


class PagedRecords:
    """A job's records, read from the org's query cursor page by page as result sets are asked
    for (``run`` runs a function on the org's thread): half a million records never sit in the
    server at once."""

    def __init__(self, run: Callable[[Callable[[Any], Any]], Any], first: Any) -> None:
        self._run, self._first = run, list(first.records)
        self._total = int(first.total_size)
        self._cursor = (first.next_locator or "").partition("-")[0]
        self._last: tuple[int, list[dict[str, Any]]] = (0, [])

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, span: slice) -> list[dict[str, Any]]:
        start, stop = span.start or 0, min(self._total, span.stop or self._total)
        out: list[dict[str, Any]] = []
        offset = start
        while offset < stop:
            first, records = self._page_at(offset)
            if not records:
                break
            out.extend(records[offset - first : stop - first])
            offset = first + len(records)
        return out

    def _page_at(self, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(first offset, records) of a page holding ``offset``; the last page read is kept, as
        the org closes its cursor once its end is read and a result set may be asked again."""
        if offset < len(self._first):
            return 0, self._first
        at, records = self._last
        if at <= offset < at + len(records):
            return at, records
        locator = f"{self._cursor}-{offset}"
        page = self._run(lambda org: org.query_more(locator))
        self._last = (offset, list(page.records))
        return self._last


def locator_for(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def _offset(locator: str) -> int:
    if not locator:
        return 0
    try:
        text = base64.b64decode(locator, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    if not text.isdigit():
        raise WireError(400, "INVALID_LOCATOR", f"Invalid locator: {locator}")
    return int(text)


def _at(record: Any, path: list[str]) -> Any:
    node = record
    for key in path:
        if not isinstance(node, dict):
            return None
        found = node.get(key)
        if found is None and key not in node:
            lower = key.lower()
            found = next((v for k, v in node.items() if k.lower() == lower), None)
        node = found
    return node


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.endswith("+0000") and "T" in text:  # Bulk writes UTC datetimes with a Z
        return text[:-5] + "Z"
    return text
