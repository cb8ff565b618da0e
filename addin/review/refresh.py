"""Refresh a pulled review workbook in place: the org's latest values into the same grid.

Runs on any ``BookSurface`` (the ribbon's Refresh on the open workbook, or a file). The fresh
pull is laid out by ``addin.review.grid.build_grid`` exactly as a new pull would be, and written
through whole-block writes in the order the rows now stand (a rep may have sorted them): the
descriptive columns, the period columns, the key and mirror columns, the header cells and the
hidden record. Reason code and Note columns, cell notes and the live formulas are left alone,
so notes stay with their cells.

Unpushed changes are merged three ways, cell by cell: base (what was pulled), mine (what the
cell holds now), theirs (the org's value and note now). Only mine changed: the cell keeps mine
(its baseline moves to the org's latest). Only theirs changed: the cell takes theirs. Both
changed (to different values): a **conflict**, never resolved silently: the cell keeps mine,
its baseline stays at what was pulled (so push finds the conflict again and its Take column
decides), and the caller's ``conflicts_sheet`` lists it with all three values. Both changed to
the same value: the cell is no longer a change. The count of writes to the book does not grow
with the number of cells (bench section ``excel``).

When the org's portfolio no longer has the workbook's shape (accounts or products added or
removed, other periods, locks that changed), an in-place refresh would need new rows or new
protection, so ``RefreshNeedsNewPull`` says so and the caller pulls a new workbook.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from openpyxl.utils.cell import get_column_letter, range_boundaries

from addin.book.errors import UserError
from addin.book.surface import BookSurface
from addin.review import layout
from addin.review.grid import Grid, build_grid, record_cells, starting_value
from addin.review.readback import EditedCell, ReviewedWorkbook, profile_of, read_workbook
from addin.review.record import WorkbookRecord, encode
from addin.review.writer import header_values
from sync.gather.review import freshness_line, with_gathered
from sync.org.records import Change, Conflict, PullContext
from sync.org.seam import Org


class RefreshNeedsNewPull(UserError):
    """The org's portfolio no longer fits this workbook's grid (rows, periods or locks)."""


ConflictsSheet = Callable[[BookSurface, Sequence[Conflict]], None]


@dataclass(frozen=True)
class Refreshed:
    cells: int
    rows: int
    pulled_at: str
    kept: int = 0  # unpushed changes kept (only the rep changed them)
    updated: int = 0  # cells that took the org's new value
    conflicts: tuple[Conflict, ...] = ()  # both changed: listed, not resolved

    def summary(self) -> str:
        done = (
            f"Refreshed {self.cells:,} forecast cells in {self.rows:,} rows with the org's "
            f"values as of {self.pulled_at}: {self.updated:,} updated"
        )
        if not self.kept and not self.conflicts:
            return done + "."
        where = ", ".join(c.change.cell for c in self.conflicts[:5])
        more = " ..." if len(self.conflicts) > 5 else ""
        return (
            f"{done}, {self.kept:,} of your unpushed change(s) kept, {len(self.conflicts):,} "
            "conflict(s)"
            + (
                f" ({where}{more}): changed by you and in the org. They keep your value and are "
                "listed on the Conflicts sheet with pulled, theirs and mine; choose mine or "
                "theirs in its Take column, then push."
                if self.conflicts
                else "."
            )
        )


def refresh_workbook(
    book: BookSurface,
    org: Org,
    *,
    progress: Callable[[str], None] | None = None,
    conflicts_sheet: ConflictsSheet | None = None,
) -> Refreshed:
    """Re-pull ``book``'s portfolio from ``org`` and merge it into the same grid, keeping
    unpushed changes (see the module docstring). ``conflicts_sheet`` writes the conflicts
    (``addin.push.sheets.write_conflicts``; this package cannot import it)."""
    from addin.review.pull import review_cells

    say = progress or book.status
    say("Reading the workbook...")
    who = org.identity()
    reviewed = read_workbook(book, expect_org=who)
    old = reviewed.record
    context = old.context
    periods = sorted({c["period_start"] for c in old.cells})
    history = max(len(periods) - context.horizon, 0)
    say(f"Pulling {context.user_name}'s latest forecast from the org...")

    cells, _ = review_cells(  # the cells, locks and Upside rows a pull would write now
        org,
        context.user_name,
        profile=profile_of(reviewed),
        horizon=context.horizon,
        history=history,
        include_team=context.team,
    )
    fresh = record_cells(cells.frame)
    _same_shape(old, fresh)
    cells = replace(cells, frame=with_gathered(org, cells.frame, context.measure))

    sheet, address = book.resolve(layout.N_GRID) or (reviewed.sheet, "")
    min_col, min_row, max_col, max_row = range_boundaries(address)
    grid = build_grid(cells, top=min_row, left=min_col)
    if len(grid.headings) != max_col - min_col + 1 or grid.last_row != max_row:
        raise RefreshNeedsNewPull(_new_pull("the grid's columns or rows differ"))
    say("Writing the latest values...")
    first_row = min_row + 1
    kind, key = grid.col(layout.H_KIND), grid.col(layout.H_KEY)
    kinds = book.read(sheet, f"{_col(min_col + kind)}{first_row}:{_col(min_col + kind)}{max_row}")
    keys = book.read(sheet, f"{_col(min_col + key)}{first_row}:{_col(min_col + key)}{max_row}")
    new_rows = {(r[key], r[kind]): r for r in grid.rows}
    try:
        ordered = [new_rows[(k[0], t[0])] for k, t in zip(keys, kinds, strict=True)]
    except KeyError:
        raise RefreshNeedsNewPull(_new_pull("rows of the grid no longer match")) from None

    row_of = {id(r): first_row + i for i, r in enumerate(ordered)}
    merged = merge(reviewed, old.cells, fresh, grid, [row_of[id(r)] for r in ordered], ordered)
    periods_from, periods_to = grid.first_period, grid.first_period + len(grid.periods)
    for start, stop in ((0, kind + 1), (periods_from, periods_to), (key, len(grid.headings))):
        block = [row[start:stop] for row in ordered]
        book.write(sheet, f"{_col(min_col + start)}{first_row}", block)
    for address, formula in merged.formulas.items():  # a formula the rep typed: rare
        book.write_formulas(sheet, address, [[formula]])
    _write_header(book, cells.context, len(grid.periods))
    freshness = book.resolve(layout.N_FRESHNESS)
    if freshness:
        book.write(freshness[0], freshness[1].split(":")[0], [[freshness_line(org)]])
    _write_record(book, WorkbookRecord(cells.context, merged.cells, list(old.pushes)))
    if conflicts_sheet is not None and (merged.conflicts or reviewed.edits):
        conflicts_sheet(book, merged.conflicts)
    book.save()
    done = Refreshed(
        cells=len(fresh),
        rows=len(grid.rows),
        pulled_at=cells.context.pulled_at,
        kept=merged.kept,
        updated=merged.updated,
        conflicts=merged.conflicts,
    )
    say(done.summary())
    return done


@dataclass
class Merged:
    cells: list[dict]  # the record to write: fresh, except conflicts keep what was pulled
    kept: int = 0
    updated: int = 0
    conflicts: tuple[Conflict, ...] = ()
    formulas: dict[str, str] = field(default_factory=dict)  # A1 -> a formula the rep typed


def merge(
    reviewed: ReviewedWorkbook,
    pulled: list[dict],
    fresh: list[dict],
    grid: Grid,
    sheet_rows: list[int],
    rows: list[list[Any]],
) -> Merged:
    """Three-way merge of each cell into ``rows`` (the fresh grid rows in sheet order, changed in
    place): unchanged cells take theirs, mine-only changes stay, both-changed are conflicts."""
    base = {(c["row_key"], c["period_start"]): c for c in pulled}
    now = {(c["row_key"], c["period_start"]): c for c in fresh}
    edits = {(e.row_key, e.period_start.isoformat()): e for e in reviewed.edits}
    kind_at, key_at = grid.col(layout.H_KIND), grid.col(layout.H_KEY)
    out = Merged(cells=[dict(c) for c in fresh])
    record_at = {(c["row_key"], c["period_start"]): i for i, c in enumerate(out.cells)}
    conflicts: list[Conflict] = []
    for sheet_row, row in zip(sheet_rows, rows, strict=True):
        if row[kind_at] != layout.ADJUSTED:
            continue
        for j, period in enumerate(grid.periods):
            where = (row[key_at], period.isoformat())
            was, theirs = base.get(where), now.get(where)
            if was is None or theirs is None:
                continue
            edit = edits.get(where)
            if edit is None:
                if starting_value(was["adjusted"], was["baseline"]) != starting_value(
                    theirs["adjusted"], theirs["baseline"]
                ):
                    out.updated += 1
                continue
            column = grid.first_period + j
            address = f"{grid.letter(column)}{sheet_row}"
            org_moved = not same_value(was["adjusted"], theirs["adjusted"]) or not same_note(
                was["note"], theirs["note"]
            )
            if org_moved and edit.is_number and same_value(edit.number, theirs["adjusted"]):
                out.updated += 1  # both arrived at the same value: no longer a change
                continue
            if edit.is_formula:
                out.formulas[address] = str(edit.raw)
                row[column] = None
            else:
                row[column] = edit.raw
            if not org_moved:
                out.kept += 1
                continue
            # A conflict: the baseline stays at what was pulled, so push sees it again.
            out.cells[record_at[where]] = dict(was)
            row[grid.first_mirror + j] = starting_value(was["adjusted"], was["baseline"])
            conflicts.append(
                Conflict(
                    change=replace(_as_change(edit), old=edit.shown),
                    theirs=starting_value(theirs["adjusted"], theirs["baseline"]),
                    their_note=str(theirs["note"] or ""),
                    their_modstamp=str(theirs["modstamp"] or ""),
                )
            )
    out.conflicts = tuple(conflicts)
    return out


def _as_change(edit: EditedCell) -> Change:
    """The edit as a change; a value check refuses (text, a date) shows as empty."""
    if edit.is_number:
        return edit.change()
    return replace(edit, raw=None).change()


def same_value(a: float | None, b: float | None) -> bool:
    """Equal as forecast numbers (as push compares them): both empty, or equal to round-off."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def same_note(a: str | None, b: str | None) -> bool:
    """Equal as org notes: the org stores an empty text as null."""
    return (a or "").strip() == (b or "").strip()


def _col(index: int) -> str:
    return get_column_letter(index)


def _new_pull(what: str) -> str:
    return (
        f"The org's forecast no longer fits this workbook ({what}), so it cannot be refreshed "
        "in place. Pull a new workbook (Demand Review > Pull); this one stays as it is."
    )


def _same_shape(old: WorkbookRecord, fresh: list[dict]) -> None:
    def shape(cells: list[dict]) -> dict[tuple[str, str], tuple[bool, str]]:
        return {
            (c["row_key"], str(c["period_start"])): (bool(c["locked"]), c["lock_reason"] or "")
            for c in cells
        }

    before, after = shape(old.cells), shape(fresh)
    if before.keys() != after.keys():
        raise RefreshNeedsNewPull(_new_pull("accounts, products or periods changed"))
    moved = [k for k in before if before[k] != after[k]]
    if moved:
        named = {(c["row_key"], str(c["period_start"])): c for c in fresh}
        shown = "; ".join(_lock_now(named[k]) for k in moved[:3])
        more = f"; and {len(moved) - 3:,} more" if len(moved) > 3 else ""
        raise RefreshNeedsNewPull(
            _new_pull(f"locks changed on {len(moved):,} cell(s): {shown}{more}")
        )


def _lock_now(cell: dict) -> str:
    """``Acme Corp / Pumps, 2027-01: now locked (why)`` for a cell whose lock changed."""
    where = f"{cell.get('account_name', '')} / {cell.get('product_name', '')}, "
    where += str(cell["period_start"])[:7]
    return (
        f"{where}: now locked ({cell['lock_reason']})" if cell["locked"] else f"{where}: now open"
    )


def _write_header(book: BookSurface, ctx: PullContext, periods: int) -> None:
    for name, value in header_values(ctx, periods).items():
        where = book.resolve(name)
        if where:
            book.write(where[0], where[1].split(":")[0], [[value]])


def _write_record(book: BookSurface, record: WorkbookRecord) -> None:
    sheet, address = book.resolve(layout.N_RECORD) or (layout.RECORD, "A1")
    min_col, min_row, _, _ = range_boundaries(address)
    letter = _col(min_col)
    head = book.read(sheet, f"{letter}{min_row + 3}:{letter}{min_row + 3}")[0][0]
    old_length = 4 + int(head or 0)
    values = encode(record)
    book.write(sheet, f"{letter}{min_row}", [[v] for v in values])
    if old_length > len(values):
        book.clear(sheet, f"{letter}{min_row + len(values)}:{letter}{min_row + old_length - 1}")
