"""The planner's commands: ``spread`` a total over a row's months, ``undo`` a pushed batch.
Thin wrappers over ``addin.spread.workbook.spread_file`` and ``addin.push.undo.undo_file``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from addin.cli.app import app, console, user_errors


class Profile(StrEnum):
    adjusted = "adjusted"
    baseline = "baseline"
    last_year = "last-year"
    equal = "equal"


@app.command("spread")
@user_errors
def spread_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The review workbook (.xlsx).")],
    profile: Annotated[
        Profile,
        typer.Option(help="Split by: the row's adjusted values, baseline, last year, or equally."),
    ] = Profile.adjusted,
    apply: Annotated[
        bool,
        typer.Option("--apply", help="Write the spread into the grid (default: preview only)."),
    ] = False,
    reason: Annotated[
        str, typer.Option(metavar="CODE", help="Reason code for rows that have none.")
    ] = "",
    note: Annotated[
        str,
        typer.Option(
            metavar="TEXT", help="Note for rows that have none (default: says the spread)."
        ),
    ] = "",
) -> None:
    """Spread each New total typed in the grid over its row's open months (or a quarter)."""
    from addin.spread.workbook import spread_file

    outcome = spread_file(file, profile=profile.value, apply=apply, reason=reason, note=note)
    if outcome.rows:
        console.print(_preview_table(outcome))
    console.print(outcome.summary(), highlight=False)


def _preview_table(outcome) -> Table:  # type: ignore[no-untyped-def]
    table = Table(title=f"Spread by {outcome.profile}", title_justify="left")
    for heading in ("Cell", "Account", "Product", "Period", "Old", "New", "Locked"):
        table.add_column(heading, overflow="fold")
    for r in outcome.rows:
        for c in r.cells:
            table.add_row(
                escape(c.cell),
                escape(r.source.account_name),
                escape(r.source.product_name),
                c.period.strftime("%b %Y"),
                "" if c.old is None else f"{c.old:,.6g}",
                "" if c.new is None else f"{c.new:,.6g}",
                escape(c.locked),
            )
    return table


@app.command("undo")
@user_errors
def undo_cmd(
    push_id: Annotated[str, typer.Argument(metavar="PUSH_ID", help="From the Push Log sheet.")],
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The review workbook that made the push.")
    ],
    org: Annotated[
        str | None,
        typer.Option(metavar="ORG", help="Default: the org the workbook was pulled from."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be put back; send nothing.")
    ] = False,
) -> None:
    """Undo a push: put back the values and notes it replaced, as a new push (reason Undo)."""
    from addin.push.sheets import receipt_table
    from addin.push.undo import undo_file

    outcome = undo_file(file, push_id, org, dry_run=dry_run)
    if outcome.receipt is not None:
        console.print(receipt_table(outcome.receipt))
    console.print(outcome.summary(), highlight=False)
