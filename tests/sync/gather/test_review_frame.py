"""What the review grid gets from Phase 1, on both backends: ERP over orders in ``actual`` for
the pulled measure (quantity or revenue), POS only on distributor accounts, current lines only."""

from __future__ import annotations

import math

import pytest
from gather_files import last_month, lines, write_csv

from addin.gather.actuals import load_actuals_file
from sync.gather.review import with_gathered
from sync.localorg.demo.org import DEMO_REP
from sync.org.mapping import profile
from sync.pull.cells import org_today, pull_cells


@pytest.mark.parametrize("measure", ["quantity", "revenue"])
def test_erp_over_orders_in_the_pulled_measure(org, tmp_path, measure) -> None:
    month = last_month(org)
    cells = pull_cells(org, DEMO_REP, profile=profile("standard", measure), horizon=2, history=2)
    frame = cells.frame
    first = frame[frame["period_start"] == month].iloc[0]
    line = next(
        x
        for x in lines(org, 200)
        if x.account_id == first["account_id"] and x.product_id == first["product_id"]
    )
    path = write_csv(
        tmp_path / "erp.csv", [[line.account, line.product, f"{month:%Y-%m}", 123, 4567.5]]
    )
    load_actuals_file(org, path, today=org_today(org))

    out = with_gathered(org, frame, measure)
    got = out[(out["record_id"] == first["record_id"])].iloc[0]
    assert got["actual"] == (123 if measure == "quantity" else 4567.5)
    others = out[out["record_id"] != first["record_id"]]
    before = frame[frame["record_id"] != first["record_id"]]
    assert [a if not math.isnan(a) else None for a in others["actual"].astype(float)] == [
        a if not math.isnan(a) else None for a in before["actual"].astype(float)
    ]
    assert set(out.columns) >= {"pos", "pos_row"}
