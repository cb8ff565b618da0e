"""The Summary sheet's tables: adjusted, baseline and target totals by account and by product
family, with gap to target, as live formulas over the Review grid (no workbook library).

Each table row sums the Review grid's Total column with SUMIFS on the name and the row kind,
so the Summary follows the rep's typing without running Python. The name is matched through a
hidden criterion column holding ``=`` + the name with SUMIFS wildcards escaped, so an account
called ``=HYPERLINK(...)``, ``+1 Industries`` or ``50% * Tools`` is matched literally.
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


def build_table(
    grid: Grid, heading: str, key_heading: str, names: list[str], top: int, left: int
) -> SummaryTable:
    """A summary table of ``names`` matched against the grid column headed ``key_heading``."""
    review = f"'{layout.REVIEW}'!"
    total = review + grid.column_range(grid.col(layout.H_TOTAL))
    keys = review + grid.column_range(grid.col(key_heading))
    kinds = review + grid.column_range(grid.col(layout.H_KIND))
    c = [column_letter(left + i) for i in range(len(HEADINGS_AFTER_NAME) + 2)]
    adj, base, tgt, gap, match = c[1], c[2], c[3], c[4], c[6]

    def sums(kind: str, row: int) -> Formula:
        return Formula(f'=SUMIFS({total},{keys},${match}{row},{kinds},"{kind}")')

    rows: list[list[Any]] = [[heading, *HEADINGS_AFTER_NAME, H_MATCH]]
    for i, name in enumerate(names):
        r = top + 1 + i
        rows.append(
            [
                name,
                sums(layout.ADJUSTED, r),
                sums(layout.BASELINE, r),
                sums(layout.TARGET, r),
                Formula(f"={adj}{r}-{tgt}{r}"),
                Formula(f'=IF({tgt}{r}=0,"",{gap}{r}/{tgt}{r})'),
                criterion(name),
            ]
        )
    first, last, r = top + 1, top + max(len(names), 1), top + 1 + len(names)
    rows.append(
        [
            GRAND_TOTAL,
            *(Formula(f"=SUM({col}{first}:{col}{last})") for col in (adj, base, tgt)),
            Formula(f"={adj}{r}-{tgt}{r}"),
            Formula(f'=IF({tgt}{r}=0,"",{gap}{r}/{tgt}{r})'),
            None,
        ]
    )
    return SummaryTable(top, left, rows)
