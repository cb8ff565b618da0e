"""The README's sample sessions are what the CLI prints: regenerate them into a copy of the
README (the same cog run `make readme` does) and compare their words (see
``readme_samples.normalized``). When this fails, run `make readme` and read the diff: either
the CLI changed on purpose (commit the new README) or it regressed."""

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
    # `python -m` from the repo root, as `make readme` runs it: the root comes before tests/ on
    # sys.path, so `addin` is the package, not the tests' folder of that name.
    done = subprocess.run(
        [sys.executable, "-m", "cogapp", "-r", "-I", "tests"]
        + ["-p", "import cog, readme_samples as s", str(copy)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    fresh = copy.read_text()
    assert "Traceback" not in fresh
    assert normalized(fresh) == normalized((ROOT / "README.md").read_text())
