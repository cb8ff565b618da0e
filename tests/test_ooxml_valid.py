"""Every kind of file demandgrid writes passes an independent OOXML validator (openxml-audit,
a pure-Python port of the Open XML SDK's schema and semantic checks; ADR 4): the review
workbook after pull, check and push (with its Conflicts sheet), the FP&A workbook after build
and refresh and after LibreOffice saved it, and the add-in. A file Excel would repair on open
fails here first.

The rep's and the analyst's edits between steps are made with openpyxl, as Excel would save
them; the validator then sees what demandgrid wrote on top.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import libreoffice
import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_scenarios import synthetic_plan
from openxml_audit import OpenXmlValidator, ValidationSeverity  # the dev extra (ADR 4)

from addin.book.errors import ConflictsFound
from addin.book.xlsx import XlsxBook
from addin.check.file import check_file
from addin.fpa.build import write_scenarios
from addin.fpa.refresh import refresh_with_plan
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.xlam.build import build_addin
from sync.localorg import LocalOrg

#: Findings that are not errors in the file, each with why.
KNOWN_FALSE_POSITIVES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "font children in any order",
        re.compile(r"^/xl/styles\.xml:.*/font\[\d+\](/[^:]*)?: Unexpected element '\w+' found"),
        "ECMA-376 declares CT_Font's children as an unbounded xsd:choice (any order); the SDK "
        "(and this port of it) expects a fixed sequence (b, i, ..., sz, color, name, ...). "
        "Excel and LibreOffice read either order; openpyxl writes color before sz.",
    ),
)


#: LibreOffice (7.x) saves a workbook without a theme part; the SDK's constraint names it
#: required, but Excel opens such files without a repair prompt (it falls back to the Office
#: theme). Not ours to add: refresh copies the analyst's parts through untouched.
LIBREOFFICE_WRITES_NO_THEME = (
    "no theme after LibreOffice",
    re.compile(r"^/xl/workbook\.xml:: A required relationship type '\S+/relationships/theme'"),
    "LibreOffice writes no xl/theme part; Excel opens its files without repair.",
)


def findings(path: Path, *allowed: tuple[str, re.Pattern[str], str]) -> list[str]:
    """The validator's errors for ``path`` (warnings and notes are advice, not invalidity:
    e.g. "inline strings will move to a shared-strings table when Excel saves"), known
    false positives and ``allowed`` ones removed."""
    result = OpenXmlValidator(max_errors=200).validate(path)
    out = []
    for error in result.errors:
        if error.severity != ValidationSeverity.ERROR:
            continue
        text = f"{error.part_uri}:{error.path}: {error.description}"
        if any(pattern.search(text) for _, pattern, _ in (*KNOWN_FALSE_POSITIVES, *allowed)):
            continue
        out.append(f"[{error.error_type.value}] {text}")
    return out


def assert_valid(path: Path, *allowed: tuple[str, re.Pattern[str], str]) -> None:
    found = findings(path, *allowed)
    assert found == [], f"{path.name}: {len(found)} OOXML error(s):\n" + "\n".join(found[:20])


# ---------------------------------------------------------------- the review workbook


def edit_rows(review: ReviewFile, values: dict, note: str = "Promo with the distributor") -> Path:
    """Edit ``values`` and give each edited row a reason code and a note (as a rep would)."""
    rows = {}
    for block in {review.block_of(a) for a in values}:
        rows[review.row_cell(layout.H_NOTE, block)] = note
        rows[review.row_cell(layout.H_REASON, block)] = "Promotion"
    return review.edit({**rows, **values})


@pytest.fixture(scope="module")
def review_files(demo_org_file, tmp_path_factory) -> dict[str, Path]:
    """One small pull (3 months), then copies of it after check, push and a conflict."""
    folder = tmp_path_factory.mktemp("ooxml")
    org_path = folder / "org.sqlite"
    shutil.copyfile(demo_org_file, org_path)
    org = LocalOrg(org_path)
    pulled = pull_review_file(org, folder / "pulled.xlsx", horizon=3, history=0)
    files = {"pull": pulled}

    checked = ReviewFile(shutil.copyfile(pulled, folder / "checked.xlsx"))
    checked.edit({checked.open_cell(0, 0): "lots"})  # a problem: the Check sheet lists it
    assert not check_file(checked.path).ok
    files["check"] = checked.path

    pushed = ReviewFile(shutil.copyfile(pulled, folder / "pushed.xlsx"))
    second = ReviewFile(shutil.copyfile(pulled, folder / "second.xlsx"))
    edit_rows(pushed, {pushed.open_cell(0, 0): 500})
    push_workbook(XlsxBook.open(pushed.path), org)
    files["push"] = pushed.path

    edit_rows(second, {second.open_cell(0, 0): 900}, note="My own view")
    with pytest.raises(ConflictsFound):
        push_workbook(XlsxBook.open(second.path), org)
    files["push with conflicts"] = second.path
    return files


@pytest.mark.parametrize("step", ["pull", "check", "push", "push with conflicts"])
def test_review_workbook_is_valid_ooxml(review_files: dict[str, Path], step: str) -> None:
    assert_valid(review_files[step])


# ---------------------------------------------------------------- the FP&A workbook


@pytest.fixture(scope="module")
def fpa_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ooxml-fpa")
    plan = synthetic_plan(216)  # 6 products x 36 months: every sheet, few cells to validate
    built = write_scenarios(plan, folder / "FPA.xlsx")
    files = {"build": shutil.copyfile(built, folder / "built.xlsx")}
    cells = plan.cells.copy()
    cells.loc[cells.index % 7 == 0, "consensus"] += 3.0
    refresh_with_plan(built, replace(plan, cells=cells.iloc[:-36]))
    files["refresh"] = built
    return files


@pytest.mark.parametrize("step", ["build", "refresh"])
def test_fpa_workbook_is_valid_ooxml(fpa_files: dict[str, Path], step: str) -> None:
    assert_valid(fpa_files[step])


@pytest.mark.libreoffice
def test_fpa_workbook_saved_by_libreoffice_is_valid_ooxml(fpa_files, tmp_path) -> None:
    saved = libreoffice.recalc(fpa_files["refresh"], tmp_path / "saved.xlsx")
    assert_valid(saved, LIBREOFFICE_WRITES_NO_THEME)
    # and refresh still works on what LibreOffice wrote, and that is valid too
    assert openpyxl.load_workbook(saved, read_only=True)
    refresh_with_plan(saved, synthetic_plan(216))
    assert_valid(saved, LIBREOFFICE_WRITES_NO_THEME)


# ---------------------------------------------------------------- the add-in


def test_addin_is_valid_ooxml(tmp_path) -> None:
    assert_valid(build_addin(tmp_path / "demandgrid.xlam"))


def test_the_validator_catches_a_broken_package(tmp_path) -> None:
    """The filter above keeps real errors: an add-in whose config sheet has an invalid cell
    type and whose theme relationship points nowhere fails."""
    import zipfile

    good = build_addin(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlam"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b't="inlineStr"', b't="bogus"', 1)
            if info.filename == "xl/theme/theme1.xml":
                continue
            zout.writestr(info, data)
    found = "\n".join(findings(bad))
    assert "bogus" in found and "theme" in found


# ---------------------------------------------------------------- Phase 1 files (issue 13 A)


def test_pos_workbook_and_reports_are_valid_ooxml(org_file, tmp_path) -> None:
    """The POS submission workbook (template, and as returned by LibreOffice), the
    reconciliation report and the coverage report."""
    from addin.gather.actuals import load_actuals_file
    from addin.gather.demo import write_demo_files
    from addin.gather.pos import coverage_report, make_template
    from sync.pull.cells import org_today

    org = LocalOrg(org_file)
    files = write_demo_files(org, tmp_path)
    template = make_template(
        org,
        "Alder Mining Equipment Corp.",
        org_today(org),
        tmp_path / "pos.xlsx",
        crosswalk=files.crosswalk,
    )
    assert_valid(template.path)
    report = tmp_path / "reconciliation.xlsx"
    load_actuals_file(org, files.erp, today=org_today(org), report=report, dry_run=True)
    assert_valid(report)
    coverage_report(org, org_today(org), org_today(org), tmp_path / "cov.xlsx")
    assert_valid(tmp_path / "cov.xlsx")
    if libreoffice.available():
        returned = tmp_path / "returned.xlsx"
        libreoffice.recalc(template.path, returned)
        assert_valid(returned, LIBREOFFICE_WRITES_NO_THEME)
