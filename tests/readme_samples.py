"""The README's sample sessions, run for real: `make readme` writes their output into README.md
through cog, and `tests/test_readme.py` fails when the CLI's output and the README drift apart.

All blocks of one cog run share one fresh folder, as a reader following the README would: the
first block runs `demandgrid demo` there, later blocks work on its org and workbook. What a
rep does in Excel (typing values, notes, reason codes) and what a colleague does in the org
happens here between the blocks, out of sight, through openpyxl and the org interface.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest_checkpush import ReviewFile

BIN = Path(sys.executable).parent
WORKBOOK = "demo/jordan.reyes-review.xlsx"
#: Rich wraps at the terminal's width; the README shows a 120-column terminal.
#: The environment is active, as the README asks (so `demo` prints no reminder to activate it).
ENV = {
    **os.environ,
    "COLUMNS": "120",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
}

_session: Path | None = None


def session() -> Path:
    """The folder all blocks of this run share."""
    global _session
    if _session is None:
        _session = Path(tempfile.mkdtemp(prefix="demandgrid-readme-"))
    return _session


def run(command: str, comment: str = "") -> str:
    """Run ``command`` (a `demandgrid ...` line, as typed) in the session; return it and its
    output as a terminal shows them."""
    argv = shlex.split(command)
    argv[0] = str(BIN / argv[0])
    done = subprocess.run(argv, cwd=session(), env=ENV, capture_output=True, text=True)
    shown = f"$ {command}" + (f"  # {comment}" if comment else "")
    out = "\n".join(line.rstrip() for line in (done.stdout + done.stderr).rstrip().splitlines())
    return shown + ("\n" + out if out else "")


def block(*commands: str | tuple[str, str]) -> str:
    """A ```text block of commands and their output."""
    parts = [run(*c) if isinstance(c, tuple) else run(c) for c in commands]
    return "```text\n" + "\n".join(parts) + "\n```\n"


def _review() -> ReviewFile:
    return ReviewFile(session() / WORKBOOK)


def _shown(address: str) -> float:
    import openpyxl

    return float(openpyxl.load_workbook(session() / WORKBOOK)["Review"][address].value or 0)


def rep_edits_with_problems() -> None:
    """Three changes as a rep types them: one as text, two without a reason code or note."""
    r = _review()
    down, up = r.open_cell(1, 0), r.open_cell(2, 2)
    r.edit(
        {r.open_cell(0, 1): "lots", down: round(_shown(down) * 0.9), up: round(_shown(up) * 1.2)}
    )


def rep_fixes_them() -> None:
    """The rep types a number, and a reason code and note on each changed row."""
    from addin.review import layout

    r = _review()
    fixes: dict[str, object] = {r.open_cell(0, 1): 480}
    for (block, nth), (reason, note) in {
        (0, 1): (layout.REASON_CODES[0], "Q1 promotion confirmed with buyer"),
        (1, 0): (layout.REASON_CODES[1], "Line 2 retooling in December"),
        (2, 2): (layout.REASON_CODES[0], "New plant ramps up in February"),
    }.items():
        row_block = r.block_of(r.open_cell(block, nth))
        fixes[r.row_cell(layout.H_REASON, row_block)] = reason
        fixes[r.row_cell(layout.H_NOTE, row_block)] = note
    r.edit(fixes)


def colleague_and_rep_change_one_cell() -> None:
    """The rep changes a cell that a planner changes in the org at the same time."""
    from addin.book.xlsx import XlsxBook
    from addin.review import layout
    from addin.review.readback import read_workbook
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_PLANNER

    r = _review()
    address = r.open_cell(3, 0)
    row_block = r.block_of(address)
    r.edit(
        {
            address: 950,
            r.row_cell(layout.H_REASON, row_block): layout.REASON_CODES[0],
            r.row_cell(layout.H_NOTE, row_block): "Buyer confirmed the spring order",
        }
    )
    (change,) = [c for c in read_workbook(XlsxBook.open(r.path)).changes if c.cell == address]
    planner = LocalOrg(session() / "demo/org.sqlite", username=DEMO_PLANNER)
    planner.update(
        "AccountProductPeriodForecast",
        [
            {
                "Id": change.record_id,
                "AdjustedForecastedQuantity": 910,
                "AdjustmentComments": "[Allocation] Supply review cut",
            }
        ],
    )


#: The demo org follows today's date, so a sample's months, figures and the widths and wrapping
#: of its tables change from month to month. What must not drift is the CLI's wording: the
#: README and a fresh run are compared as the sorted words of their text, with month names,
#: push ids and temporary paths as placeholders.
MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
PUSH_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")
TMP = re.compile(r"/tmp/\S+")


def normalized(text: str) -> list[str]:
    for pattern, placeholder in ((PUSH_ID, "PUSHID"), (TMP, "TMPPATH"), (MONTH, "MONTH")):
        text = pattern.sub(placeholder, text)
    return sorted(re.findall(r"[^\W\d_]+", text))
