"""What a person can get wrong in a gathering file, as messages that say the row and the fix."""

from __future__ import annotations

from collections.abc import Sequence

from addin.book.errors import UserError
from sync.gather.refusals import Refusal

#: Refusals listed in a message; the rest are counted (the full list is in the report file).
SHOWN = 25


class GatherFileRefused(UserError):
    """The file as a whole cannot be read: missing, empty, wrong columns, not a table."""


class RowsRefused(UserError):
    """Some rows cannot load: nothing was sent."""

    exit_code = 1

    def __init__(self, path: str, refusals: Sequence[Refusal], *, rows: int) -> None:
        self.refusals = sorted(refusals)
        refused_rows = len({r.row for r in self.refusals})
        lines = [f"{path}: {refused_rows:,} of {rows:,} rows refused; nothing was sent."]
        lines += [f"  {r}" for r in self.refusals[:SHOWN]]
        if len(self.refusals) > SHOWN:
            lines.append(f"  ... and {len(self.refusals) - SHOWN:,} more.")
        lines.append(
            "Fix the rows and load the file again, or load the others with --skip-refused."
        )
        super().__init__("\n".join(lines))
