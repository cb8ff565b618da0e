"""The Demand Review ribbon's entry points, run by xlwings's ``RunPython`` from the add-in.

``pull()``, ``refresh()``, ``check()``, ``push()`` and ``dry_run()`` work on the workbook the
user is in (``xw.Book.caller()``) through ``addin.excel.book.ExcelBook`` and call the same library
functions as the CLI (``addin.review.pull``, ``addin.review.refresh``, ``addin.check.rules``,
``addin.check.sheet``, ``addin.push.workbook``). Progress goes to Excel's status bar; the outcome,
and every problem a user can cause (``UserError``, ``OrgError``), to an Excel dialog, never a
traceback. Anything else is a bug: a short dialog points at the log file with the details.

Which org and rep: the org the workbook was pulled from (``addin.check.file``), or for a new
pull the ``ORG`` and ``REP`` settings in the user's settings file (``addin.xlam.install``), else
the signed-in user of the default org.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from addin.book.errors import UserError
from addin.check.rules import calendar_lock_rules, load_rules
from addin.check.rules import check as run_checks
from addin.check.sheet import write_check_sheet
from addin.excel.book import ExcelBook
from addin.review import layout
from addin.review.readback import profile_of, read_workbook
from addin.xlam.install import read_settings, user_config_path
from sync.org.seam import Org, OrgError

TITLE = "Demand Review"
LOG_FILE = Path.home() / ".demandgrid" / "demandgrid.log"
log = logging.getLogger("demandgrid.ribbon")

Action = Callable[[ExcelBook], str]


class NotAReviewWorkbook(UserError):
    """The ribbon action needs a pulled review workbook and the active one is not."""


# ------------------------------------------------------------------ RunPython entry points


def pull() -> None:
    """Pull: a new review workbook, opened in Excel."""
    run(pull_action, ExcelBook.caller())


def refresh() -> None:
    """Refresh: the org's latest values into the open review workbook."""
    run(refresh_action, ExcelBook.caller())


def check() -> None:
    """Check: the Check sheet and marked cells."""
    run(check_action, ExcelBook.caller())


def push() -> None:
    """Push: the changed cells to the org, the receipt on the Push Log sheet."""
    run(push_action, ExcelBook.caller())


def dry_run() -> None:
    """Dry run: what Push would send, sending nothing."""
    run(dry_run_action, ExcelBook.caller())


def spread() -> None:
    """Spread: preview each New total over its row's open months (Spread preview sheet)."""
    run(spread_action, ExcelBook.caller())


def spread_apply() -> None:
    """Apply spread: write the spread into the grid as changed cells."""
    run(spread_apply_action, ExcelBook.caller())


def undo_push() -> None:
    """Undo push: put back what the push on the selected Push Log row replaced."""
    run(undo_push_action, ExcelBook.caller())


# ------------------------------------------------------------------ the frame around actions


def run(action: Action, book: ExcelBook) -> str:
    """Run ``action`` on ``book``; show its outcome or its problem in a dialog."""
    try:
        book.open_for_writes()
        message = action(book)
        book.alert(message, TITLE)
        return message
    except (UserError, OrgError) as e:
        message = str(e)
        book.alert(message, f"{TITLE}: {_kind(e)}", critical=True)
        return message
    except Exception as e:  # a bug: keep the details out of the dialog, in the log
        _log_exception()
        message = (
            f"Something went wrong ({type(e).__name__}). The details are in {LOG_FILE}; send "
            "that file to your demandgrid administrator. If the workbook looks changed, close it "
            "without saving and open it again."
        )
        book.alert(message, f"{TITLE}: unexpected error", critical=True)
        return message
    finally:
        book.done()


def _kind(error: Exception) -> str:
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(error).__name__).lower()
    return words[:1].upper() + words[1:]


def _log_exception() -> None:
    try:
        LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(LOG_FILE, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.exception("ribbon action failed")
        log.removeHandler(handler)
        handler.close()
    except OSError:
        pass


# ------------------------------------------------------------------ where the org comes from


def settings() -> dict[str, str]:
    return {k.upper(): v for k, v in read_settings(user_config_path(sys.platform)).items()}


def org_for(book: ExcelBook) -> Org:
    """The org ``book`` was pulled from (or the ``ORG`` setting, which wins)."""
    from addin.review.file import org_of_workbook
    from sync.orgs.registry import UnknownOrg

    try:
        return org_of_workbook(book, settings().get("ORG") or None)  # type: ignore[arg-type]
    except UnknownOrg as e:
        raise UnknownOrg(
            f"{e}\nIn Excel, name the org in your settings file "
            f'({user_config_path(sys.platform)}) with a line "ORG","<alias>".'
        ) from None


def _require_review(book: ExcelBook) -> None:
    if layout.RECORD not in book.sheet_names() and book.resolve(layout.N_RECORD) is None:
        raise NotAReviewWorkbook(
            "This workbook is not a demandgrid review workbook. Open one pulled with "
            "Demand Review > Pull (or `demandgrid pull`), or use Pull to get one."
        )


# ------------------------------------------------------------------ actions


def check_action(book: ExcelBook) -> str:
    _require_review(book)
    book.status("Checking the workbook...")
    reviewed = read_workbook(book)
    rules = load_rules(None, workbook=book.path or None)
    try:
        rules = rules.for_org(org_for(book), profile_of(reviewed))
    except OrgError:
        pass  # checking works offline; push re-checks against the org
    report = run_checks(reviewed, rules, locks=calendar_lock_rules(book.path or None))
    report.workbook = book.path
    write_check_sheet(book, report, reviewed.sheet)
    if report.ok:
        return report.summary()
    book.show(layout.CHECK)
    cells = report.cells()
    where = ", ".join(cells[:8]) + (" ..." if len(cells) > 8 else "")
    return (
        f"Check found {len(report.errors):,} problem(s) in {len(cells):,} cell(s) on the "
        f"{reviewed.sheet} sheet: {where}.\nThey are listed on the {layout.CHECK} sheet and "
        "marked in the grid. Fix them, then Check again."
    )


def push_action(book: ExcelBook, dry_run: bool = False) -> str:
    from addin.push.workbook import push_workbook

    _require_review(book)
    org = org_for(book)
    outcome = push_workbook(
        book,
        org,
        dry_run=dry_run,
        rules=load_rules(None, workbook=book.path or None),
        locks=calendar_lock_rules(book.path or None),  # the S&OP calendar's closed review
    )
    if outcome.receipt is not None and not dry_run:
        book.show(layout.PUSH_LOG)
    return outcome.summary()


def dry_run_action(book: ExcelBook) -> str:
    return "Dry run: nothing was sent.\n" + push_action(book, dry_run=True)


def refresh_action(book: ExcelBook) -> str:
    """A review workbook refreshes in place; an FP&A scenario workbook through its file."""
    from addin.fpa.layout import RECORD as SCENARIO_RECORD
    from addin.review.refresh import refresh_workbook

    if SCENARIO_RECORD in book.sheet_names():
        return _refresh_scenarios(book)
    _require_review(book)
    from addin.push.sheets import write_conflicts

    return refresh_workbook(book, org_for(book), conflicts_sheet=write_conflicts).summary()


class WorkbookNotSaved(UserError):
    """The workbook has never been saved, so it has no file to refresh."""


def _refresh_scenarios(book: ExcelBook) -> str:
    """``addin.fpa.refresh`` rewrites the file: save, close, refresh the file, open it again."""
    from addin.fpa.refresh import refresh_scenarios, report_lines
    from sync.orgs.registry import open_org

    if not book.path:
        raise WorkbookNotSaved(
            "Save this scenario workbook first (File > Save As, .xlsx), then Refresh."
        )
    org = open_org(settings().get("ORG") or None)
    book.status("Saving and closing the workbook for the refresh...")
    book.save()
    path, app = book.path, book.book.app
    book.book.close()
    try:
        report = refresh_scenarios(path, org)
    finally:
        app.books.open(path)  # the refreshed workbook, or the saved one if the refresh failed
    return "Refreshed the Data table.\n" + "\n".join(report_lines(report))


def pull_action(book: ExcelBook) -> str:
    """A new review workbook for the configured rep, written by the file writer and opened."""
    from addin.review.pull import pull_review
    from sync.orgs.registry import open_org, org_profile

    config = settings()
    org = open_org(config.get("ORG") or None)
    profile = org_profile(org, config.get("ORG") or None)
    rep = config.get("REP") or org.identity().username
    folder = Path(config.get("WORKBOOK_DIR") or Path.home() / "Documents" / "demandgrid")
    folder.mkdir(parents=True, exist_ok=True)
    out = _free_name(folder / f"{rep.split('@')[0]}-review-{date.today():%Y-%m-%d}.xlsx")
    pulled = pull_review(org, rep, out, profile=profile, progress=book.status)
    book.book.app.books.open(str(pulled.path))
    return (
        f"Pulled {pulled.rep}'s forecast: {pulled.cells:,} cells, {pulled.accounts:,} accounts, "
        f"{pulled.periods} periods, into {pulled.path} (now open)."
    )


def _free_name(path: Path) -> Path:
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return candidate


# ------------------------------------------------------------------ issue 15: spread and undo


def spread_action(book: ExcelBook, apply: bool = False) -> str:
    """Spread each New total by the ``SPREAD_PROFILE`` setting (default: adjusted)."""
    from addin.spread.workbook import spread_workbook

    _require_review(book)
    profile = (settings().get("SPREAD_PROFILE") or "adjusted").strip().lower()
    outcome = spread_workbook(book, profile=profile, apply=apply)
    if outcome.rows and not apply:
        book.show(layout.SPREAD_PREVIEW)
    return outcome.summary()


def spread_apply_action(book: ExcelBook) -> str:
    return spread_action(book, apply=True)


class NoPushSelected(UserError):
    """Undo push needs a row of the Push Log selected."""


def undo_push_action(book: ExcelBook) -> str:
    """Undo the push whose row is selected on the Push Log sheet."""
    from addin.push.undo import undo_push as undo

    _require_review(book)
    push_id = _selected_push_id(book)
    outcome = undo(book, org_for(book), push_id)
    book.show(layout.PUSH_LOG)
    return outcome.summary()


def _selected_push_id(book: ExcelBook) -> str:
    where = book.selection()
    how = (
        f"Select a row of the {layout.PUSH_LOG} sheet (any cell of the push to undo), then "
        "Undo push again."
    )
    if where is None or where[0] != layout.PUSH_LOG:
        raise NoPushSelected(f"No {layout.PUSH_LOG} row is selected. {how}")
    sheet, row = where
    anchor = book.resolve(layout.N_PUSH_LOG_ANCHOR)
    column, heading_row = "A", 1
    if anchor is not None:
        first = anchor[1].split(":")[0].replace("$", "")
        column = "".join(ch for ch in first if ch.isalpha())
        heading_row = int("".join(ch for ch in first if ch.isdigit()))
    value = book.read(sheet, f"{column}{row}:{column}{row}")[0][0] if row > heading_row else None
    if not isinstance(value, str) or not value.strip():
        raise NoPushSelected(f"{sheet}!{column}{row} holds no push id. {how}")
    return value.strip()


# ------------------------------------------------------------------ Pre-read (issue 12)


def preread() -> None:
    """Pre-read: the executive pre-read of the latest closed cycle, opened in Excel."""
    run(preread_action, ExcelBook.caller())


def preread_action(book: ExcelBook) -> str:
    """Build the pre-read (the same call as `demandgrid preread`) into the workbook folder and
    open it; the region comes from the ``REGION`` setting, if any."""
    from addin.preread.build import build_preread, summary_lines
    from sync.orgs.registry import open_org

    config = settings()
    org = open_org(config.get("ORG") or None)
    folder = Path(config.get("WORKBOOK_DIR") or Path.home() / "Documents" / "demandgrid")
    folder.mkdir(parents=True, exist_ok=True)
    book.status("Reading the plan snapshots and building the pre-read...")
    made = build_preread(
        org,
        _free_name(folder / f"preread-{date.today():%Y-%m-%d}.xlsx"),
        region=config.get("REGION") or None,
    )
    book.book.app.books.open(str(made.path))
    return "\n".join(summary_lines(made))
