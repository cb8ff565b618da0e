"""The README's sample sessions are what the CLI prints: regenerate them into a copy of the
README (the same cog run `make readme` does) and compare, with what changes from run to run
(times, push ids, months, sizes) as placeholders. When this fails, run `make readme` and read
the diff: either the CLI changed on purpose (commit the new README) or it regressed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from readme_samples import normalized

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_shows_what_the_cli_prints(tmp_path: Path) -> None:
    copy = tmp_path / "README.md"
    shutil.copyfile(ROOT / "README.md", copy)
    cog = Path(sys.executable).parent / "cog"
    done = subprocess.run(
        [
            str(cog),
            "-r",
            "-I",
            str(ROOT / "tests"),
            "-p",
            "import cog, readme_samples as s",
            str(copy),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in copy.read_text()
    assert normalized(copy.read_text()) == normalized((ROOT / "README.md").read_text())
