"""Test-side access to LibreOffice, the real spreadsheet application on these machines.

UNO scripts live in ``tests/uno/`` and run under the system python3 (python3-uno); each
starts its own private headless soffice, so tests may run them concurrently.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

UNO_DIR = Path(__file__).parent / "uno"
SYSTEM_PYTHON = "/usr/bin/python3"


def available() -> bool:
    return shutil.which("soffice") is not None


def run_uno(script: str, *args: str | Path, timeout: float = 300) -> str:
    """Run ``tests/uno/<script>`` with the system python; return its stdout."""
    done = subprocess.run(
        [SYSTEM_PYTHON, str(UNO_DIR / script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=UNO_DIR,
    )
    if done.returncode != 0:
        raise AssertionError(f"{script} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def recalc(src: Path, out: Path) -> Path:
    """LibreOffice opens ``src``, recalculates everything and saves ``out`` (.xlsx)."""
    run_uno("recalc.py", src, out)
    return out


def convert(src: Path, outdir: Path, to: str = "pdf") -> Path:
    """``soffice --convert-to`` with a private profile; returns the converted file."""
    profile = outdir / ".lo-profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return outdir / (src.stem + "." + to.split(":")[0])
