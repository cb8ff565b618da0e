"""A close killed with SIGKILL after its first write call completes when run again: the same
lines, no duplicate, a header whose hash verifies (local org, a real process)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.cycle.calendar import cycle_of
from sync.cycle.close import close_cycle
from sync.cycle.snapshots import list_snapshots, verify_snapshot
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER
from sync.org.snapshot import snapshot_id
from sync.pull.cells import org_today

ROOT = Path(__file__).resolve().parents[3]
CLOSER = """
import sys, time
from pathlib import Path
from sync.cycle.close import close_cycle
from sync.localorg import LocalOrg

def stall(done, total):
    Path(sys.argv[2]).write_text(str(done))
    time.sleep(600)  # killed here, after the first call committed

close_cycle(LocalOrg(sys.argv[1], username=sys.argv[3]), region="EMEA", on_progress=stall)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_after_the_first_call_then_run_again(org_file, tmp_path):
    marker = tmp_path / "first-call-done"
    process = subprocess.Popen(
        [sys.executable, "-c", CLOSER, str(org_file), str(marker), DEMO_PLANNER], cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), "the close did not reach its first call"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    org = LocalOrg(org_file, username=DEMO_PLANNER)
    cycle = cycle_of(org_today(org))
    sid = snapshot_id(cycle, "EMEA")
    count = "SELECT count(*) FROM DemandPlanSnapshot__c WHERE SnapshotId__c = ?"
    with sqlite3.connect(org_file) as conn:
        assert conn.execute(count, (sid,)).fetchone()[0] == int(marker.read_text()) == 1000
    assert all(h.snapshot_id != sid for h in list_snapshots(org))
    receipt = close_cycle(org, region="EMEA")
    with sqlite3.connect(org_file) as conn:
        assert conn.execute(count, (sid,)).fetchone()[0] == receipt.lines
        (keys,) = conn.execute(
            "SELECT count(DISTINCT LineKey__c) FROM DemandPlanSnapshot__c WHERE SnapshotId__c = ?",
            (sid,),
        ).fetchone()
    assert keys == receipt.lines
    assert verify_snapshot(org, cycle, "EMEA").ok
