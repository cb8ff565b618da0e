"""Refresh a pulled review workbook in place: the org's latest values into the same grid.

Runs on any ``BookSurface`` (the ribbon's Refresh on the open workbook, or a file). It refuses
while the workbook holds unpushed changes, so nothing a rep typed is overwritten: push them (or
undo them) first. The fresh pull is laid out by ``addin.review.grid.build_grid`` exactly as a new
pull would be, and written through whole-block writes in the order the rows now stand (a rep
may have sorted them): the descriptive columns, the period columns, the key and mirror columns,
the header cells and the hidden record. Reason code and Note columns and the live formulas are
left alone. When the org's portfolio no longer has the workbook's shape (accounts or products
added or removed, other periods, locks that changed), an in-place refresh would need new rows
or new protection, so ``RefreshNeedsNewPull`` says so and the caller pulls a new workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from openpyxl.utils.cell import get_column_letter, range_boundaries

from addin.book.errors import UserError
from addin.book.surface import BookSurface
from addin.review import layout
from addin.review.grid import build_grid, record_cells
from addin.review.readback import profile_of, read_workbook
from addin.review.record import WorkbookRecord, encode
from addin.review.writer import header_values
from sync.gather.review import freshness_line, with_gathered
from sync.org.records import PullContext
from sync.org.seam import Org


class UnpushedChanges(UserError):
    """The workbook has changed cells that are not pushed: a refresh would overwrite them."""


class RefreshNeedsNewPull(UserError):
    """The org's portfolio no longer fits this workbook's grid (rows, periods or locks)."""


@dataclass(frozen=True)
class Refreshed:
    cells: int
    rows: int
    pulled_at: str

    def summary(self) -> str:
        return (
            f"Refreshed {self.cells:,} forecast cells in {self.rows:,} rows with the org's "
            f"values as of {self.pulled_at}."
        )


def refresh_workbook(
    book: BookSurface, org: Org, *, progress: Callable[[str], None] | None = None
) -> Refreshed:
    """Re-pull ``book``'s portfolio from ``org`` and write it into the same grid."""
    from sync.cycle.locks import closed_lock_rules
    from sync.pull.cells import pull_cells

    say = progress or book.status
    say("Reading the workbook...")
    who = org.identity()
    reviewed = read_workbook(book, expect_org=who)
    if reviewed.changes:
        where = ", ".join(c.cell for c in reviewed.changes[:5])
        more = " ..." if len(reviewed.changes) > 5 else ""
        raise UnpushedChanges(
            f"This workbook has {len(reviewed.changes):,} changed cell(s) not pushed yet "
            f"({reviewed.sheet}!{where}{more}). Refresh would overwrite them: push them first "
            "(or undo them), then Refresh."
        )
    old = reviewed.record
    context = old.context
    periods = sorted({c["period_start"] for c in old.cells})
    history = max(len(periods) - context.horizon, 0)
    say(f"Pulling {context.user_name}'s latest forecast from the org...")

    cells = pull_cells(
        org,
        context.user_name,
        profile=profile_of(reviewed),
        horizon=context.horizon,
        history=history,
        include_team=context.team,
        locks=closed_lock_rules(org),  # a closed review locks its periods
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

    periods_from, periods_to = grid.first_period, grid.first_period + len(grid.periods)
    for start, stop in ((0, kind + 1), (periods_from, periods_to), (key, len(grid.headings))):
        block = [row[start:stop] for row in ordered]
        book.write(sheet, f"{_col(min_col + start)}{first_row}", block)
    _write_header(book, cells.context, len(grid.periods))
    freshness = book.resolve(layout.N_FRESHNESS)
    if freshness:
        book.write(freshness[0], freshness[1].split(":")[0], [[freshness_line(org)]])
    _write_record(book, WorkbookRecord(cells.context, fresh, list(old.pushes)))
    book.save()
    done = Refreshed(cells=len(fresh), rows=len(grid.rows), pulled_at=cells.context.pulled_at)
    say(done.summary())
    return done


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
        raise RefreshNeedsNewPull(_new_pull(f"locks changed on {len(moved):,} cell(s)"))


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
