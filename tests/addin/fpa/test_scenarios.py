"""The FP&A scenario workbook: built from the org, every figure a formula that LibreOffice
recalculates to the same number pandas computes from the org."""

from __future__ import annotations

import zipfile
from datetime import date

import libreoffice
import openpyxl
import pandas as pd
import pytest
from conftest_scenarios import (
    REGION,
    assert_figures_equal,
    expected_figures,
    synthetic_plan,
    workbook_figures,
)

from addin.book.sheet_xml import column_letter
from addin.fpa.build import ScenarioSetupError, build_scenarios, write_scenarios
from addin.fpa.layout import DATA, HEADINGS, RECORD, TABLE
from addin.fpa.table import DataTableMissing
from sync.fpa.forecast_sets import DEFAULT_SETS
from sync.fpa.plan import read_plan
from sync.localorg import LocalOrg


@pytest.fixture(scope="module")
def built(demo_org_file, tmp_path_factory):
    """One region's IBP workbook, and the plan pandas reads from the same org."""
    out = tmp_path_factory.mktemp("scenarios") / "FPA.xlsx"
    org = LocalOrg(demo_org_file)
    build_scenarios(org, out, forecast_set="ibp", region=REGION)
    plan = read_plan(org, DEFAULT_SETS["ibp"], region=REGION)
    return out, plan


def test_plan_covers_every_cell_of_the_region_for_36_months(built, demo_org_file):
    _, plan = built
    cells = plan.cells
    assert set(cells["region"]) == {REGION}
    assert cells["period_start"].nunique() == 36
    assert cells["rep"].str.len().gt(0).all()
    adjusted = cells["adjusted"].notna()
    assert (cells.loc[adjusted, "consensus"] == cells.loc[adjusted, "adjusted"]).all()
    assert (cells.loc[~adjusted, "consensus"] == cells.loc[~adjusted, "baseline"]).all()
    assert plan.prior_cycle is not None and cells["prior"].notna().any()
    # pages of 2,000: the cells query dominates, the rest is a handful of calls
    assert plan.queries <= len(cells) // 2000 * 2 + 8


def test_data_table_holds_every_row_as_values(built):
    out, plan = built
    wb = openpyxl.load_workbook(out)
    ws = wb[DATA]
    table = ws.tables[TABLE]
    assert table.ref == f"A1:{column_letter(len(HEADINGS))}{len(plan.cells) + 1}"
    assert [c.value for c in ws[1]] == list(HEADINGS)
    assert ws.max_row == len(plan.cells) + 1
    assert not any(c.data_type == "f" for row in ws.iter_rows(min_row=2, max_row=200) for c in row)
    assert wb[RECORD].sheet_state == "hidden"
    record = {r[0].value: r[1].value for r in wb[RECORD].iter_rows()}
    assert record["forecast_set"] == "ibp" and record["region"] == REGION
    assert not any("token" in str(k).lower() or "password" in str(k).lower() for k in record)


def test_scenario_sheets_are_formulas_only(built):
    out, _ = built
    wb = openpyxl.load_workbook(out)
    for name in ("Committed", "Upside", "Downside", "Prior plan", "Comparison", "Monthly"):
        ws = wb[name]
        numbers = [
            c
            for row in ws.iter_rows(min_row=6, min_col=3)
            for c in row
            if isinstance(c.value, (int, float))
            and not ws.column_dimensions[c.column_letter].hidden
            and not ws.row_dimensions[c.row].hidden
        ]
        assert numbers == [], f"{name} has typed numbers: {[c.coordinate for c in numbers[:5]]}"
    assert "drv_upside_volume" in wb.defined_names
    assert wb["Comparison"]._charts


@pytest.mark.libreoffice
def test_every_scenario_figure_equals_pandas(built, tmp_path):
    out, plan = built
    recalculated = libreoffice.recalc(out, tmp_path / "recalc.xlsx")
    compared = assert_figures_equal(expected_figures(plan), workbook_figures(recalculated))
    assert compared > 500
    # Comparison: committed revenue total against target revenue total from pandas
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    ws = wb["Comparison"]
    (sheet, ref), *_ = wb.defined_names["cmp_revenue"].destinations
    total_row = ws[ref.replace("$", "")][-1]
    committed, target = total_row[0].value, total_row[4].value
    assert abs(committed - plan.cells["consensus_revenue"].sum()) <= 1e-9 * committed
    assert abs(target - plan.cells["target_revenue"].sum()) <= 1e-9 * target
    assert abs(total_row[3].value - plan.cells["prior_revenue"].sum()) <= 1e-9 * committed


@pytest.mark.libreoffice
def test_rendered_pages(built, tmp_path):
    """The workbook renders (PDF through LibreOffice) without errors in the figures."""
    out, _ = built
    recalculated = libreoffice.recalc(out, tmp_path / "recalc.xlsx")
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    built_wb = openpyxl.load_workbook(out)  # the widths demandgrid wrote
    for name in (
        "Comparison",
        "Committed",
        "Upside",
        "Downside",
        "Prior plan",
        "Drivers",
        "Monthly",
        "Plan base",
    ):
        ws = wb[name]
        errors = [
            c.coordinate
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("#")
        ]
        assert errors == [], f"{name}: {errors[:5]}"
        # no ### at default zoom: every figure fits its column (thousands separators, bold)
        sized = built_wb[name]
        too_wide = [
            (c.coordinate, shown(c.value, c.number_format), width(sized, c.column_letter))
            for row in ws.iter_rows(min_row=4)
            for c in row
            if isinstance(c.value, (int, float))
            and not sized.column_dimensions[c.column_letter].hidden
            and not sized.row_dimensions[c.row].hidden
            and len(shown(c.value, c.number_format)) * 1.1 + 1 > width(sized, c.column_letter)
        ]
        assert too_wide == [], f"{name}: {too_wide[:5]}"


def shown(value: float, number_format: str) -> str:
    """The figure as its number format shows it (the formats the FP&A sheets use)."""
    if "%" in number_format:
        return f"{value:.1%}"
    decimals = len(number_format.split(".")[1].split(";")[0]) if "." in number_format else 0
    return f"{value:,.{decimals}f}"


def width(ws, letter: str) -> float:
    """The column's width in characters (8.43, Excel's default, for a column never sized)."""
    dim = ws.column_dimensions.get(letter)
    return dim.width if dim is not None and dim.customWidth else 8.43


def test_strings_from_the_org_stay_text_and_negatives_stay_numbers(tmp_path):
    plan = synthetic_plan(400)
    cells = plan.cells
    cells.loc[0, "account_name"] = '=HYPERLINK("http://x","y")'
    cells["product_family"] = cells["product_family"].replace("Pumps", "=Pumps*")
    cells.loc[1, "rep"] = "+1"
    cells.loc[2, "adjusted"] = -5.0
    cells.loc[2, "consensus"] = -5.0
    out = write_scenarios(plan, tmp_path / "FPA.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb[DATA]
    assert ws["A2"].value == '=HYPERLINK("http://x","y")' and ws["A2"].data_type == "s"
    assert ws["C3"].value == "+1" and ws["C3"].data_type == "s"
    assert ws["J4"].value == -5.0
    families = [wb["Drivers"].cell(r, 1) for r in range(8, 14)]
    assert any(c.value == "=Pumps*" and c.data_type == "s" for c in families)


def test_unknown_forecast_set_or_empty_scope_is_refused(tmp_path, demo_org_file):
    with pytest.raises(ScenarioSetupError, match="No forecast set called 'budget'"):
        build_scenarios(LocalOrg(demo_org_file), tmp_path / "x.xlsx", forecast_set="budget")
    with pytest.raises(
        ScenarioSetupError, match="No sales region 'Atlantis' in the org. Its regions: APAC, EMEA"
    ):
        build_scenarios(LocalOrg(demo_org_file), tmp_path / "x.xlsx", region="Atlantis")
    assert not (tmp_path / "x.xlsx").exists()


def test_table_location_is_found_through_the_package(built):
    from addin.fpa.table import locate_table

    out, plan = built
    with zipfile.ZipFile(out) as zf:
        loc = locate_table(zf, "TBLPLAN")
        assert loc.sheet_name == DATA and loc.columns == HEADINGS
        with pytest.raises(DataTableMissing, match="no table called tblOther"):
            locate_table(zf, "tblOther")


def test_cli_builds_and_refreshes(tmp_path, demo_org_file):
    import shutil

    from typer.testing import CliRunner

    from addin.cli.main import app

    org = tmp_path / "org.sqlite"
    shutil.copyfile(demo_org_file, org)
    out = tmp_path / "FPA.xlsx"
    runner = CliRunner()
    built = runner.invoke(app, ["scenarios", "--org", str(org), "--region", REGION, "-o", str(out)])
    assert built.exit_code == 0, built.output
    assert "forecast cells of ibp" in built.output
    refreshed = runner.invoke(app, ["refresh", str(out), "--org", str(org)])
    assert refreshed.exit_code == 0, refreshed.output
    assert "0 added, 0 removed, 0 changed" in refreshed.output
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    refused = runner.invoke(app, ["refresh", str(plain), "--org", str(org)])
    assert refused.exit_code == 2
    assert "not pulled by demandgrid" in refused.output  # neither kind: refused as a review
    assert "Traceback" not in refused.output
    wrong = runner.invoke(app, ["scenarios", "--org", str(org), "--set", "budget", "-o", str(out)])
    assert wrong.exit_code == 2 and "No forecast set called 'budget'" in wrong.output


def test_read_plan_is_the_same_on_every_backend(org, org_file):
    """Through simple-salesforce and the HTTPS test server, the plan equals the local read."""
    here = read_plan(LocalOrg(org_file), DEFAULT_SETS["sop"], region=REGION)
    there = read_plan(org, DEFAULT_SETS["sop"], region=REGION)
    pd.testing.assert_frame_equal(there.cells, here.cells)
    assert there.prior_cycle == here.prior_cycle
    assert there.queries == here.queries


@pytest.mark.libreoffice
def test_sop_set_is_shown_by_month(demo_org_file, tmp_path):
    org = LocalOrg(demo_org_file)
    out = build_scenarios(org, tmp_path / "SOP.xlsx", forecast_set="sop", region=REGION)
    plan = read_plan(org, DEFAULT_SETS["sop"], region=REGION)
    recalculated = libreoffice.recalc(out, tmp_path / "recalc.xlsx")
    assert assert_figures_equal(expected_figures(plan), workbook_figures(recalculated)) > 500
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    assert "Monthly" not in wb.sheetnames  # the scenario sheets are monthly already
    assert wb["Comparison"]["A4"].value == "Revenue by month"


@pytest.mark.libreoffice
def test_prior_plan_is_compared_only_where_it_covers_the_period(tmp_path):
    """A horizon the prior plan does not reach reads n/a, never as a +99% variance; the
    total compares only the periods both plans cover; partial quarters say so and stay out
    of the chart."""
    plan = synthetic_plan(720)  # Nov 2026 .. Oct 2029: Q4 2026 has 2 months, Q4 2029 one
    cells = plan.cells
    cut = date(2029, 6, 1)  # the prior plan stops after May 2029: Q2 2029 is 2 of 3 months
    cells.loc[cells["period_start"] >= cut, ["prior", "prior_revenue"]] = float("nan")
    out = write_scenarios(plan, tmp_path / "FPA.xlsx")
    wb = openpyxl.load_workbook(libreoffice.recalc(out, tmp_path / "recalc.xlsx"), data_only=True)
    ws = wb["Comparison"]
    rows = {ws.cell(r, 1).value: r for r in range(6, 20)}
    assert "2026 Q4 (2 of 3 months)" in rows and "2029 Q4 (1 of 3 months)" in rows
    q2, q3 = rows["2029 Q2"], rows["2029 Q3"]
    assert isinstance(ws.cell(q2, 5).value, float) and ws.cell(q2, 9).value == "n/a"
    assert ws.cell(q3, 5).value == "n/a" and ws.cell(q3, 10).value == "n/a"
    quarter = cells["period_start"].map(lambda d: (d.year, (d.month - 1) // 3))
    compared = cells[quarter < (2029, 1)]  # every quarter through 2029 Q1 is fully covered
    want = (compared["consensus_revenue"] - compared["prior_revenue"].fillna(0)).sum()
    total = ws.cell(rows["Total"], 9).value
    assert abs(total - want) <= 1e-6 * max(abs(want), 1.0)
    ratio = ws.cell(rows["Total"], 10).value
    assert abs(ratio - want / compared["prior_revenue"].sum()) <= 1e-9
    assert "prior plan does not cover" in ws.cell(rows["Total"] + 1, 1).value
    # the chart draws the full quarters only
    chart = openpyxl.load_workbook(out)["Comparison"]._charts[0]
    cats = chart.series[0].cat.numRef or chart.series[0].cat.strRef
    assert cats.f == f"'Comparison'!$A${rows['2026 Q4 (2 of 3 months)'] + 1}:$A${q3}"


def test_data_sheet_prints_its_readable_columns_and_refresh_keeps_the_print_area(tmp_path):
    from dataclasses import replace

    from addin.fpa.refresh import refresh_with_plan

    plan = synthetic_plan(216)
    out = write_scenarios(plan, tmp_path / "FPA.xlsx")
    ws = openpyxl.load_workbook(out)[DATA]
    last = HEADINGS.index("Last year qty") + 1
    assert ws.print_area == f"'{DATA}'!$A$1:${column_letter(last)}${len(plan.cells) + 1}"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    fewer = replace(plan, cells=plan.cells.iloc[:100])
    refresh_with_plan(out, fewer)
    ws = openpyxl.load_workbook(out)[DATA]
    assert ws.print_area == f"'{DATA}'!$A$1:${column_letter(last)}$101"
