"""The HTTP session the Salesforce backend hands to simple-salesforce: a timeout on every
request, API calls counted by kind, a one-time token refresh on 401 ``INVALID_SESSION_ID``,
retries with exponential backoff for reads (5xx, timeouts, dropped connections), and the org's
daily API usage read from each answer's ``Sforce-Limit-Info`` header.

Writes are not retried here: their outcome may be unknown, so ``SalesforceOrg.update`` re-reads
before it re-sends. A POST that only reads (creating a Bulk query job) says so with
``idempotent=True`` and is retried like a GET. Requests are logged by kind and path only: never headers, never a body.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from sync.org.seam import CallCounter

log = logging.getLogger("sync.salesforce.backend")

_RETRY_STATUS = {500, 502, 503, 504}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry: ``attempts`` tries in all, waiting
    ``base_delay * 2**n`` (at most ``max_delay``) seconds between them."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * (2**attempt))


@dataclass(frozen=True)
class ApiUsage:
    """The org's daily API requests, ``used`` of ``limit``, from a ``Sforce-Limit-Info`` header.

    Salesforce lets an org run past its limit for a while (``api-usage=110018/100000``): then
    no calls are left, never a negative number."""

    used: int
    limit: int

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def over_limit(self) -> bool:
        return self.used > self.limit

    def __str__(self) -> str:
        if self.over_limit:
            return (
                f"{self.used:,} of {self.limit:,} daily calls used: the org is over its limit "
                f"by {self.used - self.limit:,}, no calls left"
            )
        return f"{self.left:,} of {self.limit:,} daily calls left"


_USAGE = re.compile(r"^\s*api-usage\s*=\s*(\d{1,15})\s*/\s*(\d{1,15})\s*$", re.IGNORECASE)


def parse_limit_info(header: str | None) -> ApiUsage | None:
    """The ``api-usage=<used>/<limit>`` field of a ``Sforce-Limit-Info`` header, else ``None``.

    Fields are ``;``-separated and may come in any order (``per-app-api-usage=17/250(appName=x)``
    is another app's quota, not the org's); a malformed value is ignored, never guessed at."""
    for part in (header or "").split(";"):
        m = _USAGE.match(part)
        if m:
            return ApiUsage(int(m.group(1)), int(m.group(2)))
    return None


class _CallOwner(Protocol):
    calls: CallCounter


def call_kind(method: str, path: str) -> str:
    if "/query" in path:
        return "query"
    if path.endswith("/describe") or path.endswith("/describe/"):
        return "describe"
    if re.search(r"/limits/?$", path):
        return "limits"
    if method in ("POST", "PATCH") and ("/composite" in path or "/sobjects/" in path):
        return "update"
    return "other"


def is_transient(e: requests.RequestException) -> bool:
    """A timeout or a dropped connection (not a certificate problem)."""
    if isinstance(e, requests.exceptions.SSLError):
        return False
    return isinstance(e, (requests.Timeout, requests.ConnectionError))


def error_code(content: Any) -> str:
    first = _first_error(content)
    return str(first.get("errorCode") or first.get("error") or "")


def error_message(content: Any) -> str:
    first = _first_error(content)
    return str(first.get("message") or first.get("error_description") or "no details given")


def _first_error(content: Any) -> dict[str, Any]:
    if isinstance(content, (str, bytes)):
        try:
            content = json.loads(content)
        except ValueError:
            return {}
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0]
    return content if isinstance(content, dict) else {}


class WireSession(requests.Session):
    def __init__(
        self,
        owner: _CallOwner,
        retry: RetryPolicy,
        timeout: float | tuple[float, float],
        refresh: Callable[[], str],
        sleep: Callable[[float], None],
    ) -> None:
        super().__init__()
        self._owner = owner
        self._retry = retry
        self._timeout = timeout
        self._refresh = refresh
        self._sleep = sleep
        #: daily API requests from the last answer with a well-formed ``Sforce-Limit-Info``
        self.last_usage: ApiUsage | None = None

    def __repr__(self) -> str:
        return "WireSession()"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any):  # type: ignore[override]
        method = method.decode() if isinstance(method, bytes) else method
        url = url.decode() if isinstance(url, bytes) else url
        kwargs.setdefault("timeout", self._timeout)
        # requests lets REQUESTS_CA_BUNDLE override a session's own ``verify``; the session wins.
        kwargs.setdefault("verify", self.verify)
        retried = kwargs.pop("idempotent", False) or method.upper() == "GET"
        path = urlsplit(url).path
        kind = call_kind(method.upper(), path)
        attempt, refreshed = 0, False
        while True:
            self._count(kind, method, path)
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.RequestException as e:
                if not retried or not is_transient(e) or not self._again(attempt):
                    raise
                log.warning("%s %s: %s; retrying", method, path, type(e).__name__)
                self._sleep(self._retry.delay(attempt))
                attempt += 1
                continue
            self._note_usage(response)
            if response.status_code == 401 and not refreshed and _invalid_session(response):
                log.info("session expired; renewing the access token once")
                token = self._refresh()
                kwargs["headers"] = {
                    **(kwargs.get("headers") or {}),
                    "Authorization": f"Bearer {token}",
                }
                refreshed = True
                continue
            if retried and response.status_code in _RETRY_STATUS and self._again(attempt):
                log.warning("%s %s: HTTP %s; retrying", method, path, response.status_code)
                self._sleep(self._retry.delay(attempt))
                attempt += 1
                continue
            return response

    def _again(self, attempt: int) -> bool:
        return attempt + 1 < self._retry.attempts

    def _count(self, kind: str, method: str, path: str) -> None:
        calls = self._owner.calls
        setattr(calls, kind, getattr(calls, kind) + 1)
        calls.log.append(f"{kind}: {method} {path}")

    def _note_usage(self, response: requests.Response) -> None:
        usage = parse_limit_info(response.headers.get("Sforce-Limit-Info"))
        if usage is not None:
            self.last_usage = usage


def _invalid_session(response: requests.Response) -> bool:
    try:
        return error_code(response.json()) == "INVALID_SESSION_ID"
    except ValueError:
        return False
