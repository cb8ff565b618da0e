"""LibreOffice opens the pulled workbook, recalculates, and the live formulas agree with pandas:
the Summary's totals by account and family, and the changed-cell and open-problem counters after
a rep's edits."""

from __future__ import annotations

from pathlib import Path

import libreoffice as libreoffice_module
import openpyxl
import pandas as pd
import pytest
from conftest_workbook import SyntheticCells, synthetic_cells
from openpyxl.utils import range_boundaries

from addin.review import layout
from addin.review.writer import write_workbook

pytestmark = pytest.mark.libreoffice


def _cell(wb: openpyxl.Workbook, name: str) -> tuple[str, int, int]:
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    c, r, _, _ = range_boundaries(ref.replace("$", ""))
    return sheet, r, c


def _adjusted_rows(ws, top: int, heads: dict) -> dict[str, int]:
    out = {}
    for r in range(top + 1, ws.max_row + 1):
        if ws.cell(r, heads[layout.H_KIND]).value == layout.ADJUSTED:
            out[ws.cell(r, heads[layout.H_KEY]).value] = r
    return out


def _edit(path: Path, cells: SyntheticCells) -> dict[tuple[str, str], float]:
    """Two edits: one with reason and note, one without. Returns (row_key, period) -> delta."""
    wb = openpyxl.load_workbook(path)
    sheet, top, left = _cell(wb, layout.N_GRID)
    ws = wb[sheet]
    heads = {}
    for c in range(left, ws.max_column + 1):
        h = ws.cell(top, c).value
        heads[h if isinstance(h, str) else h.date().isoformat() if h else None] = c
    rows = _adjusted_rows(ws, top, heads)
    editable = cells.frame[~cells.frame["locked"]]
    first, second = editable.iloc[0], editable[editable.row_key != editable.iloc[0].row_key].iloc[0]
    deltas = {}
    for cell, explained in ((first, True), (second, False)):
        r, c = rows[cell.row_key], heads[cell.period_start.isoformat()]
        ws.cell(r, c).value = ws.cell(r, c).value + 100
        deltas[(cell.row_key, cell.period_start.isoformat())] = 100.0
        if explained:
            ws.cell(r, heads[layout.H_REASON]).value = layout.REASON_CODES[0]
            ws.cell(r, heads[layout.H_NOTE]).value = "Customer confirmed a larger order"
    wb.save(path)
    return deltas


def _expected(cells: SyntheticCells, deltas: dict, by: str) -> pd.DataFrame:
    f = cells.frame.copy()
    f["start"] = f["adjusted"].fillna(f["baseline"])
    f["start"] += [
        deltas.get((k, p.isoformat()), 0.0) for k, p in zip(f.row_key, f.period_start, strict=True)
    ]
    sums = f.groupby(by, sort=False)[["start", "baseline", "target"]].sum()
    return sums


def _table(wb: openpyxl.Workbook, anchor: str, n: int) -> dict[str, tuple[float, ...]]:
    sheet, top, left = _cell(wb, anchor)
    ws = wb[sheet]
    out = {}
    for r in range(top + 1, top + 2 + n):
        values = [ws.cell(r, left + j).value for j in range(6)]
        out[values[0]] = tuple(values[1:])
    return out


def test_summary_and_live_counters_after_recalculation(
    libreoffice: libreoffice_module.Office, tmp_path: Path
) -> None:
    cells = synthetic_cells(accounts=6, families=3, periods=8)
    path = write_workbook(cells, tmp_path / "review.xlsx")
    deltas = _edit(path, cells)
    recalculated = libreoffice.edit(path, out=tmp_path / "recalculated.xlsx")  # recalculated
    wb = openpyxl.load_workbook(recalculated, data_only=True)

    for anchor, by in (
        (layout.N_SUMMARY_ACCOUNT, "account_name"),
        (layout.N_SUMMARY_FAMILY, "product_family"),
    ):
        expected = _expected(cells, deltas, by)
        table = _table(wb, anchor, len(expected))
        assert set(table) == {*expected.index, "Total"}
        for name, row in expected.iterrows():
            adjusted, baseline, target, gap, pct = table[name]
            assert adjusted == pytest.approx(row.start)
            assert baseline == pytest.approx(row.baseline)
            assert target == pytest.approx(row.target)
            assert gap == pytest.approx(row.start - row.target)
            assert pct == pytest.approx((row.start - row.target) / row.target)
        assert table["Total"][0] == pytest.approx(expected.start.sum())
        assert table["Total"][2] == pytest.approx(expected.target.sum())

    sheet, r, c = _cell(wb, layout.N_CHANGED_CELLS)
    assert wb[sheet].cell(r, c).value == 2
    sheet, r, c = _cell(wb, layout.N_OPEN_PROBLEMS)
    assert wb[sheet].cell(r, c).value == 1


def test_summary_of_a_real_pull_matches_pandas(
    libreoffice: libreoffice_module.Office, org_file: Path, tmp_path: Path
) -> None:
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_REP
    from sync.pull.cells import pull_cells

    cells = pull_cells(LocalOrg(org_file), DEMO_REP)
    path = write_workbook(cells, tmp_path / "review.xlsx")
    wb = openpyxl.load_workbook(
        libreoffice.edit(path, out=tmp_path / "recalculated.xlsx"), data_only=True
    )
    for anchor, by in (
        (layout.N_SUMMARY_ACCOUNT, "account_name"),
        (layout.N_SUMMARY_FAMILY, "product_family"),
    ):
        expected = _expected(cells, {}, by)
        table = _table(wb, anchor, len(expected))
        for name, row in expected.iterrows():
            adjusted, baseline, target, _gap, _pct = table[name]
            assert (adjusted, baseline, target) == pytest.approx(
                (row.start, row.baseline, row.target)
            ), name
        assert table["Total"][:3] == pytest.approx(
            tuple(expected[["start", "baseline", "target"]].sum())
        )
    for name in (layout.N_CHANGED_CELLS, layout.N_OPEN_PROBLEMS):
        sheet, r, c = _cell(wb, name)
        assert wb[sheet].cell(r, c).value == 0
