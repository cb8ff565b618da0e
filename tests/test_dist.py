"""`make dist`'s wheel carries what an install on the Excel machine needs: every package, the
add-in's VBA and ribbon sources, and the `demandgrid` command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_holds_the_packages_the_addin_sources_and_the_command(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("demandgrid-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        entry_points = next(z.read(n) for n in names if n.endswith("entry_points.txt")).decode()
    assert {"addin/xlam/vba/DemandReview.bas", "addin/xlam/vba/customUI.xml"} <= names
    packages = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("[as][dy][dn]*/**/__init__.py")}
    assert packages <= names, f"missing from the wheel: {sorted(packages - names)}"
    assert "demandgrid = addin.cli.main:app" in entry_points
