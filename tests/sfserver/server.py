"""An in-process HTTPS server speaking Salesforce's REST wire protocol in front of an org
(normally the embedded local org), so the Salesforce backend runs through simple-salesforce
for real in tests: OAuth (authorize, token: refresh, authorization code with PKCE, JWT bearer),
userinfo, SOQL queries with ``nextRecordsUrl`` paging, describe, limits, sObject Collections,
Composite, single-record GET and PATCH, ``HEAD``; Salesforce's status codes and JSON error bodies
(404, 405 with the allowed methods, ``JSON_PARSER_ERROR``, 500 ``UNKNOWN_EXCEPTION``); chunked and
gzip request bodies; record URLs in the requested API version; ``Sforce-Limit-Info:
api-usage=<used>/<limit>`` on every authenticated REST answer, from the org's daily API budget,
charged one call per REST request; Bulk API 2.0 query jobs with CSV results paged by locator
(see ``bulk``); API calls counted by kind; faults injected by test (see ``faults``). Binds to 127.0.0.1 only.

The org is created and used on one worker thread (SQLite connections belong to their thread);
HTTP requests are handled on their own threads so a slow answer does not block the next one.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import tempfile
import threading
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

from sync.localorg.soql.shape import API_VERSION as SHAPED_VERSION
from sync.org.seam import ApiLimitExceeded, OrgError, QueryRefused

from . import wire
from .bulk import BulkJobs, CsvAnswer, PagedRecords
from .faults import KINDS, Fault, FaultQueue
from .oauth import OAuth

_DATA = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")
_CA: trustme.CA | None = None
_CERT: trustme.LeafCert | None = None
_CA_LOCK = threading.Lock()
#: Salesforce refuses a request URI (plus headers) over 16,384 bytes: long SOQL must be split.
MAX_URI = 16_384
WRITE_KINDS = ("composite", "collections", "sobject_update")
#: Resources under ``/services/data/vXX.X``: path pattern, and the request kind by method.
#: A known path asked with another method is answered 405 naming the methods it allows.
RESOURCES: list[tuple[str, dict[str, str]]] = [
    (r"/query", {"GET": "query"}),
    (r"/query/[^/]+", {"GET": "query_more"}),
    (r"/sobjects/\w+/describe", {"GET": "describe"}),
    (r"/limits", {"GET": "limits"}),
    (r"/composite/sobjects", {"PATCH": "collections"}),
    (r"/composite/sobjects/\w+/\w+", {"PATCH": "upsert"}),
    (r"/composite", {"POST": "composite"}),
    (r"/sobjects/Organization/\w+", {"GET": "sobject", "PATCH": "sobject_update"}),
    (r"/sobjects/\w+/\w+", {"GET": "record", "PATCH": "sobject_update"}),
    (r"/jobs/query", {"POST": "bulk_create"}),
    (r"/jobs/query/\w+", {"GET": "bulk_job", "PATCH": "bulk_abort", "DELETE": "bulk_delete"}),
    (r"/jobs/query/\w+/results", {"GET": "bulk_results"}),
]
LIMIT_MESSAGE = "TotalRequests Limit exceeded."
#: Largest request body the server reads (Salesforce's REST limit is far above what tests send).
MAX_BODY = 50 * 1024 * 1024


def _ca() -> trustme.CA:
    """One CA and one server certificate per process: making keys is the slow part."""
    global _CA, _CERT
    with _CA_LOCK:
        if _CA is None:
            _CA = trustme.CA()
            _CERT = _CA.issue_cert("127.0.0.1", "localhost")
        return _CA


def _cert() -> trustme.LeafCert:
    _ca()
    assert _CERT is not None
    return _CERT


class SalesforceServer:
    """Start with ``with SalesforceServer(lambda: LocalOrg(path)) as server:``; then
    ``server.url`` is the instance URL, ``server.ca_pem`` the CA file a requests session trusts,
    ``server.issue_refresh_token()`` a refresh token its token endpoint accepts."""

    def __init__(
        self,
        org_factory: Callable[[], Any],
        *,
        client_id: str = "demandgrid-test-client",
        jwt_public_key: bytes | None = None,
        min_version: float = 31.0,
        max_version: float = 67.0,
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sfserver-org")
        self._org = self._pool.submit(org_factory).result()
        self._charge = self.run(_one_call_per_request)
        self.identity = self.run(lambda org: org.identity())
        self.oauth = OAuth(client_id, self.identity, jwt_public_key)
        self.min_version = min_version
        self.max_version = max_version
        self.calls: Counter[str] = Counter()
        self.faults = FaultQueue()
        #: describe tweaks by test: {"Object.Field": {"updateable": False}}, {"Object.Field": None} hides
        self.describe_overrides: dict[str, dict[str, Any] | None] = {}
        self.hidden_objects: set[str] = set()
        #: Bulk API 2.0 query jobs (``bulk.polls``: InProgress answers before JobComplete)
        self.bulk = BulkJobs()
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers)
        self.write_bodies: list[Any] = []  # JSON bodies of Collections/Composite/PATCH requests
        self.write_answers: list[Any] = []  # and what the server answered them
        self.internal_errors: list[str] = []  # tracebacks of requests answered 500 (a server bug)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="sfserver-")
        self.ca_pem = Path(self._dir.name) / "ca.pem"
        _ca().cert_pem.write_to_path(str(self.ca_pem))
        self.url = ""

    # ------------------------------------------------------------ lifecycle

    def start(self) -> SalesforceServer:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        _cert().configure_cert(ctx)
        httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        httpd.socket = ctx.wrap_socket(
            httpd.socket, server_side=True, do_handshake_on_connect=False
        )
        httpd.app = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self.url = f"https://127.0.0.1:{httpd.server_address[1]}"
        self.oauth.url = self.url
        threading.Thread(target=httpd.serve_forever, name="sfserver", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self._pool.submit(lambda: getattr(self._org, "close", lambda: None)()).result()
        self._pool.shutdown()
        self._dir.cleanup()

    def __enter__(self) -> SalesforceServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ for tests

    def run(self, fn: Callable[[Any], Any]) -> Any:
        """Run ``fn(org)`` on the org's thread (to inspect or change the org behind the server)."""
        return self._pool.submit(fn, self._org).result()

    # OAuth state lives in ``self.oauth``; these are the tests' handles on it.
    client_id = property(lambda self: self.oauth.client_id)
    issued = property(lambda self: self.oauth.issued)

    @property
    def jwt_public_key(self) -> bytes | None:
        return self.oauth.jwt_public_key

    @jwt_public_key.setter
    def jwt_public_key(self, key: bytes | None) -> None:
        self.oauth.jwt_public_key = key

    def issue_refresh_token(self) -> str:
        return self.oauth.issue_refresh_token()

    def issue_access_token(self) -> str:
        return self.oauth.issue_access_token()

    def expire_sessions(self) -> None:
        """Every access token issued so far stops working (refresh tokens keep working)."""
        self.oauth.expire_sessions()

    def revoke_refresh_tokens(self) -> None:
        self.oauth.revoke_refresh_tokens()

    def api_calls(self) -> int:
        """Calls that count against the daily API budget (OAuth endpoints do not)."""
        free = ("token", "authorize", "userinfo", "versions")
        return sum(n for k, n in self.calls.items() if k not in free)

    # ------------------------------------------------------------ dispatch

    def handle(self, req: _Handler, method: str) -> None:
        try:
            self._handle(req, method)
        except Exception:  # a bug in the server: answer as Salesforce does, and keep the trace
            self.internal_errors.append(traceback.format_exc())
            error = wire.WireError(
                500,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact "
                "support: 0000000000-00000 (0000000000)",
            )
            req.close_connection = True
            try:
                self._send(req, error.status, error.body)
            except OSError:
                pass

    def _handle(self, req: _Handler, method: str) -> None:
        parts = urlsplit(req.path)
        path, query = parts.path, parse_qs(parts.query)
        self.requests.append((method, path, dict(req.headers.items())))
        # One handler object serves every request of a keep-alive connection: reset per request.
        req.counts_against_limit = False
        req.allow = ""
        try:
            raw = _read_body(req)
        except wire.WireError as e:
            req.close_connection = True
            return self._send(req, e.status, e.body)
        kind, version, rest = self._route("GET" if method == "HEAD" else method, path)
        with self._lock:
            self.calls[kind] += 1
            number = self.calls[kind]
        fault = self.faults.take(kind, number) if kind in KINDS else None
        try:
            if kind == "unknown":
                raise wire.WireError(404, "NOT_FOUND", "The requested resource does not exist")
            if len(req.path) > MAX_URI:
                raise wire.WireError(414, "URI_TOO_LONG", f"The URI exceeds {MAX_URI} bytes.")
            if kind == "token":
                return self._send(req, *self.oauth.token(raw))
            if kind == "authorize":
                status, answer = self.oauth.authorize(query)
                if status == 302:
                    return self._redirect(req, answer)
                return self._send(req, status, answer)
            if fault is not None and fault.what == "expire":
                self.expire_sessions()
            if kind != "versions":  # Salesforce lists its versions to anyone
                self._authenticate(req)
            if kind not in ("versions", "userinfo"):  # OAuth and the version list are free
                req.counts_against_limit = True
            if fault is not None and fault.what == "limit":
                raise wire.WireError(403, "REQUEST_LIMIT_EXCEEDED", LIMIT_MESSAGE)
            if fault is not None and fault.what == "status":
                code = "SERVER_UNAVAILABLE" if fault.status == 503 else "UNKNOWN_EXCEPTION"
                raise wire.WireError(fault.status, code, f"Injected failure {fault.status}.")
            if req.counts_against_limit:
                self._charge_one_call(f"REST {method} {path}")
            if fault is not None and fault.what == "slow" and kind not in WRITE_KINDS:
                time.sleep(fault.seconds)
            if version is not None and not self.min_version <= float(version) <= self.max_version:
                raise wire.WireError(404, "NOT_FOUND", f"API version {version} is not supported.")
            if kind.startswith("method:"):
                req.allow = kind.removeprefix("method:")
                raise wire.WireError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"HTTP Method '{method}' not allowed. Allowed are {req.allow}",
                )
            json_kinds = (*WRITE_KINDS, "bulk_create", "bulk_abort")
            body = wire.parse_json(raw) if raw and kind in json_kinds else None
            if kind in WRITE_KINDS:
                self.write_bodies.append(body)
            status, answer = self._execute(kind, version or "", rest, query, body, req, fault)
            if kind in WRITE_KINDS:
                self.write_answers.append(answer)
        except wire.WireError as e:
            return self._send(req, e.status, e.body)
        if fault is not None and fault.what == "slow" and kind in WRITE_KINDS:
            time.sleep(fault.seconds)
        if fault is not None and fault.what == "drop":
            req.close_connection = True
            try:
                req.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        return self._send(req, status, answer)

    def _charge_one_call(self, note: str) -> None:
        charge = self._charge
        if charge is None:
            return
        try:
            self.run(lambda _org: charge(note))
        except ApiLimitExceeded:
            raise wire.WireError(403, "REQUEST_LIMIT_EXCEEDED", LIMIT_MESSAGE) from None

    def _route(self, method: str, path: str) -> tuple[str, str | None, str]:
        """(kind, API version, path after the version); kind ``unknown`` (404) or
        ``method:<allowed>`` (405) when the path is known but not for this method."""
        if path == "/services/oauth2/token" and method == "POST":
            return "token", None, ""
        if path == "/services/oauth2/authorize" and method == "GET":
            return "authorize", None, ""
        if path == "/services/oauth2/userinfo":
            return "userinfo", None, ""
        if path.rstrip("/") == "/services/data" and method == "GET":
            return "versions", None, ""
        m = _DATA.match(path)
        if m and (m.group(2) or "/").rstrip("/") == "":
            return ("resources" if method == "GET" else "method:GET,HEAD"), m.group(1), ""
        if not m:
            return "unknown", None, ""
        version, rest = m.group(1), (m.group(2) or "/").rstrip("/")
        for pattern, kinds in RESOURCES:
            if re.fullmatch(pattern, rest):
                if method in kinds:
                    return kinds[method], version, rest
                allowed = sorted({*kinds, *(["HEAD"] if "GET" in kinds else [])})
                return f"method:{','.join(allowed)}", version, rest
        return "unknown", version, rest

    def _authenticate(self, req: _Handler) -> None:
        header = req.headers.get("Authorization", "")
        if not self.oauth.valid(header.removeprefix("Bearer ").strip()):
            raise wire.WireError(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def _execute(self, kind, version, rest, query, body, req, fault: Fault | None):
        lock_row = fault is not None and fault.what == "lock_row"
        try:
            if kind == "userinfo":
                return 200, self._userinfo()
            if kind == "versions":
                return 200, self._versions()
            if kind == "resources":
                base = f"/services/data/v{version}"
                names = ("composite", "jobs", "limits", "query")  # the ones this server serves
                return 200, {name: f"{base}/{name}" for name in names}
            if kind == "query":
                soql = (query.get("q") or [""])[0]
                if not soql.strip():
                    raise wire.WireError(
                        400, "MALFORMED_QUERY", "A query string has to be specified"
                    )
                page = self.run(lambda org: org.query_page(soql, batch_size=_batch(req)))
                return 200, self._page(page, version)
            if kind == "query_more":
                locator = rest.rsplit("/", 1)[1]
                page = self.run(lambda org: org.query_more(locator, batch_size=_batch(req)))
                return 200, self._page(page, version)
            if kind == "describe":
                return 200, self._describe(rest.split("/")[2], version)
            if kind == "limits":
                limits = self.run(lambda org: org.limits())
                daily = {
                    "Max": limits.daily_api_requests_max,
                    "Remaining": limits.daily_api_requests_remaining,
                }
                return 200, {"DailyApiRequests": daily}
            if kind == "collections":
                return 200, self.run(lambda org: wire.collections(org, body, lock_row))
            if kind == "upsert":
                *_, obj, key = rest.split("/")
                return 200, self.run(
                    lambda org: wire.upsert_collection(org, obj, key, body, lock_row)
                )
            if kind == "composite":
                return 200, self.run(lambda org: wire.composite(org, body, lock_row))
            if kind == "sobject":
                ident = self.identity
                if rest.rsplit("/", 1)[1][:15] != ident.org_id[:15]:
                    raise wire.WireError(404, "NOT_FOUND", "The requested resource does not exist")
                return 200, {
                    "attributes": {
                        "type": "Organization",
                        "url": f"/services/data/v{version}/sobjects/Organization/{ident.org_id}",
                    },
                    "Id": ident.org_id,
                    "Name": ident.org_name,
                }
            if kind == "record":
                _, _, obj, record_id = rest.split("/")
                fields = (query.get("fields") or [""])[0]
                found = self.run(lambda org: wire.retrieve(org, obj, record_id, fields))
                return 200, wire.in_version(found, SHAPED_VERSION, version)
            if kind == "sobject_update":
                _, _, obj, record_id = rest.split("/")
                self.run(lambda org: wire.single_update(org, obj, record_id, body))
                return 204, None
            if kind.startswith("bulk_"):
                return self._bulk(kind, version, rest, query, body, fault)
        except ApiLimitExceeded:
            raise wire.WireError(403, "REQUEST_LIMIT_EXCEEDED", LIMIT_MESSAGE) from None
        except QueryRefused as e:
            raise wire.WireError(400, e.error_code, str(e)) from None
        except (OrgError, KeyError, LookupError) as e:
            raise wire.WireError(
                400, "INVALID_QUERY_LOCATOR" if kind == "query_more" else "NOT_FOUND", str(e)
            ) from None
        raise wire.WireError(404, "NOT_FOUND", "The requested resource does not exist")

    def _bulk(self, kind, version, rest, query, body, fault: Fault | None):
        """The Bulk API 2.0 query resources (see ``bulk``)."""
        job_id = rest.split("/")[3] if rest.count("/") >= 3 else ""
        if kind == "bulk_create":
            soql, object_name, columns = self.bulk.check(body, version)
            try:
                first = self.run(lambda org: org.query_page(soql))
            except (OrgError, KeyError, LookupError) as e:
                raise wire.WireError(400, "INVALIDJOB", str(e)) from None
            records = PagedRecords(self.run, first)
            if fault is not None and fault.what == "job_failed":
                self.bulk.fail_next = "InternalServerError: the query job failed (injected)."
            job = self.bulk.create(
                soql, object_name, columns, records, version, self.identity.user_id
            )
            return 200, job.info()
        if kind == "bulk_job":
            return 200, self.bulk.state(job_id)
        if kind == "bulk_abort":
            return 200, self.bulk.abort(job_id, body)
        if kind == "bulk_delete":
            self.bulk.delete(job_id)
            return 204, None
        return 200, self.bulk.results(job_id, version, query)

    def _page(self, page: Any, version: str) -> dict[str, Any]:
        records = page.records
        if version != SHAPED_VERSION:  # record URLs name the version the client asked for
            records = [wire.in_version(r, SHAPED_VERSION, version) for r in records]
        answer = {"totalSize": page.total_size, "done": page.done, "records": records}
        if not page.done:
            answer["nextRecordsUrl"] = f"/services/data/v{version}/query/{page.next_locator}"
        return answer

    def _describe(self, object_name: str, version: str) -> dict[str, Any]:
        if object_name in self.hidden_objects:
            raise wire.WireError(404, "NOT_FOUND", "The requested resource does not exist")
        try:
            d = self.run(lambda org: org.describe(object_name))
        except (OrgError, KeyError, LookupError):
            raise wire.WireError(
                404, "NOT_FOUND", "The requested resource does not exist"
            ) from None
        body = wire.describe_body(d, version)
        fields = []
        for f in body["fields"]:
            key = f"{body['name']}.{f['name']}"
            if key in self.describe_overrides:
                change = self.describe_overrides[key]
                if change is None:
                    continue
                f = {**f, **change}
            fields.append(f)
        body["fields"] = fields
        return body

    def _versions(self) -> list[dict[str, str]]:
        """``GET /services/data``: the API versions this "org" serves (it needs no token)."""
        answer, n = [], int(self.min_version)
        while n <= self.max_version:
            answer.append({"label": f"v{n}", "url": f"/services/data/v{n}.0", "version": f"{n}.0"})
            n += 1
        return answer

    def _userinfo(self) -> dict[str, Any]:
        ident = self.identity
        return {
            "sub": f"{self.url}/id/{ident.org_id}/{ident.user_id}",
            "user_id": ident.user_id,
            "organization_id": ident.org_id,
            "preferred_username": ident.username,
            "name": ident.username,
            "urls": {"rest": f"{self.url}/services/data/v{{version}}/"},
        }

    # ------------------------------------------------------------ answers

    def _redirect(self, req: _Handler, location: str) -> None:
        req.send_response(302)
        req.send_header("Location", location)
        req.send_header("Content-Length", "0")
        req.end_headers()

    def _send(self, req: _Handler, status: int, body: Any) -> None:
        extra: dict[str, str] = {}
        if isinstance(body, CsvAnswer):
            payload, extra = body.text.encode(), {"Content-Type": "text/csv", **body.headers}
        else:
            payload = b"" if body is None else json.dumps(body, default=str).encode()
        usage = self.api_usage() if getattr(req, "counts_against_limit", False) else None
        req.send_response(status)
        if usage is not None:
            req.send_header("Sforce-Limit-Info", f"api-usage={usage[0]}/{usage[1]}")
        if status == 405 and req.allow:
            req.send_header("Allow", req.allow.replace(",", ", "))
        for name, value in extra.items():
            req.send_header(name, value)
        if payload and not extra:
            req.send_header("Content-Type", "application/json;charset=UTF-8")
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(payload)

    def api_usage(self) -> tuple[int, int] | None:
        """(used, limit) of the org's daily API requests, as ``/limits`` reports them."""
        try:
            limits = self.run(_budget)
        except Exception:  # an org without a budget, or one closed under us: no header
            return None
        return limits


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or see a dropped connection leave broken sockets behind: expected.
        return


def _one_call_per_request(org: Any) -> Callable[[str], None] | None:
    """Salesforce counts one API call per REST request, however many records, pages or
    collections it carries. The local org counts one per operation (and the server may run
    several, or none, for one request), so the server charges the org file's shared budget once
    per authenticated request, and the org's operations only count themselves in ``org.calls``
    (their kinds, as before). Returns the charge (``ApiLimitExceeded`` when the budget is spent),
    or ``None`` for an org without a budget."""
    spend = getattr(org, "_spend", None)
    calls = getattr(org, "calls", None)
    if spend is None or calls is None:
        return None

    def count_only(kind: str, note: str) -> None:
        setattr(calls, kind, getattr(calls, kind) + 1)
        calls.log.append(note)

    def charge(note: str) -> None:
        spend("other", note)  # budget, and one "other" in org.calls: the REST request itself

    org._spend = count_only
    return charge


def _budget(org: Any) -> tuple[int, int] | None:
    """The local org's (used, ceiling) without spending a call (``org.limits()`` would)."""
    budget = getattr(org, "_budget", None)
    if budget is None:
        return None
    with org._lock:
        ceiling, used = budget()
    return int(used), int(ceiling)


def _read_body(req: _Handler) -> bytes:
    """The request body: ``Content-Length`` bytes or a ``Transfer-Encoding: chunked`` body,
    uncompressed when sent with ``Content-Encoding: gzip`` or ``deflate`` (the guide's
    compression headers)."""
    if "chunked" in req.headers.get("Transfer-Encoding", "").lower():
        raw = _read_chunked(req)
    else:
        text = req.headers.get("Content-Length") or "0"
        if not text.strip().isdigit() or int(text) > MAX_BODY:
            raise wire.WireError(400, "BAD_REQUEST", f"Invalid Content-Length {text!r}.")
        raw = req.rfile.read(int(text)) if int(text) else b""
    encoding = req.headers.get("Content-Encoding", "").strip().lower()
    if raw and encoding in ("gzip", "deflate"):
        try:
            raw = zlib.decompress(
                raw, 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
            )
        except zlib.error:
            raise wire.WireError(
                400, "BAD_REQUEST", f"The request body is not valid {encoding} data."
            ) from None
    return raw


def _read_chunked(req: _Handler) -> bytes:
    body = bytearray()
    while True:
        line = req.rfile.readline(1026)
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise wire.WireError(400, "BAD_REQUEST", "Malformed chunked request body.") from None
        if size == 0:
            while req.rfile.readline(1026) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise wire.WireError(400, "BAD_REQUEST", "The request body is too large.")
        body += req.rfile.read(size)
        if req.rfile.readline(3) not in (b"\r\n", b"\n"):
            raise wire.WireError(400, "BAD_REQUEST", "Malformed chunked request body.")


def _batch(req: _Handler) -> int:
    options = req.headers.get("Sforce-Query-Options", "")
    m = re.search(r"batchSize=(\d+)", options)
    return min(2000, max(200, int(m.group(1)))) if m else 2000


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def do_GET(self) -> None:
        self.server.app.handle(self, "GET")

    def do_POST(self) -> None:
        self.server.app.handle(self, "POST")

    def do_PATCH(self) -> None:
        self.server.app.handle(self, "PATCH")

    def do_PUT(self) -> None:
        self.server.app.handle(self, "PUT")

    def do_DELETE(self) -> None:
        self.server.app.handle(self, "DELETE")

    def do_HEAD(self) -> None:
        self.server.app.handle(self, "HEAD")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet in tests
        return
