"""Check a read-back workbook's changeset: every problem that blocks a push, cell by cell.

Each rule has its own name and message naming sheet, cell, account, product and period, and says
what to do. The rules are configurable (``CheckRules``, from ``demandgrid.toml`` beside the
workbook or ``~/.demandgrid/config.toml``, section ``[check]``) with safe defaults; the org's
own limits (decimals of the adjusted field, note length) come from its describe when an org is
at hand.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from addin.book.errors import UserError
from addin.review import layout
from addin.review.readback import EditedCell, ReviewedWorkbook
from sync.org.mapping import MappingProfile
from sync.org.seam import Org

if TYPE_CHECKING:
    from sync.pull.locks import LockRules

ERROR = "error"
WARNING = "warning"
ERROR_VALUES = (
    "#REF!",
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
)
CONFIG_NAME = "demandgrid.toml"
USER_CONFIG = Path("~/.demandgrid/config.toml")


class RulesInvalid(UserError):
    """The check rules file cannot be read or names an unknown rule setting."""


@dataclass(frozen=True)
class CheckRules:
    """What check enforces. Every field may be set in the ``[check]`` section of a config file."""

    require_note: bool = True
    require_reason: bool = True
    allow_negative: bool = False
    max_value: float = 1e9  # absurd above this, whatever the baseline
    max_times_baseline: float = 100.0  # absurd above this multiple of a positive baseline
    max_change_pct: float | None = None  # optional: a change bigger than this percentage
    note_max_length: int = 2000  # the org's note field; "[reason] note" must fit
    scale: int | None = None  # decimals the org's adjusted field keeps (None: not checked)
    recheck_locks: bool = (
        True  # periods that became past or frozen since the pull (sync.pull.locks)
    )
    # A value this many times above (or below) the row's typical value, as pulled: a 10x slip,
    # a date serial typed into a units cell, a percentage. None: not checked.
    outlier_factor: float | None = 10.0
    outlier_blocks: bool = False  # True: an outlier is an error (blocks the push), not a warning

    def for_org(self, org: Org, profile: MappingProfile) -> CheckRules:
        """These rules with the org's own scale and note length (one describe call)."""
        described = org.describe(profile.cell_object)
        adjusted, note = described.field(profile.adjusted), described.field(profile.note)
        return replace(
            self,
            scale=adjusted.scale if adjusted is not None else self.scale,
            note_max_length=note.length
            if note is not None and note.length
            else self.note_max_length,
        )


def load_rules(path: str | Path | None = None, *, workbook: str | Path | None = None) -> CheckRules:
    """Rules from ``path``, else ``demandgrid.toml`` beside the workbook, else the user's config."""
    candidates = [Path(path)] if path else []
    if not path:
        if workbook:
            candidates.append(Path(workbook).resolve().parent / CONFIG_NAME)
        candidates.append(USER_CONFIG.expanduser())
    for candidate in candidates:
        if candidate.is_file():
            return _rules_from_file(candidate)
        if path:
            raise RulesInvalid(f"No rules file at {candidate}. Check the path given to --rules.")
    return CheckRules()


def _rules_from_file(path: Path) -> CheckRules:
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("check", {})
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise RulesInvalid(
            f"The rules file {path} cannot be read: {e}. Fix it or remove it."
        ) from None
    known = {f.name: f for f in fields(CheckRules)}
    unknown = sorted(set(section) - set(known))
    if unknown:
        raise RulesInvalid(
            f"The rules file {path} sets {', '.join(unknown)} in [check], which check does not know. "
            f"Known settings: {', '.join(known)}."
        )
    try:
        return CheckRules(**section)
    except TypeError as e:
        raise RulesInvalid(f"The rules file {path} is not valid: {e}.") from None


@dataclass(frozen=True)
class CheckIssue:
    severity: str  # "error" blocks a push; "warning" does not
    rule: str
    sheet: str
    cell: str
    account: str
    product: str
    period: date | None
    message: str
    what_to_do: str


@dataclass
class CheckReport:
    issues: list[CheckIssue] = field(default_factory=list)
    changed: int = 0  # changed cells read back
    workbook: str = ""

    @property
    def errors(self) -> list[CheckIssue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def ok(self) -> bool:
        """Nothing blocks a push."""
        return not self.errors

    def cells(self) -> list[str]:
        return sorted({i.cell for i in self.issues}, key=_cell_order)

    def summary(self) -> str:
        if not self.issues and not self.changed:
            return "No changed cells: nothing to push. Change a yellow Adjusted cell first."
        if not self.issues:
            return f"{self.changed} changed cell(s), no problems: ready to push."
        if not self.errors:
            return (
                f"{self.changed} changed cell(s), no problems, {len(self.issues)} warning(s) to "
                "look at: ready to push."
            )
        blocked = len({i.cell for i in self.errors})
        return (
            f"{self.changed} changed cell(s); {len(self.errors)} problem(s) in {blocked} cell(s) "
            f"block the push, {len(self.issues) - len(self.errors)} warning(s)."
        )


def check(
    reviewed: ReviewedWorkbook,
    rules: CheckRules = CheckRules(),  # noqa: B008 - frozen
    *,
    today: date | None = None,
    locks: LockRules | None = None,
) -> CheckReport:
    """Every problem in ``reviewed``'s changeset under ``rules`` (locks as of ``today``, by
    ``locks``: the default lock rules, or those with the S&OP calendar's closed review)."""
    codes = {c.casefold() for c in reviewed.reason_codes}
    since_pull = _locked_since_pull(reviewed, today, locks) if rules.recheck_locks else {}
    typical = _typical_values(reviewed) if rules.outlier_factor else {}
    issues: list[CheckIssue] = []
    for edit in reviewed.edits:
        if edit.cell in since_pull:
            edit = replace(
                edit, locked=True, lock_reason=f"{since_pull[edit.cell]}, since the pull"
            )
        issues.extend(
            _check_edit(edit, rules, codes, reviewed.reason_codes, typical.get(edit.row_key))
        )
    issues.extend(_unspread_totals(reviewed))
    return CheckReport(issues=issues, changed=len(reviewed.edits))


def _unspread_totals(reviewed: ReviewedWorkbook) -> list[CheckIssue]:
    """A New total left in its input was never spread: pushing would silently drop it."""
    return [
        CheckIssue(
            severity=ERROR,
            rule="unspread-total",
            sheet=reviewed.sheet,
            cell=s.cell,
            account=s.account_name,
            product=s.product_name,
            period=None,
            message=f"A new total ({_show(s.total)}) was typed in {layout.H_NEW_TOTAL} but "
            "not spread over the row's periods.",
            what_to_do="Run Spread (demandgrid spread FILE --apply, or the ribbon's Spread) to "
            f"fill the months, or clear the {layout.H_NEW_TOTAL} cell.",
        )
        for s in reviewed.spread_inputs
    ]


def calendar_lock_rules(workbook: str | Path | None, today: date | None = None) -> LockRules | None:
    """The default lock rules plus the S&OP calendar's closed review (``demandgrid.toml``
    ``[cycle]`` beside the workbook or here), known without any API call; None when the
    calendar closes nothing today."""
    from sync.cycle.calendar import CalendarInvalid, calendar_near
    from sync.cycle.locks import calendar_locks
    from sync.pull.locks import LockRules

    try:
        calendar = calendar_near(workbook)
    except CalendarInvalid as e:
        raise RulesInvalid(f"{e} Fix the [cycle] section, then check again.") from None
    closed = calendar_locks(calendar, today or datetime.now(UTC).date())
    return LockRules(closed=closed) if closed else None


def _typical_values(reviewed: ReviewedWorkbook) -> dict[str, float]:
    """Row key -> the median of the row's positive pulled values (adjusted, else baseline)."""
    from addin.review.grid import starting_value

    rows: dict[str, list[float]] = {}
    for cell in reviewed.record.cells:
        start = starting_value(_float(cell.get("adjusted")), _float(cell.get("baseline")))
        if start is not None and start > 0:
            rows.setdefault(str(cell["row_key"]), []).append(start)
    return {key: statistics.median(values) for key, values in rows.items()}


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _locked_since_pull(
    reviewed: ReviewedWorkbook, today: date | None, locks: LockRules | None = None
) -> dict[str, str]:
    """Edited cells open at pull time that the lock rules (``sync.pull.locks``) lock today."""
    open_edits = [e for e in reviewed.edits if not e.locked]
    if not open_edits:
        return {}
    from sync.pull.locks import DEFAULT_RULES, lock_reasons  # pandas: only when there are edits

    starts = pd.Series([e.period_start for e in open_edits])
    rules = locks or DEFAULT_RULES
    reasons = lock_reasons(starts, None, rules, today or datetime.now(UTC).date())
    return {e.cell: str(r) for e, r in zip(open_edits, reasons, strict=True) if r}


def _check_edit(
    edit: EditedCell,
    rules: CheckRules,
    codes: set[str],
    code_list: tuple[str, ...],
    typical: float | None = None,
) -> list[CheckIssue]:
    where = f"{edit.sheet}!{edit.cell} ({edit.account_name} / {edit.product_name}, {edit.period_start:%b %Y})"
    out: list[CheckIssue] = []

    def issue(rule: str, message: str, what_to_do: str, severity: str = ERROR) -> None:
        out.append(
            CheckIssue(
                severity,
                rule,
                edit.sheet,
                edit.cell,
                edit.account_name,
                edit.product_name,
                edit.period_start,
                f"{where}: {message}",
                what_to_do,
            )
        )

    if edit.locked:
        reason = f" ({edit.lock_reason})" if edit.lock_reason else ""
        issue(
            "locked",
            f"this period is locked{reason} and cannot be changed; it was {_show(edit.shown)}, now {_show(edit.raw)}.",
            f"Put back {_show(edit.shown)}; locked periods are not sent.",
        )
        return out
    _check_value(edit, rules, issue, typical)
    if edit.note_formula:
        issue(
            "note-formula",
            f"the row's Note is a formula ({_clip(edit.note_formula)}) whose value was never "
            "calculated, so the text it shows is unknown.",
            "Type the note as plain text (or open and save the workbook in Excel or "
            "LibreOffice, so the formula's value is stored).",
        )
    note, reason = edit.note.strip(), edit.reason_code.strip()
    if rules.require_note and not note and not edit.note_formula:
        issue(
            "note-missing",
            f"changed from {_show(edit.shown)} to {_show(edit.raw)} without a note.",
            "Write why in the row's Note cell, or as a note (comment) on this cell.",
        )
    if reason and reason.casefold() not in codes:
        issue(
            "reason-unknown",
            f"reason code {reason!r} is not in the list.",
            f"Choose one from the drop-down: {', '.join(code_list)}.",
        )
    elif rules.require_reason and not reason:
        issue(
            "reason-missing",
            f"changed from {_show(edit.shown)} to {_show(edit.raw)} without a reason code.",
            "Choose a reason code from the drop-down in the row's Reason code cell.",
        )
    stored = f"[{reason}] {note}" if reason else note
    if len(stored) > rules.note_max_length:
        issue(
            "note-too-long",
            f"the note with its reason code is {len(stored):,} characters; the org keeps at most "
            f"{rules.note_max_length:,}.",
            f"Shorten the note by {len(stored) - rules.note_max_length:,} characters.",
        )
    return out


def _check_value(
    edit: EditedCell, rules: CheckRules, issue: Any, typical: float | None = None
) -> None:
    raw = edit.raw
    if edit.is_formula:
        issue(
            "formula",
            f"holds a formula ({_clip(str(raw))}); adjusted cells take typed numbers only.",
            "Replace the formula with its value (copy, then paste values).",
        )
        return
    if isinstance(raw, str) and raw.strip().upper() in ERROR_VALUES:
        issue(
            "error-value",
            f"shows the error value {raw.strip().upper()}.",
            "Type the number you mean; error values usually come from a deleted or broken reference.",
        )
        return
    if not edit.is_number:
        issue(
            "not-a-number",
            f"holds {_kind(raw)} {_clip(_show(raw))}, not a number.",
            "Type a plain number (no units, no text, no date).",
        )
        return
    if raw is None:
        return  # emptied: the adjustment is removed
    value = float(raw)
    if not math.isfinite(value):
        issue("not-finite", f"holds {value}, which is not a finite number.", "Type a plain number.")
        return
    if value < 0 and not rules.allow_negative:
        issue(
            "negative",
            f"is negative ({_show(raw)}); forecasts cannot be below zero.",
            "Type zero or a positive number.",
        )
    base = edit.baseline
    if value > rules.max_value:
        issue(
            "absurd",
            f"is {_show(raw)}, above the limit of {_show(rules.max_value)}.",
            "Check for extra zeros or a paste into the wrong cell.",
        )
    elif base is not None and base > 0 and value > rules.max_times_baseline * base:
        issue(
            "absurd",
            f"is {_show(raw)}, more than {rules.max_times_baseline:g} times the baseline {_show(base)}.",
            "Check for extra zeros or a paste into the wrong cell.",
        )
    factor = rules.outlier_factor
    absurd = value > rules.max_value or (
        base is not None and base > 0 and value > rules.max_times_baseline * base
    )
    far = factor and typical and (value >= factor * typical or value * factor <= typical)
    if far and typical and value > 0 and not absurd:  # 0 is a deliberate "no demand"
        times = value / typical
        how = f"{times:,.0f} times" if times >= 1 else f"1/{1 / times:,.0f} of"
        issue(
            "outlier",
            f"is {_show(raw)}, {how} the row's typical value {_show(round(typical, 2))}: far "
            "outside its history (an extra or missing zero, a date, or a percentage typed into "
            "a units cell?).",
            "Check the number; if it is right, push as it is. The limit is [check] outlier_factor.",
            ERROR if rules.outlier_blocks else WARNING,
        )
    if rules.max_change_pct is not None:
        ref = edit.shown
        if ref and abs(value - ref) / abs(ref) * 100 > rules.max_change_pct:
            pct = abs(value - ref) / abs(ref) * 100
            issue(
                "change-too-large",
                f"changes {_show(ref)} to {_show(raw)} ({pct:,.0f}%), more than the allowed {rules.max_change_pct:g}%.",
                "Check the number; the limit is set in [check] max_change_pct.",
            )
    if rules.scale is not None and round(value, rules.scale) != value:
        allowed = "no decimals" if rules.scale == 0 else f"at most {rules.scale} decimal(s)"
        issue(
            "decimals",
            f"is {raw!r}; the org's field keeps {allowed}.",
            f"Round it to {allowed.replace('at most ', '')}.",
        )


def _kind(raw: Any) -> str:
    if isinstance(raw, bool):
        return "the boolean"
    if isinstance(raw, datetime | date | time):
        return "the date"
    return "the text"


def _show(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return repr(value)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell_order(cell: str) -> tuple[int, str]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits or 0), letters.rjust(3))
