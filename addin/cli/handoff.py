"""``demandgrid export consensus``, ``demandgrid import allocation|supply`` and
``demandgrid upside accept``: the supply review hand-off (Phase 3) and design-win upside.
Thin wrappers over ``addin.handoff``; each prints what it did."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from addin.cli.app import DEFAULT_ORG, PLAIN, app, console, user_errors

export_app = typer.Typer(help="Hand-off files out of the org.", **PLAIN)  # type: ignore[arg-type]
import_app = typer.Typer(help="Hand-off files into the org or a workbook.", **PLAIN)  # type: ignore[arg-type]
upside_app = typer.Typer(help="Design-win upside in a review workbook.", **PLAIN)  # type: ignore[arg-type]
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.add_typer(upside_app, name="upside")

OrgOption = Annotated[
    str, typer.Option("--org", metavar="ORG", help="Local org file or org alias.")
]


@export_app.command("consensus")
@user_errors
def export_consensus_cmd(
    cycle: Annotated[str, typer.Option("--cycle", metavar="YYYY-MM", help="The closed cycle.")],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FILE", help=".csv or .parquet")],
    region: Annotated[
        str | None, typer.Option("--region", help="A region's snapshot (default: all regions).")
    ] = None,
    org: OrgOption = str(DEFAULT_ORG),
) -> None:
    """Write a closed cycle's locked consensus plan (docs/formats/consensus.md)."""
    from addin.handoff.export import export_consensus
    from sync.orgs.registry import open_org

    done = export_consensus(open_org(org), cycle, out, region=region)
    console.print(
        f"Wrote {done.lines:,} plan lines of snapshot {done.snapshot_id} "
        f"(locked {done.locked_at}) to [cyan]{done.path}[/]",
        highlight=False,
        soft_wrap=True,
    )


@import_app.command("supply")
@user_errors
def import_supply_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Supply commitment (.csv/.xlsx).")],
    org: OrgOption = str(DEFAULT_ORG),
) -> None:
    """Load the production commitment by product family and month (SupplyCommitment__c)."""
    from addin.handoff.supply import import_supply
    from sync.orgs.registry import open_org

    done = import_supply(open_org(org), file)
    console.print(
        f"{file.name}: {done.rows:,} rows, {done.created:,} created, {done.updated:,} updated, "
        f"{done.unchanged:,} already so ({done.calls} API write call(s)).",
        highlight=False,
        soft_wrap=True,
    )


@import_app.command("allocation")
@user_errors
def import_allocation_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The allocation (.csv/.xlsx).")],
    planner: Annotated[str, typer.Option("--planner", metavar="USER", help="Planner (username).")],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FILE", help="Workbook (.xlsx).")],
    org: OrgOption = str(DEFAULT_ORG),
    force: Annotated[
        bool, typer.Option("--force", help="Replace a workbook with unpushed changes (kept).")
    ] = False,
) -> None:
    """Turn a supply planner's allocation into a planner's review workbook of noted cuts."""
    from addin.handoff.allocation import import_allocation
    from sync.orgs.registry import open_org

    done = import_allocation(open_org(org), file, planner, out, force=force)
    console.print(
        f"Allocation {escape(done.plan_id)}: {done.cuts:,} cells of {done.accounts:,} accounts "
        f"cut by {done.total_cut:,} in [cyan]{done.path}[/] (sheets Review, Fairness, "
        f"Allocation cuts).\nNext: [cyan]demandgrid check {done.path}[/], then "
        f"[cyan]demandgrid push {done.path}[/]",
        highlight=False,
        soft_wrap=True,
    )


@upside_app.command("accept")
@user_errors
def upside_accept_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The review workbook (.xlsx).")],
    row: Annotated[
        list[int] | None,
        typer.Option("--row", metavar="N", help="A block's Upside or Adjusted row (repeatable)."),
    ] = None,
    cells: Annotated[
        str, typer.Option("--cells", metavar="A1,...", help="Period cells, e.g. J14,K14.")
    ] = "",
) -> None:
    """Add a design win's upside to the Adjusted row as a noted change (reason Design win)."""
    from addin.handoff.upside import accept_upside

    chosen = [c for c in cells.split(",") if c.strip()]
    done = accept_upside(file, rows=row or [], cells=chosen)
    console.print(
        f"Accepted {done.total:,.6g} of design-win upside in {len(done.cells)} cell(s) "
        f"({', '.join(done.cells)}) of [cyan]{file}[/], reason code Design win.\n"
        f"Next: [cyan]demandgrid check {file}[/], then [cyan]demandgrid push {file}[/]",
        highlight=False,
        soft_wrap=True,
    )


def demo_handoff(org_path: Path, directory: Path) -> None:
    """The demo's supply and allocation files, and the hand-off commands to try on them."""
    from sync.cycle.snapshots import list_snapshots
    from sync.handoff.demo import write_demo_files
    from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP
    from sync.orgs.registry import open_org

    org = open_org(org_path)
    supply, allocation = write_demo_files(org, directory, DEMO_PLANNER)
    closed = [h.cycle for h in list_snapshots(org) if h.status == "Closed" and not h.region]
    cycle = closed[-1] if closed else "YYYY-MM"
    workbook = directory / f"{DEMO_REP.split('@')[0]}-review.xlsx"
    upside_row = first_upside_row(workbook) or "N"
    region = directory / "allocation-review.xlsx"
    console.print(
        "\n[bold]Design wins[/]: the grid's Upside rows are won opportunities not yet in the "
        "baseline; take one into the Adjusted row as a noted change:\n"
        f"  [cyan]demandgrid upside accept {workbook} --row {upside_row}[/]\n"
        "[bold]Supply hand-off[/] (Phase 3), on the demo files:\n"
        f"  Load the production commitment:  [cyan]demandgrid import supply {supply} "
        f"--org {org_path}[/]\n"
        f"  Turn the allocation into noted cuts:  [cyan]demandgrid import allocation "
        f"{allocation} --planner {DEMO_PLANNER} -o {region} --org {org_path}[/]\n"
        "  The locked plan of the last closed review:  [cyan]demandgrid export consensus "
        f"--cycle {cycle} -o {directory / f'consensus-{cycle}.csv'} --org {org_path}[/]",
        highlight=False,
        soft_wrap=True,
    )


def first_upside_row(workbook: Path) -> int | None:
    """The sheet row of the review workbook's first Upside row, for the demo's next step."""
    from addin.book.errors import UserError
    from addin.book.xlsx import XlsxBook
    from addin.review import layout
    from addin.review.readback import read_workbook

    try:
        book = XlsxBook.open(workbook)
        reviewed = read_workbook(book)
    except (UserError, OSError):
        return None
    column = reviewed.columns[layout.H_KIND]
    kinds = book.read(
        reviewed.sheet, f"{column}1:{column}{reviewed.heading_row + reviewed.row_count}"
    )
    return next((n for n, (kind,) in enumerate(kinds, start=1) if kind == layout.UPSIDE), None)
