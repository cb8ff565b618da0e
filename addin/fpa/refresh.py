"""Refresh an FP&A scenario workbook from the org: `demandgrid refresh FPA.xlsx`.

Replaces the Data table's rows and nothing else. The analyst's own sheets, formulas, charts,
drivers and formats are copied through untouched (``addin.fpa.table`` works on the package,
not through a full openpyxl load); the table's ``ref`` and defined names over its columns are
resized, and the workbook is marked to recalculate on open, so every formula over ``tblPlan``
sees the new rows. The report says what changed: rows added, removed and changed, and the
committed, prior-plan and target totals before and after (computed with pandas).

The file is written next to the original, the original is kept as ``<name>.prev.xlsx``,
then the new file takes the original's name (one rename: never a half-written workbook).

**An open workbook (the Excel ribbon's Refresh button).** Excel holds the file open, so the
ribbon must: save the workbook (``book.save()``), close it, call ``refresh_scenarios(path,
org)``, and open it again (``xw.Book(path)``). ``refresh_scenarios`` refuses while Excel's
lock file (``~$FPA.xlsx``) is present, so the close must come first. Refreshing in place
without closing would need the table resized through COM (``ListObject.Resize``) and the rows
written in whole blocks; ``refreshed_rows(path, org)`` returns exactly those rows, in the
table's column order, for that route.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd
from rich.table import Table

from addin.book.atomic import previous_version, save_beside
from addin.book.errors import UserError, WorkbookOpenElsewhere
from addin.book.lock import refuse_if_open
from addin.book.sheet_xml import EXCEL_EPOCH, row_xml, split_sheet
from addin.fpa.build import NotAScenarioWorkbook, fill_table, now, read_record
from addin.fpa.layout import (
    FAMILY_SCALE,
    HEADINGS,
    RECORD,
    REGION_SCALE,
    REPORT_COLUMNS,
    Keys,
    ScenarioRecord,
    table_frame,
)
from addin.fpa.table import (
    DataTableMissing,
    TableLocation,
    locate_table,
    read_table,
    sheet_parts,
)
from sync.fpa.plan import PlanFrame, read_plan
from sync.org.seam import Org


class WorkbookLocked(UserError):
    """The workbook is open in Excel or LibreOffice, or the file cannot be replaced."""


class WrongOrg(UserError):
    """The workbook was built from another org than the one refresh was given."""


@dataclass(frozen=True)
class TotalMove:
    measure: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class RefreshReport:
    path: Path
    previous: Path
    forecast_set: str
    org_name: str
    refreshed_at: str
    rows_before: int
    rows_after: int
    rows_added: int
    rows_removed: int
    rows_changed: int
    totals: tuple[TotalMove, ...]
    new_families: tuple[str, ...] = ()
    new_regions: tuple[str, ...] = ()
    rows_off_sheets: int = 0  # rows in a family, region or period the scenario sheets lack


TOTALS = (
    ("Committed qty", "Consensus qty"),
    ("Committed revenue", "Consensus revenue"),
    ("Prior plan qty", "Prior qty"),
    ("Prior plan revenue", "Prior revenue"),
    ("Target qty", "Target qty"),
    ("Target revenue", "Target revenue"),
)
_COMPARED = ("Consensus qty", "Prior qty", "Target qty", "Consensus revenue")


def is_scenario_workbook(path: str | Path) -> bool:
    """Whether ``path`` is an FP&A scenario workbook (it carries the hidden scenario record)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return RECORD in sheet_parts(zf)
    except (OSError, zipfile.BadZipFile, KeyError):
        return False


def refresh_scenarios(path: Path | str, org: Org, *, as_of: date | None = None) -> RefreshReport:
    """Replace the Data table of the scenario workbook at ``path`` with the org's plan now."""
    path = Path(path)
    _check_free(path)
    with _open(path) as zf:
        record = read_record(zf)
        _table(zf, record)
    identity = org.identity()
    if identity.org_id != record.org_id:
        raise WrongOrg(
            f"{path.name} was built from org {record.org_name or record.org_id} "
            f"({record.instance}); you asked to refresh it from {identity.org_name} "
            f"({identity.instance}). Pass --org with the workbook's org, or build a new "
            "workbook for this org with `demandgrid scenarios`."
        )
    plan = read_plan(org, record.forecast_set, region=record.region or None, as_of=as_of)
    return refresh_with_plan(path, plan)


def refresh_with_plan(path: Path, plan: PlanFrame) -> RefreshReport:
    """Replace the Data table's rows with ``plan``'s (the org part already done)."""
    _check_free(path)
    with _open(path) as zf:
        record = read_record(zf)
        loc = _table(zf, record)
        before = read_table(zf, loc, REPORT_COLUMNS)
        record_path = sheet_parts(zf)[RECORD]
        record_sheet = zf.read(record_path)
    keys = Keys(dict(record.keys.families), dict(record.keys.regions))
    on_sheets = Keys(dict(keys.families), dict(keys.regions))
    new_families, new_regions = keys.extend(
        plan.cells["product_family"].tolist(), plan.cells["region"].tolist()
    )
    after = table_frame(plan.cells, keys, record.forecast_set.show_quarters)
    refreshed = replace(record, refreshed_at=now(), rows=len(after), keys=keys)
    parts = {record_path: _record_xml(record_sheet, refreshed)}

    rows = after.loc[:, list(loc.columns)]
    save_beside(path, lambda tmp: fill_table(path, tmp, rows, parts))  # WorkbookNotSaved
    previous = previous_version(path)
    return _report(path, previous, refreshed, before, after, on_sheets, new_families, new_regions)


def refreshed_rows(path: Path | str, org: Org, *, as_of: date | None = None) -> pd.DataFrame:
    """The rows a refresh would write into ``path``'s table, in the table's column order."""
    with _open(Path(path)) as zf:
        record = read_record(zf)
        loc = _table(zf, record)
    plan = read_plan(org, record.forecast_set, region=record.region or None, as_of=as_of)
    keys = Keys(dict(record.keys.families), dict(record.keys.regions))
    frame = table_frame(plan.cells, keys, record.forecast_set.show_quarters)
    return frame.loc[:, list(loc.columns)]


# ---------------------------------------------------------------- refusals


def _check_free(path: Path) -> None:
    if not path.exists():
        raise NotAScenarioWorkbook(
            f"No workbook at {path}. Build one with `demandgrid scenarios -o {path.name}`."
        )
    try:  # Excel's or LibreOffice's owner file beside it (addin.book.lock)
        refuse_if_open(path, "refresh")
    except WorkbookOpenElsewhere as e:
        raise WorkbookLocked(str(e)) from None


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise NotAScenarioWorkbook(
            f"{path} is not an Excel workbook (.xlsx) that demandgrid can read ({e})."
        ) from None


def _table(zf: zipfile.ZipFile, record: ScenarioRecord) -> TableLocation:
    loc = locate_table(zf, record.table)
    missing = [h for h in HEADINGS if h not in loc.columns]
    extra = [c for c in loc.columns if c not in HEADINGS]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("added " + ", ".join(extra))
        raise DataTableMissing(
            f"The table {record.table} on sheet {loc.sheet_name!r} no longer has demandgrid's "
            f"columns ({'; '.join(parts)}). Refresh replaces every row of that table: put your "
            "own columns and formulas on another sheet, restore the column names, and retry."
        )
    return loc


# ---------------------------------------------------------------- the record and the report


def _record_xml(sheet: bytes, record: ScenarioRecord) -> bytes:
    head, _, tail, _ = split_sheet(sheet, 0)
    pairs = pd.DataFrame(record.pairs(), columns=["key", "value"], dtype=object)
    rows = "".join(row_xml(pairs, 1, 1, {}))
    return head + b"<sheetData>" + rows.encode("utf-8") + b"</sheetData>" + tail


def _row_keys(frame: pd.DataFrame) -> pd.Series:
    period = frame["Period"].map(
        lambda v: (v - EXCEL_EPOCH).days if isinstance(v, date) else int(float(v or 0))
    )
    return (
        frame["Account Id"].astype(str) + "|" + frame["Product Id"].astype(str) + "|"
    ) + period.astype(str)


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _report(
    path: Path,
    previous: Path,
    record: ScenarioRecord,
    before: pd.DataFrame,
    after: pd.DataFrame,
    on_sheets: Keys,
    new_families: list[str],
    new_regions: list[str],
) -> RefreshReport:
    old = pd.DataFrame({c: _numbers(before, c) for c in _COMPARED}).assign(key=_row_keys(before))
    new = pd.DataFrame({c: _numbers(after, c) for c in _COMPARED}).assign(key=_row_keys(after))
    both = old.merge(new, on="key", how="outer", suffixes=("_old", "_new"), indicator=True)
    kept = both[both["_merge"] == "both"]
    changed = pd.Series(False, index=kept.index)
    for c in _COMPARED:
        a, b = kept[f"{c}_old"], kept[f"{c}_new"]
        changed |= ~((a - b).abs().le(1e-9) | (a.isna() & b.isna()))
    totals = tuple(
        TotalMove(label, float(_numbers(before, c).sum()), float(_numbers(after, c).sum()))
        for label, c in TOTALS
    )
    return RefreshReport(
        path=path,
        previous=previous,
        forecast_set=record.forecast_set.name,
        org_name=record.org_name,
        refreshed_at=record.refreshed_at,
        rows_before=len(before),
        rows_after=len(after),
        rows_added=int((both["_merge"] == "right_only").sum()),
        rows_removed=int((both["_merge"] == "left_only").sum()),
        rows_changed=int(changed.sum()),
        totals=totals,
        new_families=tuple(new_families),
        new_regions=tuple(new_regions),
        rows_off_sheets=_off_sheets(after, record, on_sheets),
    )


def _off_sheets(after: pd.DataFrame, record: ScenarioRecord, on_sheets: Keys) -> int:
    """Rows the scenario sheets cannot show: a new family or region, or a period bucket the
    sheets have no column for (the horizon rolled forward since the build)."""
    key = after["Region family period key"].astype("int64")
    bucket = key % FAMILY_SCALE
    family = (key // FAMILY_SCALE) % REGION_SCALE
    region = key // FAMILY_SCALE // REGION_SCALE
    shown = (
        bucket.isin([b.number for b in record.buckets])
        & family.isin(list(on_sheets.families.values()))
        & region.isin(list(on_sheets.regions.values()))
    )
    return int((~shown).sum())


def report_table(report: RefreshReport) -> Table:
    """The refresh report as a rich table for the terminal."""
    table = Table(title=f"Refreshed {report.path.name} ({report.forecast_set}, {report.org_name})")
    table.add_column("Total")
    table.add_column("Before", justify="right")
    table.add_column("After", justify="right")
    table.add_column("Change", justify="right")
    for move in report.totals:
        table.add_row(
            move.measure, f"{move.before:,.0f}", f"{move.after:,.0f}", f"{move.change:+,.0f}"
        )
    return table


def report_lines(report: RefreshReport) -> list[str]:
    lines = [
        f"Rows: {report.rows_before:,} before, {report.rows_after:,} after; "
        f"{report.rows_added:,} added, {report.rows_removed:,} removed, "
        f"{report.rows_changed:,} changed.",
        f"Previous version kept as {report.previous.name}.",
    ]
    if report.new_families or report.new_regions:
        names = ", ".join([*report.new_families, *report.new_regions])
        lines.append(
            f"New in the org: {names}. They are in the Data table but not on the scenario "
            "sheets; build a new workbook to model them."
        )
    if report.rows_off_sheets:
        lines.append(
            f"{report.rows_off_sheets:,} rows fall outside the scenario sheets' families, "
            "regions or periods (see the Data table)."
        )
    return lines
