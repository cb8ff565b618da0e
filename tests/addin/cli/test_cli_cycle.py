"""`demandgrid cycle` (status, close, verify, list, reopen) on the local org: output, exit codes,
no tracebacks."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

from typer.testing import CliRunner

from addin.cli.main import app
from sync.localorg.demo.org import DEMO_PLANNER

runner = CliRunner()


def invoke(*args: object):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    # a narrow terminal (CI) wraps lines and table cells: compare words, not line breaks
    return SimpleNamespace(exit_code=result.exit_code, output=" ".join(result.output.split()))


def test_status_shows_the_phases_and_what_is_open(tmp_path):
    config = tmp_path / "demandgrid.toml"
    config.write_text("[cycle]\ndemand_review = { open = 6, close = 11 }\n", encoding="utf-8")
    result = invoke("cycle", "--config", config, "--today", "2026-11-10")
    assert result.exit_code == 0, result.output
    assert "S&OP cycle 2026-11" in result.output
    assert "Demand review" in result.output and "Wed 11 Nov" in result.output
    assert "Open now: Demand review." in result.output
    assert "Nov 2026 to Apr 2028" in result.output


def test_a_broken_calendar_is_a_message(tmp_path):
    config = tmp_path / "demandgrid.toml"
    config.write_text("[cycle]\ndemand_review = { open = 14, close = 6 }\n", encoding="utf-8")
    result = invoke("cycle", "--config", config)
    assert result.exit_code == 2
    assert "line 2: [cycle] demand_review: closes (6) before it opens (14)" in result.output
    bad = invoke("cycle", "close", "--cycle", "2026-13")
    assert bad.exit_code == 2 and "give the month as YYYY-MM" in bad.output


def test_close_verify_list_and_reopen(org_file):
    who = ("--org", org_file, "--as", DEMO_PLANNER)
    closed = invoke("cycle", "close", "--region", "LATAM", *who)
    assert closed.exit_code == 0, closed.output
    assert "Closed SNAP-" in closed.output and "-LATAM" in closed.output
    assert "by Avery Quinn" in closed.output and "write call(s)" in closed.output
    again = invoke("cycle", "close", "--region", "LATAM", *who)
    assert "was already closed" in again.output and "nothing written" in again.output
    verified = invoke("cycle", "verify", "--region", "LATAM", *who)
    assert verified.exit_code == 0 and "verifies" in verified.output
    listed = invoke("cycle", "list", *who)
    assert "-LATAM" in listed.output and listed.output.count("Closed") >= 13
    with sqlite3.connect(org_file) as conn:
        conn.execute(
            "UPDATE DemandPlanSnapshot__c SET Note__c = 'edited' WHERE Id = "
            "(SELECT max(Id) FROM DemandPlanSnapshot__c WHERE SnapshotId__c LIKE '%LATAM')"
        )
    tampered = invoke("cycle", "verify", "--region", "LATAM", *who)
    assert tampered.exit_code == 1 and "changed after the close" in tampered.output
    reopened = invoke("cycle", "reopen", "--region", "LATAM", "--reason", "Allocation cut", *who)
    assert reopened.exit_code == 0 and "Avery Quinn: Allocation cut" in reopened.output


def test_a_rep_may_not_close(org_file):
    result = invoke("cycle", "close", "--org", org_file, "--as", "jordan.reyes@demandgrid.demo")
    assert result.exit_code == 4
    assert "Only a demand planner may close" in result.output and "Avery Quinn" in result.output
