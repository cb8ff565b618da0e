"""The ``demandgrid`` commands on workbooks: pull, demo, check, push, refresh, scenarios, and the
add-in and template builds. Each does argument handling and printing only; the work happens in
a function the Excel ribbon and the tests call too.
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from addin.cli.app import DEFAULT_ORG, addin_app, app, console, template_app, user_errors


@addin_app.command("build")
@user_errors
def addin_build(
    out: Annotated[Path, typer.Option("-o", "--out", help="Add-in file.")] = Path(
        "build/demandgrid.xlam"
    ),
) -> None:
    """Build the Excel add-in (demandgrid.xlam) from the VBA and ribbon sources."""
    from addin.xlam.build import build_addin

    path = build_addin(out)
    console.print(f"Built {path} ({path.stat().st_size:,} bytes)")


@addin_app.command("install")
@user_errors
def addin_install() -> None:
    """Build the add-in and install it into Excel's XLSTART folder (Windows and macOS)."""
    from addin.xlam.install import install

    for line in install():
        console.print(line, highlight=False)


FORCE_HELP = (
    "Replace a workbook with unpushed changes (or a file that is not a review workbook); "
    "the old file is kept as <name>.<timestamp>.xlsx."
)


class MeasureChoice(StrEnum):
    quantity = "quantity"
    revenue = "revenue"


class ForecastModel(StrEnum):
    standard = "standard"
    aaf = "aaf"


@app.command("pull")
@user_errors
def pull(
    rep: Annotated[
        str,
        typer.Option("--rep", metavar="USER", help="The rep whose accounts to pull (username)."),
    ],
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="FILE", help="Workbook to write (.xlsx).")
    ],
    org: Annotated[
        str, typer.Option("--org", metavar="ORG", help="Local org file or org alias.")
    ] = str(DEFAULT_ORG),
    horizon: Annotated[int, typer.Option(min=1, max=36, help="Months ahead.")] = 18,
    history: Annotated[int, typer.Option(min=0, max=24, help="Past months shown.")] = 3,
    measure: Annotated[MeasureChoice, typer.Option(help="Forecast measure.")] = (
        MeasureChoice.quantity
    ),
    team: Annotated[
        bool, typer.Option("--team", help="Add the reps who report to --rep (a planner's region).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Pull a rep's (or with --team a planner's region's) forecast into a review workbook."""
    from addin.review.pull import check_workbook_path, pull_review
    from sync.orgs.registry import open_org, org_profile

    check_workbook_path(out)
    with console.status("Pulling") as status:
        opened = open_org(org)
        pulled = pull_review(
            opened,
            rep,
            out,
            horizon=horizon,
            history=history,
            profile=org_profile(opened, org, measure.value),
            progress=status.update,
            include_team=team,
            force=force,
        )
    _print_pulled(pulled)


@app.command("demo")
@user_errors
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", metavar="DIR", help="Where the demo org and workbook go.")
    ] = Path("demo"),
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    model: Annotated[
        ForecastModel,
        typer.Option(
            help="Forecasting data model of a new demo org: standard Account Forecasting or "
            "Advanced Account Forecasting (aaf)."
        ),
    ] = ForecastModel.standard,
) -> None:
    """Create the local demo org (if absent) and pull the demo rep's review workbook."""
    from addin.gather.demo import demo_steps, write_demo_files
    from addin.review.pull import pull_review
    from sync.localorg.demo.org import DEMO_REP, create_demo_org
    from sync.localorg.store import is_current_local_org
    from sync.orgs.registry import open_org, org_profile

    org_path = directory / "org.sqlite"
    with console.status("Preparing the demo") as status:
        if org_path.exists() and not is_current_local_org(org_path):
            aside = org_path.with_name(f"org-outdated-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite")
            org_path.rename(aside)
            console.print(
                f"The demo org was built by another version of demandgrid; set aside as {aside}."
            )
        if not org_path.exists():
            status.update(f"Building the demo org at {org_path}")
            create_demo_org(org_path, model=model.value)
        out = directory / f"{DEMO_REP.split('@')[0]}-review.xlsx"
        opened = open_org(org_path)
        pulled = pull_review(
            opened,
            DEMO_REP,
            out,
            profile=org_profile(opened, org_path),
            progress=status.update,
            force=force,
        )
        status.update("Writing the Phase 1 files (ERP extract, distributor POS)")
        gathered = write_demo_files(opened, directory)  # issue 13 A
    _print_pulled(pulled)
    console.print(
        "\n[bold]Next:[/]\n"
        f"{_activate_hint()}"
        "  1. Open the workbook in Excel or LibreOffice and change a yellow Adjusted cell.\n"
        "     It turns red until its row has a reason code and a note, then orange.\n"
        "  2. List every problem, by sheet and cell:\n"
        f"       [cyan]demandgrid check {out}[/]\n"
        "  3. See what would be sent, then send it (a receipt lands in the workbook):\n"
        f"       [cyan]demandgrid push {out} --dry-run[/]\n"
        f"       [cyan]demandgrid push {out}[/]\n"
        f"  The org is the local file {org_path}.",
        highlight=False,
        soft_wrap=True,
    )
    console.print(demo_steps(gathered, org_path, out), highlight=False, soft_wrap=True)
    from addin.cli.handoff import demo_handoff  # issue 13: supply and allocation files

    demo_handoff(org_path, directory)


def _activate_hint() -> str:
    """When ``make demo`` ran us from ``.venv/bin``, the commands below need it on the PATH."""
    if shutil.which("demandgrid"):
        return ""
    venv = Path(sys.prefix)
    if venv.resolve() == (Path.cwd() / venv.name).resolve():
        venv = Path(venv.name)
    return (
        "  0. In this terminal, first (once):\n"
        f"       [cyan]source {venv / 'bin' / 'activate'}[/]\n"
    )


def _print_pulled(pulled: Any) -> None:
    if pulled.kept is not None:
        # soft_wrap: a path is never broken across lines (a narrow terminal, a CI log)
        console.print(
            f"Kept the previous file as [cyan]{pulled.kept}[/]", highlight=False, soft_wrap=True
        )
    console.print(
        f"Pulled [bold]{pulled.rep}[/]'s review workbook: [cyan]{pulled.path}[/]\n"
        f"  {pulled.accounts:,} accounts, {pulled.products:,} account x product rows, "
        f"{pulled.periods} periods\n"
        f"  {pulled.cells:,} forecast cells, {pulled.locked_cells:,} locked "
        f"(read {pulled.query_seconds:.1f} s, written {pulled.write_seconds:.1f} s)",
        highlight=False,
        soft_wrap=True,
    )
    for warning in getattr(pulled, "warnings", ()):
        console.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)


@template_app.command("build")
@user_errors
def template_build(
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Default: workbook_templates/review.xlsx")
    ] = None,
) -> None:
    """Rebuild the review workbook template from the code (addin/review/template.py)."""
    from addin.review.template import REVIEW_TEMPLATE, build_template

    path = build_template(out or REVIEW_TEMPLATE)
    console.print(f"Built {path}", highlight=False)


@app.command("check")
@user_errors
def check_cmd(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The pulled review workbook (.xlsx).")
    ],
    rules: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Rules file ([check] section).")
    ] = None,
) -> None:
    """Check a workbook: list every problem, write the Check sheet, mark the cells."""
    from addin.check.file import check_file
    from addin.check.sheet import report_table

    report = check_file(file, rules)
    console.print(report_table(report) if report.issues else report.summary(), highlight=False)
    if not report.ok:
        raise typer.Exit(1)


class TakeChoice(StrEnum):
    mine = "mine"
    theirs = "theirs"


@app.command("push")
@user_errors
def push_cmd(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The checked review workbook (.xlsx).")
    ],
    org: Annotated[
        str | None,
        typer.Option(metavar="ORG", help="Default: the org the workbook was pulled from."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send nothing.")
    ] = False,
    take: Annotated[
        TakeChoice | None, typer.Option(help="Resolve every conflict: mine or theirs.")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Rules file ([check] section).")
    ] = None,
) -> None:
    """Check, then push a workbook's changed cells to the org, with a receipt."""
    from addin.book.errors import ConflictsFound
    from addin.push.file import push_file
    from addin.push.sheets import receipt_table

    outcome = push_file(file, org, dry_run=dry_run, take=take.value if take else None, rules=rules)
    if outcome.receipt is not None:
        console.print(receipt_table(outcome.receipt))
    console.print(outcome.summary(), highlight=False)
    if outcome.dry_run and outcome.receipt is not None:
        # The exit code the real push would end with: 3 on conflicts, 4 on deleted records.
        outcomes = [c.outcome for c in outcome.receipt.cells]
        if any(o.startswith("conflict") for o in outcomes):
            raise typer.Exit(ConflictsFound.exit_code)
        if any("deleted in the org" in o for o in outcomes):
            raise typer.Exit(4)


@app.command("scenarios")
@user_errors
def scenarios_cmd(
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="FILE", help="Workbook to write (.xlsx).")
    ],
    org: Annotated[
        str, typer.Option("--org", metavar="ORG", help="Local org file or org alias.")
    ] = str(DEFAULT_ORG),
    forecast_set: Annotated[
        str, typer.Option("--set", help="Forecast set (sop, ibp, or one in demandgrid.toml).")
    ] = "ibp",
    region: Annotated[str | None, typer.Option(help="Only this sales region.")] = None,
) -> None:
    """Build the FP&A scenario workbook (committed, upside, downside, prior plan)."""
    from addin.fpa.build import build_scenarios, build_summary
    from sync.orgs.registry import open_org

    with console.status("Reading the plan and building the workbook"):
        path = build_scenarios(open_org(org), out, forecast_set=forecast_set, region=region)
    for line in build_summary(path):
        console.print(line, highlight=False)


@app.command("refresh")
@user_errors
def refresh_cmd(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A review workbook or an FP&A scenario workbook.")
    ],
    org: Annotated[
        str | None,
        typer.Option(
            "--org", metavar="ORG", help="Local org file or org alias; default: the workbook's org."
        ),
    ] = None,
) -> None:
    """Bring the org's latest data into a workbook, keeping the user's own work.

    A review workbook gets the org's latest values in its grid, keeping unpushed changes
    (cells changed by you and in the org go to the Conflicts sheet); a scenario workbook gets a new Data table, and its sheets, drivers and formulas
    stay as they are. The ribbon's Refresh does the same on the open workbook.
    """
    from addin.book.lock import hold
    from addin.fpa.refresh import is_scenario_workbook

    if is_scenario_workbook(file):
        from addin.fpa.refresh import refresh_scenarios, report_lines, report_table
        from sync.orgs.registry import open_org

        with console.status("Refreshing the Data table"), hold(file, "refresh"):
            report = refresh_scenarios(file, open_org(org or DEFAULT_ORG))
        console.print(report_table(report))
        for line in report_lines(report):
            console.print(line, highlight=False)
        return

    from addin.push.sheets import write_conflicts
    from addin.review.file import refresh_file

    with console.status("Refreshing") as status:
        done = refresh_file(file, org, progress=status.update, conflicts_sheet=write_conflicts)
    console.print(done.summary(), highlight=False)
