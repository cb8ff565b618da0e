"""The periods a closed review locks, as lock-rule entries; an org without the snapshot objects
has no closed review (pull works as before) and says what an admin must deploy."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sync.cycle.close import CloseRefused, close_cycle
from sync.cycle.locks import closed_edits, closed_lock_rules, header_locks
from sync.cycle.snapshots import SnapshotHeader, SnapshotsMissing, list_snapshots
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER
from sync.org.seam import QueryRefused
from sync.pull.locks import LockRules, lock_reasons


class NoSnapshotObjects:
    """An org (a real one before the admin deployed the metadata) that lacks the objects."""

    def __init__(self, org: LocalOrg) -> None:
        self._org = org
        self.calls = org.calls

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._org, name)

    def query(self, soql: str):  # type: ignore[no-untyped-def]
        if "DemandPlanCycle__c" in soql:
            raise QueryRefused(
                "sObject type 'DemandPlanCycle__c' is not supported.", "INVALID_TYPE"
            )
        return self._org.query(soql)


def header(region: str | None, first: date, last: date) -> SnapshotHeader:
    return SnapshotHeader(
        snapshot_id="SNAP-2026-11-X",
        cycle="2026-11",
        region=region,
        closed_at=None,
        closed_by="",
        closed_by_name="Avery Quinn",
        content_hash="",
        status="Closed",
        line_count=0,
        first_period=first,
        last_period=last,
    )


def test_entries_lock_by_period_and_region_first_match_wins():
    entries = header_locks(
        [
            header(None, date(2026, 12, 1), date(2027, 1, 1)),
            header("EMEA", date(2026, 11, 1), date(2026, 12, 1)),
        ]
    )
    assert entries[0][1] == "EMEA"  # a region's own entries decide first
    starts = pd.Series([date(2026, 11, 1), date(2026, 11, 1), date(2027, 1, 1), date(2027, 2, 1)])
    regions = pd.Series(["EMEA", "APAC", "APAC", "EMEA"])
    reasons = lock_reasons(
        starts, None, LockRules(frozen_months=0, closed=entries), date(2026, 11, 2), regions
    )
    closed = "review closed on ? by Avery Quinn"
    assert reasons.tolist() == [closed, "", closed, ""]


def test_an_org_without_the_objects_has_no_closed_review(org_file):
    org = NoSnapshotObjects(LocalOrg(org_file, username=DEMO_PLANNER))
    assert closed_lock_rules(org) is None  # pull and refresh go on as before
    assert closed_edits(org, date.today(), [("0iQ000000000001AAA", date.today())]) == {}
    with pytest.raises(SnapshotsMissing) as caught:
        list_snapshots(org)
    assert "docs/salesforce.md" in str(caught.value) and "deploy" in str(caught.value)
    with pytest.raises(SnapshotsMissing):
        close_cycle(org)
    assert org.calls.update == 0


def test_a_hostile_region_name_is_text(org_file):
    org = LocalOrg(org_file, username=DEMO_PLANNER)
    with pytest.raises(CloseRefused, match="nothing to snapshot"):
        close_cycle(org, region="EMEA' OR Name != '")
    assert org.calls.update == 0
