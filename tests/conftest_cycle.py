"""Fixtures for the S&OP cycle (issue 12, registered in ``tests/conftest.py``): the demo org
signed in as its demand planner, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest_salesforce import connect
from sfserver.server import SalesforceServer

from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER
from sync.org.seam import CallCounter


@pytest.fixture(params=["local", "salesforce"])  # as ORG_BACKENDS
def planner_org(request: pytest.FixtureRequest, org_file) -> Iterator[Any]:
    """The demo org as ``DEMO_PLANNER``: a LocalOrg, or a SalesforceOrg through the HTTPS test
    server in front of the same file."""
    if request.param == "local":
        yield LocalOrg(org_file, username=DEMO_PLANNER)
        return
    request.getfixturevalue("memory_keyring")
    with SalesforceServer(lambda: LocalOrg(org_file, username=DEMO_PLANNER)) as server:
        org = connect(server)
        org.identity()
        org.calls = CallCounter()
        yield org
