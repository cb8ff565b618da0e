"""What a person can get wrong in a gathering file, as messages that say the row and the fix."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from addin.book.errors import UserError
from sync.gather.refusals import Refusal
from sync.gather.writes import GATHER_OBJECTS, not_set_up
from sync.org.seam import QueryRefused

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


class GatherNotSetUp(UserError):
    """The org lacks the custom objects Phase 1 loads into (ADR 13)."""


@contextmanager
def objects_required() -> Iterator[None]:
    """A query refused for a missing Phase 1 object or field becomes what to do about it."""
    try:
        yield
    except QueryRefused as e:
        if not not_set_up(e):
            raise
        raise GatherNotSetUp(
            f"This org does not have demandgrid's Phase 1 objects ({', '.join(GATHER_OBJECTS)}) "
            f"or one of their fields: {e}. Ask your Salesforce admin to deploy them (fields: "
            "docs/adr/0013-phase1-data-homes.md and sync/localorg/schema.py); nothing was sent."
        ) from None
