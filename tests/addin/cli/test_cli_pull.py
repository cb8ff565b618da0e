"""``demandgrid pull``, ``demandgrid demo``: from the command line to a workbook, and user
mistakes answered with a message, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from addin.cli.main import app
from addin.review import layout, record
from sync.localorg.demo.org import DEMO_REP


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    text = result.output
    try:
        text += result.stderr
    except ValueError:  # older Click: stderr mixed into output
        pass
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, text


def read_record(path: Path) -> record.WorkbookRecord:
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.RECORD]
    return record.decode([row[0] for row in ws.iter_rows(min_col=1, max_col=1, values_only=True)])


def test_pull_writes_the_reps_workbook(org_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.xlsx"
    code, text = run("pull", "--rep", DEMO_REP, "--org", str(org_file), "-o", str(out))
    assert code == 0, text
    assert "forecast cells" in text and str(out) in text.replace("\n", "")
    rec = read_record(out)
    assert rec.context.pulled_by and rec.context.horizon == 18
    assert 2_000 <= len(rec.cells) <= 4_000
    wb = openpyxl.load_workbook(out)
    assert wb[layout.REVIEW].protection.sheet


def test_pull_revenue_with_a_shorter_horizon(org_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "revenue.xlsx"
    code, text = run(
        "pull", "--rep", DEMO_REP, "--org", str(org_file), "--horizon", "6",
        "--measure", "revenue", "-o", str(out),
    )  # fmt: skip
    assert code == 0, text
    rec = read_record(out)
    assert rec.context.measure == "revenue" and rec.context.horizon == 6
    wb = openpyxl.load_workbook(out)
    sheet, ref = next(iter(wb.defined_names[layout.N_MEASURE].destinations))
    assert wb[sheet][ref.replace("$", "")].value.startswith("Revenue")


def test_unknown_rep_is_a_message_not_a_traceback(org_file: Path, tmp_path: Path) -> None:
    code, text = run(
        "pull", "--rep", "nobody@nowhere", "--org", str(org_file), "-o", str(tmp_path / "x.xlsx")
    )
    assert code != 0
    assert "nobody@nowhere" in text and "Traceback" not in text
    assert not (tmp_path / "x.xlsx").exists()


def test_output_must_be_an_xlsx_file(org_file: Path, tmp_path: Path) -> None:
    code, text = run(
        "pull", "--rep", DEMO_REP, "--org", str(org_file), "-o", str(tmp_path / "x.csv")
    )
    assert code == 2 and ".xlsx" in text and "Traceback" not in text


def test_missing_org_file_says_how_to_make_one(tmp_path: Path) -> None:
    code, text = run(
        "pull",
        "--rep",
        DEMO_REP,
        "--org",
        str(tmp_path / "none.sqlite"),
        "-o",
        str(tmp_path / "x.xlsx"),
    )
    assert code != 0 and "demandgrid demo" in text and "Traceback" not in text


def test_demo_builds_the_org_once_and_pulls(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    code, text = run("demo", "--dir", str(directory))
    assert code == 0, text
    org = directory / "org.sqlite"
    books = list(directory.glob("*-review.xlsx"))
    assert org.exists() and len(books) == 1
    assert "demandgrid check" in text and "demandgrid push" in text and "locked" in text
    inode = org.stat().st_ino  # a rebuild renames a new file into place
    code, text = run("demo", "--dir", str(directory))  # second run: org kept, workbook fresh
    assert code == 0, text
    assert org.stat().st_ino == inode


@pytest.mark.parametrize("size", ["demo"])
def test_demo_reuses_an_existing_org(demo_org_file: Path, tmp_path: Path, size: str) -> None:
    directory = tmp_path / size
    directory.mkdir()
    shutil.copyfile(demo_org_file, directory / "org.sqlite")
    code, text = run("demo", "--dir", str(directory))
    assert code == 0, text
    assert "Building the demo org" not in text


def test_demo_sets_an_outdated_org_aside_and_builds_anew(
    demo_org_file: Path, tmp_path: Path
) -> None:
    import sqlite3

    from sync.localorg.tables import set_meta

    directory = tmp_path / "demo"
    directory.mkdir()
    shutil.copyfile(demo_org_file, directory / "org.sqlite")
    with sqlite3.connect(directory / "org.sqlite") as conn:
        set_meta(conn, "schema", "0123456789abcdef")
    code, text = run("demo", "--dir", str(directory))
    assert code == 0, text
    assert "set aside" in text
    assert len(list(directory.glob("org-outdated-*.sqlite"))) == 1


def test_a_planner_pulls_the_region_with_team(org_file: Path, tmp_path: Path) -> None:
    from sync.localorg.demo.org import DEMO_PLANNER

    out = tmp_path / "region.xlsx"
    args = ("pull", "--rep", DEMO_PLANNER, "--org", str(org_file), "-o", str(out))
    code, text = run(*args, "--team", "--horizon", "2", "--history", "0")
    assert code == 0, text
    cells = read_record(out).cells
    assert len({c["row_key"] for c in cells}) > 150  # more than one rep's 150 forecasts


def test_a_user_without_forecasts_gets_a_message(org_file: Path, tmp_path: Path) -> None:
    from sync.localorg.store import ADMIN_USERNAME

    out = tmp_path / "x.xlsx"
    code, text = run("pull", "--rep", ADMIN_USERNAME, "--org", str(org_file), "-o", str(out))
    assert code == 2 and "nothing to review" in text and "Traceback" not in text
    assert not out.exists()


def test_pull_to_workbook_on_every_backend(org, tmp_path: Path) -> None:
    """The same library call behind the CLI and the ribbon, on the local org and on Salesforce
    (simple-salesforce against the HTTPS test server in front of the same org)."""
    from addin.review.pull import pull_to_workbook
    from addin.review.writer import anchor

    out = pull_to_workbook(org, DEMO_REP, tmp_path / "review.xlsx", horizon=6, history=1)
    rec = read_record(out)
    assert rec.context.org_id == org.identity().org_id and rec.context.horizon == 6
    periods = sorted({c["period_start"] for c in rec.cells})
    assert len(periods) == 7
    wb = openpyxl.load_workbook(out)
    ws, row, col = anchor(wb, layout.N_GRID_ANCHOR)
    adjusted = sum(
        1 for r in ws.iter_rows(min_row=row + 1, values_only=True) if r[4] == layout.ADJUSTED
    )
    assert adjusted == len({c["row_key"] for c in rec.cells})


def test_an_unknown_region_lists_the_regions_there_are(org_file, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["scenarios", "--org", str(org_file), "--region", "Mars", "-o", str(tmp_path / "f.xlsx")],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    text = " ".join(result.output.split())  # a narrow terminal wraps the message
    assert "No sales region 'Mars'" in text and "APAC, EMEA, LATAM, North America" in text
    assert not (tmp_path / "f.xlsx").exists()
