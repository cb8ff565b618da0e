"""Fixtures for the FP&A scenario tests: a small org, and the scenario figures computed
independently with pandas (the oracle LibreOffice's recalculated workbook must equal)."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from addin.fpa.layout import SCENARIOS, bucket_label, bucket_number
from sync.fpa.plan import PlanFrame

# the benchmark's synthetic plan frame doubles as a small hand-made frame for tests
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_scenarios import synthetic_plan  # noqa: E402,F401

REGION = "LATAM"  # the smallest demo region: keeps LibreOffice quick
BLOCKS = {
    "volume_by_product_family": "volume",
    "revenue_by_product_family": "revenue",
    "gross_margin_by_product_family": "margin",
    "revenue_by_region": "region_revenue",
    "volume_by_region": "region_volume",
}


@pytest.fixture
def scenario_org_file(demo_org_file, tmp_path) -> Path:
    path = tmp_path / "org.sqlite"
    shutil.copyfile(demo_org_file, path)
    return path


@dataclass
class Drivers:
    """Driver values per scenario slug and family; missing means the workbook's default."""

    volume: dict[str, dict[str, float]] = field(default_factory=dict)
    price: dict[str, dict[str, float]] = field(default_factory=dict)


def expected_figures(plan: PlanFrame, drivers: Drivers | None = None) -> dict[str, pd.DataFrame]:
    """``sc_<slug>_<block>`` -> frame (rows: families or regions + Total, columns: bucket
    numbers + "Total"), the same figures the workbook's formulas compute."""
    drivers = drivers or Drivers()
    fs = plan.forecast_set
    cells = plan.cells.assign(
        bucket=plan.cells["period_start"].map(lambda d: bucket_number(d, fs.show_quarters))
    )
    buckets = sorted({bucket_number(d, fs.show_quarters) for d in fs.periods(plan.as_of)})
    families = sorted(cells["product_family"].unique())
    regions = sorted(cells["region"].unique())
    out: dict[str, pd.DataFrame] = {}
    for scenario in SCENARIOS:
        qty, rev = (
            ("prior", "prior_revenue")
            if scenario.prior_based
            else ("consensus", "consensus_revenue")
        )
        vol = pd.Series(
            {f: drivers.volume.get(scenario.slug, {}).get(f, scenario.volume) for f in families}
        )
        price = pd.Series(
            {f: drivers.price.get(scenario.slug, {}).get(f, scenario.price) for f in families}
        )
        vol_factor, rev_factor = 1 + vol, (1 + vol) * (1 + price)  # FX 1, mix 0, ASP as planned
        by_fam = cells.pivot_table(
            index="product_family",
            columns="bucket",
            values=[qty, rev],
            aggfunc="sum",
            fill_value=0.0,
        )
        q = by_fam[qty].reindex(index=families, columns=buckets, fill_value=0.0)
        r = by_fam[rev].reindex(index=families, columns=buckets, fill_value=0.0)
        volume = q.mul(vol_factor, axis=0)
        revenue = r.mul(rev_factor, axis=0)
        margin = revenue * (1 - 0.6)
        by_reg = cells.groupby(["region", "product_family", "bucket"])[[qty, rev]].sum()
        reg_rev = (
            (by_reg[rev] * by_reg.index.get_level_values(1).map(rev_factor))
            .groupby(level=[0, 2])
            .sum()
        )
        reg_vol = (
            (by_reg[qty] * by_reg.index.get_level_values(1).map(vol_factor))
            .groupby(level=[0, 2])
            .sum()
        )
        blocks = {
            "volume": volume,
            "revenue": revenue,
            "margin": margin,
            "region_revenue": reg_rev.unstack().reindex(
                index=regions, columns=buckets, fill_value=0.0
            ),
            "region_volume": reg_vol.unstack().reindex(
                index=regions, columns=buckets, fill_value=0.0
            ),
        }
        for name, short in BLOCKS.items():
            frame = blocks[short].astype(float).copy()
            frame["Total"] = frame.sum(axis=1)
            frame.loc["Total"] = frame.sum(axis=0)
            out[f"sc_{scenario.slug}_{name}"] = frame
        if fs.show_quarters:
            out.update(_monthly(cells, plan, scenario, qty, rev, vol_factor, rev_factor))
    if fs.show_quarters:
        months = fs.periods(plan.as_of)
        target = (
            cells.groupby("period_start")["target_revenue"].sum().reindex(months, fill_value=0.0)
        )
        out["mon_target_revenue"] = _column(target, months)
    return out


def _column(values: pd.Series, months: list[date]) -> pd.DataFrame:
    labels = [bucket_label(m, False) for m in months]
    frame = pd.DataFrame({0: values.astype(float).tolist()}, index=labels)
    frame.loc["Total"] = frame.sum(axis=0)
    return frame


def _monthly(cells, plan, scenario, qty, rev, vol_factor, rev_factor) -> dict[str, pd.DataFrame]:
    months = plan.forecast_set.periods(plan.as_of)
    by = cells.groupby(["period_start", "product_family"])[[qty, rev]].sum()
    families = by.index.get_level_values(1)
    revenue = (by[rev] * families.map(rev_factor)).groupby(level=0).sum()
    volume = (by[qty] * families.map(vol_factor)).groupby(level=0).sum()
    name = scenario.name.lower().replace(" ", "_")
    out = {
        f"mon_{name}_revenue": _column(revenue.reindex(months, fill_value=0.0), months),
        f"mon_{name}_volume": _column(volume.reindex(months, fill_value=0.0), months),
    }
    if scenario.prior_based:  # a month the prior plan does not reach reads "n/a"
        covered = set(cells.loc[cells["prior"].notna(), "period_start"])
        for frame in out.values():
            frame[0] = frame[0].astype(object)
            for month in months:
                if month not in covered:
                    frame.loc[bucket_label(month, False), 0] = "n/a"
    return out


def workbook_figures(path: Path) -> dict[str, pd.DataFrame]:
    """The same blocks read from a recalculated workbook (by their defined names)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name in wb.defined_names:
        if not name.startswith(("sc_", "mon_")):
            continue
        (sheet, ref), *_ = wb.defined_names[name].destinations
        ws = wb[sheet]
        rows = ws[ref.replace("$", "")]
        labels = [ws.cell(row[0].row, 1).value for row in rows]
        out[name] = pd.DataFrame([[c.value for c in row] for row in rows], index=labels)
    return out


def assert_figures_equal(expected: dict[str, pd.DataFrame], actual: dict[str, pd.DataFrame]) -> int:
    """Every figure within a relative difference of 1e-9; returns how many were compared."""
    assert set(expected) == set(actual)
    compared = 0
    for name, want in expected.items():
        got = actual[name]
        assert got.shape == want.shape, name
        assert list(got.index) == list(want.index), name
        for (label, row_want), (_, row_got) in zip(want.iterrows(), got.iterrows(), strict=True):
            for w, g in zip(row_want.tolist(), row_got.tolist(), strict=True):
                if isinstance(w, str):  # "n/a": a period the prior plan does not reach
                    assert g == w, f"{name} {label}: {g!r} != {w!r}"
                    continue
                assert isinstance(g, (int, float)), f"{name} {label}: {g!r}"
                assert abs(g - w) <= 1e-9 * max(abs(w), 1.0), f"{name} {label}: {g} != {w}"
                compared += 1
    return compared


def as_of_today() -> date:
    return date.today()
