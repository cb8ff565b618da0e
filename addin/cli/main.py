"""The ``demandgrid`` command line: thin wrappers over library calls in ``addin`` and ``sync``.

Each command does argument handling and printing only; the work happens in a function the
Excel ribbon and the tests call too. User mistakes end in a message, never a traceback.
This module puts the app together: importing the command modules registers their commands.
"""

from __future__ import annotations

import sys

from addin.cli import (  # noqa: F401 - importing registers the commands
    commands,
    cycle,  # issue 12: demandgrid cycle
    gather,  # issue 13: load actuals, pos
    handoff,  # issue 13 B: export, import, upside
    orgs,
    planner,  # issue 15: spread, undo
    preread,  # issue 12: demandgrid preread
)
from addin.cli.app import app

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover - console entry point alias
    sys.exit(app())
