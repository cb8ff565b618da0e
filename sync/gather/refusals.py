"""A row that cannot load: its number in the file, the column, what is wrong and the fix.

Refusals from reading a file (``addin.gather``) and from resolving rows against the org (this
package) share this shape, so one list tells the person everything before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Refusal:
    """One refused row. ``row`` is the row number as the file shows it (header = row 1)."""

    row: int
    column: str
    value: str
    problem: str
    fix: str

    def __str__(self) -> str:
        shown = f" ({self.value!r})" if self.value else ""
        return f"row {self.row}, {self.column}{shown}: {self.problem}. {self.fix}"
