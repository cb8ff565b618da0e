"""The FP&A scenario workbook's layout: sheet names, the Data table's columns, the numeric keys
that let SUMIFS find a product family x period bucket, and the hidden scenario record.

Shared by the builder (``addin.fpa.build``), the sheets (``addin.fpa.sheets``) and refresh
(``addin.fpa.refresh``). Keys are numbers, not text, so a family called ``*`` or ``=Pumps`` can
never act as a SUMIFS wildcard or operator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sync.fpa.forecast_sets import ForecastSet, quarter_label, quarter_number

# ---- sheets and the table
COMPARISON = "Comparison"
DRIVERS = "Drivers"
PLAN_BASE = "Plan base"
DATA = "Data"
RECORD = "dg_scenarios"  # hidden: which org and set the workbook came from (no secrets)
TABLE = "tblPlan"
KIND = "demandgrid FP&A scenario workbook"
FORMAT = "1"


@dataclass(frozen=True)
class Scenario:
    name: str  # sheet name and block title
    slug: str  # in defined names: drv_<slug>_volume, sc_<slug>_revenue_family, ...
    description: str
    volume: float = 0.0  # default driver values
    price: float = 0.0
    prior_based: bool = False  # built on the prior plan's columns instead of the consensus


SCENARIOS = (
    Scenario(
        "Committed", "committed", "The consensus adjusted plan (adjusted if set, else baseline)."
    ),
    Scenario("Upside", "upside", "Consensus plan with upside volume and price.", 0.10, 0.02),
    Scenario(
        "Downside", "downside", "Consensus plan with downside volume and price.", -0.12, -0.03
    ),
    Scenario(
        "Prior plan",
        "prior",
        "The prior cycle's locked plan, as stored in the org.",
        prior_based=True,
    ),
)

# ---- the Data table: (heading, plan-frame column, kind)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Account", "account_name", "text"),
    ("Region", "region", "text"),
    ("Rep", "rep", "text"),
    ("Product family", "product_family", "text"),
    ("Product", "product_name", "text"),
    ("Period", "period_start", "date"),
    ("Quarter", "quarter", "text"),
    ("Baseline qty", "baseline", "qty"),
    ("Adjusted qty", "adjusted", "qty"),
    ("Consensus qty", "consensus", "qty"),
    ("Price", "price", "price"),
    ("Consensus revenue", "consensus_revenue", "money"),
    ("Target qty", "target", "qty"),
    ("Target revenue", "target_revenue", "money"),
    ("Prior qty", "prior", "qty"),
    ("Prior revenue", "prior_revenue", "money"),
    ("Actual qty", "actual", "qty"),
    ("Last year qty", "last_year", "qty"),
    ("Family period key", "family_key", "key"),
    ("Region family period key", "region_key", "key"),
    ("Family month key", "month_key", "key"),
    ("Account Id", "account_id", "text"),
    ("Product Id", "product_id", "text"),
    ("Record Id", "record_id", "text"),
)
HEADINGS = tuple(c[0] for c in COLUMNS)
FAMILY_KEY = "Family period key"
REGION_KEY = "Region family period key"
MONTH_KEY = "Family month key"
MONTHLY = "Monthly"
#: Columns refresh reads back from the old table to say what changed.
REPORT_COLUMNS = (
    "Account Id",
    "Product Id",
    "Period",
    "Consensus qty",
    "Consensus revenue",
    "Prior qty",
    "Prior revenue",
    "Target qty",
    "Target revenue",
)

FAMILY_SCALE = 1_000_000  # bucket numbers have at most 6 digits (yyyymm)
REGION_SCALE = 1_000  # at most 999 product families


def bucket_number(day: date, quarters: bool) -> int:
    return quarter_number(day) if quarters else day.year * 100 + day.month


def bucket_label(day: date, quarters: bool) -> str:
    return quarter_label(day) if quarters else day.strftime("%b %Y")


@dataclass
class Keys:
    """Stable numbers for product families and regions (kept across refreshes: a family that
    appears later gets the next number, so existing keys and formulas stay right)."""

    families: dict[str, int] = field(default_factory=dict)
    regions: dict[str, int] = field(default_factory=dict)

    def extend(self, families: list[str], regions: list[str]) -> tuple[list[str], list[str]]:
        """Number the names not yet numbered; return them (new families, new regions)."""
        new_f = [f for f in sorted(set(families)) if f not in self.families]
        new_r = [r for r in sorted(set(regions)) if r not in self.regions]
        for name in new_f:
            self.families[name] = len(self.families) + 1
        for name in new_r:
            self.regions[name] = len(self.regions) + 1
        return new_f, new_r

    def family_key(self, family: int, bucket: int) -> int:
        return family * FAMILY_SCALE + bucket

    def region_key(self, region: int, family: int, bucket: int) -> int:
        return (region * REGION_SCALE + family) * FAMILY_SCALE + bucket


def table_frame(cells: pd.DataFrame, keys: Keys, quarters: bool) -> pd.DataFrame:
    """The plan frame as the Data table: headings in order, with the SUMIFS keys."""
    keys.extend(cells["product_family"].tolist(), cells["region"].tolist())
    bucket = cells["period_start"].map(lambda d: bucket_number(d, quarters)).astype("int64")
    family = cells["product_family"].map(keys.families).astype("int64")
    region = cells["region"].map(keys.regions).astype("int64")
    month = cells["period_start"].map(lambda d: d.year * 100 + d.month).astype("int64")
    frame = cells.assign(
        month_key=(family * FAMILY_SCALE + month).astype(float),
        family_key=(family * FAMILY_SCALE + bucket).astype(float),
        region_key=((region * REGION_SCALE + family) * FAMILY_SCALE + bucket).astype(float),
    )
    out = frame.loc[:, [c[1] for c in COLUMNS]]
    out.columns = list(HEADINGS)
    return out


@dataclass(frozen=True)
class Bucket:
    number: int
    label: str
    #: the horizon's months in this bucket (known when the workbook is built; not stored)
    months: tuple[date, ...] = field(default=(), compare=False)

    @property
    def partial(self) -> bool:
        """A quarter the horizon covers only in part (its first or last)."""
        return 0 < len(self.months) < 3 and self.number < 100000


def buckets(periods: list[date], quarters: bool) -> list[Bucket]:
    """The columns of the scenario sheets; a quarter the horizon only partly covers says so
    ("2026 Q4 (1 of 3 months)"), so a short first or last quarter is not read as a drop."""
    months: dict[int, list[date]] = {}
    labels: dict[int, str] = {}
    for day in periods:
        number = bucket_number(day, quarters)
        months.setdefault(number, []).append(day)
        labels.setdefault(number, bucket_label(day, quarters))
    return [
        Bucket(
            n,
            label
            if not quarters or len(months[n]) == 3
            else f"{label} ({len(months[n])} of 3 months)",
            tuple(months[n]),
        )
        for n, label in labels.items()
    ]


@dataclass
class ScenarioRecord:
    """What the hidden ``dg_scenarios`` sheet holds. Never a token or password."""

    org_id: str
    org_name: str
    instance: str
    forecast_set: ForecastSet
    region: str
    built_at: str
    refreshed_at: str
    prior_cycle: str
    rows: int
    keys: Keys
    buckets: list[Bucket]
    table: str = TABLE

    def pairs(self) -> list[tuple[str, str]]:
        fs = self.forecast_set
        return [
            ("kind", KIND),
            ("format", FORMAT),
            ("org_id", self.org_id),
            ("org_name", self.org_name),
            ("instance", self.instance),
            ("forecast_set", fs.name),
            ("months", str(fs.months)),
            ("show_quarters", "yes" if fs.show_quarters else "no"),
            ("set_label", fs.label),
            ("start_offset", str(fs.start_offset)),
            ("reporting_currency", fs.reporting_currency),
            ("region", self.region),
            ("built_at", self.built_at),
            ("refreshed_at", self.refreshed_at),
            ("prior_cycle", self.prior_cycle),
            ("rows", str(self.rows)),
            ("table", self.table),
            ("families", json.dumps(self.keys.families)),
            ("regions", json.dumps(self.keys.regions)),
            ("buckets", json.dumps([[b.number, b.label] for b in self.buckets])),
        ]

    @classmethod
    def from_pairs(cls, pairs: dict[str, str]) -> ScenarioRecord:
        fs = ForecastSet(
            pairs["forecast_set"],
            int(pairs["months"]),
            pairs["show_quarters"] == "yes",
            pairs.get("set_label", ""),
            int(pairs.get("start_offset", "0") or 0),
            reporting_currency=pairs.get("reporting_currency", "USD") or "USD",
        )
        return cls(
            org_id=pairs["org_id"],
            org_name=pairs.get("org_name", ""),
            instance=pairs.get("instance", ""),
            forecast_set=fs,
            region=pairs.get("region", ""),
            built_at=pairs.get("built_at", ""),
            refreshed_at=pairs.get("refreshed_at", ""),
            prior_cycle=pairs.get("prior_cycle", ""),
            rows=int(pairs.get("rows", "0") or 0),
            keys=Keys(json.loads(pairs["families"]), json.loads(pairs["regions"])),
            buckets=[Bucket(int(n), str(label)) for n, label in json.loads(pairs["buckets"])],
            table=pairs.get("table", TABLE) or TABLE,
        )
