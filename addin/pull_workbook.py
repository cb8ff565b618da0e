"""Pull a rep's forecast cells from an org into a governed review workbook.

``pull_to_workbook`` is the one call behind ``demandgrid pull``, ``demandgrid demo`` and the
ribbon's Pull on a file: ``sync.pull.pull_cells`` (org -> cells) then
``addin.writer.write_workbook`` (cells -> workbook). ``pull_review`` does the same and also
says what it wrote (counts and timings), for the CLI and the benchmark.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from addin.errors import UserError
from addin.pull_duplicates import lock_duplicates
from addin.writer import write_workbook
from sync.mapping import STANDARD, MappingProfile
from sync.org import Org

Progress = Callable[[str], None]


class NotAWorkbookPath(UserError):
    """The output path is not an .xlsx file the pull can write."""


class NothingToPull(UserError):
    """The rep owns no forecast cells in the horizon."""


def check_workbook_path(out: Path) -> None:
    """Refuse an output path that is not an .xlsx file, before spending time on the pull."""
    if Path(out).suffix.lower() != ".xlsx":
        raise NotAWorkbookPath(
            f"Cannot write the review workbook to {out}: the file must end in .xlsx "
            "(for example -o review.xlsx)."
        )
    if Path(out).is_dir():
        raise NotAWorkbookPath(f"{out} is a folder. Give a file name, e.g. -o {out}/review.xlsx.")


@dataclass(frozen=True)
class PulledWorkbook:
    """What a pull wrote: the file, its size in domain terms, and where the time went."""

    path: Path
    rep: str
    accounts: int
    products: int  # account x product blocks
    cells: int
    locked_cells: int
    periods: int
    query_seconds: float
    write_seconds: float
    warnings: tuple[str, ...] = ()  # e.g. two org records for one cell (addin.pull_duplicates)


def pull_review(
    org: Org,
    rep: str,
    out: Path,
    *,
    horizon: int = 18,
    history: int = 3,
    profile: MappingProfile = STANDARD,
    template: Path | None = None,
    progress: Progress | None = None,
    include_team: bool = False,
) -> PulledWorkbook:
    """Pull ``rep``'s cells from ``org`` and write the review workbook to ``out``.

    ``include_team`` adds the cells of the users who report to ``rep``: a planner's region.
    """
    from sync.pull import pull_cells

    say = progress or (lambda _message: None)
    say(f"Reading {rep}'s forecast from the org")
    started = time.perf_counter()
    cells = pull_cells(
        org, rep, profile=profile, horizon=horizon, history=history, include_team=include_team
    )
    queried = time.perf_counter()
    if cells.frame.empty:
        raise NothingToPull(
            f"{cells.context.user_name or rep} owns no active account forecasts with periods in "
            f"the {horizon}-month horizon, so there is nothing to review. Check the rep "
            "(the owner of the account forecasts), or use --team for a planner's region."
        )
    frame, warnings = lock_duplicates(cells.frame)
    if warnings:
        cells = replace(cells, frame=frame)
    say(f"Writing {len(cells.frame):,} cells to {out}")
    path = write_workbook(cells, Path(out), template=template)
    written = time.perf_counter()
    frame = cells.frame
    return PulledWorkbook(
        path=path,
        rep=cells.context.user_name or rep,
        accounts=int(frame["account_id"].nunique()),
        products=int(frame["row_key"].nunique()),
        cells=len(frame),
        locked_cells=int(frame["locked"].astype(bool).sum()),
        periods=len(cells.periods),
        query_seconds=queried - started,
        write_seconds=written - queried,
        warnings=tuple(warnings),
    )


def pull_to_workbook(
    org: Org,
    rep: str,
    out: Path,
    *,
    horizon: int = 18,
    history: int = 3,
    profile: MappingProfile = STANDARD,
    template: Path | None = None,
    include_team: bool = False,
) -> Path:
    """Pull ``rep``'s cells from ``org`` into a review workbook at ``out``; return its path."""
    return pull_review(
        org,
        rep,
        out,
        horizon=horizon,
        history=history,
        profile=profile,
        template=template,
        include_team=include_team,
    ).path
