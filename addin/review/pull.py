"""Pull a rep's forecast cells from an org into a governed review workbook.

``pull_to_workbook`` is the one call behind ``demandgrid pull``, ``demandgrid demo`` and the
ribbon's Pull on a file: ``sync.pull.cells.pull_cells`` (org -> cells) then
``addin.review.writer.write_workbook`` (cells -> workbook). ``pull_review`` does the same and also
says what it wrote (counts and timings), for the CLI and the benchmark. Its reading half is
``pull_for_review``; ``review_cells``, the part of it refresh repeats, keeps the two grids alike.

A pull onto an existing file never loses work silently. It holds the file's lock
(``addin.book.lock``), refuses while Excel or LibreOffice has it open, and refuses a
workbook holding unpushed changes (listed cell by cell, as refresh reads them) or a file that is
not a demandgrid workbook at all, unless ``force``: then the old file is first kept as
``<name>.<YYYYmmddTHHMMSS>.xlsx`` beside it and the pull says where. The new workbook is saved
atomically (``addin.book.atomic.save_beside``): a full or read-only disk leaves the old file as it was.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook

from addin.book.atomic import not_saved, save_beside
from addin.book.errors import UserError, WouldReplaceWork
from addin.book.lock import hold, refuse_if_open
from addin.review import layout
from addin.review.writer import anchor, fill_workbook, load_template
from sync.gather.review import freshness_line, with_gathered
from sync.org.mapping import STANDARD, MappingProfile
from sync.org.seam import Org
from sync.pull.duplicates import lock_duplicates

if TYPE_CHECKING:
    from sync.pull.cells import PulledCells

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


#: Unpushed cells listed by name in the refusal; the rest are counted.
LISTED = 10


@dataclass(frozen=True)
class PullTarget:
    """What a pull would replace at its output path."""

    path: Path
    unpushed: list[str] = field(default_factory=list)  # one line per changed cell
    foreign: str = ""  # why the file is not a demandgrid workbook we can read, or ""

    @property
    def at_stake(self) -> bool:
        return bool(self.unpushed or self.foreign)


def inspect_pull_target(out: Path) -> PullTarget:
    """Read the file a pull would replace: its unpushed changes, or why it is not ours."""
    from addin.book.xlsx import XlsxBook
    from addin.review.readback import read_workbook

    if not out.exists():
        return PullTarget(out)
    try:
        reviewed = read_workbook(XlsxBook.open(out))
    except UserError as e:
        return PullTarget(out, foreign=str(e))
    except Exception as e:  # a damaged file can fail anywhere in the read: it is still not ours
        return PullTarget(out, foreign=f"it cannot be read ({type(e).__name__})")
    lines = [
        f"{e.sheet}!{e.cell}  {e.account_name} / {e.product_name}  {e.period_start:%b %Y}  "
        f"pulled {_shown(e.shown)} -> now {_shown(e.raw)}"
        for e in reviewed.edits
    ]
    return PullTarget(out, unpushed=lines)


def _shown(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int | float) else repr(value)


def refuse_replacing(target: PullTarget) -> None:
    """``WouldReplaceWork`` when ``target`` holds work a pull would lose."""
    out = target.path
    way_out = (
        f"To pull anyway, add --force: {out.name} is first kept as "
        f"{out.stem}.<date>T<time>{out.suffix} beside it. Or pull into another file "
        "(-o other.xlsx)."
    )
    if target.unpushed:
        n = len(target.unpushed)
        shown = "\n  ".join(target.unpushed[:LISTED])
        more = f"\n  ... and {n - LISTED:,} more" if n > LISTED else ""
        raise WouldReplaceWork(
            f"{out.name} in {out.parent} has {n:,} changed cell(s) not pushed yet; a new pull "
            f"would replace them:\n  {shown}{more}\nPush them first (demandgrid push {out}), "
            f"or undo them. {way_out} Nothing was written."
        )
    if target.foreign:
        raise WouldReplaceWork(
            f"{out} already exists and is not a demandgrid review workbook this pull can "
            f"safely replace: {target.foreign} {way_out} Nothing was written."
        )


def _keep_name(out: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    return out.with_name(f"{out.stem}.{stamp}{out.suffix}")


def keep_copy(out: Path) -> Path:
    """Copy ``out`` to a new timestamped name beside it; return the copy's path."""
    keep = _keep_name(out)
    n = 2
    while keep.exists():
        keep = keep.with_name(f"{_keep_name(out).stem}-{n}{out.suffix}")
        n += 1
    try:
        shutil.copy2(out, keep)
    except OSError as e:
        keep.unlink(missing_ok=True)
        raise not_saved(keep, e) from None
    return keep


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
    kept: Path | None = None  # the old file's copy, when --force replaced work
    warnings: tuple[str, ...] = ()  # e.g. two org records for one cell (sync.pull.duplicates)


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
    force: bool = False,
) -> PulledWorkbook:
    """Pull ``rep``'s cells from ``org`` and write the review workbook to ``out``.

    ``include_team`` adds the cells of the users who report to ``rep``: a planner's region.
    ``force`` replaces a file holding unpushed changes (or not ours), keeping a copy.
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # the save says what is wrong with the folder
    with hold(out, "pull"):
        if out.exists():
            refuse_if_open(out, "pull")
        target = inspect_pull_target(out)
        if not force:
            refuse_replacing(target)
        return _pull(
            org, rep, out, target, horizon, history, profile, template, progress, include_team
        )


def review_cells(
    org: Org,
    rep: str,
    *,
    profile: MappingProfile = STANDARD,
    horizon: int = 18,
    history: int = 3,
    include_team: bool = False,
) -> tuple[PulledCells, list[str]]:
    """The cells a review workbook of ``rep`` holds, as pull and refresh read them from the
    org, and a warning per cell with two org records: closed-review locks applied, the
    design-win Upside rows added, duplicated cells locked (not yet what Phase 1 loaded, which
    refresh adds after comparing the grid's shape)."""
    from sync.cycle.locks import closed_lock_rules
    from sync.pull.cells import pull_cells
    from sync.pull.upside import with_upside

    cells = pull_cells(
        org,
        rep,
        profile=profile,
        horizon=horizon,
        history=history,
        include_team=include_team,
        locks=closed_lock_rules(org),  # a closed review locks its periods
    )
    cells = with_upside(org, cells, profile)  # issue 13: the design-win Upside rows
    frame, warnings = lock_duplicates(cells.frame)
    return replace(cells, frame=frame), warnings


@dataclass(frozen=True)
class ReviewPull:
    """What a pull read from the org for a review workbook, ready to write."""

    cells: PulledCells
    freshness: str  # the header's data-freshness line
    warnings: list[str]


def pull_for_review(
    org: Org,
    rep: str,
    *,
    profile: MappingProfile = STANDARD,
    horizon: int = 18,
    history: int = 3,
    include_team: bool = False,
    progress: Progress | None = None,
) -> ReviewPull:
    """Everything a review workbook shows from the org: ``review_cells`` with ERP actuals and
    POS added, and when they were loaded."""
    say = progress or (lambda _message: None)
    say(f"Reading {rep}'s forecast from the org")
    cells, warnings = review_cells(
        org, rep, profile=profile, horizon=horizon, history=history, include_team=include_team
    )
    if cells.frame.empty:
        raise NothingToPull(
            f"{cells.context.user_name or rep} owns no active account forecasts with periods in "
            f"the {horizon}-month horizon, so there is nothing to review. Check the rep "
            "(the owner of the account forecasts), or use --team for a planner's region."
        )
    say("Adding what Phase 1 loaded (ERP actuals, distributor POS)")
    cells = replace(cells, frame=with_gathered(org, cells.frame, profile.measure))
    return ReviewPull(cells, freshness_line(org), warnings)


def _pull(
    org: Org,
    rep: str,
    out: Path,
    target: PullTarget,
    horizon: int,
    history: int,
    profile: MappingProfile,
    template: Path | None,
    progress: Progress | None,
    include_team: bool,
) -> PulledWorkbook:
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    pulled = pull_for_review(
        org,
        rep,
        profile=profile,
        horizon=horizon,
        history=history,
        include_team=include_team,
        progress=say,
    )
    queried = time.perf_counter()
    cells, warnings = pulled.cells, pulled.warnings
    say(f"Writing {len(cells.frame):,} cells to {out}")
    filled = fill_workbook(cells, load_template(template))
    write_freshness(filled.wb, pulled.freshness)
    kept = keep_copy(out) if target.at_stake and out.exists() else None
    path = save_beside(out, filled.save, keep_previous=False)
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
        kept=kept,
        warnings=tuple(warnings),
    )


def write_freshness(wb: Workbook, line: str) -> None:
    """The header's data-freshness line (a template without its defined name goes without)."""
    if layout.N_FRESHNESS not in wb.defined_names:
        return
    ws, row, col = anchor(wb, layout.N_FRESHNESS)
    cell = ws.cell(row, col)
    cell.value = line
    cell.data_type = "s"


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
    force: bool = False,
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
        force=force,
    ).path
