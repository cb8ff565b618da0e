"""Phase 1 data gathering on the command line: ``load actuals``, ``pos template``,
``pos import``, ``pos coverage``. Thin wrappers over ``addin.gather``; each prints what it did
and what differs, and exits non-zero when rows were refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The ERP extract (.csv or .xlsx).")
    ],
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
        bool, typer.Option("--skip-refused", help="Load the good rows; list and leave out the rest.")
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Settings ([actuals] column names); default demandgrid.toml."),
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
