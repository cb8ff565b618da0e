"""``demandgrid upside accept FILE``: take a design win's upside into the Adjusted row.

The Upside row of a block (``sync.pull.upside``: won opportunities' schedules not already in
the baseline) is read-only and never part of the adjusted value by itself. Accepting it adds
the cell's upside to its Adjusted value, sets the row's reason code to ``Design win`` and puts a
cell note saying what was added, so it is an ordinary noted change that check and push handle
like any other. Which cells: ``rows`` (sheet row numbers of a block's Upside or Adjusted row:
every upside cell of the block) and ``cells`` (addresses on either row: that period).

Refused, with nothing written: a cell without upside, a locked cell, a cell already changed in
this workbook (accept first, then edit), an Adjusted cell that holds no number, and a row whose
reason code is another one (a row has one reason code).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from addin.book.errors import UserError
from addin.book.lock import hold, refuse_if_open
from addin.book.surface import BookSurface
from addin.book.xlsx import XlsxBook
from addin.review import layout
from addin.review.readback import ReviewedWorkbook, read_workbook
from sync.pull.upside import ACCEPTED_PREFIX

REASON = "Design win"
_ADDRESS = re.compile(r"\s*([A-Za-z]{1,3})(\d+)\s*\Z")


class UpsideNotAccepted(UserError):
    """The upside asked for cannot be taken into the Adjusted row."""


@dataclass(frozen=True)
class Accepted:
    path: Path
    cells: tuple[str, ...]  # Adjusted-row addresses changed
    total: float


@dataclass(frozen=True)
class _Block:
    key: str
    upside_row: int
    values: dict[date, float]  # period -> upside


def _upside_blocks(book: BookSurface, reviewed: ReviewedWorkbook) -> dict[str, _Block]:
    min_col, min_row, _, max_row = range_boundaries(reviewed.grid_address)
    last = get_column_letter(max(column_index_from_string(c) for c in reviewed.columns.values()))
    first = get_column_letter(min_col)
    rows = book.read(reviewed.sheet, f"{first}{min_row + 1}:{last}{max_row}")

    def at(row: list[Any], heading: str) -> Any:
        return row[column_index_from_string(reviewed.columns[heading]) - min_col]

    blocks: dict[str, _Block] = {}
    for offset, row in enumerate(rows):
        if str(at(row, layout.H_KIND) or "").strip() != layout.UPSIDE:
            continue
        key = str(at(row, layout.H_KEY) or "")
        values = {}
        for period, column in reviewed.period_columns.items():
            value = row[column_index_from_string(column) - min_col]
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                values[period] = float(value)
        blocks[key] = _Block(key, min_row + 1 + offset, values)
    return blocks


def _targets(
    reviewed: ReviewedWorkbook, blocks: dict[str, _Block], rows: Sequence[int], cells: Sequence[str]
) -> tuple[list[tuple[str, date]], list[str]]:
    by_row = {b.upside_row: b.key for b in blocks.values()}
    by_row.update({r: k for k, r in reviewed.adjusted_rows.items()})
    by_column = {c: p for p, c in reviewed.period_columns.items()}
    targets: list[tuple[str, date]] = []
    problems: list[str] = []
    for number in rows:
        key = by_row.get(number)
        if key is None or key not in blocks:
            problems.append(f"row {number} is not an Upside or Adjusted row of a block with upside")
            continue
        targets += [(key, p) for p in sorted(blocks[key].values)]
    for address in cells:
        found = _ADDRESS.match(address)
        column, number = (found.group(1).upper(), int(found.group(2))) if found else ("", 0)
        key, period = by_row.get(number), by_column.get(column)
        if key is None or period is None:
            problems.append(f"{address.strip()} is not a period cell of an Upside or Adjusted row")
            continue
        targets.append((key, period))
    return list(dict.fromkeys(targets)), problems


def accept_upside(
    path: str | Path, *, rows: Sequence[int] = (), cells: Sequence[str] = ()
) -> Accepted:
    """Add the chosen cells' upside to their Adjusted values; see the module docstring."""
    path = Path(path)
    if not rows and not cells:
        raise UpsideNotAccepted(
            "Say which upside to accept: --row N (a block's Upside or Adjusted row) or "
            "--cells J14,K14. Nothing was changed."
        )
    with hold(path, "upside accept"):
        refuse_if_open(path, "upside accept")
        book = XlsxBook.open(path)
        accepted = accept_upside_in(book, rows=rows, cells=cells)
        book.save()
    return accepted


def accept_upside_in(
    book: BookSurface, *, rows: Sequence[int] = (), cells: Sequence[str] = ()
) -> Accepted:
    """``accept_upside`` on any book surface (a file, or the open workbook in Excel); the
    caller saves."""
    name = Path(book.path).name if book.path else "this workbook"
    reviewed = read_workbook(book)
    blocks = _upside_blocks(book, reviewed)
    targets, problems = _targets(reviewed, blocks, rows, cells)
    changes, more = _changes(book, reviewed, blocks, targets)
    problems += more
    if problems:
        raise UpsideNotAccepted(
            f"Cannot accept the upside in {name}:\n  "
            + "\n  ".join(problems)
            + "\nNothing was changed."
        )
    _write(book, reviewed, changes)
    return Accepted(
        Path(book.path), tuple(a for a, _, _, _ in changes), sum(u for _, _, u, _ in changes)
    )


def _changes(
    book: BookSurface,
    reviewed: ReviewedWorkbook,
    blocks: dict[str, _Block],
    targets: list[tuple[str, date]],
) -> tuple[list[tuple[str, str, float, float]], list[str]]:
    by_cell = reviewed.record.by_cell()
    edited = {e.cell for e in reviewed.edits}
    reason_column = reviewed.columns[layout.H_REASON]
    out: list[tuple[str, str, float, float]] = []
    problems: list[str] = []
    for key, period in targets:
        address = reviewed.address(key, period)
        upside = blocks[key].values.get(period) if key in blocks else None
        cell = by_cell.get((key, period.isoformat())) or {}
        where = f"{address} ({cell.get('account_name', '?')} / {cell.get('product_name', '?')}, {period:%b %Y})"
        current = book.read(reviewed.sheet, address)[0][0]
        reason = book.read(reviewed.sheet, f"{reason_column}{reviewed.adjusted_rows[key]}")[0][0]
        if not upside:
            problems.append(f"{where}: there is no design-win upside in this period.")
        elif cell.get("locked") or not cell.get("record_id"):
            problems.append(
                f"{where}: the period is locked ({cell.get('lock_reason') or 'no record'})."
            )
        elif address in edited:
            problems.append(
                f"{where}: already changed in this workbook; accept the upside before other edits "
                "to the cell (undo yours), or type the new value yourself with a note."
            )
        elif not isinstance(current, int | float) or isinstance(current, bool):
            problems.append(f"{where}: the Adjusted cell holds no number ({current!r}).")
        elif reason not in (None, "", REASON):
            problems.append(
                f"{where}: the row's reason code is {reason!r}; a row has one reason code. Push "
                f"that row's changes first, then accept the upside."
            )
        else:
            out.append((address, key, float(upside), float(current)))
    return out, problems


def _write(
    book: BookSurface, reviewed: ReviewedWorkbook, changes: list[tuple[str, str, float, float]]
) -> None:
    sheet = reviewed.sheet
    notes: dict[str, str] = {}
    for address, key, upside, current in changes:
        book.write(sheet, address, [[current + upside]])
        notes[address] = (
            f"Design win upside accepted: +{upside:,.6g} (won opportunities' schedules not "
            f"already in the baseline) on {current:,.6g}."
        )
        row = reviewed.adjusted_rows[key]
        book.write(sheet, f"{reviewed.columns[layout.H_REASON]}{row}", [[REASON]])
        note_cell = f"{reviewed.columns[layout.H_NOTE]}{row}"
        if not book.read(sheet, note_cell)[0][0]:
            book.write(sheet, note_cell, [["Design win upside accepted: see the cell notes."]])
    book.set_notes(sheet, notes)


assert ACCEPTED_PREFIX == f"[{REASON}]"  # the pull recognises an accepted win by this note prefix
