"""The book surface: the few whole-range operations check and push need from a workbook.

Two implementations sit behind it: ``addin.book.xlsx.XlsxBook`` (a workbook file, through
openpyxl) and ``addin.excel.book.ExcelBook`` (the open workbook in Excel, through the open-source
core of xlwings). Check and push are written once against this protocol, so the ribbon and the
CLI produce the same changeset from the same workbook.

Rules for implementations and callers:
- Every read and write is a **whole 2-D block** (a list of rows); callers never loop over cells
  calling the surface. The number of calls grows with sheets and blocks, not with cells.
- Addresses are A1 strings without the sheet (``"B7:K120"``); ``resolve`` turns a defined name
  into ``(sheet, address)``.
- Values are Python scalars: str, float, int, bool, datetime/date, None. An error value in a
  cell (``#REF!``) is read as the string ``"#REF!"``; a formula in a cell is read as its text
  (``"=A1*2"``) by ``read_formulas``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Block = list[list[Any]]

#: The named styles ``format_table`` looks for (the review template's); a workbook without
#: them gets the same look written out (bold white on dark blue; blue on pale yellow).
HEADING_STYLE = "dg Heading"
INPUT_STYLE = "dg Text input"


@dataclass(frozen=True)
class ColumnFormat:
    """How one column of a table reads: its width in characters, the number format of its
    values (None: as written), whether long text wraps, whether the user types in it (the
    input style: highlighted, unlocked)."""

    width: float
    number_format: str | None = None
    wrap: bool = False
    input: bool = False


class BookSurface(Protocol):
    path: str  # the workbook's file path ("" if never saved)

    def sheet_names(self) -> list[str]: ...

    def resolve(self, name: str) -> tuple[str, str] | None:
        """A workbook-scope defined name -> (sheet, A1 address), or None if absent."""
        ...

    def define(self, name: str, sheet: str, address: str) -> None: ...

    def read(self, sheet: str, address: str) -> Block:
        """Values of a block (formulas evaluated as last saved/calculated)."""
        ...

    def read_formulas(self, sheet: str, address: str) -> Block:
        """Formula text where a cell holds a formula, else its value."""
        ...

    def read_notes(self, sheet: str, address: str) -> dict[str, str]:
        """Cell notes (comments) in the block: A1 address -> text."""
        ...

    def used_range(self, sheet: str) -> str: ...

    def write(self, sheet: str, top_left: str, values: Block) -> None:
        """Write a block; strings are written as text, never as formulas."""
        ...

    def write_formulas(self, sheet: str, top_left: str, formulas: Block) -> None: ...

    def set_fill(self, sheet: str, addresses: Sequence[str], color: str | None) -> None:
        """Fill (hex RGB like "FFC7CE", or None to clear) a set of ranges in one call."""
        ...

    def set_notes(self, sheet: str, notes: dict[str, str]) -> None: ...

    def format_table(
        self,
        sheet: str,
        header: str,
        columns: Sequence[ColumnFormat],
        rows: int,
        *,
        title_rows: int = 0,
        choices: Mapping[int, Sequence[str]] | None = None,
    ) -> None:
        """Make a table written at ``header`` (its heading row's first cell) read as finished,
        in a constant number of calls: column widths, number formats, wrap and input style
        per column over the ``rows`` data rows, the heading row styled and frozen, cells
        below the table back to plain, a drop-down of ``choices[i]`` on column ``i``'s data
        rows, and print setup (landscape, one page wide, the heading repeated on every page,
        the print area the table and its ``title_rows`` above the heading, shown bold).
        """
        ...

    def ensure_sheet(self, name: str, after: str | None = None) -> None: ...

    def clear(self, sheet: str, address: str) -> None: ...

    def status(self, message: str) -> None:
        """Progress for the user (Excel's status bar; a no-op or a log line for files)."""
        ...

    def save(self) -> None:
        """Persist. For files: atomically (new file, then replace), keeping the previous version."""
        ...
