"""Fixtures for the Salesforce backend (registered in ``tests/conftest.py``): the HTTPS test
server in front of the local org, a ``SalesforceOrg`` connected through it with simple-salesforce,
and an in-memory keyring so no test touches the real OS keychain.

``salesforce_org`` is the ``"salesforce"`` parameter of the shared ``org`` fixture: every test
written against ``org`` runs on the local org and through the Salesforce wire protocol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
import requests
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from sfserver.server import SalesforceServer

from sync.org.mapping import STANDARD
from sync.org.seam import CallCounter
from sync.salesforce.auth import RefreshTokenSource, store_refresh_token
from sync.salesforce.backend import SalesforceOrg
from sync.salesforce.wire import RetryPolicy

#: Retries as in production, waits a thousand times shorter.
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.002, max_delay=0.01)
TEST_TIMEOUT = (5.0, 30.0)


class MemoryKeyring(KeyringBackend):
    """A keyring backend in a dict: what was stored, under which service and key."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise PasswordDeleteError(username)
        del self.secrets[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def trusting_session(server: SalesforceServer) -> requests.Session:
    session = requests.Session()
    session.verify = str(server.ca_pem)
    return session


def connect(
    server: SalesforceServer,
    *,
    alias: str = "test-org",
    retry: RetryPolicy = FAST_RETRY,
    timeout: Any = TEST_TIMEOUT,
    **kwargs: Any,
) -> SalesforceOrg:
    """A ``SalesforceOrg`` signed in to ``server`` with a refresh token in the (test) keychain."""
    store_refresh_token(alias, server.issue_refresh_token())
    tokens = RefreshTokenSource(
        alias, server.url, server.client_id, session=trusting_session(server)
    )
    return SalesforceOrg(
        server.url, tokens, verify=str(server.ca_pem), retry=retry, timeout=timeout, **kwargs
    )


@pytest.fixture
def sf_server(org_file) -> Iterator[SalesforceServer]:
    """The HTTPS Salesforce test server in front of ``LocalOrg(org_file)``."""
    from sync.localorg import LocalOrg

    with SalesforceServer(lambda: LocalOrg(org_file)) as server:
        yield server


@pytest.fixture
def salesforce_org(sf_server, memory_keyring) -> Iterator[SalesforceOrg]:
    """A connected ``SalesforceOrg`` (mapping verified) with a fresh call count."""
    org = connect(sf_server)
    org.identity()
    org.verify_mapping(STANDARD)
    org.calls = CallCounter()
    yield org
