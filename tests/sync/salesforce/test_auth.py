"""Signing in to Salesforce: PKCE, the loopback redirect with a fake browser, the keychain
holding only the refresh token, reuse of an ``sf`` CLI login, the environment, the JWT bearer
flow, ``orgs.toml`` aliases with ``--org``, and ``demandgrid org list`` showing no token."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import sys
import time

import jwt
import pytest
import requests
from conftest_salesforce import trusting_session
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from addin.cli.main import app
from sync.org.seam import SessionExpired
from sync.orgs.registry import OrgConfig, UnknownOrg, load_org_configs, open_org, save_org_config
from sync.salesforce.auth import (
    KEYRING_SERVICE,
    EnvTokenSource,
    JwtBearerTokenSource,
    SfCliTokenSource,
    SignInFailed,
    store_refresh_token,
)
from sync.salesforce.backend import SalesforceOrg
from sync.salesforce.weblogin import authorize_url, pkce_challenge, pkce_pair, web_login

COUNT = "SELECT COUNT() FROM AccountProductPeriodForecast"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private ~/.demandgrid for the test."""
    path = tmp_path / "dg-home"
    monkeypatch.setenv("DEMANDGRID_HOME", str(path))
    return path


# ---------------------------------------------------------------- PKCE and the web-server flow


def test_pkce_verifier_and_challenge():
    # RFC 7636, appendix B
    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128 and re.fullmatch(r"[A-Za-z0-9\-._~]+", verifier)
    assert challenge == pkce_challenge(verifier) and "=" not in challenge
    assert pkce_pair()[0] != verifier


def test_authorize_url_asks_for_a_code_with_s256():
    url = authorize_url(
        "https://login.salesforce.com/", "CID", "http://127.0.0.1:1717/OauthRedirect", "CH", "ST"
    )
    assert url.startswith("https://login.salesforce.com/services/oauth2/authorize?")
    for part in (
        "response_type=code",
        "code_challenge=CH",
        "code_challenge_method=S256",
        "state=ST",
    ):
        assert part in url


def _fake_browser(server):
    """A browser that follows the authorize page's redirect to the loopback listener."""
    visited: list[str] = []

    def open_browser(url: str) -> None:
        visited.append(url)
        answer = requests.get(url, verify=str(server.ca_pem), timeout=10)
        assert answer.status_code == 200 and "signed in" in answer.text

    open_browser.visited = visited  # type: ignore[attr-defined]
    return open_browser


def test_web_login_keeps_only_the_refresh_token_in_the_keychain(sf_server, memory_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    browser = _fake_browser(sf_server)
    result = web_login(
        "acme",
        sf_server.url,
        sf_server.client_id,
        port=0,
        open_browser=browser,
        session=trusting_session(sf_server),
    )
    assert result.instance_url == sf_server.url
    assert result.username == sf_server.identity.username
    assert list(memory_keyring.secrets) == [(KEYRING_SERVICE, "acme")]
    stored = memory_keyring.secrets[(KEYRING_SERVICE, "acme")]
    assert stored.startswith("5Aep") and stored in sf_server.issued  # a refresh token
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in browser.visited[0]
    assert sf_server.calls["authorize"] == 1 and sf_server.calls["token"] == 1
    assert caplog.records and not any(token in caplog.text for token in sf_server.issued)


def test_web_login_refuses_an_answer_for_another_login(sf_server, memory_keyring):
    def forged_browser(url: str) -> None:
        redirect = re.search(r"redirect_uri=([^&]+)", url).group(1)
        requests.get(requests.utils.unquote(redirect) + "?code=abc&state=forged", timeout=10)

    with pytest.raises(SignInFailed) as e:
        web_login("acme", sf_server.url, sf_server.client_id, port=0, open_browser=forged_browser)
    assert "state" in str(e.value)
    assert memory_keyring.secrets == {}


def test_cli_login_then_org_list_shows_no_token(sf_server, memory_keyring, home, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sf_server.ca_pem))
    monkeypatch.setattr("webbrowser.open", _fake_browser(sf_server))
    runner = CliRunner()
    login = runner.invoke(
        app,
        [
            "login",
            "--alias",
            "acme",
            "--instance",
            sf_server.url,
            "--client-id",
            sf_server.client_id,
            "--port",
            "0",
        ],
    )
    assert login.exit_code == 0, login.output
    assert "Signed in" in login.output and "acme" in login.output
    config = load_org_configs()["acme"]
    assert config.instance_url == sf_server.url and config.auth == "web"
    assert config.client_id == sf_server.client_id
    listing = runner.invoke(app, ["org", "list"])
    assert listing.exit_code == 0, listing.output
    assert "acme" in listing.output and "yes" in listing.output
    files = (home / "orgs.toml").read_text()
    for token in sf_server.issued:
        assert token not in listing.output and token not in login.output and token not in files


# ---------------------------------------------------------------- aliases and --org


def test_open_org_by_alias_signs_in_with_the_keychain(sf_server, memory_keyring, home):
    save_org_config(
        OrgConfig(
            "acme", sf_server.url, "web", sf_server.client_id, ca_bundle=str(sf_server.ca_pem)
        )
    )
    store_refresh_token("acme", sf_server.issue_refresh_token())
    org = open_org("acme")
    assert isinstance(org, SalesforceOrg)
    assert org.identity().org_id == sf_server.identity.org_id
    assert next(iter(org.query(COUNT + " LIMIT 1")), None) is None


def test_open_org_by_instance_url_finds_the_alias(sf_server, memory_keyring, home):
    save_org_config(
        OrgConfig(
            "acme", sf_server.url, "web", sf_server.client_id, ca_bundle=str(sf_server.ca_pem)
        )
    )
    store_refresh_token("acme", sf_server.issue_refresh_token())
    assert open_org(sf_server.url + "/").identity().instance == sf_server.url
    with pytest.raises(UnknownOrg) as e:
        open_org("https://other.my.salesforce.com")
    assert "demandgrid login" in str(e.value)


def test_open_org_keeps_local_paths_and_names_unknown_aliases(org_file, home):
    from sync.localorg import LocalOrg

    assert isinstance(open_org(org_file), LocalOrg)
    save_org_config(OrgConfig("acme", "https://acme.my.salesforce.com"))
    with pytest.raises(UnknownOrg) as e:
        open_org("nope")
    assert "acme" in str(e.value) and "org list" in str(e.value)


def test_a_configured_alias_wins_over_a_folder_of_that_name(
    tmp_path, home, memory_keyring, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").mkdir()
    save_org_config(OrgConfig("demo", "https://127.0.0.1:9", "web", "CID"))
    with pytest.raises(SessionExpired):  # went for Salesforce: no sign-in stored for "demo"
        open_org("demo")


def test_alias_without_a_stored_sign_in_says_login(sf_server, memory_keyring, home):
    save_org_config(
        OrgConfig(
            "acme", sf_server.url, "web", sf_server.client_id, ca_bundle=str(sf_server.ca_pem)
        )
    )
    with pytest.raises(SessionExpired) as e:
        open_org("acme")
    assert "demandgrid login --alias acme" in str(e.value)


# ---------------------------------------------------------------- sf CLI, environment, JWT


def _fake_sf(tmp_path, token_file, instance_url, *, logged_in=True):
    """An ``sf`` executable on PATH answering like the Salesforce CLI (tokens from a file)."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    script = bindir / "sf"
    script.write_text(
        f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
if not {logged_in!r}:
    print(json.dumps({{"status": 1, "name": "NoOrgFound", "message": "No authorization information found."}}))
    sys.exit(1)
if args[:2] == ["org", "display"]:
    print(json.dumps({{"status": 0, "result": {{"instanceUrl": {instance_url!r}, "accessToken": "[REDACTED]", "username": "rep"}}}}))
elif args[:3] == ["org", "auth", "show-access-token"]:
    print(json.dumps({{"status": 0, "result": {{"accessToken": open({str(token_file)!r}).read().strip()}}}}))
else:
    sys.exit(2)
"""
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bindir


def test_sf_cli_login_is_reused_and_asked_again_after_expiry(sf_server, tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text(sf_server.issue_access_token())
    monkeypatch.setenv(
        "PATH", f"{_fake_sf(tmp_path, token_file, sf_server.url)}{os.pathsep}{os.environ['PATH']}"
    )
    tokens = SfCliTokenSource("acme")
    assert tokens.instance_url == sf_server.url
    org = SalesforceOrg(tokens.instance_url, tokens, verify=str(sf_server.ca_pem))
    assert org.limits().daily_api_requests_max > 0
    sf_server.expire_sessions()
    token_file.write_text(sf_server.issue_access_token())  # the CLI would refresh its own login
    assert org.limits().daily_api_requests_max > 0
    assert "accessToken" not in repr(tokens)


def test_sf_cli_without_a_login_says_how_to_log_in(tmp_path, monkeypatch):
    bindir = _fake_sf(tmp_path, tmp_path / "none", "https://x", logged_in=False)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(SignInFailed) as e:
        SfCliTokenSource("acme")
    assert "sf org login web -a acme" in str(e.value)


def test_environment_token_for_scripts(sf_server, monkeypatch):
    token = sf_server.issue_access_token()
    monkeypatch.setenv("SF_INSTANCE_URL", sf_server.url)
    monkeypatch.setenv("SF_ACCESS_TOKEN", token)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sf_server.ca_pem))
    org = open_org("env")
    assert isinstance(org, SalesforceOrg)
    assert org.identity().username == sf_server.identity.username
    assert token not in repr(EnvTokenSource())
    sf_server.expire_sessions()
    with pytest.raises(SessionExpired) as e:
        org.limits()
    assert "SF_ACCESS_TOKEN" in str(e.value) and token not in str(e.value)


def test_environment_without_a_token_says_what_to_set(monkeypatch):
    monkeypatch.delenv("SF_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("SF_INSTANCE_URL", "https://acme.my.salesforce.com")
    with pytest.raises(SignInFailed) as e:
        EnvTokenSource()
    assert "SF_ACCESS_TOKEN" in str(e.value)


@pytest.fixture
def rsa_key(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "jwt.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, public


def test_jwt_assertion_claims(rsa_key):
    path, public = rsa_key
    source = JwtBearerTokenSource("https://login.salesforce.com", "CID", "svc@acme.com", path)
    now = time.time()
    claims = jwt.decode(
        source.assertion(now), public, algorithms=["RS256"], audience="https://login.salesforce.com"
    )
    assert claims["iss"] == "CID" and claims["sub"] == "svc@acme.com"
    assert int(now) < claims["exp"] <= int(now) + 300
    assert jwt.get_unverified_header(source.assertion())["alg"] == "RS256"


def test_jwt_bearer_signs_in_a_service_account(sf_server, rsa_key):
    path, public = rsa_key
    sf_server.jwt_public_key = public
    tokens = JwtBearerTokenSource(
        sf_server.url,
        sf_server.client_id,
        sf_server.identity.username,
        path,
        session=trusting_session(sf_server),
    )
    org = SalesforceOrg(sf_server.url, tokens, verify=str(sf_server.ca_pem))
    assert org.limits().daily_api_requests_max > 0
    sf_server.expire_sessions()
    assert org.limits().daily_api_requests_max > 0  # a fresh assertion, a fresh token
    assert sf_server.calls["token"] == 2
    assert path.read_text()[40:80] not in repr(tokens)


def test_jwt_with_a_missing_key_file_names_the_path(tmp_path):
    source = JwtBearerTokenSource(
        "https://login.salesforce.com", "CID", "svc", tmp_path / "missing.key"
    )
    with pytest.raises(SignInFailed) as e:
        source.refresh()
    assert "missing.key" in str(e.value)


def test_orgs_toml_holds_no_secret(home):
    save_org_config(
        OrgConfig(
            "svc",
            "https://acme.my.salesforce.com",
            "jwt",
            "CID",
            "svc@acme.com",
            key_file="~/k.pem",
        )
    )
    text = (home / "orgs.toml").read_text()
    assert json.dumps("~/k.pem") in text and "BEGIN" not in text
    assert load_org_configs()["svc"].key_file == "~/k.pem"
