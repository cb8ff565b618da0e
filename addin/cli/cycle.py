"""``demandgrid cycle``: where today falls in the S&OP calendar, and the lock points: ``close``
(snapshot the plan, lock its periods), ``reopen``, ``verify`` (the content hash) and ``list``.
Thin wrappers over ``sync.cycle``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from shlex import quote
from typing import Annotated

import typer
from rich.table import Table

from addin.book.errors import UserError
from addin.cli.app import DEFAULT_ORG, PLAIN, app, console, user_errors

cycle_app = typer.Typer(
    help="The S&OP cycle: calendar, close (plan snapshot and lock), reopen, verify.",
    invoke_without_command=True,
    **{**PLAIN, "no_args_is_help": False},  # type: ignore[arg-type]
)
app.add_typer(cycle_app, name="cycle")

OrgOption = Annotated[
    str, typer.Option("--org", metavar="ORG", help="Local org file or org alias.")
]
AsOption = Annotated[
    str | None,
    typer.Option("--as", metavar="USER", help="Local org only: act as this user (username)."),
]
CycleOption = Annotated[
    str | None,
    typer.Option("--cycle", metavar="YYYY-MM", help="The cycle (default: this month's)."),
]
RegionOption = Annotated[
    str | None, typer.Option("--region", metavar="REGION", help="One region (default: all).")
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", metavar="FILE", help="Calendar file (default: ./demandgrid.toml)."),
]


class CalendarNotUsable(UserError):
    """The ``[cycle]`` section of demandgrid.toml cannot be used."""


def _calendar(config: Path | None):  # type: ignore[no-untyped-def]
    from sync.cycle.calendar import CalendarInvalid, load_calendar

    try:
        return load_calendar(config)
    except CalendarInvalid as e:
        raise CalendarNotUsable(str(e)) from None


def _org(spec: str, user: str | None):  # type: ignore[no-untyped-def]
    from sync.orgs.registry import open_org

    return open_org(spec, username=user)


def _profile(the_org, spec: str):  # type: ignore[no-untyped-def]
    """The org's mapping profile (demandgrid.toml [mapping], orgs.toml, else detected)."""
    from sync.orgs.registry import org_profile

    return org_profile(the_org, spec)


def _cycle(value: str | None) -> str | None:
    from sync.cycle.calendar import CalendarInvalid, cycle_start

    if value is None:
        return None
    try:
        cycle_start(value)
    except CalendarInvalid as e:
        raise CalendarNotUsable(f"--cycle {e}") from None
    return value


@cycle_app.callback()
@user_errors
def cycle_status(
    ctx: typer.Context,
    region: RegionOption = None,
    config: ConfigOption = None,
    today: Annotated[
        str | None, typer.Option("--today", metavar="YYYY-MM-DD", help="Show another day.")
    ] = None,
) -> None:
    """Show where today falls in the S&OP calendar and what is open."""
    if ctx.invoked_subcommand is not None:
        return
    from sync.cycle.calendar import cycle_of

    calendar = _calendar(config)
    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise CalendarNotUsable(f"--today {today!r} is not a date (YYYY-MM-DD).") from None
    cycle = cycle_of(day)
    table = Table(title=f"S&OP cycle {cycle}{f' ({region})' if region else ''}, {day:%a %d %b %Y}")
    for column in ("Phase", "Opens", "Closes", "Now"):
        table.add_column(column)
    phases = calendar.phases(cycle, region)
    for phase in phases:
        state = phase.state(day)
        table.add_row(phase.label, f"{phase.opens:%a %d %b}", f"{phase.closes:%a %d %b}", state)
    console.print(table)
    open_now = [p.label for p in phases if p.state(day) == "open"]
    first, last = calendar.periods(cycle)
    console.print(
        f"Open now: {', '.join(open_now) or 'nothing (between phases)'}. Closing the demand "
        f"review snapshots and locks {first:%b %Y} to {last:%b %Y}. Calendar: {calendar.source}.",
        highlight=False,
    )


@cycle_app.command("close")
@user_errors
def cycle_close(
    cycle: CycleOption = None,
    region: RegionOption = None,
    org: OrgOption = str(DEFAULT_ORG),
    user: AsOption = None,
    config: ConfigOption = None,
) -> None:
    """Close the demand review (planner only): snapshot every cell in scope and lock its periods."""
    from sync.cycle.close import close_cycle

    the_cycle, calendar = _cycle(cycle), _calendar(config)
    the_org = _org(org, user)
    with console.status("Taking the plan snapshot") as status:
        receipt = close_cycle(
            the_org,
            the_cycle,
            region,
            calendar=calendar,
            profile=_profile(the_org, org),
            on_progress=lambda done, total: status.update(f"Writing lines {done:,} of {total:,}"),
        )
    h = receipt.header
    if receipt.already_closed:
        console.print(
            f"{receipt.snapshot_id} was already closed on {h.closed_on if h else '?'} by "
            f"{h.closed_by_name if h else '?'}: nothing written.",
            highlight=False,
        )
        return
    assert h is not None
    console.print(
        f"Closed {h.snapshot_id}: {receipt.lines:,} lines ({h.first_period:%b %Y} to "
        f"{h.last_period:%b %Y}) in {receipt.write_calls} write call(s), by "
        f"{h.closed_by_name} at {h.closed_at:%Y-%m-%d %H:%M} UTC.\n"
        f"Content hash {h.content_hash}. Pulls now show these periods locked; check with "
        f"`demandgrid cycle verify --cycle {h.cycle}{f' --region {quote(region)}' if region else ''}`.",
        highlight=False,
        soft_wrap=True,
    )


@cycle_app.command("reopen")
@user_errors
def cycle_reopen(
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the snapshot's header).")],
    cycle: CycleOption = None,
    region: RegionOption = None,
    org: OrgOption = str(DEFAULT_ORG),
    user: AsOption = None,
    config: ConfigOption = None,
) -> None:
    """Reopen a closed demand review (planner only), saying why."""
    from sync.cycle.close import reopen_cycle

    the_cycle, calendar = _cycle(cycle), _calendar(config)
    h = reopen_cycle(_org(org, user), the_cycle, region, reason=reason, calendar=calendar)
    console.print(
        f"Reopened {h.snapshot_id}: its periods can be edited again. Logged in the header:\n"
        f"{h.reopen_log}",
        highlight=False,
        soft_wrap=True,
    )


@cycle_app.command("verify")
@user_errors
def cycle_verify(
    cycle: CycleOption = None,
    region: RegionOption = None,
    org: OrgOption = str(DEFAULT_ORG),
    user: AsOption = None,
) -> None:
    """Recompute a snapshot's content hash from its lines in the org and compare."""
    from sync.cycle.calendar import cycle_of
    from sync.cycle.snapshots import verify_snapshot
    from sync.pull.cells import org_today

    the_cycle = _cycle(cycle)
    the_org = _org(org, user)
    result = verify_snapshot(the_org, the_cycle or cycle_of(org_today(the_org)), region)
    h = result.header
    if result.ok:
        console.print(
            f"{h.snapshot_id} verifies: {h.line_count:,} lines, content hash "
            f"{result.computed_hash}, as closed on {h.closed_on} by {h.closed_by_name}.",
            highlight=False,
            soft_wrap=True,
        )
        return
    for problem in result.problems:
        console.print(problem, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@cycle_app.command("list")
@user_errors
def cycle_list(org: OrgOption = str(DEFAULT_ORG), user: AsOption = None) -> None:
    """List the plan snapshots in the org, oldest first."""
    from sync.cycle.snapshots import list_snapshots

    table = Table(title="Plan snapshots")
    for column in ("Snapshot", "Status", "Periods", "Lines", "Closed", "By", "Hash"):
        table.add_column(column, no_wrap=column in ("Snapshot", "Closed"))
    for h in list_snapshots(_org(org, user)):
        periods = (
            f"{h.first_period:%b %Y} - {h.last_period:%b %Y}"
            if h.first_period and h.last_period
            else ""
        )
        table.add_row(
            h.snapshot_id,
            h.status,
            periods,
            f"{h.line_count:,}",
            h.closed_on,
            h.closed_by_name,
            h.content_hash[:12],
        )
    console.print(table)
