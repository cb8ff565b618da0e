"""The demo org's memory: 12 closed past cycles whose snapshots verify, built deterministically,
with the story a planner should find (one rep's overrides help, another's optimism hurts; one
reason code helps, one does not)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date

import pandas as pd
import pytest

from sync.cycle.actuals import read_actuals
from sync.cycle.snapshots import list_snapshots, read_snapshot, verify_snapshot
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP, create_demo_org
from sync.org.snapshot import LINE_DIGEST, line_text

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    return create_demo_org(tmp_path_factory.mktemp("history") / "org.sqlite", as_of=AS_OF)


@pytest.fixture(scope="module")
def demo_org(demo_file):
    return LocalOrg(demo_file, username=DEMO_PLANNER, today=AS_OF)


def test_twelve_closed_cycles_whose_hashes_verify(demo_org):
    headers = list_snapshots(demo_org)
    assert [h.cycle for h in headers] == [f"{y}-{m:02d}" for y, m in _months(2025, 11, 12)]
    assert {h.status for h in headers} == {"Closed"}
    assert {h.closed_by_name for h in headers} == {"Avery Quinn"}
    assert headers[-1].line_count == 600 * 36 and headers[0].line_count == 600 * 3
    for h in (headers[0], headers[6], headers[-1]):
        result = verify_snapshot(demo_org, h.cycle)
        assert result.ok, result.problems


def _months(year: int, month: int, n: int):
    index = year * 12 + month - 1
    return [(i // 12, i % 12 + 1) for i in range(index, index + n)]


def test_each_lines_written_text_is_the_canonical_one(demo_file):
    """The demo writes line_text by hand for speed; it must be the canonical text."""
    conn = sqlite3.connect(demo_file)
    conn.row_factory = sqlite3.Row
    rows = (
        conn.execute(
            "SELECT * FROM DemandPlanSnapshot__c WHERE ReasonCode__c IS NOT NULL LIMIT 50"
        ).fetchall()
        + conn.execute("SELECT * FROM DemandPlanSnapshot__c LIMIT 50").fetchall()
    )
    for row in rows:
        text = line_text(dict(row))
        json.loads(text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:LINE_DIGEST]
        assert row["Name"].endswith(f"#{digest}")


def test_the_same_seed_builds_the_same_history(tmp_path):
    one = create_demo_org(tmp_path / "one.sqlite", as_of=AS_OF)
    two = create_demo_org(tmp_path / "two.sqlite", as_of=AS_OF)
    assert one.read_bytes() == two.read_bytes()
    other = create_demo_org(tmp_path / "other.sqlite", as_of=AS_OF, seed=8)
    query = "SELECT SnapshotId__c, ContentHash__c FROM DemandPlanCycle__c ORDER BY 1"
    with sqlite3.connect(one) as a, sqlite3.connect(other) as b:
        assert a.execute(query).fetchall() != b.execute(query).fetchall()


def wape(frame: pd.DataFrame, column: str) -> float:
    return float((frame[column] - frame["actual_qty"]).abs().sum() / frame["actual_qty"].sum())


def test_the_story_overrides_help_one_rep_and_optimism_hurts_another(demo_org):
    frames = [read_snapshot(demo_org, f"2026-{m:02d}").frame for m in range(1, 7)]
    lines = pd.concat(frames)
    actuals = read_actuals(demo_org, date(2026, 1, 1), date(2026, 10, 1))
    assert tuple(actuals.columns) == (
        "account_id",
        "product_id",
        "period_start",
        "actual_qty",
        "actual_rev",
    )
    both = lines.merge(actuals, on=["account_id", "product_id", "period_start"])
    assert len(both) > 0.9 * len(lines)
    by_rep = {name: g for name, g in both.groupby("rep_name")}
    sharp = by_rep["Jordan Reyes"]  # the demo rep
    assert DEMO_REP.startswith("jordan.reyes")
    assert wape(sharp, "rep_qty") < wape(sharp, "baseline_qty") - 0.01
    optimist = by_rep["Priya Novak"]
    assert wape(optimist, "rep_qty") > wape(optimist, "baseline_qty") + 0.01
    assert (optimist["rep_qty"] - optimist["actual_qty"]).mean() > 0  # bias: over-forecast
    # the planner's consensus tempers the optimist
    assert wape(optimist, "consensus_qty") < wape(optimist, "rep_qty")
    by_code = {code: g for code, g in both[both["reason_code"] != ""].groupby("reason_code")}
    helps, hurts = by_code["Customer intelligence"], by_code["Promotion"]
    assert wape(helps, "rep_qty") < wape(helps, "baseline_qty")
    assert wape(hurts, "rep_qty") > wape(hurts, "baseline_qty")
