"""`demandgrid spread` and `demandgrid undo` on files: output, exit codes, no tracebacks."""

from __future__ import annotations

from types import SimpleNamespace

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


def invoke(*args: object):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})
    assert "Traceback" not in result.output
    # a narrow terminal (CI) wraps lines and table cells: compare words, not line breaks
    return SimpleNamespace(exit_code=result.exit_code, output=" ".join(result.output.split()))


def test_spread_preview_then_apply_then_push_then_undo(local) -> None:
    org, review = local
    block = review.block_of(review.open_cell(0, 0))
    review.edit({review.row_cell(layout.H_NEW_TOTAL, block): 9000})
    before = snapshot(org)

    preview = invoke("spread", review.path, "--profile", "equal")
    assert preview.exit_code == 0, preview.output
    assert "preview on the Spread preview sheet" in preview.output

    applied = invoke("spread", review.path, "--apply", "--reason", "Promotion")
    assert applied.exit_code == 0, applied.output
    assert "written into the grid as changes" in applied.output

    pushed = invoke("push", review.path)
    assert pushed.exit_code == 0, pushed.output
    push_id = next(w for w in pushed.output.split() if w.endswith("):")).rstrip("):")
    assert snapshot(org) != before

    dry = invoke("undo", push_id, review.path, "--dry-run")
    assert dry.exit_code == 0 and "Dry run" in dry.output and "nothing was sent" in dry.output
    undone = invoke("undo", push_id, review.path)
    assert undone.exit_code == 0, undone.output
    assert "Undo" in undone.output and snapshot(org) == before


def test_undo_of_an_unknown_push_says_where_to_find_the_id(local) -> None:
    _, review = local
    result = invoke("undo", "nope", review.path)
    assert result.exit_code == 4 and "Push Log" in result.output


def test_spread_of_text_is_refused_with_the_cell(local) -> None:
    _, review = local
    cell = review.row_cell(layout.H_NEW_TOTAL, 0)
    review.edit({cell: "about 500"})
    result = invoke("spread", review.path, "--apply")
    assert result.exit_code == 2 and cell in result.output and "not a number" in result.output
