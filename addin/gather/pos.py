"""Distributor POS on files: ``pos template`` (one governed workbook per distributor and
month), ``pos import`` (check every returned workbook, then load them; a resubmission replaces
the earlier one), the unmatched-parts queue, and ``pos coverage`` (who is missing by the
deadline, coverage in percent, POS against sell-in by distributor).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from addin.gather.config import crosswalk_path
from addin.gather.crosswalk import crosswalk_file, read_crosswalk
from addin.gather.errors import GatherFileRefused, RowsRefused, objects_required
from addin.gather.pos_workbook import Template, build_template, read_submission
from addin.gather.sheets import write_tables
from sync.gather import lookup
from sync.gather.coverage import Coverage, pos_coverage
from sync.gather.pos import PosLoaded, PosPlan, find_distributor, load_submission, plan_submission
from sync.gather.refusals import Refusal
from sync.gather.writes import now_on_wire, wire_time
from sync.org.seam import Org


@objects_required()
def make_template(
    org: Org,
    distributor: str,
    period: date,
    out: Path,
    *,
    crosswalk: Path | None = None,
    deadline: date | None = None,
) -> Template:
    """The submission workbook for ``distributor`` (name or Id) and ``period``."""
    found = find_distributor(org, distributor)
    if found.problem:
        raise GatherFileRefused(
            f"Distributor {distributor!r}: {found.problem}. Use the account's name as "
            "Salesforce shows it, or its Id."
        )
    walk = read_crosswalk(org, crosswalk_file(crosswalk, crosswalk_path(out)))
    parts = walk.parts(found.id)
    if not parts:
        raise GatherFileRefused(
            f"The crosswalk lists no parts for {found.name!r}. Add its part numbers to the "
            "crosswalk (distributor, part, product) first."
        )
    return build_template(
        out,
        distributor_id=found.id,
        distributor_name=found.name,
        period=period.replace(day=1),
        parts=parts,
        deadline=deadline,
    )


def submission_name(distributor: str, period: date) -> str:
    """The workbook's file name: ``harbor-paper-mills-2026-11.xlsx``."""
    words = "".join(c if c.isalnum() or c.isspace() else "" for c in distributor.lower()).split()
    return "-".join(words[:3] or ["distributor"]) + f"-{period:%Y-%m}.xlsx"


@objects_required()
def make_templates(
    org: Org,
    period: date,
    folder: Path,
    *,
    crosswalk: Path | None = None,
    deadline: date | None = None,
) -> list[Template]:
    """One submission workbook per distributor in the crosswalk, into ``folder``."""
    walk = read_crosswalk(org, crosswalk_file(crosswalk, crosswalk_path(folder / "x.xlsx")))
    names = lookup.accounts(org).names
    folder.mkdir(parents=True, exist_ok=True)
    built, taken = [], set()
    for distributor_id in sorted(walk.distributors, key=lambda d: names.get(d, d).casefold()):
        name = names.get(distributor_id, distributor_id)
        file = submission_name(name, period)
        if file in taken:  # two distributors whose names start alike
            file = file.replace(
                f"-{period:%Y-%m}", f"-{distributor_id[-6:].lower()}-{period:%Y-%m}"
            )
        taken.add(file)
        built.append(
            build_template(
                folder / file,
                distributor_id=distributor_id,
                distributor_name=name,
                period=period.replace(day=1),
                parts=walk.parts(distributor_id),
                deadline=deadline,
            )
        )
    return built


@dataclass(frozen=True)
class PosImport:
    loaded: tuple[PosLoaded, ...]
    plans: tuple[PosPlan, ...]
    queue: Path | None

    @property
    def unmatched(self) -> int:
        return sum(len(p.unmatched) for p in self.plans)


@objects_required()
def import_submissions(
    org: Org,
    paths: Sequence[Path],
    *,
    today: date,
    crosswalk: Path | None = None,
    received: date | None = None,
    queue: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> PosImport:
    """Check every file first; if any line of any file is refused, send nothing."""
    say = progress or (lambda _: None)
    walk = read_crosswalk(
        org, crosswalk_file(crosswalk, crosswalk_path(paths[0] if paths else None))
    )
    at = wire_time(datetime.combine(received, time(12), UTC)) if received else now_on_wire()
    plans: list[tuple[Path, PosPlan]] = []
    refused: list[tuple[Path, list[Refusal], int]] = []
    seen: dict[tuple[str, date], Path] = {}
    for path in paths:
        say(f"Checking {path.name}")
        submission, refusals = read_submission(path)
        plan = plan_submission(org, submission, walk, today=today, submitted_at=at)
        key = (plan.distributor_id, plan.period)
        if key in seen:
            refusals.append(
                Refusal(
                    0,
                    "file",
                    path.name,
                    f"the same distributor and month as {seen[key].name}",
                    "Import one of the two (the later one replaces the earlier).",
                )
            )
        seen[key] = path
        refusals += plan.refusals
        if refusals:
            refused.append((path, refusals, len(submission.lines)))
        plans.append((path, plan))
    if refused:
        raise RowsRefused(
            "; ".join(str(p) for p, _, _ in refused),
            [_in_file(p, r) for p, rs, _ in refused for r in rs],
            rows=sum(n for _, _, n in refused),
        )
    loaded = []
    for path, plan in plans:
        say(f"Loading {path.name}")
        loaded.append(load_submission(org, plan, file=path.name))
    written = write_queue(queue, [p for _, p in plans]) if queue else None
    return PosImport(tuple(loaded), tuple(p for _, p in plans), written)


def _in_file(path: Path, r: Refusal) -> Refusal:
    return Refusal(
        r.row, f"{path.name} {r.column}" if r.row else r.column, r.value, r.problem, r.fix
    )


QUEUE_HEADINGS = ("Distributor", "Month", "Part number", "Units sold", "Note", "What to do")


def write_queue(path: Path, plans: Sequence[PosPlan]) -> Path:
    """The unmatched-parts queue: parts loaded without a product until the crosswalk has them."""
    rows = [
        [
            p.distributor_name,
            f"{p.period:%Y-%m}",
            line.part,
            line.quantity,
            line.note,
            "Add the part to the crosswalk, then import the file again.",
        ]
        for p in plans
        for line in p.unmatched
    ]
    return write_tables(path, {"Unmatched parts": (list(QUEUE_HEADINGS), rows)})


def import_lines(result: PosImport) -> list[str]:
    lines = []
    for done, plan in zip(result.loaded, result.plans, strict=True):
        what = (
            "nothing new (the org holds this submission)"
            if done.calls == 0
            else f"{done.written:,} lines written, {done.superseded:,} earlier lines replaced"
        )
        lines.append(
            f"{done.distributor}, {done.period:%B %Y}: {plan.rows:,} lines; {what}"
            + (f"; {done.unmatched:,} unmatched parts" if done.unmatched else "")
        )
    if result.unmatched:
        lines.append(
            f"{result.unmatched:,} parts are not in the crosswalk: loaded without a product "
            + (
                f"and listed in {result.queue}."
                if result.queue
                else "(list them with --queue FILE)."
            )
        )
    return lines


COVERAGE_HEADINGS = (
    "Distributor",
    "Status",
    "Submitted at",
    "POS units",
    "Sell-in units",
    "POS - sell-in",
    "Sell-in from",
)


def coverage_rows(report: Coverage) -> list[list[object]]:
    return [
        [
            d.name,
            d.status,
            d.submitted_at[:16].replace("T", " "),
            d.pos_qty if d.status != "missing" else None,
            d.sell_in_qty,
            d.difference if d.status != "missing" else None,
            d.sell_in_source,
        ]
        for d in report.distributors
    ]


@objects_required()
def coverage_report(org: Org, period: date, deadline: date, out: Path | None = None) -> Coverage:
    report = pos_coverage(org, period, deadline)
    if out is not None:
        write_tables(out, {"Coverage": (list(COVERAGE_HEADINGS), coverage_rows(report))})
    return report
