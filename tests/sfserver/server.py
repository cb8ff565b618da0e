"""An in-process HTTPS server speaking Salesforce's REST wire protocol in front of an org
(normally the embedded local org), so the Salesforce backend runs through simple-salesforce
for real in tests: OAuth (authorize, token: refresh, authorization code with PKCE, JWT bearer),
userinfo, SOQL queries with ``nextRecordsUrl`` paging, describe, limits, sObject Collections,
Composite, single-record PATCH; Salesforce's status codes and error bodies; API calls counted
by kind; faults injected by test (see ``faults``). Binds to 127.0.0.1 only.

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
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

from sync.org.seam import ApiLimitExceeded, OrgError, QueryRefused

from . import wire
from .faults import Fault, FaultQueue
from .oauth import OAuth

_DATA = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")
_CA: trustme.CA | None = None
_CERT: trustme.LeafCert | None = None
_CA_LOCK = threading.Lock()
#: Salesforce refuses a request URI (plus headers) over 16,384 bytes: long SOQL must be split.
MAX_URI = 16_384
WRITE_KINDS = ("composite", "collections", "sobject_update")


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
        self.identity = self.run(lambda org: org.identity())
        self.oauth = OAuth(client_id, self.identity, jwt_public_key)
        self.min_version = min_version
        self.max_version = max_version
        self.calls: Counter[str] = Counter()
        self.faults = FaultQueue()
        #: describe tweaks by test: {"Object.Field": {"updateable": False}}, {"Object.Field": None} hides
        self.describe_overrides: dict[str, dict[str, Any] | None] = {}
        self.hidden_objects: set[str] = set()
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers)
        self.write_bodies: list[Any] = []  # JSON bodies of Collections/Composite/PATCH requests
        self.write_answers: list[Any] = []  # and what the server answered them
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
        parts = urlsplit(req.path)
        path, query = parts.path, parse_qs(parts.query)
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        self.requests.append((method, path, dict(req.headers.items())))
        kind, version, rest = self._route(method, path)
        with self._lock:
            self.calls[kind] += 1
            number = self.calls[kind]
        fault = self.faults.take(kind, number) if kind != "unknown" else None
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
            if fault is not None and fault.what == "limit":
                raise wire.WireError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            if fault is not None and fault.what == "status":
                code = "SERVER_UNAVAILABLE" if fault.status == 503 else "UNKNOWN_EXCEPTION"
                raise wire.WireError(fault.status, code, f"Injected failure {fault.status}.")
            if fault is not None and fault.what == "slow" and kind not in WRITE_KINDS:
                time.sleep(fault.seconds)
            if version is not None and not self.min_version <= float(version) <= self.max_version:
                raise wire.WireError(404, "NOT_FOUND", f"API version {version} is not supported.")
            body = json.loads(raw) if raw else None
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

    def _route(self, method: str, path: str) -> tuple[str, str | None, str]:
        if path == "/services/oauth2/token" and method == "POST":
            return "token", None, ""
        if path == "/services/oauth2/authorize" and method == "GET":
            return "authorize", None, ""
        if path == "/services/oauth2/userinfo":
            return "userinfo", None, ""
        if path.rstrip("/") == "/services/data" and method == "GET":
            return "versions", None, ""
        m = _DATA.match(path)
        if not m:
            return "unknown", None, ""
        version, rest = m.group(1), (m.group(2) or "/").rstrip("/")
        table = [
            ("GET", r"/query", "query"),
            ("GET", r"/query/[^/]+", "query_more"),
            ("GET", r"/sobjects/\w+/describe", "describe"),
            ("GET", r"/limits", "limits"),
            ("PATCH", r"/composite/sobjects", "collections"),
            ("POST", r"/composite", "composite"),
            ("GET", r"/sobjects/Organization/\w+", "sobject"),
            ("PATCH", r"/sobjects/\w+/\w+", "sobject_update"),
        ]
        for want, pattern, kind in table:
            if method == want and re.fullmatch(pattern, rest):
                return kind, version, rest
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
            if kind == "query":
                soql = (query.get("q") or [""])[0]
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
            if kind == "composite":
                return 200, self.run(lambda org: wire.composite(org, body, lock_row))
            if kind == "sobject":
                ident = self.identity
                return 200, {
                    "attributes": {"type": "Organization"},
                    "Id": ident.org_id,
                    "Name": ident.org_name,
                }
            if kind == "sobject_update":
                _, _, obj, record_id = rest.split("/")
                self.run(lambda org: wire.single_update(org, obj, record_id, body))
                return 204, None
        except ApiLimitExceeded as e:
            raise wire.WireError(403, "REQUEST_LIMIT_EXCEEDED", str(e)) from None
        except QueryRefused as e:
            raise wire.WireError(400, e.error_code, str(e)) from None
        except (OrgError, KeyError, LookupError) as e:
            raise wire.WireError(
                400, "INVALID_QUERY_LOCATOR" if kind == "query_more" else "NOT_FOUND", str(e)
            ) from None
        raise wire.WireError(404, "NOT_FOUND", "The requested resource does not exist")

    def _page(self, page: Any, version: str) -> dict[str, Any]:
        answer = {"totalSize": page.total_size, "done": page.done, "records": page.records}
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
        payload = b"" if body is None else json.dumps(body, default=str).encode()
        req.send_response(status)
        if payload:
            req.send_header("Content-Type", "application/json;charset=UTF-8")
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        req.wfile.write(payload)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or see a dropped connection leave broken sockets behind: expected.
        return


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

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet in tests
        return
