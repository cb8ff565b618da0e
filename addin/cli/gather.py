"""Phase 1 data gathering on the command line: ``load actuals``, ``pos template``,
``pos import``, ``pos coverage``. Thin wrappers over ``addin.gather``; each prints what it did
and what differs, and exits non-zero when rows were refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from addin.cli.app import DEFAULT_ORG, PLAIN, app, console, user_errors

load_app = typer.Typer(help="Load Phase 1 data (ERP actuals) into the org.", **PLAIN)  # type: ignore[arg-type]
app.add_typer(load_app, name="load")

OrgOption = Annotated[
    str, typer.Option("--org", metavar="ORG", help="Local org file or org alias.")
]


@load_app.command("actuals")
@user_errors
def load_actuals_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The ERP extract (.csv or .xlsx).")],
    org: OrgOption = str(DEFAULT_ORG),
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", metavar="FILE", help="Reconciliation report (.xlsx or .csv) to write."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and compare; send nothing.")
    ] = False,
    skip_refused: Annotated[
        bool,
        typer.Option("--skip-refused", help="Load the good rows; list and leave out the rest."),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Settings ([actuals] column names); default demandgrid.toml."
        ),
    ] = None,
) -> None:
    """Load ERP actuals (account, product, month, quantity, revenue) where the org holds them.

    Every row is checked before anything is sent; a refused row stops the load (or, with
    --skip-refused, is left out). Rows the org already holds are not sent again.
    """
    from addin.gather.actuals import load_actuals_file, summary_lines
    from sync.orgs.registry import open_org
    from sync.pull.cells import org_today

    the_org = open_org(org)
    with console.status("Loading ERP actuals") as status:
        done = load_actuals_file(
            the_org,
            file,
            today=org_today(the_org),
            report=report,
            dry_run=dry_run,
            skip_refused=skip_refused,
            config=config,
            progress=status.update,
        )
    for line in summary_lines(done):
        console.print(escape(line), highlight=False, soft_wrap=True)
    if done.loaded is None and done.plan.refusals:
        raise typer.Exit(1)  # a dry run that found refused rows: the load would stop


pos_app = typer.Typer(help="Distributor point-of-sale (POS) submissions.", **PLAIN)  # type: ignore[arg-type]
app.add_typer(pos_app, name="pos")

CrosswalkOption = Annotated[
    Path | None,
    typer.Option(
        "--crosswalk",
        metavar="FILE",
        help="Part-number crosswalk (CSV: distributor, part, product); default [pos] crosswalk.",
    ),
]


def _month(text: str) -> Any:
    from addin.gather.files import CellRefused, as_month

    try:
        return as_month(text)
    except CellRefused as e:
        raise typer.BadParameter(f"{text!r}: {e}. {e.fix}") from None


def _day(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: not a date. Type it as 2026-12-10.") from None


@pos_app.command("template")
@user_errors
def pos_template_cmd(
    period: Annotated[str, typer.Option("--period", metavar="YYYY-MM", help="The month reported.")],
    out: Annotated[
        Path,
        typer.Option(
            "-o", "--out", metavar="PATH", help="Workbook to write; with --all, a folder."
        ),
    ],
    distributor: Annotated[
        str | None,
        typer.Option("--distributor", metavar="NAME", help="Distributor account (name or Id)."),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="One workbook per distributor in the crosswalk.")
    ] = False,
    org: OrgOption = str(DEFAULT_ORG),
    crosswalk: CrosswalkOption = None,
    deadline: Annotated[
        str | None, typer.Option(metavar="DATE", help="Send-back date shown in the workbook.")
    ] = None,
) -> None:
    """Build a distributor's POS submission workbook (their parts, validated, protected)."""
    from addin.gather.pos import make_template, make_templates
    from sync.orgs.registry import open_org

    if every == (distributor is not None):
        raise typer.BadParameter("Give --distributor NAME, or --all for every distributor.")
    due = _day(deadline) if deadline else None
    if every:
        built = make_templates(
            open_org(org), _month(period), out, crosswalk=crosswalk, deadline=due
        )
    else:
        assert distributor is not None
        built = [
            make_template(
                open_org(org), distributor, _month(period), out, crosswalk=crosswalk, deadline=due
            )
        ]
    for t in built:
        console.print(
            f"Built {t.path}: {t.distributor}, {t.period:%B %Y}, {t.parts} parts.",
            highlight=False,
            soft_wrap=True,
        )


@pos_app.command("import")
@user_errors
def pos_import_cmd(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILES...", help="Returned submission workbooks.")
    ],
    org: OrgOption = str(DEFAULT_ORG),
    crosswalk: CrosswalkOption = None,
    queue: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the unmatched-parts queue (.xlsx or .csv)."),
    ] = None,
    received: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="When the files arrived (default: now); for coverage."),
    ] = None,
) -> None:
    """Check and load returned POS workbooks; a resubmission replaces the earlier one."""
    from addin.gather.pos import import_lines, import_submissions
    from sync.orgs.registry import open_org
    from sync.pull.cells import org_today

    the_org = open_org(org)
    with console.status("Importing POS submissions") as status:
        result = import_submissions(
            the_org,
            files,
            today=org_today(the_org),
            crosswalk=crosswalk,
            received=_day(received) if received else None,
            queue=queue,
            progress=status.update,
        )
    for line in import_lines(result):
        console.print(escape(line), highlight=False, soft_wrap=True)


@pos_app.command("coverage")
@user_errors
def pos_coverage_cmd(
    deadline: Annotated[
        str, typer.Option("--deadline", metavar="DATE", help="Submission deadline.")
    ],
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="YYYY-MM",
            help="Month reported (default: the deadline's previous month).",
        ),
    ] = None,
    org: OrgOption = str(DEFAULT_ORG),
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", metavar="FILE", help="Also write it (.xlsx or .csv)."),
    ] = None,
) -> None:
    """Who has sent POS by the deadline, coverage in percent, POS vs sell-in by distributor."""
    from datetime import timedelta

    from rich import box
    from rich.table import Table

    from addin.gather.pos import coverage_report
    from sync.orgs.registry import open_org

    due = _day(deadline)
    month = _month(period) if period else (due.replace(day=1) - timedelta(days=1)).replace(day=1)
    report = coverage_report(open_org(org), month, due, out)
    table = Table(title=f"POS for {month:%B %Y}, due {due:%d %b %Y}", box=box.SIMPLE_HEAD)
    table.add_column("Distributor", no_wrap=True, overflow="ellipsis", max_width=22)
    table.add_column("Status", no_wrap=True)
    table.add_column("Sent", no_wrap=True)
    for heading in ("POS", "Sell-in", "Diff"):
        table.add_column(heading, justify="right", no_wrap=True)
    for d in report.distributors:
        sent = d.status != "missing"
        table.add_row(
            escape(d.name),
            d.status,
            d.submitted_at[:10],
            f"{d.pos_qty:,.0f}" if sent else "",
            f"{d.sell_in_qty:,.0f}",
            f"{d.difference:+,.0f}" if sent else "",
        )
    console.print(table)
    console.print(
        f"Coverage: {report.count('on time')} of {report.expected} distributors on time "
        f"({report.percent:.0f}%; {report.percent_of_sell_in:.0f}% of sell-in), "
        f"{report.count('late')} late, {report.count('missing')} missing."
        + (f" Written to {out}." if out else ""),
        highlight=False,
        soft_wrap=True,
    )
