"""The command line's frame: the Typer apps, the consoles, and ``user_errors``, which turns a
user's or an org's error into a message and an exit code, never a traceback.

Commands register themselves on these apps (``addin.cli.commands``, ``addin.cli.orgs``);
``addin.cli.main`` imports them all. Nothing here imports a command module, so there is no
import circle.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from addin.book.errors import UserError
from sync.org.seam import OrgError

# Help is plain text: option names and placeholders as typed, and "[check]" stays as written
# (Rich markup would read it as a style and drop it).
PLAIN = {"no_args_is_help": True, "rich_markup_mode": None}
app = typer.Typer(
    help="Governed Excel demand review on Salesforce Manufacturing Cloud: pull, check, push.",
    add_completion=False,
    pretty_exceptions_enable=False,
    **PLAIN,  # type: ignore[arg-type]
)
org_app = typer.Typer(help="Configured orgs.", **PLAIN)  # type: ignore[arg-type]
addin_app = typer.Typer(help="The Excel add-in (Demand Review ribbon).", **PLAIN)  # type: ignore[arg-type]
template_app = typer.Typer(help="Workbook templates.", **PLAIN)  # type: ignore[arg-type]
app.add_typer(org_app, name="org")
app.add_typer(addin_app, name="addin")
app.add_typer(template_app, name="template")

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_ORG = Path("demo/org.sqlite")


def user_errors(fn: F) -> F:
    """Print a user-facing error as a message and exit with its code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as e:
            err_console.print(f"[bold red]Error:[/] {escape(str(e))}", highlight=False)
            raise typer.Exit(e.exit_code) from None
        except OrgError as e:
            err_console.print(f"[bold red]Org error:[/] {escape(str(e))}", highlight=False)
            raise typer.Exit(4) from None

    return wrapper  # type: ignore[return-value]
