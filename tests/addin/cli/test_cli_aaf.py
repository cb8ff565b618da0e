"""``demandgrid demo --model aaf`` and ``demandgrid pull`` on an AAF org: the profile is the
org's, found without being told, and written into the workbook so check and push follow it."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_cli_pull import run

from addin.book.xlsx import XlsxBook
from addin.review.readback import read_workbook
from sync.localorg.demo.org import DEMO_REP


def test_demo_model_aaf_builds_the_aaf_org_and_pulls_with_its_profile(tmp_path: Path) -> None:
    directory = tmp_path / "demo-aaf"
    code, text = run("demo", "--dir", str(directory), "--model", "aaf")
    assert code == 0, text
    (book,) = directory.glob("*-review.xlsx")
    assert read_workbook(XlsxBook.open(book)).record.context.profile == "aaf"


def test_pull_on_an_aaf_org_detects_the_profile(aaf_org_file: Path, tmp_path: Path) -> None:
    org = tmp_path / "org.sqlite"
    shutil.copyfile(aaf_org_file, org)
    out = tmp_path / "rep.xlsx"
    code, text = run("pull", "--rep", DEMO_REP, "--org", str(org), "-o", str(out))
    assert code == 0, text
    reviewed = read_workbook(XlsxBook.open(out))
    assert reviewed.record.context.profile == "aaf"
    assert {c["record_id"][:3] for c in reviewed.record.cells} == {"0Xf"}


def test_an_unknown_mapping_key_is_a_message_not_a_traceback(
    aaf_org_file: Path, tmp_path: Path, monkeypatch
) -> None:
    org = tmp_path / "org.sqlite"
    shutil.copyfile(aaf_org_file, org)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demandgrid.toml").write_text('[mapping]\nprofile = "aaf"\nfact_objet = "X"\n')
    code, text = run("pull", "--rep", DEMO_REP, "--org", str(org), "-o", str(tmp_path / "r.xlsx"))
    assert code != 0 and "Traceback" not in text
    assert "fact_objet" in text and "demandgrid.toml" in text
