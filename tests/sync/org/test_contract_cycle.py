"""The cycle and the pre-read keep the profile contract (issue 14): closing a demand review,
verifying it, reading its snapshot and the actuals that followed, and the pre-read's figures are
the same on standard Account Forecasting and on Advanced Account Forecasting, on both backends.
Nothing here tells the cycle which profile it has: it is detected, as the commands do."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from sync.cycle.actuals import read_actuals
from sync.cycle.calendar import Calendar, cycle_of
from sync.cycle.close import close_cycle
from sync.cycle.snapshots import SNAPSHOT_COLUMNS, read_snapshot, verify_snapshot
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP
from sync.org.records import Change
from sync.pull.cells import org_today, pull_cells
from sync.push.engine import push

REGION = "EMEA"  # about a quarter of the demo's cells: keeps the closes quick


def _change(cell, new: float, note: str, code: str, old=None, old_note="") -> Change:
    return Change(
        record_id=cell.record_id,
        sheet="Review",
        cell="H10",
        account_name=cell.account_name,
        product_name=cell.product_name,
        period_start=cell.period_start,
        old=old,
        new=new,
        note=note,
        reason_code=code,
        modstamp=cell.modstamp,
        old_note=old_note,
    )


def _cell(org, profile, record_id: str):
    frame = pull_cells(org, DEMO_REP, profile=profile).frame
    return next(frame[frame["record_id"] == record_id].itertuples())


def test_a_close_keeps_the_reps_value_from_history_and_the_consensus_on_every_profile(
    profiled_planner_org,
) -> None:
    """The rep adjusts a cell, the planner changes it again: the snapshot keeps the rep's own
    last value (from the adjustment history: AAF's ``AdvAcctForecastFactAdj``) beside the
    consensus, with the planner's reason and note; the close verifies."""
    org, profile, local = (
        profiled_planner_org.org,
        profiled_planner_org.profile,
        profiled_planner_org.local,
    )
    cycle = cycle_of(org_today(local))
    first, last = Calendar().periods(cycle)
    rep = LocalOrg(local.path, username=DEMO_REP)
    frame = pull_cells(rep, DEMO_REP, profile=profile).frame
    starts = pd.to_datetime(frame["period_start"]).dt.date
    free = frame[
        ~frame["locked"]
        & frame["adjusted"].isna()
        & (frame["region"] == REGION)
        & (starts >= first)
        & (starts <= last)
    ]
    cell = next(free.itertuples())
    mine = cell.baseline + 40
    push(rep, [_change(cell, mine, "build plan shared", "Customer")], profile=profile)
    now = _cell(org, profile, cell.record_id)
    consensus = mine - 15
    planner_change = _change(now, consensus, "capacity", "Supply", old=mine, old_note=now.note)
    assert push(org, [planner_change], profile=profile).cells[0].outcome == "written"

    receipt = close_cycle(org, cycle, REGION)  # the profile detected, as the command does
    assert receipt.lines > 0 and receipt.header is not None
    result = verify_snapshot(org, cycle, REGION)
    assert result.ok, result.problems
    snapshot = read_snapshot(org, cycle, REGION).frame
    assert tuple(snapshot.columns) == SNAPSHOT_COLUMNS
    assert len(snapshot) == receipt.lines
    line = snapshot[snapshot["cell_id"] == cell.record_id].iloc[0]
    assert line["rep_qty"] == pytest.approx(mine)
    assert line["consensus_qty"] == pytest.approx(consensus)
    assert line["baseline_qty"] == pytest.approx(cell.baseline)
    assert (line["reason_code"], line["note"]) == ("Supply", "capacity")
    assert line["rep_name"] and line["target_qty"] > 0


def _close_locally(org_file, tmp_path, name: str) -> pd.DataFrame:
    path = tmp_path / f"{name}.sqlite"
    shutil.copyfile(org_file, path)
    org = LocalOrg(path, username=DEMO_PLANNER)
    receipt = close_cycle(org, region=REGION)
    assert receipt.header is not None
    assert verify_snapshot(org, receipt.header.cycle, REGION).ok
    return read_snapshot(org, receipt.header.cycle, REGION).frame


def test_the_same_demo_closes_to_the_same_snapshot_on_both_models(
    demo_org_file, aaf_org_file, tmp_path
) -> None:
    standard = _close_locally(demo_org_file, tmp_path, "standard")
    aaf = _close_locally(aaf_org_file, tmp_path, "aaf")
    same = [c for c in SNAPSHOT_COLUMNS if c not in ("cell_id", "closed_at")]
    assert len(aaf) == len(standard) > 1000
    assert aaf.loc[:, same].equals(standard.loc[:, same])
    assert set(aaf["cell_id"].str[:3]) == {"0Xf"}  # the lines name AAF facts
    assert (standard["rep_qty"] != standard["baseline_qty"]).any()  # history was read
    assert (aaf["note"] != "").sum() == (standard["note"] != "").sum() > 0


def test_actuals_read_the_same_totals_on_both_models(profiled_org, demo_org_file) -> None:
    first, last = date(2020, 1, 1), date(2030, 12, 1)
    ours = read_actuals(profiled_org.org, first, last)
    theirs = read_actuals(LocalOrg(demo_org_file), first, last)
    assert len(ours) == len(theirs) > 0
    assert ours["actual_qty"].sum() == pytest.approx(theirs["actual_qty"].sum())
    assert ours["actual_rev"].sum() == pytest.approx(theirs["actual_rev"].sum())
    assert ours.equals(theirs)  # same account, product and month keys, same numbers


def test_the_aaf_demos_past_cycles_verify_and_name_facts(aaf_org_file) -> None:
    from sync.cycle.snapshots import list_snapshots

    org = LocalOrg(aaf_org_file)
    headers = list_snapshots(org)
    assert len(headers) == 12
    for header in (headers[0], headers[-1]):
        result = verify_snapshot(org, header.cycle)
        assert result.ok, result.problems
    lines = read_snapshot(org, headers[-1].cycle).frame
    assert set(lines["cell_id"].str[:3]) == {"0Xf"}


def test_the_preread_reads_the_same_figures_on_both_models(demo_org_file, aaf_org_file) -> None:
    from sync.science.figures import compute
    from sync.science.history import gather

    standard = compute(gather(LocalOrg(demo_org_file)))
    aaf = compute(gather(LocalOrg(aaf_org_file)))
    assert (aaf.cycle, aaf.snapshot_id, aaf.prior_id, aaf.lag) == (
        standard.cycle,
        standard.snapshot_id,
        standard.prior_id,
        standard.lag,
    )
    for name in ("gap", "trend", "by_lag", "fva_rep", "fva_reason", "families"):
        ours, theirs = getattr(aaf, name), getattr(standard, name)
        assert len(ours) > 0, name
        pd.testing.assert_frame_equal(ours, theirs, obj=name)
    assert aaf.without_naive == standard.without_naive
    assert len(aaf.risks) == len(standard.risks)
