"""``demandgrid preread``: the pre-read of the demo org's latest closed cycle from the command
line, and mistakes answered with a message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from addin.cli.main import app

pytest.importorskip("sync.cycle.snapshots")  # the cycle's memory (issue 12, part A)


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


def test_preread_writes_the_workbook(demo_org_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "PREREAD.xlsx"
    code, text = run("preread", "--org", str(demo_org_file), "-o", str(out))
    assert code == 0, text
    assert "Wrote the pre-read of cycle" in text and "No supply commitment loaded" in text
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"
    again = tmp_path / "AGAIN.xlsx"
    assert run("preread", "--org", str(demo_org_file), "-o", str(again))[0] == 0
    assert again.read_bytes() == out.read_bytes()  # the same snapshot, the same file


def test_an_unknown_cycle_is_a_message(demo_org_file: Path, tmp_path: Path) -> None:
    code, text = run(
        "preread", "--org", str(demo_org_file), "--cycle", "1999-01", "-o", str(tmp_path / "x.xlsx")
    )
    assert code == 4 and "Pass one of them with --cycle" in text and "Traceback" not in text
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.libreoffice
def test_pdf_beside_the_workbook(demo_org_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "PREREAD.xlsx"
    code, text = run("preread", "--org", str(demo_org_file), "-o", str(out), "--pdf")
    assert code == 0, text
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.libreoffice
def test_the_demo_preread_recalculates_without_error_or_hash_marks(
    demo_org_file: Path, tmp_path: Path
) -> None:
    import libreoffice

    out = tmp_path / "PREREAD.xlsx"
    assert run("preread", "--org", str(demo_org_file), "-o", str(out))[0] == 0
    recalculated = openpyxl.load_workbook(
        libreoffice.recalc(out, tmp_path / "r.xlsx"), data_only=True
    )
    sized = openpyxl.load_workbook(out)
    for ws in recalculated.worksheets[:-1]:  # the pages; Data holds values only
        errors = [
            c.coordinate for row in ws.iter_rows() for c in row if str(c.value).startswith("#")
        ]
        assert errors == [], f"{ws.title}: {errors[:5]}"
        page = sized[ws.title]
        cut = [
            c.coordinate
            for row in ws.iter_rows(min_row=4)
            for c in row
            if isinstance(c.value, str)
            and c.column == 1
            and not page[c.coordinate].alignment.wrap_text
            and page[c.coordinate].data_type == "f"
            and len(c.value) * 1.1 > (page.column_dimensions["A"].width or 8.43)
        ]
        assert cut == [], f"{ws.title}: names cut off at {cut[:5]}"
