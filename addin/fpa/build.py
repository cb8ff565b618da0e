"""Build the FP&A scenario workbook: `demandgrid scenarios -o FPA.xlsx`.

org -> ``read_plan`` (every cell of the forecast set, all reps) -> Data table -> formula
sheets (Drivers, Plan base, Committed, Upside, Downside, Prior plan, Comparison) -> file.
openpyxl writes the small formula sheets; the Data table's rows are streamed straight into the
package by ``addin.fpa.table`` (the same code refresh uses), so the table is written one way.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.table import Table, TableStyleInfo

from addin.book.errors import UserError
from addin.book.sheet_xml import column_letter
from addin.fpa import sheets
from addin.fpa.comparison import comparison
from addin.fpa.layout import (
    COLUMNS,
    DATA,
    MONTHLY,
    RECORD,
    SCENARIOS,
    TABLE,
    Bucket,
    Keys,
    ScenarioRecord,
    buckets,
    table_frame,
)
from addin.fpa.monthly import monthly_base, monthly_sheet
from addin.fpa.table import (
    WORKBOOK,
    _rels,
    locate_table,
    read_rows,
    replace_table,
    shared_strings,
    sheet_parts,
)
from sync.fpa.forecast_sets import ForecastSet, ForecastSetError, forecast_set
from sync.fpa.plan import PlanFrame, read_plan, regions
from sync.org.seam import Org

NUMBER_FORMATS = {
    "date": "mmm yyyy",
    "qty": "#,##0.##;-#,##0.##",
    "money": "#,##0.00",
    "price": "#,##0.00",
    "key": "0",
    "text": "@",
}


class ScenarioSetupError(UserError):
    """The forecast set or its configuration cannot be used (unknown name, bad toml)."""


class NotAScenarioWorkbook(UserError):
    """The file is not an FP&A scenario workbook built by `demandgrid scenarios`."""


def resolve_set(name: str | ForecastSet, config: Path | None = None) -> ForecastSet:
    if isinstance(name, ForecastSet):
        return name
    try:
        return forecast_set(name, config)
    except ForecastSetError as e:
        raise ScenarioSetupError(str(e)) from None


def build_scenarios(
    org: Org,
    out: Path | str,
    *,
    forecast_set: str | ForecastSet = "ibp",
    region: str | None = None,
    as_of: date | None = None,
    config: Path | None = None,
) -> Path:
    """Read every cell of ``forecast_set`` (in ``region`` if given) and write the workbook."""
    fs = resolve_set(forecast_set, config)
    plan = read_plan(org, fs, region=region, as_of=as_of)
    if plan.cells.empty:
        known = regions(org) if region else []
        if region and region not in known:
            raise ScenarioSetupError(
                f"No sales region {region!r} in the org. Its regions: {', '.join(known) or 'none'}."
                " Pass one of them to --region, or leave --region out for all regions."
            )
        where = f" in region {region!r}" if region else ""
        raise ScenarioSetupError(
            f"The org has no forecast cells{where} for {fs.name} ({plan.first_period:%b %Y} to "
            f"{plan.last_period:%b %Y}). Check the org's forecast periods."
        )
    return write_scenarios(plan, Path(out))


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_scenarios(plan: PlanFrame, out: Path) -> Path:
    """The workbook for ``plan``, saved atomically at ``out``."""
    fs = plan.forecast_set
    keys = Keys()
    frame = table_frame(plan.cells, keys, fs.show_quarters)
    record = ScenarioRecord(
        org_id=plan.identity.org_id,
        org_name=plan.identity.org_name,
        instance=plan.identity.instance,
        forecast_set=fs,
        region=plan.region or "",
        built_at=now(),
        refreshed_at="",
        prior_cycle=plan.prior_cycle or "",
        rows=len(frame),
        keys=keys,
        buckets=buckets(fs.periods(plan.as_of), fs.show_quarters),
    )
    months = buckets(fs.periods(plan.as_of), False) if fs.show_quarters else []
    wb = skeleton(record, months, frame)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".skeleton-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    final = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        wb.save(tmp)
        fill_table(Path(tmp), final, frame)
        os.replace(final, out)
    finally:
        for leftover in (Path(tmp), final):
            leftover.unlink(missing_ok=True)
    return out


def fill_table(
    src: Path, dst: Path, frame: pd.DataFrame, parts: dict[str, bytes] | None = None
) -> str:
    import zipfile

    with zipfile.ZipFile(src) as zf:
        loc = locate_table(zf, TABLE)
    return replace_table(src, dst, loc, frame, parts)


def largest_figure(frame: pd.DataFrame | None) -> float:
    """The largest figure a formula sheet can show: the plan's biggest grand total, with
    headroom for drivers (upside, FX) and for growth between refreshes."""
    if frame is None or frame.empty:
        return 0.0
    columns = [h for h, _, kind in COLUMNS if kind in ("qty", "money")]
    totals = frame[columns].apply(pd.to_numeric, errors="coerce").abs().sum()
    return float(totals.max()) * 1.5


def skeleton(
    record: ScenarioRecord, months: list[Bucket] | None = None, frame: pd.DataFrame | None = None
) -> Workbook:
    """Every sheet, with the Data table holding a header and one styled empty row; column
    widths fit ``frame`` (the rows the table will hold)."""
    wb = Workbook()
    data = wb.active
    data.title = DATA
    plan = sheets.plan_base(wb, record.keys, record.buckets, largest_figure(frame))
    sheets.drivers(wb, plan, record.forecast_set.reporting_currency)
    layout = {s.name: sheets.scenario_sheet(wb, plan, s) for s in SCENARIOS}
    comparison(wb, plan, layout)
    if months:
        monthly_sheet(wb, monthly_base(wb, record.keys, months, plan.width), plan.width)
    _data_sheet(wb, data, frame)
    _record_sheet(wb, record)
    order = ["Comparison", "Drivers", *[s.name for s in SCENARIOS]]
    order += [MONTHLY] if months else []
    order += ["Plan base", DATA, RECORD]
    wb._sheets = [wb[name] for name in order]  # noqa: SLF001 - openpyxl has no public reorder
    wb.active = 0
    wb.calculation.fullCalcOnLoad = True
    return wb


#: The Data sheet prints its readable columns (Account .. Last year qty), not the keys and Ids.
PRINTED_COLUMNS = next(i for i, (_, _, kind) in enumerate(COLUMNS) if kind == "key")


def _data_width(frame: pd.DataFrame | None, heading: str, kind: str) -> float:
    """A width that fits the column's longest value (text) or largest number, within reason;
    a heading wraps onto two lines rather than widening the column."""
    least = {"text": 10, "date": 10, "key": 14}.get(kind, 11)
    if frame is None or frame.empty or heading not in frame:
        return max(least, 13 if kind != "text" else 24)
    values = frame[heading]
    if kind == "text":
        longest = int(values.astype(str).str.len().max())
        return min(40.0, max(least, longest * 1.1 + 2))
    if kind in ("date", "key"):
        return least
    largest = pd.to_numeric(values, errors="coerce").abs().max()
    largest = 0.0 if pd.isna(largest) else float(largest)
    return max(least, len(f"{-largest * 2:,.2f}") * 1.1 + 2)


def _data_sheet(wb: Workbook, ws, frame: pd.DataFrame | None = None) -> None:
    for i, (heading, _, kind) in enumerate(COLUMNS, start=1):
        head = ws.cell(1, i, heading)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = PatternFill("solid", fgColor="1F3864")
        head.alignment = Alignment(wrap_text=True, vertical="top")
        # the styled empty row 2 carries each column's number format to the rows refresh writes
        ws.cell(2, i).number_format = NUMBER_FORMATS[kind]
        ws.column_dimensions[column_letter(i)].width = _data_width(frame, heading, kind)
    last = column_letter(len(COLUMNS))
    table = Table(displayName=TABLE, ref=f"A1:{last}2")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 30
    # printed (rarely): the readable columns, one page wide, the heading on every page;
    # refresh moves the print area's last row with the table
    sheets.print_setup(ws)
    ws.print_area = f"A1:{column_letter(PRINTED_COLUMNS)}2"
    ws.print_title_rows = "1:1"
    # names over the table's columns, for analysts who prefer names; refresh resizes them
    for i, (heading, _, _) in enumerate(COLUMNS, start=1):
        name = "plan_" + heading.lower().replace(" ", "_")
        col = column_letter(i)
        sheets.define_name(wb, name, f"{DATA}!${col}$2:${col}$2")


def _record_sheet(wb: Workbook, record: ScenarioRecord) -> None:
    ws = wb.create_sheet(RECORD)
    for r, (key, value) in enumerate(record.pairs(), start=1):
        sheets.text_cell(ws, r, 1, key)
        sheets.text_cell(ws, r, 2, value)
    ws.sheet_state = "hidden"


def read_record(zf) -> ScenarioRecord:
    """The hidden record of a scenario workbook; refuses any other file."""
    parts = sheet_parts(zf)
    if RECORD not in parts:
        raise NotAScenarioWorkbook(
            "This workbook was not built by `demandgrid scenarios` (it has no scenario "
            "record). Build one with `demandgrid scenarios -o FPA.xlsx`; a rep's review "
            "workbook is pulled with `demandgrid pull`."
        )
    shared = next(
        (p for t, p in _rels(zf, WORKBOOK).values() if t.endswith("/sharedStrings")), None
    )
    strings = shared_strings(zf, shared)
    pairs = {}
    for _, values in read_rows(zf, parts[RECORD], strings):
        if 1 in values:
            pairs[str(values[1])] = str(values.get(2, "") or "")
    if pairs.get("kind") != "demandgrid FP&A scenario workbook":
        raise NotAScenarioWorkbook(
            "This workbook's scenario record is damaged. Build a new one with "
            "`demandgrid scenarios -o FPA.xlsx`."
        )
    try:
        return ScenarioRecord.from_pairs(pairs)
    except (KeyError, ValueError) as e:
        raise NotAScenarioWorkbook(
            f"This workbook's scenario record is damaged ({e}). Build a new one with "
            "`demandgrid scenarios -o FPA.xlsx`."
        ) from None


def build_summary(path: Path) -> list[str]:
    """What a built workbook holds, in a few lines for the terminal."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        record = read_record(zf)
    fs = record.forecast_set
    scope = f"region {record.region}" if record.region else "all regions"
    prior = f"prior plan: cycle {record.prior_cycle}" if record.prior_cycle else "no prior plan"
    return [
        f"Wrote [bold]{path}[/]: {record.rows:,} forecast cells of {fs.name} "
        f"({fs.months} months, {scope}) from {record.org_name}; {prior}.",
        f"  {len(record.keys.families)} product families x {len(record.buckets)} "
        f"{'quarters' if fs.show_quarters else 'months'}; sheets: Comparison, Drivers, "
        "Committed, Upside, Downside, Prior plan, Plan base, Data.",
        f"  Change the drivers on the Drivers sheet; `demandgrid refresh {path.name}` "
        "replaces the Data table and keeps your work.",
    ]
