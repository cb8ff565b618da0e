"""The test server's OAuth 2.0: tokens it issued (access tokens expire on demand, refresh tokens
can be revoked), the authorize endpoint (authorization code bound to a PKCE challenge), and the
token endpoint (grants: refresh_token, authorization_code with ``code_verifier``, JWT bearer
verified against a public key). Answers in Salesforce's shapes."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _refused(error: str, description: str) -> tuple[int, dict[str, Any]]:
    return 400, {"error": error, "error_description": description}


class OAuth:
    def __init__(self, client_id: str, identity: Any, jwt_public_key: bytes | None = None) -> None:
        self.client_id = client_id
        self.identity = identity
        self.jwt_public_key = jwt_public_key
        self.url = ""  # the server's URL, once it listens
        self.issued: list[str] = []  # every token handed out (tests look for leaks)
        self._lock = threading.Lock()
        self._access: set[str] = set()
        self._refresh: set[str] = set()
        self._codes: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------ tokens

    def issue_refresh_token(self) -> str:
        return self._issue(f"5Aep{secrets.token_urlsafe(60)}", self._refresh)

    def issue_access_token(self) -> str:
        org = self.identity.org_id[:15]
        return self._issue(f"{org}!{secrets.token_urlsafe(48)}", self._access)

    def _issue(self, token: str, into: set[str]) -> str:
        with self._lock:
            into.add(token)
            self.issued.append(token)
        return token

    def valid(self, access_token: str) -> bool:
        with self._lock:
            return access_token in self._access

    def expire_sessions(self) -> None:
        with self._lock:
            self._access.clear()

    def revoke_refresh_tokens(self) -> None:
        with self._lock:
            self._refresh.clear()

    # ------------------------------------------------------------ endpoints

    def authorize(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        """``GET /services/oauth2/authorize``: (302, redirect location) or (400, error body).
        The user is taken as signed in and consenting."""
        q = {k: v[0] for k, v in query.items()}
        if q.get("client_id") != self.client_id or q.get("code_challenge_method") != "S256":
            return _refused("invalid_client_id", "client identifier invalid")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {
                "client_id": q["client_id"],
                "redirect_uri": q.get("redirect_uri", ""),
                "challenge": q.get("code_challenge", ""),
            }
        query_string = urlencode({"code": code, "state": q.get("state", "")})
        return 302, f"{q.get('redirect_uri', '')}?{query_string}"

    def token(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        """``POST /services/oauth2/token`` (form-encoded)."""
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        grant = form.get("grant_type")
        refresh = None
        if grant == "refresh_token":
            with self._lock:
                known = form.get("refresh_token") in self._refresh
            if not known or form.get("client_id") != self.client_id:
                return _refused("invalid_grant", "expired access/refresh token")
        elif grant == "authorization_code":
            if not self._code_ok(form):
                return _refused("invalid_grant", "authentication failure")
            refresh = self.issue_refresh_token()
        elif grant == JWT_GRANT:
            if not self._jwt_ok(form.get("assertion", "")):
                return _refused("invalid_grant", "invalid assertion")
        else:
            return _refused("unsupported_grant_type", "grant type not supported")
        ident = self.identity
        answer = {
            "access_token": self.issue_access_token(),
            "instance_url": self.url,
            "id": f"{self.url}/id/{ident.org_id}/{ident.user_id}",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": base64.b64encode(secrets.token_bytes(32)).decode(),
            "scope": "api refresh_token",
        }
        if refresh:
            answer["refresh_token"] = refresh
        return 200, answer

    def _code_ok(self, form: dict[str, str]) -> bool:
        with self._lock:
            issued = self._codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        return (
            issued is not None
            and issued["client_id"] == form.get("client_id")
            and issued["redirect_uri"] == form.get("redirect_uri")
            and issued["challenge"] == challenge.decode()
        )

    def _jwt_ok(self, assertion: str) -> bool:
        import jwt

        if self.jwt_public_key is None:
            return False
        audiences = [self.url, "https://login.salesforce.com", "https://test.salesforce.com"]
        try:
            claims = jwt.decode(
                assertion, self.jwt_public_key, algorithms=["RS256"], audience=audiences
            )
        except jwt.PyJWTError:
            return False
        return claims.get("iss") == self.client_id and claims.get("sub") == self.identity.username
