"""Pulled cells -> the review grid as 2-D blocks of values and formulas (no workbook library).

One block of rows per account x product, in ``layout.ROW_KINDS`` order (Baseline, Actual,
POS for distributor accounts only, Last year, Target, Upside where a design win is not yet in
the baseline, Adjusted); columns ``layout.LEFT_HEADINGS``, one per period (headed by the
period's first day), ``layout.RIGHT_HEADINGS``, then the hidden mirror columns
(``layout.H_MIRROR_PREFIX`` + ISO date). Every row carries the block's Key and its Row kind,
so sorting or filtering keeps the tie between a cell and its record.

The starting value rule (the contract with check):
  The Adjusted row shows the **starting value** of each cell: the org's adjusted value when it
  has one, else the baseline (so the rep edits from the number the org will actually use), and
  the hidden mirror column holds the same starting value. A cell is **changed** exactly when
  ``cell != mirror`` (what the conditional formats and the live counters test). The hidden
  record keeps ``adjusted`` as pulled (None when the org has none) and ``baseline``;
  ``starting_value(adjusted, baseline)`` recomputes the starting value from it.

Reason code and Note start empty on every row: they are for this review's changes, so a
change never inherits last cycle's note. The org's current note is in the hidden record.

Locks: ``period_locks`` gives each period's period-wide reason (every cell of the period is
locked for it: past, frozen, closed), shown in the lock-status row. Cells locked for another
reason (an expired account forecast, no forecast record) get a cell note on the first cell of
each run of such cells in a row (``cell_notes``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
import pandas as pd

from addin.review import layout
from addin.review.record import RECORD_FIELDS
from sync.org.records import PullContext

NO_RECORD = "no forecast record for this period"
MAX_VALUE = (
    1_000_000_000  # check's default max_value (addin.check.rules.CheckRules) for live formulas
)
LOCK_NOTE_PREFIX = "Locked: "


class Formula(str):
    """A cell formula (text starting with "="). Plain ``str`` values are always written as text."""


class PulledCellsLike(Protocol):
    """What the grid needs from ``sync.pull.cells.PulledCells``."""

    @property
    def frame(self) -> pd.DataFrame: ...

    @property
    def context(self) -> PullContext: ...

    @property
    def periods(self) -> Sequence[date]: ...


def starting_value(adjusted: float | None, baseline: float | None) -> float | None:
    """The value the Adjusted row and its mirror start from: adjusted if set, else baseline."""
    if adjusted is not None and not (isinstance(adjusted, float) and math.isnan(adjusted)):
        return adjusted
    if baseline is None or (isinstance(baseline, float) and math.isnan(baseline)):
        return None
    return baseline


def quarter_of(period: date) -> str:
    """The calendar quarter a period falls in, as Spread over names it: "Q1 2027"."""
    return f"Q{(period.month - 1) // 3 + 1} {period.year}"


def quarters(periods: Sequence[date]) -> list[str]:
    """The quarters the grid's periods touch, in order (the Spread over drop-down)."""
    return list(dict.fromkeys(quarter_of(p) for p in periods))


def column_letter(index: int) -> str:
    """1-based column number -> letters (1 -> A, 27 -> AA)."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Grid:
    """The grid placed with its heading row at sheet row ``top`` and first column ``left``."""

    top: int
    left: int
    periods: list[date]
    headings: list[Any]
    rows: list[list[Any]]  # values; ``Formula`` for formulas; None for empty
    kinds: list[str]  # row kind per row
    adjusted_locked: dict[int, list[bool]]  # row index (Adjusted rows) -> locked per period
    period_locks: list[str]  # period-wide lock reason, "" when the period is open
    cell_notes: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col index)

    def col(self, heading: str) -> int:
        """0-based column index of a heading within the grid."""
        return self.headings.index(heading)

    @property
    def first_period(self) -> int:
        return len(layout.LEFT_HEADINGS)

    @property
    def first_mirror(self) -> int:
        return len(layout.LEFT_HEADINGS) + len(self.periods) + len(layout.RIGHT_HEADINGS)

    def letter(self, index: int) -> str:
        """Sheet column letter of the 0-based grid column ``index``."""
        return column_letter(self.left + index)

    @property
    def first_row(self) -> int:
        return self.top + 1

    @property
    def last_row(self) -> int:
        return self.top + max(len(self.rows), 1)

    def column_range(self, index: int, absolute: bool = True) -> str:
        """Data rows of one grid column, e.g. ``$A$9:$A$1208``."""
        c = self.letter(index)
        d = "$" if absolute else ""
        return f"{d}{c}{d}{self.first_row}:{d}{c}{d}{self.last_row}"


def _period_dates(cells: PulledCellsLike, frame: pd.DataFrame) -> list[date]:
    raw = list(cells.periods) or sorted(set(frame["period_start"]))
    return [pd.Timestamp(p).date() for p in raw]


def _as_objects(matrix: np.ndarray) -> list[list[Any]]:
    """Float matrix -> nested lists of Python floats with None for NaN."""
    obj = matrix.astype(object)
    obj[np.isnan(matrix)] = None
    return obj.tolist()


class _RowFormulas:
    """Right-hand formula cells for a sheet row: Total, Target total, Gap to target, Problems.

    Column letters are worked out once per grid; each row only fills in its row number.
    """

    def __init__(self, grid: Grid) -> None:
        n = len(grid.periods)
        p0, p1 = grid.letter(grid.first_period), grid.letter(grid.first_period + n - 1)
        m0, m1 = grid.letter(grid.first_mirror), grid.letter(grid.first_mirror + n - 1)
        total = grid.letter(grid.first_period + n)
        target_total = grid.letter(grid.first_period + n + 1)
        reason, note = grid.letter(grid.col(layout.H_REASON)), grid.letter(grid.col(layout.H_NOTE))
        self._sum = f"=SUM({p0}{{r}}:{p1}{{r}})"
        self._target = f"={total}{{t}}"
        self._gap = f"={total}{{r}}-{target_total}{{r}}"
        cells = f"{p0}{{r}}:{p1}{{r}}"
        changed = f"IFERROR(SUMPRODUCT(--({cells}<>{m0}{{r}}:{m1}{{r}})),{n})"
        # Besides changes without a reason or note, what check blocks that a formula can see:
        # negatives, absurd values, and anything neither a number nor empty (text, TRUE, #REF!).
        blocked = (
            f'COUNTIF({cells},"<0")+COUNTIF({cells},">{MAX_VALUE}")'
            f"+{n}-COUNT({cells})-COUNTBLANK({cells})"
        )
        # A New total typed and not spread yet is a problem too (check says to spread or clear it).
        unspread = f"+IF(LEN({grid.letter(grid.col(layout.H_NEW_TOTAL))}{{r}})>0,1,0)"
        self._problems = (
            f"=IF(OR(LEN({reason}{{r}})=0,LEN({note}{{r}})=0),{changed},0)+{blocked}{unspread}"
        )

    def __call__(self, row: int, kind: str, target_row: int) -> list[Any]:
        sums = Formula(self._sum.format(r=row))
        if kind != layout.ADJUSTED:
            return [sums, None, None, None, None, None]
        return [
            sums,
            Formula(self._target.format(t=target_row)),
            Formula(self._gap.format(r=row)),
            Formula(self._problems.format(r=row)),
            None,  # New total: the rep's input
            None,  # Spread over
        ]


def build_grid(cells: PulledCellsLike, *, top: int = 8, left: int = 1) -> Grid:
    """Lay the pulled cells out as the review grid, heading row at sheet row ``top``."""
    frame = cells.frame
    periods = _period_dates(cells, frame)
    iso = [p.isoformat() for p in periods]
    headings: list[Any] = [*layout.LEFT_HEADINGS, *periods, *layout.RIGHT_HEADINGS]
    headings += [layout.H_MIRROR_PREFIX + d for d in iso]

    blocks = frame.drop_duplicates("row_key")
    keys = blocks["row_key"].tolist()
    n, m = len(keys), len(periods)
    b = pd.Index(keys).get_indexer(frame["row_key"])
    p = pd.Index(pd.to_datetime(periods)).get_indexer(pd.DatetimeIndex(frame["period_start"]))
    keep = p >= 0
    b, p = b[keep], p[keep]

    def matrix(column: str) -> np.ndarray:
        out = np.full((n, m), np.nan)
        out[b, p] = frame[column].to_numpy(dtype=float, na_value=np.nan)[keep]
        return out

    baseline = matrix("baseline")
    adjusted = matrix("adjusted")
    start = np.where(np.isnan(adjusted), baseline, adjusted)
    by_kind = {
        layout.BASELINE: _as_objects(baseline),
        layout.ACTUAL: _as_objects(matrix("actual")),
        layout.LAST_YEAR: _as_objects(matrix("last_year")),
        layout.TARGET: _as_objects(matrix("target")),
        layout.ADJUSTED: _as_objects(start),
    }
    # POS (issue 13 A): a row only in the blocks of distributor accounts (sync.gather.review)
    has_pos = np.zeros(n, dtype=bool)
    if "pos" in frame.columns and "pos_row" in frame.columns:
        by_kind[layout.POS] = _as_objects(matrix("pos"))
        has_pos = blocks["pos_row"].to_numpy(dtype=bool)
    # Upside (issue 13 B): design wins not in the baseline, only in blocks that have some
    # (sync.pull.upside), with a note naming the won opportunities on its first value.
    upside = matrix("upside") if "upside" in frame.columns else np.full((n, m), np.nan)
    by_kind[layout.UPSIDE] = _as_objects(upside)
    shown = {layout.POS: has_pos, layout.UPSIDE: ~np.isnan(upside).all(axis=1)}
    explained: dict[str, str] = {}
    if "upside_note" in frame.columns:
        noted = frame.loc[frame["upside_note"].astype(str) != ""]
        by_block = noted.groupby("row_key")["upside_note"]
        explained = {str(k): "; ".join(dict.fromkeys(v)) for k, v in by_block}
    locked = np.ones((n, m), dtype=bool)
    locked[b, p] = frame["locked"].to_numpy(dtype=bool)[keep]
    reasons = np.full((n, m), NO_RECORD, dtype=object)
    reasons[b, p] = frame["lock_reason"].fillna("").astype(str).to_numpy()[keep]
    reasons[~locked] = ""

    period_locks = []
    for j in range(m):
        column = set(reasons[:, j].tolist())
        period_locks.append(column.pop() if len(column) == 1 and locked[:, j].all() else "")

    grid = Grid(top, left, periods, headings, [], [], {}, period_locks)
    formulas = _RowFormulas(grid)
    first = grid.first_period
    empty_mirror = [None] * m
    infos = blocks[["account_name", "region", "product_family", "product_name"]].to_numpy(object)
    row = top
    for i, key in enumerate(keys):
        account, region, family, product = (str(v) if v is not None else "" for v in infos[i])
        kinds = [k for k in layout.ROW_KINDS if k not in layout.OPTIONAL_KINDS or shown[k][i]]
        target_row = row + 1 + kinds.index(layout.TARGET)
        for kind in kinds:
            row += 1
            values = by_kind[kind][i]
            mirror = values if kind == layout.ADJUSTED else empty_mirror
            grid.rows.append(
                [account, region, family, product, kind, None, None, *values]
                + formulas(row, kind, target_row)
                + [key, *mirror]
            )
            grid.kinds.append(kind)
            note = explained.get(key) if kind == layout.UPSIDE else None
            if note:
                j = next(j for j, v in enumerate(values) if v is not None)
                grid.cell_notes[(len(grid.rows) - 1, first + j)] = note
        r = len(grid.rows) - 1
        grid.adjusted_locked[r] = locked[i].tolist()
        previous = ""
        for j in range(m):
            why = reasons[i, j]
            if why and why != period_locks[j] and why != previous:
                grid.cell_notes[(r, first + j)] = LOCK_NOTE_PREFIX + why
            previous = why if why != period_locks[j] else ""
    return grid


def record_cells(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The pulled cells as the hidden record keeps them (``addin.review.record.RECORD_FIELDS``)."""
    columns = record_columns(frame)
    return [
        dict(zip(RECORD_FIELDS, row, strict=True)) for row in zip(*columns.values(), strict=True)
    ]


def record_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """``record_cells`` a column at a time, by field (what the writer encodes directly)."""

    def floats(name: str) -> list[float | None]:
        values = frame[name].to_numpy(dtype=float, na_value=np.nan)
        return [None if v != v else v for v in values.tolist()]  # NaN -> None

    def texts(name: str) -> list[str]:
        return ["" if v is None or v != v else str(v) for v in frame[name].tolist()]

    starts = frame["period_start"].tolist()
    iso = {v: pd.Timestamp(v).date().isoformat() for v in set(starts)}
    columns = {
        "record_id": frame["record_id"].tolist(),
        "row_key": frame["row_key"].tolist(),
        "period_start": [iso[v] for v in starts],
        "adjusted": floats("adjusted"),
        "baseline": floats("baseline"),
        "note": texts("note"),
        "modstamp": texts("modstamp"),
        "locked": frame["locked"].astype(bool).tolist(),
        "lock_reason": texts("lock_reason"),
        "account_name": frame["account_name"].tolist(),
        "product_name": frame["product_name"].tolist(),
    }
    assert tuple(columns) == RECORD_FIELDS
    return columns
