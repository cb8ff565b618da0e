"""``demandgrid preread``: the executive pre-read workbook (and PDF) for a closed cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from addin.cli.app import DEFAULT_ORG, app, console, user_errors


@app.command("preread")
@user_errors
def preread_cmd(
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="FILE", help="Workbook to write (.xlsx).")
    ],
    org: Annotated[
        str, typer.Option("--org", metavar="ORG", help="Local org file or org alias.")
    ] = str(DEFAULT_ORG),
    cycle: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM", help="A closed cycle (default: the latest closed)."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Only this sales region.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also render a PDF (LibreOffice).")] = False,
) -> None:
    """Build the executive pre-read: gap to target, supply, accuracy, FVA, risks, bridge."""
    from addin.preread.build import build_preread, summary_lines
    from sync.orgs.registry import open_org, org_profile

    with console.status("Reading the plan snapshots and building the pre-read"):
        the_org = open_org(org)
        made = build_preread(
            the_org, out, cycle=cycle, region=region, pdf=pdf, profile=org_profile(the_org, org)
        )
    for line in summary_lines(made):
        console.print(line, highlight=False)
