"""Signing in through the browser: the OAuth 2.0 web-server flow with PKCE and a loopback
redirect (what ``demandgrid login`` runs). A one-shot listener on 127.0.0.1 receives the
authorization code; the code and the PKCE verifier are exchanged for tokens; only the refresh
token is kept, in the OS keychain under the org's alias (``sync.salesforce.auth``)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from sync.salesforce.auth import SignInFailed, store_refresh_token, token_request

DEFAULT_SCOPES = "api refresh_token"
CALLBACK_PATH = "/OauthRedirect"


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier (RFC 7636: 43-128 unreserved characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)[:96]
    return verifier, pkce_challenge(verifier)


def pkce_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding (the S256 method)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    login_url: str, client_id: str, redirect_uri: str, challenge: str, state: str
) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
        "scope": DEFAULT_SCOPES,
    }
    return f"{login_url.rstrip('/')}/services/oauth2/authorize?{urlencode(query)}"


class LoopbackListener:
    """A one-shot HTTP listener on 127.0.0.1 that receives the authorization redirect."""

    def __init__(self, port: int = 1717) -> None:
        self.params: dict[str, str] = {}
        self._got = threading.Event()
        listener = self

        class Callback(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != CALLBACK_PATH:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                listener.params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                page = (
                    b"<html><body>demandgrid: signed in. You can close this window.</body></html>"
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                listener._got.set()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - no logging of codes
                return

        try:
            self._httpd = HTTPServer(("127.0.0.1", port), Callback)
        except OSError as e:
            raise SignInFailed(
                f"Cannot listen on 127.0.0.1:{port} for the sign-in redirect ({e.strerror}). "
                "Close what uses that port or pass --port."
            ) from None
        self.redirect_uri = f"http://127.0.0.1:{self._httpd.server_address[1]}{CALLBACK_PATH}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._got.is_set():
            self._httpd.handle_request()

    def __enter__(self) -> LoopbackListener:
        self._httpd.timeout = 0.5
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._got.set()
        self._thread.join(timeout=2)
        self._httpd.server_close()

    def wait(self, timeout: float) -> dict[str, str]:
        if not self._got.wait(timeout):
            raise SignInFailed(
                f"No sign-in arrived within {int(timeout)} seconds. Run login again."
            )
        return self.params


@dataclass(frozen=True)
class LoginResult:
    alias: str
    instance_url: str
    username: str
    org_id: str


def web_login(
    alias: str,
    login_url: str,
    client_id: str,
    *,
    port: int = 1717,
    open_browser: Callable[[str], Any] = webbrowser.open,
    session: requests.Session | None = None,
    timeout: float = 300.0,
) -> LoginResult:
    """Sign in through the browser; keep the refresh token in the keychain under ``alias``."""
    session = session or requests.Session()
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    with LoopbackListener(port) as listener:
        open_browser(authorize_url(login_url, client_id, listener.redirect_uri, challenge, state))
        params = listener.wait(timeout)
    if params.get("state") != state:
        raise SignInFailed(
            "The sign-in answer did not match this login (state differs). Run login again."
        )
    if "code" not in params:
        reason = params.get("error_description") or params.get("error") or "no code"
        raise SignInFailed(f"Salesforce did not sign you in: {reason}.")
    form = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "client_id": client_id,
        "redirect_uri": listener.redirect_uri,
        "code_verifier": verifier,
    }
    body = token_request(
        session, f"{login_url.rstrip('/')}/services/oauth2/token", form, "complete the sign-in"
    )
    if not body.get("refresh_token"):
        raise SignInFailed(
            "Salesforce gave no refresh token: add the 'refresh_token, offline_access' scope to "
            "the External Client App's OAuth settings."
        )
    store_refresh_token(alias, str(body["refresh_token"]))
    instance_url = str(body.get("instance_url") or login_url).rstrip("/")
    who: dict[str, Any] = {}
    try:
        answer = session.get(
            f"{instance_url}/services/oauth2/userinfo",
            headers={"Authorization": f"Bearer {body['access_token']}"},
            timeout=(10, 60),
            verify=session.verify,
        )
        if answer.status_code == 200:
            who = answer.json()
    except (requests.RequestException, ValueError):
        pass
    return LoginResult(
        alias,
        instance_url,
        str(who.get("preferred_username", "")),
        str(who.get("organization_id", "")),
    )
