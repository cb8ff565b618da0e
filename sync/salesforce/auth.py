"""Sign-in to Salesforce: the token sources the Salesforce backend asks for access tokens.

- ``RefreshTokenSource``: the refresh token that ``sync.salesforce.weblogin.web_login`` (OAuth 2.0
  web-server flow with PKCE) kept in the OS keychain through ``keyring`` (service
  ``demandgrid``, key = the org alias); only the refresh token, never a blob.
- ``SfCliTokenSource``: reuse of an ``sf`` CLI login (``sf org auth show-access-token``).
- ``JwtBearerTokenSource``: JWT bearer flow for service accounts (key file from config).
- ``EnvTokenSource``: ``SF_INSTANCE_URL`` + ``SF_ACCESS_TOKEN`` for scripts.

A token never appears in a message, a log record or a ``repr``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any, Protocol

import keyring
import requests

from sync.org.seam import OrgError, OrgUnavailable, SessionExpired

KEYRING_SERVICE = "demandgrid"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class SignInFailed(OrgError):
    """Signing in to Salesforce did not work; the message says why and what to do."""


class TokenSource(Protocol):
    """Hands out access tokens: the current one, or a fresh one after a 401."""

    instance_url: str

    def access_token(self) -> str: ...

    def refresh(self) -> str: ...


# ---------------------------------------------------------------- keychain


def store_refresh_token(alias: str, token: str) -> None:
    keyring.set_password(KEYRING_SERVICE, alias, token)


def load_refresh_token(alias: str) -> str | None:
    return keyring.get_password(KEYRING_SERVICE, alias)


def has_refresh_token(alias: str) -> bool:
    try:
        return load_refresh_token(alias) is not None
    except keyring.errors.KeyringError:
        return False


def forget_refresh_token(alias: str) -> None:
    try:
        keyring.delete_password(KEYRING_SERVICE, alias)
    except keyring.errors.PasswordDeleteError:
        pass


# ---------------------------------------------------------------- token sources


def token_request(
    session: requests.Session, url: str, form: dict[str, str], what: str
) -> dict[str, Any]:
    try:
        response = session.post(url, data=form, timeout=(10, 60), verify=session.verify)
    except requests.RequestException as e:
        raise OrgUnavailable(
            f"Could not reach {url} to {what} ({type(e).__name__}). Check the network "
            "connection and try again."
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or "access_token" not in body:
        reason = (
            body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
        )
        raise SignInFailed(f"Salesforce refused to {what}: {reason}.")
    return body


class EnvTokenSource:
    """``SF_INSTANCE_URL`` and ``SF_ACCESS_TOKEN`` from the environment (for scripts)."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        url, token = env.get("SF_INSTANCE_URL", ""), env.get("SF_ACCESS_TOKEN", "")
        if not url or not token:
            raise SignInFailed(
                "Set both SF_INSTANCE_URL and SF_ACCESS_TOKEN to use an org from the environment."
            )
        self.instance_url = url.rstrip("/")
        self._token = token

    def __repr__(self) -> str:
        return f"EnvTokenSource(instance_url={self.instance_url!r})"

    def access_token(self) -> str:
        return self._token

    def refresh(self) -> str:
        raise SessionExpired(
            "The access token in SF_ACCESS_TOKEN has expired. Set a fresh one "
            "(e.g. from `sf org auth show-access-token`) and run the command again."
        )


class RefreshTokenSource:
    """Access tokens from the refresh token kept in the keychain under ``alias``."""

    def __init__(
        self,
        alias: str,
        instance_url: str,
        client_id: str,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.alias = alias
        self.instance_url = instance_url.rstrip("/")
        self.client_id = client_id
        self._session = session or requests.Session()
        self._token: str | None = None

    def __repr__(self) -> str:
        return f"RefreshTokenSource(alias={self.alias!r}, instance_url={self.instance_url!r})"

    def access_token(self) -> str:
        return self._token or self.refresh()

    def refresh(self) -> str:
        refresh_token = load_refresh_token(self.alias)
        if not refresh_token:
            raise SessionExpired(
                f"No sign-in is stored for org '{self.alias}'. Run "
                f"`demandgrid login --alias {self.alias} --instance {self.instance_url}`."
            )
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": refresh_token,
        }
        try:
            body = token_request(
                self._session,
                f"{self.instance_url}/services/oauth2/token",
                form,
                "renew the session",
            )
        except SignInFailed as e:
            raise SessionExpired(
                f"{e} The sign-in for org '{self.alias}' may have expired or been revoked: run "
                f"`demandgrid login --alias {self.alias} --instance {self.instance_url}`."
            ) from None
        self._token = str(body["access_token"])
        return self._token


class SfCliTokenSource:
    """Reuse a login of the Salesforce CLI (``sf org login web -a ALIAS``)."""

    def __init__(self, alias: str, *, sf: str = "sf", instance_url: str = "") -> None:
        self.alias = alias
        self._sf = sf
        self._token: str | None = None
        self.instance_url = instance_url.rstrip("/") or self._display().get(
            "instanceUrl", ""
        ).rstrip("/")
        if not self.instance_url:
            raise SignInFailed(f"`sf org display -o {alias}` did not give an instance URL.")

    def __repr__(self) -> str:
        return f"SfCliTokenSource(alias={self.alias!r}, instance_url={self.instance_url!r})"

    def _run(self, *args: str) -> dict[str, Any]:
        try:
            done = subprocess.run(
                [self._sf, *args, "-o", self.alias, "--json"],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise SignInFailed(
                f"Could not run the Salesforce CLI ({self._sf}): {type(e).__name__}. Install it "
                "or choose another sign-in method in ~/.demandgrid/orgs.toml."
            ) from None
        try:
            answer = json.loads(done.stdout or "{}")
        except ValueError:
            answer = {}
        if done.returncode != 0 or answer.get("status", 0) != 0:
            reason = answer.get("message") or answer.get("name") or f"exit code {done.returncode}"
            raise SignInFailed(
                f"The Salesforce CLI has no usable login for '{self.alias}': {reason}. "
                f"Run `sf org login web -a {self.alias}`."
            )
        result = answer.get("result")
        return result if isinstance(result, dict) else {}

    def _display(self) -> dict[str, Any]:
        return self._run("org", "display")

    def access_token(self) -> str:
        return self._token or self.refresh()

    def refresh(self) -> str:
        result = self._run("org", "auth", "show-access-token")
        token = result.get("accessToken") or result.get("access_token") or result.get("token")
        if not token:
            raise SignInFailed(f"`sf org auth show-access-token -o {self.alias}` gave no token.")
        self._token = str(token)
        return self._token


class JwtBearerTokenSource:
    """JWT bearer flow for a service account: an assertion signed with the key file."""

    def __init__(
        self,
        login_url: str,
        client_id: str,
        username: str,
        key_file: str | Path,
        *,
        session: requests.Session | None = None,
        lifetime: int = 180,
    ) -> None:
        self.login_url = login_url.rstrip("/")
        self.client_id = client_id
        self.username = username
        self.key_file = Path(key_file).expanduser()
        self.lifetime = lifetime
        self._session = session or requests.Session()
        self._token: str | None = None
        self.instance_url = self.login_url

    def __repr__(self) -> str:
        return f"JwtBearerTokenSource(login_url={self.login_url!r}, username={self.username!r})"

    def assertion(self, now: float | None = None) -> str:
        import jwt

        try:
            key = self.key_file.read_bytes()
        except OSError:
            raise SignInFailed(
                f"Cannot read the JWT signing key at {self.key_file}: check `key_file` in "
                "~/.demandgrid/orgs.toml."
            ) from None
        issued = int(now if now is not None else time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.username,
            "aud": self.login_url,
            "exp": issued + self.lifetime,
        }
        return jwt.encode(claims, key, algorithm="RS256")

    def access_token(self) -> str:
        return self._token or self.refresh()

    def refresh(self) -> str:
        form = {"grant_type": JWT_GRANT, "assertion": self.assertion()}
        body = token_request(
            self._session,
            f"{self.login_url}/services/oauth2/token",
            form,
            "accept the JWT assertion",
        )
        self._token = str(body["access_token"])
        self.instance_url = str(body.get("instance_url") or self.instance_url).rstrip("/")
        return self._token
