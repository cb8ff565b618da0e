"""The Summary sheet's tables: adjusted, baseline and target totals by account and by product
family, with gap to target, as live formulas over the Review grid (no workbook library).

Totals are keyed by record, not by name: a hidden block table (``BlockTable``, right of the
tables) has one row per account x product block, its Key (the block's record Id), the number
of its account (by account Id) and of its family, and the block's three totals: the Adjusted
one a SUMIFS on the grid's Key and Row columns (so re-sorting the grid keeps it right), the
Baseline and Target ones numbers (those rows are read-only). Each summary row
then sums the block table on its hidden number (``H_MATCH``): two accounts whose names differ
only in case (which SUMIFS would match together) or are equal stay apart; an equal name gets
its Id beside it. Numbers as criteria also keep names like ``=HYPERLINK(...)`` or
``50% * Tools`` out of any formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from addin.review import layout
from addin.review.grid import Formula, Grid, column_letter

HEADINGS_AFTER_NAME = ("Adjusted total", "Baseline total", "Target total", "Gap to target", "Gap %")
H_MATCH = "Match"  # hidden: the SUMIFS criterion for the row's name
GRAND_TOTAL = "Total"


@dataclass
class SummaryTable:
    """One table: heading row at (top, left), then one row per name, then the grand total."""

    top: int
    left: int
    rows: list[list[Any]]  # heading row first; ``Formula`` cells for formulas

    @property
    def match_column(self) -> int:
        """1-based sheet column of the hidden criterion column."""
        return self.left + 1 + len(HEADINGS_AFTER_NAME)

    @property
    def gap_column(self) -> int:
        return self.left + len(HEADINGS_AFTER_NAME) - 1

    @property
    def percent_column(self) -> int:
        return self.left + len(HEADINGS_AFTER_NAME)


def criterion(name: str) -> str:
    """SUMIFS criterion that matches ``name`` exactly (wildcards escaped)."""
    escaped = name.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    return "=" + escaped


BLOCK_HEADINGS = ("Key", "Account #", "Family #", "Adjusted", "Baseline", "Target")


@dataclass
class BlockTable:
    """The hidden per-block table: heading row at (top, left) of ``sheet``, one row per block."""

    sheet: str
    top: int
    left: int
    rows: list[list[Any]]

    @property
    def last_row(self) -> int:
        return self.top + max(len(self.rows) - 1, 1)

    def column(self, heading: str) -> str:
        """Absolute range of one column's data, e.g. ``$S$6:$S$305``."""
        c = column_letter(self.left + BLOCK_HEADINGS.index(heading))
        sheet = "'" + self.sheet.replace("'", "''") + "'!"
        return f"{sheet}${c}${self.top + 1}:${c}${self.last_row}"


def build_blocks(
    grid: Grid,
    blocks: list[tuple[str, int, int, float, float]],
    sheet: str,
    top: int,
    left: int,
) -> BlockTable:
    """The block table for ``blocks`` (key, account number, family number, baseline total,
    target total), in grid order. Only the Adjusted total is live (a SUMIFS on the grid's Key
    and Row): baseline and target rows cannot be typed into, so their totals are numbers, which
    keeps the work per keystroke to one SUMIFS per block."""
    review = f"'{layout.REVIEW}'!"
    total = review + grid.column_range(grid.col(layout.H_TOTAL))
    keys = review + grid.column_range(grid.col(layout.H_KEY))
    kinds = review + grid.column_range(grid.col(layout.H_KIND))
    key_col = column_letter(left)
    rows: list[list[Any]] = [list(BLOCK_HEADINGS)]
    for i, (key, account, family, baseline, target) in enumerate(blocks):
        r = top + 1 + i
        adjusted = Formula(f'=SUMIFS({total},{keys},${key_col}{r},{kinds},"{layout.ADJUSTED}")')
        rows.append([key, account, family, adjusted, baseline, target])
    return BlockTable(sheet, top, left, rows)


def build_table(
    blocks: BlockTable, heading: str, by: str, labels: list[str], top: int, left: int
) -> SummaryTable:
    """A summary table: row ``i`` sums the blocks whose ``by`` column (``"Account #"`` or
    ``"Family #"``) holds ``i + 1``; ``labels`` are the names shown."""
    c = [column_letter(left + i) for i in range(len(HEADINGS_AFTER_NAME) + 2)]
    adj, tgt, gap, match = c[1], c[3], c[4], c[6]
    numbers = blocks.column(by)

    def sums(kind: str, row: int) -> Formula:
        return Formula(f"=SUMIFS({blocks.column(kind)},{numbers},${match}{row})")

    rows: list[list[Any]] = [[heading, *HEADINGS_AFTER_NAME, H_MATCH]]
    for i, label in enumerate(labels):
        r = top + 1 + i
        rows.append(
            [
                label,
                sums("Adjusted", r),
                sums("Baseline", r),
                sums("Target", r),
                Formula(f"={adj}{r}-{tgt}{r}"),
                Formula(f'=IF({tgt}{r}=0,"",{gap}{r}/{tgt}{r})'),
                i + 1,
            ]
        )
    first, last, r = top + 1, top + max(len(labels), 1), top + 1 + len(labels)
    rows.append(
        [
            GRAND_TOTAL,
            *(Formula(f"=SUM({col}{first}:{col}{last})") for col in (adj, c[2], tgt)),
            Formula(f"={adj}{r}-{tgt}{r}"),
            Formula(f'=IF({tgt}{r}=0,"",{gap}{r}/{tgt}{r})'),
            None,
        ]
    )
    return SummaryTable(top, left, rows)


def numbered(ids: list[str], names: list[str]) -> tuple[list[int], list[str]]:
    """Per block: the number (1-based) of its ``ids`` value, in first-seen order; and one label
    per number: the name, with the Id beside it where another Id has the same name."""
    number: dict[str, int] = {}
    name_of: dict[str, str] = {}
    for i, n in zip(ids, names, strict=True):
        if i not in number:
            number[i] = len(number) + 1
            name_of[i] = n
    seen: dict[str, int] = {}
    for n in name_of.values():
        seen[n] = seen.get(n, 0) + 1
    labels = [n if seen[n] == 1 or n == i else f"{n} ({i})" for i, n in name_of.items()]
    return [number[i] for i in ids], labels
