"""Design wins: an Upside row beside the forecast, never counted twice with the period
forecast's Opportunity measure, never in the adjusted value until accepted, then a noted change
(reason Design win) through the normal check and push, on both backends."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from simple_salesforce import format_soql

from addin.book.xlsx import XlsxBook
from addin.handoff.upside import UpsideNotAccepted, accept_upside
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.pull import pull_to_workbook
from addin.review.readback import read_workbook
from sync.localorg.demo.org import DEMO_REP
from sync.org.mapping import STANDARD
from sync.pull.cells import pull_cells
from sync.pull.upside import UpsideRules, upside_values, won_schedules


def upside_frame(org, rules: UpsideRules | None = None):  # type: ignore[no-untyped-def]
    cells = pull_cells(org, DEMO_REP, horizon=6, history=0)
    frame = cells.frame.copy()
    frame["upside"] = upside_values(org, frame, STANDARD, rules)
    return frame


def test_upside_leaves_out_what_the_opportunity_measure_holds(org) -> None:
    frame = upside_frame(org)
    shown = frame[frame["upside"].notna()]
    assert len(shown) == 7  # the demo's wins: 1 + 3 + 3 cells; the open opportunity shows none
    starts = frame["period_start"].tolist()
    wins = won_schedules(org, frame["account_id"].tolist(), min(starts), max(starts), "quantity")
    ids = shown["record_id"].tolist()
    soql = format_soql(
        "SELECT Id, OpportunityQuantity FROM AccountProductPeriodForecast WHERE Id IN {}", ids
    )
    opportunity = {r["Id"]: r["OpportunityQuantity"] or 0.0 for r in org.query(soql)}
    covered = 0
    for r in shown.itertuples():
        win = wins[(r.account_id, r.product_id, r.period_start)]
        assert r.upside == win - opportunity[r.record_id]  # never the part already counted
        covered += opportunity[r.record_id] > 0
    assert covered == 1  # the demo's first win sits on a cell with an Opportunity quantity

    # The setting for the unconfirmed assumption: closed-won not "active" -> the whole win.
    whole = upside_frame(org, UpsideRules(closed_won_in_opportunity_measure=False))
    assert whole["upside"].sum() == sum(
        wins[(r.account_id, r.product_id, r.period_start)] for r in shown.itertuples()
    )


def test_upside_row_is_read_only_and_accept_pushes_a_noted_change(org, tmp_path: Path) -> None:
    out = pull_to_workbook(org, DEMO_REP, tmp_path / "review.xlsx", horizon=6, history=0)
    reviewed = read_workbook(XlsxBook.open(out))
    assert reviewed.edits == []  # the Upside row is no edit
    ws = openpyxl.load_workbook(out)[layout.REVIEW]
    kind_col = reviewed.columns[layout.H_KIND]
    upside_rows = [c.row for c in ws[kind_col] if c.value == layout.UPSIDE]
    assert len(upside_rows) == 3
    notes = [c.comment.text for c in ws[upside_rows[0]] if c.comment is not None]
    assert len(notes) == 1 and "Design win: Alder Extrusions Co. design win" in notes[0]
    adjusted_row = upside_rows[0] + 1  # the block's Adjusted row is right below its Upside row
    assert ws[f"{kind_col}{adjusted_row}"].value == layout.ADJUSTED

    done = accept_upside(out, rows=[upside_rows[0]])
    assert len(done.cells) == 3 and done.total > 0
    reviewed = read_workbook(XlsxBook.open(out))
    changes = reviewed.changes
    assert len(changes) == 3
    assert all(c.reason_code == "Design win" and "Design win upside" in c.note for c in changes)
    edits = {e.cell: e for e in reviewed.edits}
    assert sum(edits[a].raw - edits[a].shown for a in done.cells) == pytest.approx(done.total)

    with pytest.raises(UpsideNotAccepted, match="already changed"):
        accept_upside(out, rows=[upside_rows[0]])

    outcome = push_workbook(XlsxBook.open(out), org)
    assert outcome.receipt is not None and org.calls.update == 1
    assert push_workbook(XlsxBook.open(out), org).receipt is None and org.calls.update == 1

    # A fresh pull shows no upside for the accepted cells: it was taken once.
    again = pull_to_workbook(org, DEMO_REP, tmp_path / "again.xlsx", horizon=6, history=0)
    ws = openpyxl.load_workbook(again)[layout.REVIEW]
    assert len([c for c in ws[kind_col] if c.value == layout.UPSIDE]) == 2


def test_accept_refuses_cells_without_upside(org, tmp_path: Path) -> None:
    out = pull_to_workbook(org, DEMO_REP, tmp_path / "review.xlsx", horizon=6, history=0)
    reviewed = read_workbook(XlsxBook.open(out))
    ws = openpyxl.load_workbook(out)[layout.REVIEW]
    kind_col = reviewed.columns[layout.H_KIND]
    no_upside = next(
        r
        for r in sorted(reviewed.adjusted_rows.values())
        if ws[f"{kind_col}{r - 1}"].value != layout.UPSIDE
    )
    before = out.read_bytes()
    with pytest.raises(UpsideNotAccepted, match="Nothing was changed"):
        accept_upside(out, rows=[no_upside])
    with pytest.raises(UpsideNotAccepted, match="Say which upside"):
        accept_upside(out)
    assert out.read_bytes() == before


def test_upside_settings_come_from_demandgrid_toml(tmp_path: Path) -> None:
    from sync.pull.upside import UpsideRulesInvalid, load_upside_rules

    assert load_upside_rules(tmp_path / "absent.toml") == UpsideRules()
    config = tmp_path / "demandgrid.toml"
    config.write_text("[upside]\nclosed_won_in_opportunity_measure = false\n", encoding="utf-8")
    assert not load_upside_rules(config).subtract_opportunity_measure
    config.write_text("[upside]\nclosed_won_active = 'yes'\n", encoding="utf-8")
    with pytest.raises(UpsideRulesInvalid, match=r"\[upside\] closed_won_active is not a setting"):
        load_upside_rules(config)
