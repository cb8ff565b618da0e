"""The committed review template is what ``demandgrid template build`` makes, and carries every
anchor, sheet and named style the writer needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from typer.testing import CliRunner

from addin.cli.main import app
from addin.review import layout
from addin.review.template import REVIEW_TEMPLATE, build_template


def fingerprint(path: Path) -> dict[str, Any]:
    """What a template is, in content: sheets and states, defined names, named styles, cells."""
    wb = openpyxl.load_workbook(path)
    styles = {}
    for style in wb._named_styles:
        styles[style.name] = (
            style.font.color.rgb if style.font.color is not None else None,
            style.font.b,
            style.fill.fgColor.rgb,
            style.number_format,
            style.protection.locked,
        )
    return {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "names": {n: d.attr_text for n, d in wb.defined_names.items()},
        "styles": styles,
        "cells": {
            ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value}
            for ws in wb.worksheets
        },
        "structure_locked": bool(wb.security and wb.security.lockStructure),
    }


def test_committed_template_equals_a_fresh_build(tmp_path: Path) -> None:
    fresh = build_template(tmp_path / "review.xlsx")
    assert REVIEW_TEMPLATE.exists(), "run `demandgrid template build` and commit the file"
    assert fingerprint(REVIEW_TEMPLATE) == fingerprint(fresh), (
        "workbook_templates/review.xlsx is out of date: run `make template` and commit it"
    )


def test_template_has_every_anchor_sheet_and_style() -> None:
    fp = fingerprint(REVIEW_TEMPLATE)
    assert fp["sheets"] == [
        (layout.REVIEW, "visible"),
        (layout.SUMMARY, "visible"),
        (layout.LISTS, "hidden"),
        (layout.RECORD, "veryHidden"),
    ]
    anchors = {
        layout.N_TITLE,
        layout.N_REP,
        layout.N_ORG,
        layout.N_PULLED_AT,
        layout.N_MEASURE,
        layout.N_OPEN_PROBLEMS,
        layout.N_CHANGED_CELLS,
        layout.N_GRID_ANCHOR,
        layout.N_LOCK_ANCHOR,
        layout.N_REASON_CODES,
        layout.N_SUMMARY_ACCOUNT,
        layout.N_SUMMARY_FAMILY,
        layout.N_RECORD,
    }
    assert anchors <= set(fp["names"])
    styles = fp["styles"]
    for name in (
        layout.STYLE_INPUT,
        layout.STYLE_TEXT_INPUT,
        layout.STYLE_READONLY,
        layout.STYLE_LOCKED,
        layout.STYLE_HEADING,
        layout.STYLE_TOTAL,
    ):
        assert name in styles
    assert styles[layout.STYLE_INPUT][0].endswith("0000FF")  # blue: editable
    assert styles[layout.STYLE_INPUT][4] is False and styles[layout.STYLE_TEXT_INPUT][4] is False
    assert styles[layout.STYLE_READONLY][4] is True and styles[layout.STYLE_LOCKED][4] is True
    assert styles[layout.STYLE_INPUT][3] == "#,##0"
    assert list(fp["cells"][layout.LISTS].values())[1:] == list(layout.REASON_CODES)
    assert fp["structure_locked"]


def test_template_build_command(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["template", "build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert fingerprint(out) == fingerprint(REVIEW_TEMPLATE)
