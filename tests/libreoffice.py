"""Test-side access to LibreOffice, the real spreadsheet application on these machines.

UNO scripts live in ``tests/uno/`` and run under the system python3 (python3-uno); each
starts its own private headless soffice, so tests may run them concurrently. ``Office`` keeps
one soffice for a whole test session (``tests/uno/serve.py``) and edits, saves and reads
workbooks through it: the fixture ``libreoffice`` (``conftest_libreoffice``) hands it out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

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


class Office:
    """One headless LibreOffice serving edit/read requests (``tests/uno/serve.py``)."""

    def __init__(self, timeout: float = 120) -> None:
        self._timeout = timeout
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(UNO_DIR / "serve.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=UNO_DIR,
        )
        self._answer()  # "ready": soffice is up

    def _answer(self) -> Any:
        assert self._proc.stdout is not None
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self._proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(self._timeout)
        if not result or not result[0]:
            self.close()
            raise AssertionError("LibreOffice (tests/uno/serve.py) did not answer")
        message = json.loads(result[0])
        if not message["ok"]:
            raise AssertionError(f"LibreOffice failed:\n{message['error']}")
        return message["result"]

    def _ask(self, **request: Any) -> Any:
        with self._lock:
            assert self._proc.stdin is not None
            self._proc.stdin.write(json.dumps(request, default=str) + "\n")
            self._proc.stdin.flush()
            return self._answer()

    def edit(self, src: Path, edits: dict[str, Any] | None = None, out: Path | None = None) -> Path:
        """Open ``src``, make ``edits`` (see ``tests/uno/edit_review.py``), recalculate and save
        as .xlsx to ``out`` (default: over ``src``, as a rep pressing Save would)."""
        target = out or src
        self._ask(op="edit", src=str(src), out=str(target), edits=edits or {})
        return target

    def save(self, src: Path) -> Path:
        """Open ``src`` and save it again, unchanged, through LibreOffice."""
        return self.edit(src)

    def read(self, src: Path, cells: list[str]) -> dict[str, dict[str, Any]]:
        """Recalculated ``{"value", "string", "formula"}`` of each ``Sheet!A1`` in ``cells``."""
        return self._ask(op="read", src=str(src), cells=cells)

    def pdf(self, src: Path, out: Path) -> Path:
        """Every visible sheet of ``src``, recalculated, printed to the PDF ``out`` as its print
        setup says (print areas, fit to width, repeated headings)."""
        self._ask(op="pdf", src=str(src), out=str(out))
        return out

    def colors(self, src: Path, ref: str, workdir: Path) -> dict[tuple[int, int, int], int]:
        """Pixel count of each colour of ``ref`` (``Sheet!A1:B2``) as LibreOffice draws it
        (recalculated, conditional formats applied): printed to PDF, rasterised by pdftoppm."""
        pdf = workdir / f"render-{ref.replace('!', '_').replace(':', '_')}.pdf"
        self._ask(op="render", src=str(src), out=str(pdf), range=ref)
        subprocess.run(
            ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))],
            check=True,
            capture_output=True,
            timeout=60,
        )
        (ppm,) = pdf.parent.glob(pdf.stem + "*.ppm")
        return _ppm_colors(ppm.read_bytes())

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self._proc.stdin.close()
                self._proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()


def _ppm_colors(data: bytes) -> dict[tuple[int, int, int], int]:
    """Colour -> pixel count of a binary PPM (P6, 8 bits) image."""
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:  # magic, width, height, maxval; comments start with #
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    pixels = data[pos + 1 :]
    counts: dict[tuple[int, int, int], int] = {}
    for i in range(0, len(pixels) - 2, 3):
        rgb = (pixels[i], pixels[i + 1], pixels[i + 2])
        counts[rgb] = counts.get(rgb, 0) + 1
    return counts
