"""``demandgrid load actuals``, ``pos template | import | coverage`` on the demo's files: what a
person sees, exit codes, and user mistakes answered with a message, never a traceback."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from addin.cli.main import app
from addin.gather.demo import write_demo_files
from sync.localorg import LocalOrg


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    text = result.output
    try:
        text += result.stderr
    except ValueError:  # older Click: stderr mixed into output
        pass
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(text.split())


def test_the_demo_month_from_the_command_line(org_file: Path, tmp_path: Path) -> None:
    files = write_demo_files(LocalOrg(org_file), tmp_path)
    org = ("--org", str(org_file))
    report = tmp_path / "reconciliation.csv"
    code, text = run("load", "actuals", str(files.erp), *org, "--report", str(report))
    assert code == 0, text
    assert "ERP actuals written" in text and "Reconciliation:" in text and report.exists()
    code, text = run("load", "actuals", str(files.erp), *org)
    assert code == 0 and "Nothing to send: the org already holds all" in text

    on_time = [str(p) for p in files.submissions if p.parent.name == "in"]
    queue = tmp_path / "unmatched.xlsx"
    code, text = run("pos", "import", *on_time, *org, "--queue", str(queue))
    assert code == 0, text
    assert "parts are not in the crosswalk" in text and queue.exists()
    code, text = run("pos", "coverage", "--deadline", "2099-01-10", "--period", "2098-12", *org)
    assert code == 0, text
    assert "Coverage: 0 of 32 distributors on time (0%" in text

    code, text = run(
        "pos",
        "template",
        "--distributor",
        "Nobody Ltd",
        "--period",
        "2026-11",
        "-o",
        str(tmp_path / "t.xlsx"),
        *org,
    )
    assert code == 2 and "no account in the org" in text and "Traceback" not in text
    folder = tmp_path / "out"
    code, text = run("pos", "template", "--all", "--period", "2026-11", "-o", str(folder), *org)
    assert code == 0, text
    built = sorted(folder.glob("*.xlsx"))
    assert len(built) == 32 and text.count("Built ") == 32


def test_a_refused_extract_exits_1_and_lists_the_rows(org_file: Path, tmp_path: Path) -> None:
    files = write_demo_files(LocalOrg(org_file), tmp_path)
    with files.erp.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[3][3] = "12%"
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    code, text = run("load", "actuals", str(bad), "--org", str(org_file))
    assert code == 1
    assert "row 4, Qty ('12%'): a percentage, not a number" in text
    assert "nothing was sent" in text and "--skip-refused" in text
    code, text = run("load", "actuals", str(bad), "--org", str(org_file), "--skip-refused")
    assert code == 0 and "1 row refused and left out" in text


def test_bad_dates_on_the_command_line(org_file: Path, tmp_path: Path) -> None:
    code, text = run("pos", "coverage", "--deadline", "10/12/2026", "--org", str(org_file))
    assert code == 2 and "not a date. Type it as 2026-12-10" in text
