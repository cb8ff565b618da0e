"""The hand-off commands from the command line: what they print, exit codes, no traceback."""

from __future__ import annotations

from pathlib import Path

from conftest_handoff import CYCLE, snapshot_lines, write_snapshot
from test_cli_pull import run

from sync.handoff.demo import write_demo_files
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP


def test_handoff_commands_run_and_refuse_without_traceback(org_file: Path, tmp_path: Path) -> None:
    org = LocalOrg(org_file)
    supply, allocation = write_demo_files(org, tmp_path, DEMO_PLANNER)
    write_snapshot(org, snapshot_lines(org, horizon=1))
    org.close()
    where = ("--org", str(org_file))

    code, text = run("import", "supply", str(supply), *where)
    assert code == 0 and "created" in text
    code, text = run("import", "supply", str(supply), *where)
    assert code == 0 and "0 API write call(s)" in text

    out = tmp_path / "alloc.xlsx"
    code, text = run(
        "import", "allocation", str(allocation), "--planner", DEMO_PLANNER, "-o", str(out), *where
    )
    assert code == 0 and "Allocation ALLOC-DEMO-1: 4 cells" in text and out.exists()

    code, text = run("export", "consensus", "--cycle", CYCLE, "-o", str(tmp_path / "c.csv"), *where)
    assert code == 0 and "plan lines of snapshot" in text
    code, text = run(
        "export", "consensus", "--cycle", "2020-01", "-o", str(tmp_path / "d.csv"), *where
    )
    assert code == 4 and "has no plan snapshot" in text and "Traceback" not in text

    bad = tmp_path / "bad.csv"
    bad.write_text("product_family,month,quantity,plan_id\nNope,2027-13,x,\n", encoding="utf-8")
    code, text = run("import", "supply", str(bad), *where)
    assert code == 2 and "row 2" in text and "Nothing was sent" in text

    review = tmp_path / "review.xlsx"
    code, _ = run(
        "pull", "--rep", DEMO_REP, "-o", str(review), "--horizon", "6", "--history", "0", *where
    )
    assert code == 0
    code, text = run("upside", "accept", str(review), *where[:0])
    assert code == 2 and "Say which upside" in text
    code, text = run("upside", "accept", str(review), "--cells", "ZZ9")
    assert code == 2 and "ZZ9 is not a period cell" in text
