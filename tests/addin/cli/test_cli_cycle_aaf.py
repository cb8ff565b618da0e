"""`demandgrid cycle close/verify/list` and `demandgrid preread` on an org on Advanced Account
Forecasting (issue 14): the same commands, the profile detected, no tracebacks."""

from __future__ import annotations

import shutil

import openpyxl
from typer.testing import CliRunner

from addin.cli.main import app
from sync.localorg.demo.org import DEMO_PLANNER


def invoke(*args: object):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def test_close_verify_list_and_preread_on_an_aaf_org(aaf_org_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no demandgrid.toml: the profile is detected
    org_file = tmp_path / "aaf.sqlite"
    shutil.copyfile(aaf_org_file, org_file)
    who = ("--org", org_file, "--as", DEMO_PLANNER)
    closed = invoke("cycle", "close", "--region", "LATAM", *who)
    assert closed.exit_code == 0, closed.output
    assert "Closed SNAP-" in closed.output and "-LATAM" in closed.output
    verified = invoke("cycle", "verify", "--region", "LATAM", *who)
    assert verified.exit_code == 0 and "verifies" in verified.output, verified.output
    listed = invoke("cycle", "list", *who)
    assert "-LATAM" in listed.output and listed.output.count("Closed") >= 13
    out = tmp_path / "preread.xlsx"
    made = invoke("preread", "--org", org_file, "--region", "LATAM", "-o", out)
    assert made.exit_code == 0, made.output
    assert openpyxl.load_workbook(out).sheetnames
