"""The sheets a push writes and reads: the Push Log (receipts, appended) and Conflicts (pulled,
theirs, mine, and a Take column the user fills in with mine/theirs for the next push).

Each sheet starts at its template anchor (``dg_push_log_anchor``, ``dg_conflicts_anchor``), else
cell A1 of a sheet named per ``addin.review.layout``, created when missing. Strings from the org and
the user are written as text; the only formulas are links built from our own addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from rich.markup import escape
from rich.table import Table

from addin.book.errors import UserError
from addin.book.surface import BookSurface, ColumnFormat
from addin.review import layout
from sync.org.records import Conflict, Receipt

LOG_HEADINGS = (
    "Push id",
    "Time (UTC)",
    "User",
    "Org",
    "Cell",
    "Account",
    "Product",
    "Period",
    "Old",
    "New",
    "Note",
    "Reason code",
    "Outcome",
    "Update calls",
    "Query calls",
    "Org response",
)
NUMBER = "#,##0"
TIME = "yyyy-mm-dd hh:mm"
#: How each Push Log column reads (widths in characters); names, notes and responses wrap.
LOG_COLUMNS = (
    ColumnFormat(26),  # Push id
    ColumnFormat(16, TIME),  # Time (UTC)
    ColumnFormat(24, wrap=True),  # User
    ColumnFormat(24, wrap=True),  # Org
    ColumnFormat(12),  # Cell
    ColumnFormat(24, wrap=True),  # Account
    ColumnFormat(24, wrap=True),  # Product
    ColumnFormat(9),  # Period
    ColumnFormat(10, NUMBER),  # Old
    ColumnFormat(10, NUMBER),  # New
    ColumnFormat(32, wrap=True),  # Note
    ColumnFormat(16, wrap=True),  # Reason code
    ColumnFormat(12, wrap=True),  # Outcome
    ColumnFormat(8, NUMBER, wrap=True),  # Update calls
    ColumnFormat(8, NUMBER, wrap=True),  # Query calls
    ColumnFormat(36, wrap=True),  # Org response
)
#: Take sits right after the cell's names, on the first printed page, before the long notes.
CONFLICT_HEADINGS = (
    "Cell",
    "Account",
    "Product",
    "Period",
    "Take",
    "Pulled",
    "Theirs",
    "Mine",
    "Their note",
    "My note",
    "Record Id",
)
CONFLICT_COLUMNS = (
    ColumnFormat(12),  # Cell
    ColumnFormat(24, wrap=True),  # Account
    ColumnFormat(24, wrap=True),  # Product
    ColumnFormat(9),  # Period
    ColumnFormat(10, input=True),  # Take
    ColumnFormat(10, NUMBER),  # Pulled
    ColumnFormat(10, NUMBER),  # Theirs
    ColumnFormat(10, NUMBER),  # Mine
    ColumnFormat(32, wrap=True),  # Their note
    ColumnFormat(32, wrap=True),  # My note
    ColumnFormat(20),  # Record Id
)
TAKE_CHOICES = ("mine", "theirs")


class ConflictChoiceInvalid(UserError):
    """The Conflicts sheet's Take column holds something other than mine or theirs."""


def _anchor(
    book: BookSurface, name: str, sheet: str, *, create: bool
) -> tuple[str, int, int] | None:
    where = book.resolve(name)
    if where is None:
        if sheet not in book.sheet_names():
            if not create:
                return None
            book.ensure_sheet(sheet)
        where = (sheet, "A1")
    target, address = where
    letters, row = coordinate_from_string(address.split(":")[0])
    return target, column_index_from_string(letters), row


def _a1(col: int, row: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _last_row(book: BookSurface, sheet: str) -> int:
    used = book.used_range(sheet)
    return int("".join(ch for ch in used.split(":")[-1] if ch.isdigit()) or 1)


def link(sheet: str, cell: str) -> str:
    """A HYPERLINK formula to ``sheet!cell``, built only from our own names and addresses."""
    target = ("'" + sheet.replace("'", "''") + "'!" + cell).replace('"', '""')
    return f'=HYPERLINK("#{target}","{sheet.replace(chr(34), chr(34) * 2)}!{cell}")'


def _number(v: float | None) -> Any:
    return "" if v is None else v


def _time(stamp: str) -> Any:
    """An ISO UTC stamp ("2026-12-01T05:12:04.123Z") as a datetime Excel shows as a time."""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(
            tzinfo=None, microsecond=0
        )
    except ValueError:
        return stamp


# ---------------------------------------------------------------- Push Log


def append_push_log(book: BookSurface, receipt: Receipt, sheet_of_cells: str) -> int:
    """Append ``receipt`` (one row per cell) under the Push Log's heading; returns rows written."""
    anchor = _anchor(book, layout.N_PUSH_LOG_ANCHOR, layout.PUSH_LOG, create=True)
    assert anchor is not None
    sheet, col, row = anchor
    heading = book.read(sheet, f"{_a1(col, row)}:{_a1(col, row)}")[0][0]
    if heading != LOG_HEADINGS[0]:
        book.write(sheet, _a1(col, row), [list(LOG_HEADINGS)])
    last, start = _last_row(book, sheet), row + 1
    if last > row:
        column = book.read(sheet, f"{_a1(col, row + 1)}:{_a1(col, last)}")
        filled = [i for i, (v,) in enumerate(column) if v not in (None, "")]
        start = row + 2 + filled[-1] if filled else start
    responses = " | ".join(receipt.responses)
    common = [receipt.push_id, _time(receipt.finished_at or receipt.started_at), receipt.username]
    org = f"{receipt.org_id} {receipt.instance}"
    rows: list[list[Any]] = []
    for i, cell in enumerate(receipt.cells):
        rows.append(
            [
                *common,
                org,
                f"{sheet_of_cells}!{cell.cell}",
                cell.account_name,
                cell.product_name,
                cell.period_start.strftime("%b %Y"),
                _number(cell.old),
                _number(cell.new),
                cell.note,
                cell.reason_code,
                cell.outcome,
                receipt.update_calls if i == 0 else "",
                receipt.query_calls if i == 0 else "",
                responses if i == 0 else "",
            ]
        )
    if not rows:
        rows.append(
            [
                *common,
                org,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "nothing sent",
                receipt.update_calls,
                receipt.query_calls,
                responses,
            ]
        )
    book.write(sheet, _a1(col, start), rows)
    book.format_table(sheet, _a1(col, row), LOG_COLUMNS, start + len(rows) - row - 1)
    return len(rows)


# ---------------------------------------------------------------- Conflicts


def write_conflicts(book: BookSurface, conflicts: Sequence[Conflict]) -> None:
    """Replace the Conflicts sheet's rows with ``conflicts``; Take starts empty, except for a
    cell listed before whose Take the user already filled (a refresh re-lists it)."""
    try:
        takes = read_resolutions(book)
    except ConflictChoiceInvalid:
        takes = {}
    anchor = _anchor(book, layout.N_CONFLICTS_ANCHOR, layout.CONFLICTS, create=True)
    assert anchor is not None
    sheet, col, row = anchor
    clear_conflicts(book)
    book.write(
        sheet,
        _a1(col, row),
        [
            [
                f"{len(conflicts)} cell(s) changed in the org since your pull. In the Take column choose "
                "mine (send my value, overwriting theirs) or theirs (drop my change), then push again."
            ]
        ],
    )
    book.write(sheet, _a1(col, row + 1), [list(CONFLICT_HEADINGS)])
    if conflicts:
        _write_conflict_rows(book, sheet, col, row + 2, conflicts, takes)
    book.format_table(
        sheet,
        _a1(col, row + 1),
        CONFLICT_COLUMNS,
        len(conflicts),
        title_rows=1,
        choices={CONFLICT_HEADINGS.index("Take"): TAKE_CHOICES},
    )


def _write_conflict_rows(
    book: BookSurface,
    sheet: str,
    col: int,
    first: int,
    conflicts: Sequence[Conflict],
    takes: dict[str, str] | None = None,
) -> None:
    book.write_formulas(
        sheet, _a1(col, first), [[link(c.change.sheet, c.change.cell)] for c in conflicts]
    )
    book.write(
        sheet,
        _a1(col + 1, first),
        [
            [
                c.change.account_name,
                c.change.product_name,
                c.change.period_start.strftime("%b %Y"),
                (takes or {}).get(c.change.record_id, ""),
                _number(c.change.old),
                _number(c.theirs),
                _number(c.change.new),
                c.their_note,
                c.change.note,
                c.change.record_id,
            ]
            for c in conflicts
        ],
    )


def read_resolutions(book: BookSurface) -> dict[str, str]:
    """Record id -> "mine"/"theirs" from the Conflicts sheet's Take column (blank: undecided)."""
    anchor = _anchor(book, layout.N_CONFLICTS_ANCHOR, layout.CONFLICTS, create=False)
    if anchor is None:
        return {}
    sheet, col, row = anchor
    last = _last_row(book, sheet)
    if last < row + 2:
        return {}
    block = book.read_formulas(
        sheet, f"{_a1(col, row + 1)}:{_a1(col + len(CONFLICT_HEADINGS) - 1, last)}"
    )
    heads = [str(h).strip() if h is not None else "" for h in block[0]]
    if "Take" not in heads or "Record Id" not in heads:
        return {}
    take_i, id_i = heads.index("Take"), heads.index("Record Id")
    out: dict[str, str] = {}
    for offset, values in enumerate(block[1:]):
        choice = str(values[take_i] or "").strip().lower()
        record_id = str(values[id_i] or "").strip()
        if not choice or not record_id:
            continue
        if choice not in TAKE_CHOICES:
            cell = _a1(col + take_i, row + 2 + offset)
            raise ConflictChoiceInvalid(
                f"{sheet}!{cell} says {values[take_i]!r}; the Take column takes mine or theirs. "
                "Pick one from the drop-down (or leave it blank), then push again."
            )
        out[record_id] = choice
    return out


def clear_conflicts(book: BookSurface) -> None:
    anchor = _anchor(book, layout.N_CONFLICTS_ANCHOR, layout.CONFLICTS, create=False)
    if anchor is None:
        return
    sheet, col, row = anchor
    last = _last_row(book, sheet)
    if last >= row:
        book.clear(sheet, f"{_a1(col, row)}:{_a1(col + len(CONFLICT_HEADINGS) - 1, last)}")


def receipt_table(receipt: Receipt, limit: int = 200) -> Table:
    """A receipt (or a dry run's plan) as a rich table for the terminal."""
    title = f"{'Dry run' if receipt.dry_run else 'Push'} {receipt.push_id}: {len(receipt.cells):,} cell(s)"
    table = Table(title=title, title_justify="left")
    for heading in ("Cell", "Account", "Product", "Period", "Old", "New", "Note sent", "Outcome"):
        table.add_column(heading, overflow="fold")
    for cell in receipt.cells[:limit]:
        stored = f"[{cell.reason_code}] {cell.note}" if cell.reason_code else cell.note
        table.add_row(
            escape(cell.cell),
            escape(cell.account_name),
            escape(cell.product_name),
            cell.period_start.strftime("%b %Y"),
            _shown(cell.old),
            _shown(cell.new),
            escape(stored),
            escape(cell.outcome),
        )
    if len(receipt.cells) > limit:
        table.caption = f"... and {len(receipt.cells) - limit:,} more"
    return table


def _shown(v: float | None) -> str:
    return "" if v is None else f"{v:,.6g}"
