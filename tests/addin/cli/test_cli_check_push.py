"""`demandgrid check` and `demandgrid push` on workbook files: output, exit codes, no tracebacks."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_push import snapshot
from typer.testing import CliRunner

from addin.cli.main import app
from addin.review import layout
from sync.localorg import LocalOrg

runner = CliRunner()


@pytest.fixture
def local(org_file, tmp_path) -> tuple[LocalOrg, ReviewFile]:
    org = LocalOrg(org_file)
    return org, ReviewFile(pull_review_file(org, tmp_path / "review.xlsx"))


def noted(review: ReviewFile, values: dict, note: str = "Agreed with buyer") -> None:
    rows = {review.block_of(a) for a in values}
    extra = {review.row_cell(layout.H_NOTE, b): note for b in rows}
    extra |= {review.row_cell(layout.H_REASON, b): "Promotion" for b in rows}
    review.edit({**extra, **values})


def invoke(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})
    assert "Traceback" not in result.output
    return result


def test_check_clean_exits_0_and_writes_the_check_sheet(local) -> None:
    _, review = local
    noted(review, {review.open_cell(0): 12})
    result = invoke("check", review.path)
    assert result.exit_code == 0, result.output
    assert "ready to push" in result.output
    assert layout.CHECK in openpyxl.load_workbook(review.path).sheetnames


def test_check_with_problems_exits_1_with_a_table(local) -> None:
    _, review = local
    review.edit({review.open_cell(0): "lots"})
    result = invoke("check", review.path)
    assert result.exit_code == 1
    assert "not-a-number" in result.output and "note-missing" in result.output


def test_check_takes_a_rules_file(local, tmp_path) -> None:
    _, review = local
    rules = tmp_path / "rules.toml"
    rules.write_text("[check]\nrequire_reason = false\n")
    review.edit({review.open_cell(0): 12, review.row_cell(layout.H_NOTE): "why"})
    assert invoke("check", review.path, "--rules", rules).exit_code == 0
    assert invoke("check", review.path).exit_code == 1


def test_push_to_the_org_it_came_from(local) -> None:
    org, review = local
    noted(review, {review.open_cell(0): 12, review.open_cell(1, 1): 13})
    before = snapshot(org)
    result = invoke("push", review.path)
    assert result.exit_code == 0, result.output
    assert "Pushed 2 of 2 changed cell(s) in 1 update call(s)" in result.output
    assert snapshot(org) != before
    again = invoke("push", review.path)
    assert again.exit_code == 0 and "nothing to push" in again.output


def test_push_dry_run_prints_the_plan_and_sends_nothing(local) -> None:
    org, review = local
    noted(review, {review.open_cell(0): 12})
    before = snapshot(org)
    result = invoke("push", review.path, "--dry-run")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # a narrow terminal wraps lines and table cells
    assert "would send 1 cells in 1 update call(s)" in text
    assert "API budget" in text and "would" in text
    assert snapshot(org) == before


def test_push_with_problems_exits_1(local) -> None:
    org, review = local
    before = snapshot(org)
    review.edit({review.open_cell(0): -1})
    result = invoke("push", review.path)
    assert result.exit_code == 1 and "nothing was sent" in result.output
    assert snapshot(org) == before


def test_push_conflict_exits_3_then_take_theirs(local, tmp_path) -> None:
    _, review = local
    second = ReviewFile(shutil.copyfile(review.path, tmp_path / "second.xlsx"))
    noted(review, {review.open_cell(0): 12})
    assert invoke("push", review.path).exit_code == 0
    noted(second, {second.open_cell(0): 99})
    result = invoke("push", second.path)
    assert result.exit_code == 3 and "changed in the org since your pull" in result.output
    result = invoke("push", second.path, "--take", "theirs")
    assert result.exit_code == 0, result.output
    assert "kept theirs" in result.output


def test_push_to_a_missing_org_exits_4(local, tmp_path) -> None:
    _, review = local
    noted(review, {review.open_cell(0): 12})
    result = invoke("push", review.path, "--org", tmp_path / "nowhere.sqlite")
    assert result.exit_code == 4 and "No local org" in result.output


def test_a_workbook_that_is_not_ours_exits_2(tmp_path) -> None:
    path = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(path)
    for command in ("check", "push"):
        result = invoke(command, path)
        assert result.exit_code == 2 and "no demandgrid record" in result.output


def test_check_on_an_untouched_workbook_says_there_is_nothing_to_push(local) -> None:
    _, review = local
    result = invoke("check", review.path)
    assert result.exit_code == 0
    assert "No changed cells: nothing to push" in result.output


def test_a_dry_run_exits_as_the_push_would_on_a_conflict(local) -> None:
    org, review = local
    address = review.open_cell(0)
    noted(review, {address: 12})
    from addin.book.xlsx import XlsxBook
    from addin.review.readback import read_workbook

    (change,) = read_workbook(XlsxBook.open(review.path)).changes
    org.update(
        "AccountProductPeriodForecast", [{"Id": change.record_id, "AdjustedForecastedQuantity": 7}]
    )
    before = snapshot(org)
    dry = invoke("push", review.path, "--dry-run")
    real = invoke("push", review.path)
    assert dry.exit_code == real.exit_code == 3, (dry.output, real.output)
    assert "theirs 7" in dry.output and snapshot(org) == before


def test_help_keeps_option_names_placeholders_and_brackets() -> None:
    result = invoke("check", "--help")
    assert "--rules FILE" in result.output and "[check] section" in result.output


def test_an_error_keeps_brackets_in_its_text(local, tmp_path) -> None:
    _, review = local
    rules = tmp_path / "rules.toml"
    rules.write_text("[check]\nno_such_rule = 1\n")
    result = invoke("check", review.path, "--rules", rules)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "[check]" in result.output, result.output
