"""Where the grid is and whether its rows still tie to their records.

The grid is found by its defined name, its columns by heading text and its periods by their
heading dates (``addin.review.layout``); every data row must carry a Key the record knows and a Row kind,
each block exactly one Adjusted row. Anything else (rows inserted, deleted, copied, keys or kinds
edited, headings renamed) raises ``WorkbookDamaged`` saying what and what to do. Re-sorting and
filtering keep Key and Row with their row, so they pass; a sort that left the hidden Key column
behind is caught by comparing each row's Account and Product with its key's record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from addin.book.errors import WorkbookDamaged
from addin.book.surface import BookSurface
from addin.review import layout
from addin.review.record import WorkbookRecord

REDO = (
    "Undo that change, or pull a fresh workbook with `demandgrid pull` and redo your changes there."
)
_EXCEL_EPOCH = date(1899, 12, 30)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # dropped when written (writer)
#: Columns read back besides the periods.
NEEDED = (
    layout.H_ACCOUNT,
    layout.H_PRODUCT,
    layout.H_KIND,
    layout.H_REASON,
    layout.H_NOTE,
    layout.H_KEY,
)


@dataclass
class GridLayout:
    """The grid as found in the workbook: its place, columns, periods and data rows."""

    sheet: str
    min_col: int
    min_row: int
    max_col: int
    max_row: int
    heads: list[Any]
    col_index: dict[str, int]  # heading text -> 0-based index in the grid
    periods: list[date]
    period_columns: dict[date, str]
    mirror_columns: dict[date, str]
    period_idx: dict[date, int]  # period -> index in a data row
    rows: list[list[Any]]  # data rows as read (formulas as text), from grid column ``span``
    span: int = 0

    def at(self, row: list[Any], heading: str) -> Any:
        """The value under ``heading`` in a data row."""
        return row[self.col_index[heading] - self.span]

    @property
    def address(self) -> str:
        first, last = get_column_letter(self.min_col), get_column_letter(self.max_col)
        return f"{first}{self.min_row}:{last}{self.max_row}"


def locate_grid(book: BookSurface, record: WorkbookRecord) -> GridLayout:
    """The grid of ``book`` (two reads: headings, then the needed columns), or ``WorkbookDamaged`` when it cannot be found."""
    grid = book.resolve(layout.N_GRID)
    if grid is None:
        raise WorkbookDamaged(
            f"The workbook's grid name ({layout.N_GRID}) is missing: it was deleted or its sheet "
            f"removed. {REDO}"
        )
    sheet, address = grid
    min_col, min_row, max_col, max_row = range_boundaries(address)
    first, last = get_column_letter(min_col), get_column_letter(max_col)
    heads = book.read_formulas(sheet, f"{first}{min_row}:{last}{min_row}")[0]
    _columns(heads)
    periods = sorted({date.fromisoformat(str(c["period_start"])) for c in record.cells})
    period_columns, mirror_columns = _period_columns(book, sheet, min_row, heads, min_col, periods)
    col_index = {h.strip(): i for i, h in enumerate(heads) if isinstance(h, str)}
    # Read only the columns check needs (the mirror and formula columns are not), in one block.
    needed = [col_index[h] for h in NEEDED] + [_index(c, min_col) for c in period_columns.values()]
    span, end = min(needed), max(needed)
    rows = []
    if max_row > min_row:
        span_address = (
            f"{get_column_letter(min_col + span)}{min_row + 1}:"
            f"{get_column_letter(min_col + end)}{max_row}"
        )
        rows = book.read_formulas(sheet, span_address)
    return GridLayout(
        sheet=sheet,
        min_col=min_col,
        min_row=min_row,
        max_col=max_col,
        max_row=max_row,
        heads=heads,
        col_index=col_index,
        periods=periods,
        period_columns=period_columns,
        mirror_columns=mirror_columns,
        period_idx={p: _index(period_columns[p], min_col) - span for p in periods},
        rows=rows,
        span=span,
    )


def tie_rows(
    grid: GridLayout, record: WorkbookRecord
) -> tuple[dict[str, int], dict[str, list[Any]]]:
    """Row key -> sheet row and data row of each block's Adjusted row; refuses broken ties."""
    keys = {c["row_key"] for c in record.cells}
    names = _record_names(record)
    problems: list[str] = []
    kinds_by_key: dict[str, list[tuple[str, int]]] = defaultdict(list)
    adjusted_rows: dict[str, int] = {}
    raw_rows: dict[str, list[Any]] = {}
    for offset, row in enumerate(grid.rows):
        sheet_row = grid.min_row + 1 + offset
        key = text(grid.at(row, layout.H_KEY))
        kind = text(grid.at(row, layout.H_KIND))
        if not key:
            has_numbers = any(row[i] not in (None, "") for i in grid.period_idx.values())
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
        mismatch = _names_differ(grid, row, names.get(key))
        if mismatch:
            problems.append(
                f"row {sheet_row} shows {mismatch[0]} but its hidden Key belongs to {mismatch[1]}: "
                "the rows were sorted or moved without the Key column, so they no longer match "
                "their records"
            )
            continue
        kinds_by_key[key].append((kind, sheet_row))
        if kind == layout.ADJUSTED:
            adjusted_rows.setdefault(key, sheet_row)
            raw_rows.setdefault(key, row)

    labels = block_names(record)
    for key in sorted(keys):
        adjusted = [r for k, r in kinds_by_key.get(key, []) if k == layout.ADJUSTED]
        label = labels.get(key, key)
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
        raise WorkbookDamaged(_damage_message(grid.sheet, problems))
    return adjusted_rows, raw_rows


def _record_names(record: WorkbookRecord) -> dict[str, tuple[str, str]]:
    """Row key -> (account, product) as pulled, for comparing with the row's own text."""
    return {
        c["row_key"]: (str(c.get("account_name") or ""), str(c.get("product_name") or ""))
        for c in record.cells
    }


def _names_differ(
    grid: GridLayout, row: list[Any], pulled: tuple[str, str] | None
) -> tuple[str, str] | None:
    """(what the row shows, what its key's record says) when the account or product differs."""
    if pulled is None:
        return None
    shown = (text(grid.at(row, layout.H_ACCOUNT)), text(grid.at(row, layout.H_PRODUCT)))
    expected = tuple(_ILLEGAL.sub("", name).strip() for name in pulled)
    if all(not e or s == e for s, e in zip(shown, expected, strict=True)):
        return None
    return f"{shown[0]!r} / {shown[1]!r}", f"{expected[0]!r} / {expected[1]!r}"


def _columns(heads: list[Any]) -> dict[str, int]:
    seen: dict[str, int] = {}
    missing = []
    for needed in NEEDED:
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


def _damage_message(sheet: str, problems: list[str]) -> str:
    shown = problems[:5]
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return (
        f"The grid on sheet {sheet!r} no longer ties cells to their records: "
        + "; ".join(shown)
        + f"{more}. {REDO}"
    )


def block_names(record: WorkbookRecord) -> dict[str, str]:
    return {
        c["row_key"]: f"{c.get('account_name') or '?'} / {c.get('product_name') or '?'}"
        for c in record.cells
    }


def _index(letter: str, min_col: int) -> int:
    return column_index_from_string(letter) - min_col


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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
