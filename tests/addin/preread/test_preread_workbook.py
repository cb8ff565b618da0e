"""The pre-read workbook: a page per topic as formulas over the Data sheet, the same bytes for
the same snapshot, org strings as text; LibreOffice recalculates it to the figures pandas
computed, with no error and no ### on any page, and renders it to PDF."""

from __future__ import annotations

import math
import time
import zipfile
from dataclasses import replace

import libreoffice
import openpyxl
import pytest
from science_frames import plan_history

from addin.preread.build import stamp, write_preread
from addin.preread.data import DATA
from sync.science.figures import compute
from sync.science.supply import NONE_LOADED

PAGES = (
    "Summary",
    "Gap to target",
    "Demand vs supply",
    "Accuracy",
    "FVA stairstep",
    "Top risks",
    "Revenue bridge",
    "Scenarios",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    figures = compute(plan_history())
    out = write_preread(figures, tmp_path_factory.mktemp("preread") / "PREREAD.xlsx")
    return out, figures


@pytest.fixture(scope="module")
def recalculated(built, tmp_path_factory):
    out, _ = built
    return openpyxl.load_workbook(
        libreoffice.recalc(out, tmp_path_factory.mktemp("recalc") / "recalc.xlsx"), data_only=True
    )


def rows_after(ws, heading: str, column: int = 1):
    """The rows of the table whose heading row has ``heading`` in ``column``, until a blank."""
    start = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == heading)
    r = start + 1
    while ws.cell(r, 1).value not in (None, ""):
        yield r
        r += 1


def test_pages_in_order_then_data(built):
    out, _ = built
    assert openpyxl.load_workbook(out).sheetnames == [*PAGES, DATA]


def test_pages_hold_formulas_only(built):
    out, _ = built
    wb = openpyxl.load_workbook(out)
    for name in PAGES[1:]:
        ws = wb[name]
        typed = [
            c.coordinate
            for row in ws.iter_rows(min_row=4)
            for c in row
            if isinstance(c.value, (int, float))
            and not (name == "Scenarios" and c.column in (2, 3))
        ]
        assert typed == [], f"{name} has typed numbers: {typed[:5]}"


def test_every_page_carries_its_snapshot_and_lag_and_prints_one_page_wide(built):
    out, figures = built
    wb = openpyxl.load_workbook(out)
    for name in PAGES:
        ws = wb[name]
        assert ws["A2"].value == stamp(figures)
        assert "SNAP-2026-11-ALL" in ws["A2"].value and "lag 1" in ws["A2"].value
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "Page &P of &N" in ws.oddFooter.center.text


def test_the_same_snapshot_gives_the_same_bytes(built, tmp_path):
    out, figures = built
    time.sleep(1.1)  # openpyxl stamps the save time to the second
    again = write_preread(figures, tmp_path / "again.xlsx")
    assert again.read_bytes() == out.read_bytes()
    with zipfile.ZipFile(out) as package:
        assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_org_strings_stay_text(built):
    out, _ = built
    ws = openpyxl.load_workbook(out)[DATA]
    hyperlinks = [c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert hyperlinks and all(c.data_type == "s" for c in hyperlinks)


def test_no_supply_commitment_loaded_is_said_on_its_page(tmp_path):
    figures = compute(plan_history(supply=False))
    wb = openpyxl.load_workbook(write_preread(figures, tmp_path / "p.xlsx"))
    assert wb["Demand vs supply"]["A4"].value == NONE_LOADED
    assert any(c.value == NONE_LOADED for c in wb["Summary"]["A"])


def test_a_first_cycle_without_history_still_builds(tmp_path):
    figures = compute(plan_history(cycles=1, supply=False))
    assert figures.trend.empty and figures.prior_id == ""
    wb = openpyxl.load_workbook(write_preread(figures, tmp_path / "p.xlsx"))
    assert wb["Revenue bridge"]["A1"].value == "Revenue bridge"


@pytest.mark.libreoffice
def test_figures_recalculate_to_what_pandas_computed(built, recalculated):
    _, f = built
    wb = recalculated
    current = plan_history().current
    gap = wb["Gap to target"]
    total = next(r for r in range(1, gap.max_row + 1) if gap.cell(r, 1).value == "Total")
    assert gap.cell(total, 2).value == pytest.approx(current["consensus_rev"].sum(), abs=1e-6)
    assert gap.cell(total, 3).value == pytest.approx(current["target_rev"].sum(), abs=1e-6)

    acc = wb["Accuracy"]
    trend = list(rows_after(acc, "Cycle"))
    assert [acc.cell(r, 1).value for r in trend] == list(f.trend["cycle"])
    for r, row in zip(trend, f.trend.itertuples(), strict=True):
        assert acc.cell(r, 7).value == pytest.approx(row.wape, abs=1e-9)
        assert acc.cell(r, 5).value == pytest.approx(row.mape, abs=1e-9)
        assert acc.cell(r, 8).value == pytest.approx(row.bias, abs=1e-9)
        assert row.tracking_signal != row.tracking_signal  # one month per snapshot: no signal
        assert acc.cell(r, 9).value in (None, "")

    fva = wb["FVA stairstep"]
    rows = list(rows_after(fva, "Group"))[: len(f.fva_rep)]
    for r, row in zip(rows, f.fva_rep.itertuples(), strict=True):
        assert fva.cell(r, 4).value == pytest.approx(row.wape, abs=1e-9)
        assert fva.cell(r, 5).value == pytest.approx(row.value_added, abs=1e-9)
        assert fva.cell(r, 6).value == pytest.approx(row.value_added_vs_naive, abs=1e-9)

    reps = list(rows_after(acc, "Rep"))
    by_rep = f.by_dimension["Rep"]
    assert [acc.cell(r, 9).value for r in reps] == pytest.approx(
        list(by_rep["tracking_signal"]), abs=1e-9
    )

    bridge = wb["Revenue bridge"]
    bars = list(rows_after(bridge, "Bar"))
    assert [bridge.cell(r, 2).value for r in bars] == pytest.approx(
        list(f.bridge.frame()["amount"]), abs=1e-9
    )
    tie = next(
        r for r in range(1, bridge.max_row + 1) if str(bridge.cell(r, 1).value).startswith("Check")
    )
    assert bridge.cell(tie, 2).value == 0

    risks = wb["Top risks"]
    ranked = list(rows_after(risks, "Rank"))
    assert [risks.cell(r, 9).value for r in ranked] == pytest.approx(
        list(f.risks["at_risk"]), abs=1e-6
    )

    scenarios = wb["Scenarios"]
    total = max(r for r in range(1, scenarios.max_row + 1) if scenarios.cell(r, 1).value == "Total")
    committed = current["consensus_rev"].sum()
    assert scenarios.cell(total, 2).value == pytest.approx(committed, abs=1e-6)
    assert scenarios.cell(total, 3).value == pytest.approx(committed * 1.10 * 1.02, abs=1e-6)
    prior = plan_history().prior
    over_this_plan = prior[prior["period_start"].isin(set(current["period_start"]))]
    assert scenarios.cell(total, 5).value == pytest.approx(
        over_this_plan["consensus_rev"].sum(), abs=1e-6
    )


@pytest.mark.libreoffice
def test_no_error_and_no_hash_marks_on_any_page(built, recalculated):
    out, _ = built
    sized = openpyxl.load_workbook(out)
    for name in PAGES:
        ws = recalculated[name]
        errors = [
            c.coordinate
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("#")
        ]
        assert errors == [], f"{name}: {errors[:5]}"
        too_wide = [
            c.coordinate
            for row in ws.iter_rows(min_row=4)
            for c in row
            if isinstance(c.value, (int, float))
            and not sized[name].column_dimensions[c.column_letter].hidden
            and len(shown(c.value, sized[name][c.coordinate].number_format)) * 1.1 + 1
            > width(sized[name], c.column_letter)
        ]
        assert too_wide == [], f"{name}: {too_wide[:5]}"


@pytest.mark.libreoffice
def test_renders_to_pdf(built, tmp_path):
    out, _ = built
    pdf = libreoffice.convert(out, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000


def shown(value: float, number_format: str) -> str:
    if "%" in number_format:
        return f"{value:+.1%}" if number_format.startswith("+") else f"{value:.1%}"
    decimals = (
        len(number_format.split(".")[1].split(";")[0].split('"')[0]) if "." in number_format else 0
    )
    return f"{value:,.{decimals}f}" if not math.isnan(value) else ""


def width(ws, letter: str) -> float:
    dim = ws.column_dimensions.get(letter)
    return dim.width if dim is not None and dim.customWidth else 8.43


def test_the_preread_is_valid_ooxml(built) -> None:
    from test_ooxml_valid import assert_valid  # the independent validator (ADR 4)

    out, _ = built
    assert_valid(out)


def test_no_actuals_yet_gives_pages_without_accuracy(tmp_path):
    history = plan_history(cycles=2, supply=False)
    history = replace(history, actuals=history.actuals.head(0))
    figures = compute(history)
    assert figures.trend.empty and figures.fva_rep["wape"].isna().all()
    wb = openpyxl.load_workbook(write_preread(figures, tmp_path / "p.xlsx"))
    assert wb["Accuracy"]._charts == [] and wb["Revenue bridge"]._charts


def test_without_libreoffice_the_pdf_is_a_clear_refusal(built, monkeypatch):
    from addin.preread import build

    out, _ = built
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(
        build.PdfUnavailable, match="LibreOffice is not installed.*workbook is saved"
    ):
        build.render_pdf(out)
    assert out.exists() and not out.with_suffix(".pdf").exists()


def test_a_reason_code_or_region_that_looks_like_a_formula_stays_text(tmp_path):
    history = plan_history(cycles=3, supply=False)
    snapshots = history.snapshots.replace(
        {"reason_code": {"Promotion": "=1+1"}, "region": {"South": "@SUM(A1)"}}
    )
    history = replace(
        history,
        snapshots=snapshots,
        current=snapshots[snapshots["cycle"] == history.cycle].reset_index(drop=True),
        prior=snapshots[snapshots["cycle"] == history.prior["cycle"].iloc[0]].reset_index(
            drop=True
        ),
    )
    wb = openpyxl.load_workbook(write_preread(compute(history), tmp_path / "p.xlsx"))
    texts = [c for row in wb[DATA].iter_rows() for c in row if c.value in ("=1+1", "@SUM(A1)")]
    assert {c.value for c in texts} == {"=1+1", "@SUM(A1)"}
    assert all(c.data_type == "s" for c in texts)
