"""Spread on a review workbook: each Adjusted row's New total over its open periods.

workbook -> ``read_workbook`` (the New total / Spread over inputs, ``addin.review.readback``) ->
per row: the selection (Row, or a quarter), the profile (the row's current adjusted values,
the baseline, last year, or equal), ``addin.spread.exact.spread_total`` -> the Spread preview
sheet (profile and every resulting cell, old -> new). With ``apply`` the new values go into the
grid as ordinary changed cells (check and push treat them like typed ones), the inputs are
cleared, and an empty Reason code / Note takes the spread's. Every row is worked out before
anything is written: one row that cannot be spread refuses them all, the workbook unchanged.
A fixed number of reads and writes whatever the number of cells (live Excel, bench ``excel``).

Units: quantities spread in whole units, revenue in cents (``SCALE``), whatever decimals the
org's field would keep beyond that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from addin.book.errors import UserError
from addin.book.lock import hold, refuse_if_open
from addin.book.surface import BookSurface, ColumnFormat
from addin.book.xlsx import XlsxBook
from addin.review import layout
from addin.review.grid import quarter_of
from addin.review.readback import ReviewedWorkbook, SpreadInput, read_workbook
from addin.spread.exact import PROFILES, SpreadImpossible, spread_total

SCALE = {"quantity": 0, "revenue": 2}
PREVIEW_HEADINGS = (
    "Cell",
    "Account",
    "Product",
    "Period",
    "Profile",
    "Share",
    "Old",
    "New",
    "Locked",
)
PREVIEW_COLUMNS = (
    ColumnFormat(10),
    ColumnFormat(24, wrap=True),
    ColumnFormat(24, wrap=True),
    ColumnFormat(9),
    ColumnFormat(10, "#,##0.##"),
    ColumnFormat(8, "0.0%"),
    ColumnFormat(11, "#,##0.##"),
    ColumnFormat(11, "#,##0.##"),
    ColumnFormat(30, wrap=True),
)


class SpreadRefused(UserError):
    """A New total cannot be spread (not a number, unknown selection, every period locked)."""


@dataclass(frozen=True)
class SpreadCell:
    cell: str
    period: date
    weight: float
    old: Any
    new: Any
    locked: str  # why it is not touched ("" when it takes a share)


@dataclass(frozen=True)
class RowSpread:
    source: SpreadInput
    total: float
    over: str
    cells: tuple[SpreadCell, ...]
    fell_back_to_equal: bool

    @property
    def changed(self) -> int:
        return sum(1 for c in self.cells if not c.locked and c.new != c.old)


@dataclass
class SpreadOutcome:
    profile: str
    rows: list[RowSpread] = field(default_factory=list)
    applied: bool = False

    def summary(self) -> str:
        if not self.rows:
            return (
                f"Nothing to spread: type a total in a {layout.H_NEW_TOTAL} cell of an Adjusted "
                f"row (and pick Row or a quarter in {layout.H_SPREAD_OVER}), then Spread."
            )
        cells = sum(r.changed for r in self.rows)
        head = f"Spread {len(self.rows):,} total(s) by {self.profile} over {cells:,} cell(s)"
        if self.applied:
            return (
                f"{head}: written into the grid as changes. Give each row a reason code and a "
                "note if it has none, run Check, then Push."
            )
        return (
            f"{head}: preview on the {layout.SPREAD_PREVIEW} sheet; nothing changed in the grid. "
            "Run spread again with --apply (or the ribbon's Spread > Apply) to write it."
        )


def spread_workbook(
    book: BookSurface,
    *,
    profile: str = "adjusted",
    apply: bool = False,
    reason: str = "",
    note: str = "",
) -> SpreadOutcome:
    """Spread every New total of ``book``; write the preview, and with ``apply`` the cells."""
    if profile not in PROFILES:
        raise SpreadRefused(
            f"Unknown spread profile {profile!r}. Choose one of {', '.join(PROFILES)}."
        )
    book.status("Reading the workbook...")
    reviewed = read_workbook(book)
    outcome = SpreadOutcome(profile=profile)
    if not reviewed.spread_inputs:
        return outcome
    grid = _Grid(book, reviewed)
    scale = SCALE.get(reviewed.record.context.measure or "quantity", 0)
    outcome.rows = [_spread_row(grid, s, profile, scale) for s in reviewed.spread_inputs]
    _write_preview(book, outcome, reviewed)
    if apply:
        _apply(book, grid, outcome, reason, note)
        outcome.applied = True
    book.save()
    book.status(outcome.summary())
    return outcome


class _Grid:
    """The whole grid read once, found by heading text and row key and kind."""

    def __init__(self, book: BookSurface, reviewed: ReviewedWorkbook) -> None:
        self.reviewed = reviewed
        self.sheet = reviewed.sheet
        self.min_col, self.top, _, self.bottom = range_boundaries(reviewed.grid_address)
        self.values = book.read(self.sheet, reviewed.grid_address)[1:]
        self.index = {
            h: column_index_from_string(c) - self.min_col for h, c in reviewed.columns.items()
        }
        key, kind = self.index[layout.H_KEY], self.index[layout.H_KIND]
        self.rows = {(str(r[key]), str(r[kind])): r for r in self.values}
        self.by_cell = reviewed.record.by_cell()

    def row(self, key: str, kind: str) -> list[Any]:
        return self.rows.get((key, kind)) or [None] * (
            len(self.index) + len(self.reviewed.periods) * 2
        )

    def at(self, key: str, kind: str, period: date) -> Any:
        column = self.reviewed.period_columns[period]
        return self.row(key, kind)[column_index_from_string(column) - self.min_col]

    def lock_reason(self, key: str, period: date) -> str:
        cell = self.by_cell.get((key, period.isoformat()))
        if cell is None:
            return "no forecast record"
        return str(cell.get("lock_reason") or "locked") if cell.get("locked") else ""


def _spread_row(grid: _Grid, source: SpreadInput, profile: str, scale: int) -> RowSpread:
    where = f"{grid.sheet}!{source.cell} ({source.account_name} / {source.product_name})"
    total = source.total
    if isinstance(total, bool) or not isinstance(total, int | float) or not math.isfinite(total):
        raise SpreadRefused(
            f"{where}: {layout.H_NEW_TOTAL} holds {total!r}, not a number. Type the row's new "
            "total as a number (or clear it), then Spread again. Nothing was changed."
        )
    periods = _selection(grid, source, where)
    key = source.row_key
    current = [grid.at(key, layout.ADJUSTED, p) for p in periods]
    for p, value in zip(periods, current, strict=True):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            address = f"{grid.reviewed.period_columns[p]}{grid.reviewed.adjusted_rows[key]}"
            raise SpreadRefused(
                f"{grid.sheet}!{address} holds {value!r}, not a number, so the row cannot be "
                "spread. Fix that cell, then Spread again. Nothing was changed."
            )
    locks = [grid.lock_reason(key, p) for p in periods]
    weights = _profile(grid, key, periods, current, profile)
    try:
        split = spread_total(float(total), current, weights, [bool(r) for r in locks], scale=scale)
    except SpreadImpossible as e:
        raise SpreadRefused(
            f"{where}: the total {_show(total)} cannot be reached: {e}. Type a total the open "
            f"months can reach, or clear {layout.H_NEW_TOTAL}. Nothing was changed."
        ) from None
    row = grid.reviewed.adjusted_rows[key]
    cells = tuple(
        SpreadCell(
            cell=f"{grid.reviewed.period_columns[p]}{row}",
            period=p,
            weight=split.weights[i],
            old=current[i],
            new=split.values[i],
            locked=locks[i],
        )
        for i, p in enumerate(periods)
    )
    over = source.over or layout.SPREAD_ROW
    return RowSpread(source, float(total), over, cells, split.fell_back_to_equal)


def _selection(grid: _Grid, source: SpreadInput, where: str) -> list[date]:
    periods = grid.reviewed.periods
    over = source.over.strip()
    if not over or over.casefold() == layout.SPREAD_ROW.casefold():
        return list(periods)
    chosen = [p for p in periods if quarter_of(p).casefold() == over.casefold()]
    if not chosen:
        known = ", ".join(dict.fromkeys(quarter_of(p) for p in periods))
        raise SpreadRefused(
            f"{where}: {layout.H_SPREAD_OVER} says {over!r}; pick {layout.SPREAD_ROW} or one of "
            f"this grid's quarters ({known}). Nothing was changed."
        )
    return chosen


def _profile(
    grid: _Grid, key: str, periods: list[date], current: list[Any], profile: str
) -> list[float | None]:
    if profile == "equal":
        return [1.0] * len(periods)
    if profile == "adjusted":
        return [_number(v) for v in current]
    kind = layout.BASELINE if profile == "baseline" else layout.LAST_YEAR
    return [_number(grid.at(key, kind, p)) for p in periods]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


# ---------------------------------------------------------------- the preview sheet


def _write_preview(book: BookSurface, outcome: SpreadOutcome, reviewed: ReviewedWorkbook) -> None:
    sheet = layout.SPREAD_PREVIEW
    if sheet not in book.sheet_names():
        book.ensure_sheet(sheet, after=reviewed.sheet)
    else:
        book.clear(sheet, book.used_range(sheet))
    titles = [
        [
            f"Spread preview: {len(outcome.rows):,} total(s) by the {outcome.profile} profile. "
            "Locked periods keep their value and count toward the total."
        ]
    ]
    rows: list[list[Any]] = []
    for r in outcome.rows:
        shares = sum(c.weight for c in r.cells) or 1.0
        fallback = " (the profile is all zero: spread equally)" if r.fell_back_to_equal else ""
        held = sum(float(c.old or 0) for c in r.cells if c.locked)
        where = "the whole row" if r.over == layout.SPREAD_ROW else r.over
        titles.append(
            [
                f"{r.source.account_name} / {r.source.product_name}: new total {_show(r.total)} "
                f"over {where}; locked months hold {_show(held)}, so {_show(r.total - held)} "
                f"is shared over the open months{fallback}."
            ]
        )
        for c in r.cells:
            rows.append(
                [
                    c.cell,
                    r.source.account_name,
                    r.source.product_name,
                    c.period.strftime("%b %Y"),
                    c.weight if not c.locked else None,
                    c.weight / shares if not c.locked else None,
                    c.old,
                    c.new,
                    c.locked,
                ]
            )
    titles = titles[:20]  # the table says the rest
    book.write(sheet, "A1", titles)
    header = f"A{len(titles) + 2}"
    book.write(sheet, header, [list(PREVIEW_HEADINGS), *rows])
    book.format_table(sheet, header, PREVIEW_COLUMNS, len(rows), title_rows=len(titles) + 1)


# ---------------------------------------------------------------- apply


def _apply(book: BookSurface, grid: _Grid, outcome: SpreadOutcome, reason: str, note: str) -> None:
    """The new values, cleared inputs and default reason/note: one read and one write per
    column block, whatever the number of rows."""
    reviewed = grid.reviewed
    top, bottom = grid.top + 1, grid.bottom
    letters = [column_index_from_string(c) for c in reviewed.period_columns.values()]
    first, last = min(letters), max(letters)
    values: dict[tuple[int, int], Any] = {}
    for r in outcome.rows:
        for c in r.cells:
            if not c.locked:
                row = int("".join(ch for ch in c.cell if ch.isdigit()))
                column = column_index_from_string("".join(ch for ch in c.cell if ch.isalpha()))
                values[(row, column)] = c.new
    _write_cells(book, grid.sheet, (first, top, last, bottom), values)
    spread_rows = {reviewed.adjusted_rows[r.source.row_key]: r for r in outcome.rows}
    for heading in (layout.H_NEW_TOTAL, layout.H_SPREAD_OVER, layout.H_REASON, layout.H_NOTE):
        letter = reviewed.columns.get(heading)
        if letter is None:
            continue
        column = column_index_from_string(letter)
        cells: dict[tuple[int, int], Any] = {}
        for row, spread in spread_rows.items():
            if heading in (layout.H_NEW_TOTAL, layout.H_SPREAD_OVER):
                cells[(row, column)] = None
            elif heading == layout.H_REASON and reason:
                cells[(row, column)] = reason
            elif heading == layout.H_NOTE:
                cells[(row, column)] = _default_note(spread, note, outcome)
        keep = heading in (layout.H_REASON, layout.H_NOTE)  # only where empty
        _write_cells(book, grid.sheet, (column, top, column, bottom), cells, only_empty=keep)


def _write_cells(
    book: BookSurface,
    sheet: str,
    bounds: tuple[int, int, int, int],
    cells: dict[tuple[int, int], Any],
    *,
    only_empty: bool = False,
) -> None:
    """Set ``cells`` ((row, column) -> value) inside the block ``bounds`` (first column, top,
    last column, bottom) with one read and one write. The rest of the block is written back
    as read; where it holds a formula (the rep's), the cells are written one by one instead,
    so that formula stays a formula."""
    if not cells:
        return
    first, top, last, bottom = bounds
    address = f"{get_column_letter(first)}{top}:{get_column_letter(last)}{bottom}"
    block = book.read_formulas(sheet, address)
    todo = {
        k: v
        for k, v in cells.items()
        if not only_empty or not _filled(block[k[0] - top][k[1] - first])
    }
    if any(isinstance(v, str) and v.startswith("=") for row in block for v in row):
        for (row, column), value in todo.items():
            book.write(sheet, f"{get_column_letter(column)}{row}", [[value]])
        return
    for (row, column), value in todo.items():
        block[row - top][column - first] = value
    book.write(sheet, f"{get_column_letter(first)}{top}", block)


def _show(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _default_note(r: RowSpread, note: str, outcome: SpreadOutcome) -> str:
    return note or f"Spread a new total of {_show(r.total)} over {r.over} by {outcome.profile}."


def spread_file(
    path: str | Path,
    *,
    profile: str = "adjusted",
    apply: bool = False,
    reason: str = "",
    note: str = "",
) -> SpreadOutcome:
    """``spread_workbook`` on a file: holds its lock; refuses one open in an application."""
    with hold(path, "spread"):
        refuse_if_open(path, "spread")
        return spread_workbook(
            XlsxBook.open(path), profile=profile, apply=apply, reason=reason, note=note
        )
