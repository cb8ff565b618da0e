"""Read a pulled workbook back: recognise it, tie every Adjusted cell to its record, find the changeset.

The hidden record (``addin.review.record``) is the authority for what was pulled; the grid is found by
defined names and its columns by heading text (``addin.review.layout``), rows by their Key and Row
columns (``addin.review.tie``), so re-sorting or filtering that keeps those columns still reads
correctly. A workbook that is not ours, damaged, from another org or user, or whose rows no
longer tie to records is refused with ``WorkbookNotOurs`` / ``WorkbookDamaged``, saying what is
wrong and what to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl.utils.cell import get_column_letter, range_boundaries

from addin.book.errors import WorkbookNotOurs
from addin.book.surface import BookSurface
from addin.review import layout
from addin.review.grid import LOCK_NOTE_PREFIX, NO_RECORD, starting_value
from addin.review.record import MARKER, RecordError, WorkbookRecord, decode
from addin.review.tie import GridLayout, block_names, locate_grid, text, tie_rows
from sync.org.aaf import configured_profile
from sync.org.mapping import MappingProfile
from sync.org.mapping import profile as mapping_profile
from sync.org.records import Change
from sync.org.seam import OrgIdentity


@dataclass(frozen=True)
class EditedCell:
    """An Adjusted-row period cell whose content differs from the pull (or holds a formula)."""

    record_id: str
    row_key: str
    sheet: str
    cell: str  # A1 address
    account_name: str
    product_name: str
    period_start: date
    old: float | None  # adjusted value when pulled (None: the org had none)
    shown: float | None  # what the cell showed when pulled: adjusted, else baseline
    raw: Any  # what the cell holds: number, None, text, bool, date, error text, formula text
    is_formula: bool
    note: str  # the cell's note if it has one, else the row's Note
    reason_code: str
    modstamp: str
    baseline: float | None
    locked: bool
    lock_reason: str
    note_formula: str = ""  # the row's Note is this formula and its value is unknown

    @property
    def number(self) -> float | None:
        """The new value if it is a usable number or empty; raises nothing, see ``is_number``."""
        return None if self.raw is None else float(self.raw)

    @property
    def is_number(self) -> bool:
        """Empty or a finite-or-not real number (not bool, text, date or formula)."""
        if self.is_formula:
            return False
        return self.raw is None or (
            isinstance(self.raw, int | float) and not isinstance(self.raw, bool)
        )

    def change(self) -> Change:
        return Change(
            record_id=self.record_id,
            sheet=self.sheet,
            cell=self.cell,
            account_name=self.account_name,
            product_name=self.product_name,
            period_start=self.period_start,
            old=self.old,
            new=self.number,
            note=self.note,
            reason_code=self.reason_code,
            modstamp=self.modstamp,
        )


@dataclass(frozen=True)
class SpreadInput:
    """A row's New total (and Spread over) as typed: input for ``addin.spread``, never sent."""

    row_key: str
    cell: str  # A1 address of the New total cell
    total: Any  # as typed: a number, or text check refuses
    over: str  # "Row" (or empty) or a quarter, e.g. "Q1 2027"
    account_name: str
    product_name: str


@dataclass
class ReviewedWorkbook:
    """A workbook read back: its record, where each Adjusted cell is, and what changed."""

    record: WorkbookRecord
    sheet: str  # the grid's sheet
    heading_row: int
    columns: dict[str, str]  # heading text -> column letter
    periods: list[date]
    period_columns: dict[date, str]
    mirror_columns: dict[date, str]
    adjusted_rows: dict[str, int]  # row key -> sheet row of its Adjusted row
    edits: list[EditedCell]
    reason_codes: tuple[str, ...]
    grid_address: str
    row_count: int = 0
    notes: dict[str, str] = field(default_factory=dict)
    spread_inputs: list[SpreadInput] = field(default_factory=list)  # New totals not spread yet

    @property
    def changes(self) -> list[Change]:
        """The changeset: edits holding a number (or emptied); check refuses the rest."""
        return [e.change() for e in self.edits if e.is_number]

    def address(self, row_key: str, period: date) -> str:
        return f"{self.period_columns[period]}{self.adjusted_rows[row_key]}"

    def edit_at(self, cell: str) -> EditedCell | None:
        return next((e for e in self.edits if e.cell == cell), None)


# ---------------------------------------------------------------- the record


def read_record(book: BookSurface) -> WorkbookRecord:
    """The hidden record, or ``WorkbookNotOurs`` saying why it cannot be trusted."""
    where = book.resolve(layout.N_RECORD)
    if where is None and layout.RECORD in book.sheet_names():
        where = (layout.RECORD, "A1")
    if where is None:
        raise WorkbookNotOurs(
            "This workbook has no demandgrid record (no hidden dg_record sheet or name): it was not "
            "pulled by demandgrid, or was copied into a new workbook. Pull a workbook with "
            "`demandgrid pull` and make your changes there."
        )
    sheet, address = where
    min_col, min_row, _, _ = range_boundaries(address)
    letter = get_column_letter(min_col)
    head = [r[0] for r in book.read_formulas(sheet, f"{letter}{min_row}:{letter}{min_row + 3}")]
    count = _int(head[3]) if len(head) > 3 and head[0] == MARKER else None
    values = head
    if count is not None and 0 <= count < 100_000:
        end = min_row + 3 + count
        values = [r[0] for r in book.read_formulas(sheet, f"{letter}{min_row}:{letter}{end}")]
    try:
        return decode(values)
    except RecordError as e:
        raise WorkbookNotOurs(str(e)) from None


def check_origin(
    record: WorkbookRecord, expect_org: OrgIdentity | None, expect_user: str | None
) -> None:
    ctx = record.context
    if expect_org is not None and ctx.org_id != expect_org.org_id:
        raise WorkbookNotOurs(
            f"This workbook was pulled from org {ctx.org_name!r} ({ctx.org_id}, {ctx.instance}), "
            f"but you are pushing to {expect_org.org_name!r} ({expect_org.org_id}). Push it to the "
            "org it came from (--org), or pull a fresh workbook from this org."
        )
    if expect_user is not None and expect_user not in (ctx.pulled_by, ctx.user_name, ctx.user_id):
        raise WorkbookNotOurs(
            f"This workbook was pulled by {ctx.pulled_by!r} for {ctx.user_name!r}; you are signed "
            f"in as {expect_user!r}. Push it as {ctx.pulled_by!r}, or pull your own workbook."
        )


# ---------------------------------------------------------------- the grid


def read_workbook(
    book: BookSurface,
    *,
    expect_org: OrgIdentity | None = None,
    expect_user: str | None = None,
) -> ReviewedWorkbook:
    """Read ``book`` back against its hidden record; see the module docstring."""
    record = read_record(book)
    check_origin(record, expect_org, expect_user)
    grid = locate_grid(book, record)
    adjusted_rows, raw_rows = tie_rows(grid, record)
    sheet, periods, period_columns = grid.sheet, grid.periods, grid.period_columns
    col_index, period_idx = grid.col_index, grid.period_idx
    by_cell = record.by_cell()
    names = block_names(record)

    # Cell notes override the row note; one read for the whole grid.
    notes = book.read_notes(sheet, grid.address)
    edits: list[EditedCell] = []
    for key, row in raw_rows.items():
        sheet_row = adjusted_rows[key]
        row_note, note_formula = _shown_text(book, grid, layout.H_NOTE, row, sheet_row)
        reason, _ = _shown_text(book, grid, layout.H_REASON, row, sheet_row)
        for period in periods:
            raw = row[period_idx[period]]
            cell = by_cell.get((key, period.isoformat())) or _no_record(key, period, names)
            old = _number_or_none(cell.get("adjusted"))
            start = starting_value(old, _number_or_none(cell.get("baseline")))
            changed, is_formula, value = _compare(raw, start)
            if not changed or (value is None and old is None):
                continue  # emptied a cell that had no adjustment: nothing to send
            address_a1 = f"{period_columns[period]}{sheet_row}"
            note = notes.get(address_a1)
            if note and note.startswith(LOCK_NOTE_PREFIX):
                note = None  # the pull's own lock explanation, not the rep's note
            edits.append(
                EditedCell(
                    record_id=str(cell["record_id"]),
                    row_key=key,
                    sheet=sheet,
                    cell=address_a1,
                    account_name=str(cell.get("account_name") or ""),
                    product_name=str(cell.get("product_name") or ""),
                    period_start=period,
                    old=old,
                    shown=start,
                    raw=value,
                    is_formula=is_formula,
                    note=note.strip() if note and note.strip() else row_note,
                    reason_code=reason,
                    modstamp=str(cell.get("modstamp") or ""),
                    baseline=_number_or_none(cell.get("baseline")),
                    locked=bool(cell.get("locked")),
                    lock_reason=str(cell.get("lock_reason") or ""),
                    note_formula="" if note and note.strip() else note_formula,
                )
            )
    edits.sort(key=lambda e: (adjusted_rows[e.row_key], e.period_start))
    spreads = _spread_inputs(grid, raw_rows, adjusted_rows, names)
    return ReviewedWorkbook(
        record=record,
        sheet=sheet,
        heading_row=grid.min_row,
        columns={h: get_column_letter(grid.min_col + i) for h, i in col_index.items()},
        periods=periods,
        period_columns=period_columns,
        mirror_columns=grid.mirror_columns,
        adjusted_rows=adjusted_rows,
        edits=edits,
        reason_codes=_reason_codes(book),
        grid_address=grid.address,
        row_count=len(grid.rows),
        notes=notes,
        spread_inputs=spreads,
    )


def _spread_inputs(
    grid: GridLayout,
    raw_rows: dict[str, list[Any]],
    adjusted_rows: dict[str, int],
    names: dict[str, str],
) -> list[SpreadInput]:
    """Each Adjusted row's New total that holds something (workbooks pulled before the spread
    columns existed have none)."""
    if layout.H_NEW_TOTAL not in grid.col_index:
        return []
    letter = get_column_letter(grid.min_col + grid.col_index[layout.H_NEW_TOTAL])
    has_over = layout.H_SPREAD_OVER in grid.col_index
    found = []
    for key, row in raw_rows.items():
        total = grid.at(row, layout.H_NEW_TOTAL)
        if total is None or (isinstance(total, str) and not total.strip()):
            continue
        account, _, product = names.get(key, "? / ?").partition(" / ")
        found.append(
            SpreadInput(
                row_key=key,
                cell=f"{letter}{adjusted_rows[key]}",
                total=total,
                over=text(grid.at(row, layout.H_SPREAD_OVER)) if has_over else "",
                account_name=account,
                product_name=product,
            )
        )
    return sorted(found, key=lambda s: adjusted_rows[s.row_key])


def _shown_text(
    book: BookSurface, grid: GridLayout, heading: str, row: list[Any], sheet_row: int
) -> tuple[str, str]:
    """(the text a row's Note or Reason code cell shows, its formula if that text is unknown).

    A formula typed there sends the value it shows (the cached value Excel or LibreOffice
    stored), never its formula text; a formula never calculated gives "" and the formula."""
    value = text(grid.at(row, heading))
    if not value.startswith("="):
        return value, ""
    address = f"{get_column_letter(grid.min_col + grid.col_index[heading])}{sheet_row}"
    shown = book.read(grid.sheet, address)[0][0]
    if isinstance(shown, str) and shown.startswith("=") or (shown is None and value):
        return "", value
    return text(shown), ""


def _reason_codes(book: BookSurface) -> tuple[str, ...]:
    where = book.resolve(layout.N_REASON_CODES)
    if where is None:
        return layout.REASON_CODES
    codes = tuple(
        str(v).strip()
        for row in book.read(*where)
        for v in row
        if v not in (None, "") and str(v).strip()
    )
    return codes or layout.REASON_CODES


def _compare(raw: Any, old: float | None) -> tuple[bool, bool, Any]:
    """(changed, is_formula, value as read): a formula in an input cell always counts."""
    if isinstance(raw, str):
        if raw.startswith("="):
            return True, True, raw
        if not raw.strip():
            raw = None
    if raw is None:
        return old is not None, False, None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return True, False, raw
    if isinstance(raw, float) and not math.isfinite(raw):
        return True, False, raw
    if old is None:
        return True, False, raw
    return abs(raw - old) > 1e-9 * max(1.0, abs(old)), False, raw


def _no_record(key: str, period: date, names: dict[str, str]) -> dict[str, Any]:
    """A grid cell with no forecast record behind it: shown locked, never sent."""
    account, _, product = names.get(key, "? / ?").partition(" / ")
    return {
        "record_id": "",
        "row_key": key,
        "period_start": period.isoformat(),
        "adjusted": None,
        "baseline": None,
        "locked": True,
        "lock_reason": NO_RECORD,
        "account_name": account,
        "product_name": product,
    }


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _number_or_none(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def profile_of(reviewed: ReviewedWorkbook) -> MappingProfile:
    """The mapping profile the workbook was pulled with (standard quantity if unknown), with
    ``demandgrid.toml``'s ``[mapping]`` when it describes that profile."""
    ctx = reviewed.record.context
    measure = ctx.measure if ctx.measure in ("quantity", "revenue") else "quantity"
    try:
        mapping_profile(ctx.profile or "standard")
    except ValueError:
        return mapping_profile()
    return configured_profile(ctx.profile or "standard", measure)  # type: ignore[arg-type]
