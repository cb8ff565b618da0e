"""The profile axis (issue 14), for the contract suite only: ``profiled_org`` is every
{standard, aaf} mapping profile on every backend ({local, Salesforce over HTTPS}), each on a
fresh copy of the demo org built on that data model. The rest of the suite keeps the plain
``org`` fixture (standard only), so it does not run twice."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sync.org.mapping import MappingProfile

#: The mapping profiles every contract test runs on (with ``ORG_BACKENDS``).
CONTRACT_PROFILES = ["standard", "aaf"]


@dataclass
class ProfiledOrg:
    org: Any
    profile: MappingProfile
    local: Any  # the LocalOrg under it, for looking at what landed (no API calls counted)


@pytest.fixture(scope="session")
def aaf_org_file(tmp_path_factory: pytest.TempPathFactory):
    """The demo org on Advanced Account Forecasting, built once per session (copy before use)."""
    from sync.localorg.demo.org import create_demo_org

    return create_demo_org(tmp_path_factory.mktemp("aaf-org") / "org.sqlite", model="aaf")


@pytest.fixture(
    params=[(p, b) for p in CONTRACT_PROFILES for b in ("local", "salesforce")],
    ids=lambda pb: f"{pb[0]}-{pb[1]}",
)
def profiled_org(
    request: pytest.FixtureRequest, demo_org_file, aaf_org_file, tmp_path, memory_keyring
) -> Iterator[ProfiledOrg]:
    yield from _profiled(request.param, demo_org_file, aaf_org_file, tmp_path, None)


@pytest.fixture(
    params=[(p, b) for p in CONTRACT_PROFILES for b in ("local", "salesforce")],
    ids=lambda pb: f"{pb[0]}-{pb[1]}",
)
def profiled_planner_org(
    request: pytest.FixtureRequest, demo_org_file, aaf_org_file, tmp_path, memory_keyring
) -> Iterator[ProfiledOrg]:
    """``profiled_org`` signed in as the demo's demand planner (closes the review; issue 14)."""
    from sync.localorg.demo.org import DEMO_PLANNER

    yield from _profiled(request.param, demo_org_file, aaf_org_file, tmp_path, DEMO_PLANNER)


def _profiled(
    param: tuple[str, str], demo_org_file, aaf_org_file, tmp_path, username: str | None
) -> Iterator[ProfiledOrg]:
    from conftest_salesforce import connect
    from sfserver.server import SalesforceServer

    from sync.localorg import LocalOrg
    from sync.org.aaf import detect_profile
    from sync.org.seam import CallCounter

    name, backend = param
    path = tmp_path / "org.sqlite"
    shutil.copyfile(aaf_org_file if name == "aaf" else demo_org_file, path)
    local = LocalOrg(path, username=username)
    profile = detect_profile(local)
    assert profile.name == name
    if backend == "local":
        local.calls = CallCounter()
        yield ProfiledOrg(local, profile, local)
        return
    with SalesforceServer(lambda: LocalOrg(path, username=username)) as server:
        org = connect(server)
        org.identity()
        org.verify_mapping(profile)
        org.calls = CallCounter()
        yield ProfiledOrg(org, profile, local)
