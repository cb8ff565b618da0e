# ruff: noqa: F811 - scenario_org_file is a fixture imported from conftest_scenarios
"""Refresh: the Data table is replaced from the org, the analyst's work survives, and the
report says exactly what changed."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import libreoffice
import openpyxl
import pytest
from conftest_scenarios import (
    REGION,
    Drivers,
    assert_figures_equal,
    expected_figures,
    scenario_org_file,  # noqa: F401 - a fixture
    workbook_figures,
)

from addin.fpa.build import NotAScenarioWorkbook, build_scenarios
from addin.fpa.layout import DATA, RECORD, TABLE
from addin.fpa.refresh import WorkbookLocked, refresh_scenarios
from addin.fpa.table import DataTableMissing, locate_table, sheet_parts
from sync.fpa.forecast_sets import DEFAULT_SETS, add_months
from sync.fpa.plan import read_plan
from sync.localorg import LocalOrg

ANALYST = "My analysis"
FORMAT = '#,##0.0,,"M"'


@pytest.fixture
def fpa(scenario_org_file, tmp_path) -> Path:
    out = tmp_path / "FPA.xlsx"
    build_scenarios(LocalOrg(scenario_org_file), out, forecast_set="ibp", region=REGION)
    return out


def analyst_edits(path: Path) -> str:
    """An analyst's sheet over the table, a changed driver, a custom format; returns the
    product family whose upside volume driver was changed."""
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet(ANALYST)
    ws["A1"] = "Consensus qty, whole region"
    ws["B1"] = f'=SUMIFS({TABLE}[Consensus qty],{TABLE}[Region],"{REGION}")'
    ws["A2"] = "Consensus revenue"
    ws["B2"] = f"=SUM({TABLE}[Consensus revenue])"
    ws["B2"].number_format = FORMAT
    ws["A3"] = "Rows"
    ws["B3"] = f"=ROWS({TABLE}[Record Id])"
    drivers = wb["Drivers"]
    (sheet, ref), *_ = wb.defined_names["drv_upside_volume"].destinations
    first = drivers[ref.replace("$", "")][0][0]
    first.value = 0.25
    family = drivers.cell(first.row, 1).value
    wb.save(path)
    return family


def edit_org(org_file: Path, as_of: date) -> tuple[list[str], float]:
    """Three cells adjusted through the org, one new cell inserted in the file; returns the
    edited record ids and the quantity the org's committed total gained."""
    org = LocalOrg(org_file)
    plan = read_plan(org, DEFAULT_SETS["ibp"], region=REGION, as_of=as_of)
    future = plan.cells[plan.cells["period_start"] > add_months(as_of, 1)]
    picked = future.iloc[[0, 50, 100]]
    org.update(
        "AccountProductPeriodForecast",
        [
            {
                "Id": r.record_id,
                "AdjustedForecastedQuantity": r.consensus + 100.0,
                "AdjustmentComments": "FP&A test",
            }
            for r in picked.itertuples()
        ],
    )
    month = add_months(as_of, 4)
    with sqlite3.connect(org_file) as db:
        forecast, account = db.execute(
            "SELECT f.Id, f.AccountId FROM AccountForecast f JOIN Account a ON a.Id = f.AccountId "
            "WHERE a.Region__c = ? AND f.Status = 'Active' ORDER BY f.Id LIMIT 1",
            (REGION,),
        ).fetchone()
        product = db.execute(
            "SELECT Id FROM Product2 WHERE Id NOT IN (SELECT ProductId FROM "
            "AccountProductForecast WHERE AccountForecastId = ?) ORDER BY Id LIMIT 1",
            (forecast,),
        ).fetchone()[0]
        period = db.execute(
            "SELECT Id FROM Period WHERE Type = 'Month' AND StartDate = ?", (month.isoformat(),)
        ).fetchone()[0]
        stamp = "2026-01-01T00:00:00.000+0000"
        db.execute(
            "INSERT INTO AccountProductForecast (Id, Name, AccountForecastId, ProductId, IsActive, "
            "IsSystemGenerated, CreatedDate, LastModifiedDate, SystemModstamp) "
            "VALUES ('0iPTEST000000001AA', 'new', ?, ?, 1, 0, ?, ?, ?)",
            (forecast, product, stamp, stamp, stamp),
        )
        db.execute(
            "INSERT INTO AccountProductPeriodForecast (Id, Name, AccountProductForecastId, PeriodId, "
            "StartDate, EndDate, ForecastedQuantity, ForecastedRevenue, IsActive, CreatedDate, "
            "LastModifiedDate, SystemModstamp) VALUES ('0iQTEST000000001AA', 'new', "
            "'0iPTEST000000001AA', ?, ?, ?, 40, 4000, 1, ?, ?, ?)",
            (period, month.isoformat(), month.isoformat()[:8] + "28", stamp, stamp, stamp),
        )
    del account
    return list(picked["record_id"]), 300.0 + 40.0


@pytest.mark.libreoffice
def test_analyst_work_survives_and_sees_the_new_rows(fpa, scenario_org_file, tmp_path):
    today = date.today()
    family = analyst_edits(fpa)
    edited, gained = edit_org(scenario_org_file, today)

    report = refresh_scenarios(fpa, LocalOrg(scenario_org_file))

    assert (report.rows_added, report.rows_removed, report.rows_changed) == (1, 0, 3)
    assert report.rows_after == report.rows_before + 1
    moves = {m.measure: m for m in report.totals}
    assert moves["Committed qty"].change == pytest.approx(gained, abs=1e-6)
    assert moves["Prior plan qty"].change == pytest.approx(0.0, abs=1e-6)
    assert report.previous.exists() and report.rows_off_sheets == 0

    recalculated = libreoffice.recalc(fpa, tmp_path / "recalc.xlsx")
    plan = read_plan(LocalOrg(scenario_org_file), DEFAULT_SETS["ibp"], region=REGION)
    assert set(edited) <= set(plan.cells["record_id"])
    values = openpyxl.load_workbook(recalculated, data_only=True)
    mine = values[ANALYST]
    assert mine["B1"].value == pytest.approx(plan.cells["consensus"].sum(), rel=1e-12)
    assert mine["B2"].value == pytest.approx(plan.cells["consensus_revenue"].sum(), rel=1e-12)
    assert mine["B3"].value == len(plan.cells)
    formulas = openpyxl.load_workbook(fpa)
    assert formulas[ANALYST]["B2"].number_format == FORMAT
    assert formulas[ANALYST]["B1"].value.startswith("=SUMIFS(tblPlan[Consensus qty]")
    drivers = Drivers(volume={"upside": {family: 0.25}})
    assert_figures_equal(expected_figures(plan, drivers), workbook_figures(recalculated))


def test_names_and_table_are_resized(fpa, scenario_org_file):
    _, _ = edit_org(scenario_org_file, date.today())
    report = refresh_scenarios(fpa, LocalOrg(scenario_org_file))
    wb = openpyxl.load_workbook(fpa)
    last = report.rows_after + 1
    assert wb[DATA].tables[TABLE].ref == f"A1:X{last}"
    (_, ref), *_ = wb.defined_names["plan_consensus_qty"].destinations
    assert ref == f"$J$2:$J${last}"
    assert wb[DATA].max_row == last


def test_a_second_refresh_reports_nothing_changed(fpa, scenario_org_file):
    org = LocalOrg(scenario_org_file)
    refresh_scenarios(fpa, org)
    report = refresh_scenarios(fpa, org)
    assert (report.rows_added, report.rows_removed, report.rows_changed) == (0, 0, 0)
    assert all(m.change == 0 for m in report.totals)


@pytest.mark.libreoffice
def test_refresh_reads_a_workbook_saved_by_an_office_app(fpa, scenario_org_file, tmp_path):
    """Shared strings, cell references, another writer's XML: refresh still reads it."""
    saved = libreoffice.recalc(fpa, tmp_path / "saved.xlsx")
    org = LocalOrg(scenario_org_file)
    before = read_plan(org, DEFAULT_SETS["ibp"], region=REGION)
    report = refresh_scenarios(saved, org)
    assert report.rows_before == len(before.cells)
    assert (report.rows_added, report.rows_removed, report.rows_changed) == (0, 0, 0)


def test_refusals(fpa, scenario_org_file, tmp_path):
    org = LocalOrg(scenario_org_file)
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(NotAScenarioWorkbook, match="not built by `demandgrid scenarios`"):
        refresh_scenarios(plain, org)
    text = tmp_path / "notes.xlsx"
    text.write_text("hello")
    with pytest.raises(NotAScenarioWorkbook, match="not an Excel workbook"):
        refresh_scenarios(text, org)
    with pytest.raises(NotAScenarioWorkbook, match="No workbook at"):
        refresh_scenarios(tmp_path / "absent.xlsx", org)

    lock = fpa.with_name(f"~${fpa.name}")
    lock.write_text("")
    with pytest.raises(WorkbookLocked, match="is open"):
        refresh_scenarios(fpa, org)
    lock.unlink()

    wb = openpyxl.load_workbook(fpa)
    table = wb[DATA].tables[TABLE]
    table.displayName = table.name = "tblMine"
    del wb[DATA].tables[TABLE]
    wb[DATA].add_table(table)
    renamed = tmp_path / "renamed.xlsx"
    wb.save(renamed)
    with pytest.raises(DataTableMissing, match="no table called tblPlan"):
        refresh_scenarios(renamed, org)


def test_unrelated_parts_are_copied_byte_for_byte(fpa, scenario_org_file):
    with zipfile.ZipFile(fpa) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
    refresh_scenarios(fpa, LocalOrg(scenario_org_file))
    with zipfile.ZipFile(fpa) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    changed = {n for n in before if before[n] != after.get(n)}
    # the Data sheet, its table, the workbook part (names, calc) and the hidden record only
    with zipfile.ZipFile(fpa) as zf:
        sheets = sheet_parts(zf)
        table = locate_table(zf, TABLE).table_path
    assert sheets[RECORD] in changed  # refreshed_at
    assert changed <= {sheets[DATA], table, "xl/workbook.xml", sheets[RECORD]}


@pytest.mark.parametrize("prefix", [160, 400, 1 << 20])
def test_sheet_split_streams_big_sheets_like_small_ones(prefix):
    import io

    from addin.book.sheet_xml import split_sheet, split_sheet_stream

    rows = "".join(
        f'<row r="{r}"><c r="A{r}" s="{r % 3}"><v>{r}</v></c></row>' for r in range(1, 60)
    )
    sheet = f'<worksheet><dimension ref="A1:A59"/><sheetData>{rows}</sheetData><tableParts count="1"/></worksheet>'.encode()
    whole = split_sheet(sheet, 1)
    assert split_sheet_stream(io.BytesIO(sheet), 1, prefix_size=prefix) == whole
    assert whole[2] == b'<tableParts count="1"/></worksheet>' and whole[3] == {1: "2"}
