"""Read a pulled workbook back: recognise it, tie every Adjusted cell to its record, find the changeset.

The hidden record (``addin.record``) is the authority for what was pulled; the grid is found by
defined names and its columns by heading text (``addin.layout``), rows by their Key and Row
columns, so re-sorting or filtering that keeps those columns still reads correctly. A workbook
that is not ours, damaged, from another org or user, or whose rows no longer tie to records is
refused with ``WorkbookNotOurs`` / ``WorkbookDamaged``, saying what is wrong and what to do.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from addin import layout
from addin.errors import WorkbookDamaged, WorkbookNotOurs
from addin.grid import LOCK_NOTE_PREFIX, NO_RECORD, starting_value
from addin.record import MARKER, RecordError, WorkbookRecord, decode
from addin.surface import BookSurface
from sync.org import OrgIdentity
from sync.records import Change

REDO = (
    "Undo that change, or pull a fresh workbook with `demandgrid pull` and redo your changes there."
)
_EXCEL_EPOCH = date(1899, 12, 30)


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
    grid = book.resolve(layout.N_GRID)
    if grid is None:
        raise WorkbookDamaged(
            f"The workbook's grid name ({layout.N_GRID}) is missing: it was deleted or its sheet "
            f"removed. {REDO}"
        )
    sheet, address = grid
    min_col, min_row, max_col, max_row = range_boundaries(address)
    block = book.read_formulas(sheet, address)
    heads = block[0] if block else []
    _columns(heads)
    periods = sorted({date.fromisoformat(str(c["period_start"])) for c in record.cells})
    period_columns, mirror_columns = _period_columns(book, sheet, min_row, heads, min_col, periods)
    col_index = {h.strip(): i for i, h in enumerate(heads) if isinstance(h, str)}
    rows = block[1:]
    by_cell = record.by_cell()
    keys = {c["row_key"] for c in record.cells}
    period_idx = {p: _index(period_columns[p], min_col) for p in periods}

    problems: list[str] = []
    kinds_by_key: dict[str, list[tuple[str, int]]] = defaultdict(list)
    adjusted_rows: dict[str, int] = {}
    raw_rows: dict[str, list[Any]] = {}
    for offset, row in enumerate(rows):
        sheet_row = min_row + 1 + offset
        key = _text(row[col_index[layout.H_KEY]])
        kind = _text(row[col_index[layout.H_KIND]])
        if not key:
            has_numbers = any(row[i] not in (None, "") for i in period_idx.values())
            if kind == layout.ADJUSTED or kind in layout.ROW_KINDS or (not kind and has_numbers):
                problems.append(
                    f"row {sheet_row} has no Key: a row was inserted or its Key cell cleared"
                )
            continue
        if key not in keys:
            problems.append(
                f"row {sheet_row} has Key {key!r}, which this workbook never pulled: "
                "a row was inserted or its Key cell edited"
            )
            continue
        if kind not in layout.ROW_KINDS:
            problems.append(
                f"row {sheet_row}: the Row column reads {kind!r}, not one of "
                f"{', '.join(layout.ROW_KINDS)}: the Row column was edited"
            )
            continue
        kinds_by_key[key].append((kind, sheet_row))
        if kind == layout.ADJUSTED:
            adjusted_rows.setdefault(key, sheet_row)
            raw_rows.setdefault(key, row)

    names = _block_names(record)
    for key in sorted(keys):
        adjusted = [r for k, r in kinds_by_key.get(key, []) if k == layout.ADJUSTED]
        label = names.get(key, key)
        if not adjusted:
            problems.append(
                f"the Adjusted row of {label} is missing: rows were deleted or its Row column edited"
            )
        elif len(adjusted) > 1:
            rows_text = ", ".join(str(r) for r in adjusted)
            problems.append(
                f"{label} has {len(adjusted)} Adjusted rows (rows {rows_text}): "
                "a row was duplicated or its Row column edited"
            )
        for kind in layout.ROW_KINDS:
            same = [r for k, r in kinds_by_key.get(key, []) if k == kind]
            if kind != layout.ADJUSTED and len(same) > 1:
                problems.append(
                    f"{label} has {len(same)} {kind} rows (rows {', '.join(map(str, same))}): "
                    "a row was duplicated or its Row column edited"
                )
    if problems:
        raise WorkbookDamaged(_damage_message(sheet, problems))

    # Cell notes override the row note; one read for the whole grid.
    notes = book.read_notes(sheet, address)
    edits: list[EditedCell] = []
    for key, row in raw_rows.items():
        sheet_row = adjusted_rows[key]
        row_note = _text(row[col_index[layout.H_NOTE]])
        reason = _text(row[col_index[layout.H_REASON]])
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
                )
            )
    edits.sort(key=lambda e: (adjusted_rows[e.row_key], e.period_start))
    return ReviewedWorkbook(
        record=record,
        sheet=sheet,
        heading_row=min_row,
        columns={h: get_column_letter(min_col + i) for h, i in col_index.items()},
        periods=periods,
        period_columns=period_columns,
        mirror_columns=mirror_columns,
        adjusted_rows=adjusted_rows,
        edits=edits,
        reason_codes=_reason_codes(book),
        grid_address=f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}",
        row_count=len(rows),
        notes=notes,
    )


def _columns(heads: list[Any]) -> dict[str, int]:
    seen: dict[str, int] = {}
    missing = []
    for needed in (
        layout.H_ACCOUNT,
        layout.H_PRODUCT,
        layout.H_KIND,
        layout.H_REASON,
        layout.H_NOTE,
        layout.H_KEY,
    ):
        hits = [i for i, h in enumerate(heads) if isinstance(h, str) and h.strip() == needed]
        if not hits:
            missing.append(needed)
        elif len(hits) > 1:
            raise WorkbookDamaged(
                f"The grid has {len(hits)} columns headed {needed!r}: a column was copied or a "
                f"heading renamed. {REDO}"
            )
        else:
            seen[needed] = hits[0]
    if missing:
        raise WorkbookDamaged(
            f"The grid has no column headed {', '.join(repr(m) for m in missing)}: the heading was "
            f"renamed or the column deleted. {REDO}"
        )
    return seen


def _period_columns(
    book: BookSurface,
    sheet: str,
    heading_row: int,
    heads: list[Any],
    min_col: int,
    periods: list[date],
) -> tuple[dict[date, str], dict[date, str]]:
    """Each pulled period's column, by heading; refuse when the headings no longer match."""
    if any(isinstance(h, str) and h.startswith("=") for h in heads):
        # Headings computed by formulas: read their values (one row, one call).
        last = get_column_letter(min_col + len(heads) - 1)
        heads = book.read(sheet, f"{get_column_letter(min_col)}{heading_row}:{last}{heading_row}")[
            0
        ]
    found: dict[date, list[int]] = defaultdict(list)
    mirrors: dict[date, str] = {}
    for i, h in enumerate(heads):
        if isinstance(h, str) and h.startswith(layout.H_MIRROR_PREFIX):
            d = _as_date(h[len(layout.H_MIRROR_PREFIX) :].strip())
            if d is not None:
                mirrors[d] = get_column_letter(min_col + i)
            continue
        d = _as_date(h)
        if d is not None:
            found[d].append(i)
    wanted = set(periods)
    missing = [p for p in periods if p not in found]
    extra = sorted(d for d in found if d not in wanted)
    doubled = [d for d, cols in found.items() if len(cols) > 1]
    if missing or extra or doubled:
        parts = []
        if missing:
            parts.append("no column for " + ", ".join(_month(p) for p in missing))
        if extra:
            parts.append("columns for periods never pulled: " + ", ".join(_month(p) for p in extra))
        if doubled:
            parts.append("two columns for " + ", ".join(_month(p) for p in sorted(doubled)))
        raise WorkbookDamaged(
            f"The period headings on sheet {sheet!r} (row {heading_row}) were changed: "
            f"{'; '.join(parts)}. Cells can no longer be tied to their periods. {REDO}"
        )
    return {p: get_column_letter(min_col + found[p][0]) for p in periods}, mirrors


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


def _damage_message(sheet: str, problems: list[str]) -> str:
    shown = problems[:5]
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return (
        f"The grid on sheet {sheet!r} no longer ties cells to their records: "
        + "; ".join(shown)
        + f"{more}. {REDO}"
    )


def _block_names(record: WorkbookRecord) -> dict[str, str]:
    return {
        c["row_key"]: f"{c.get('account_name') or '?'} / {c.get('product_name') or '?'}"
        for c in record.cells
    }


def _index(letter: str, min_col: int) -> int:
    return column_index_from_string(letter) - min_col


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20_000 < value < 80_000:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _month(d: date) -> str:
    return d.strftime("%b %Y")
