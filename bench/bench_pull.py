"""Pull to workbook: one rep (~3,000 cells) and a planner's region (~54,000 cells at 18 months).

For each, what ``demandgrid pull`` does (``addin.review.pull``): time to read from the local org
(the cells with closed-review locks, Upside rows, ERP actuals and POS) and to write the governed
workbook, the
ratio of the write to the floor (openpyxl writing the same number of bare values into a normal,
not write-only, workbook, in this same run) and to the physical floor (the same package bytes
deflated into a zip at the writer's level: what any writer of this file must do), the write
before (every cell through openpyxl: ``fill_workbook(..., via_openpyxl=True)``) in the same
run, the process's peak memory, and the number of org queries against the pages the cells
alone need (2,000 records a page).

The orgs are built once into ``build/bench/`` (rebuilt when the day changes, since periods move).
The pulled workbooks stay there as ``review-3k.xlsx`` / ``review-54k.xlsx`` for the check and
push benchmarks.
"""

from __future__ import annotations

import math
import resource
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from addin.review.writer import _save, fill_workbook, load_template
from sync.org.seam import QUERY_PAGE

BENCH_DIR = Path("build/bench")


@dataclass
class PullRun:
    label: str
    cells: int
    workbook_cells: int
    query_seconds: float
    write_seconds: float
    before_seconds: float  # the same workbook with every cell through openpyxl
    physical_seconds: float  # the same bytes deflated into a zip
    floor_seconds: float
    cpu_seconds: float  # this process's CPU time for pull-to-workbook (robust to a busy machine)
    write_cpu_seconds: float
    floor_cpu_seconds: float
    queries: int
    pages_needed: int
    peak_mb: float

    @property
    def ratio(self) -> float:
        return self.write_seconds / self.floor_seconds

    @property
    def cpu_ratio(self) -> float:
        return self.write_cpu_seconds / self.floor_cpu_seconds


def cached_org(size: str) -> Path:
    """The local org of this size, built once per day into ``build/bench/``."""
    from sync.localorg.demo.org import create_demo_org

    path = BENCH_DIR / f"pull-{size}-org.sqlite"
    stamp = path.with_suffix(".as_of")
    today = datetime.now(UTC).date()
    if (
        not path.exists()
        or not stamp.exists()
        or stamp.read_text() != today.isoformat()
        or _outdated(path)
    ):
        print(f"   building the {size} org once into {path} ...", flush=True)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        create_demo_org(path, size=size, as_of=today)
        stamp.write_text(today.isoformat())
    return path


def _outdated(path: Path) -> bool:
    """Built by another schema version of the local org (after an upgrade)."""
    from sync.localorg import LocalOrg
    from sync.localorg.store import OutdatedLocalOrg

    try:
        LocalOrg(path)
    except OutdatedLocalOrg:
        path.unlink()
        return True
    return False


def floor_seconds(values: int, columns: int) -> tuple[float, float]:
    """openpyxl writing ``values`` bare numbers (normal workbook), rows of ``columns``:
    (wall seconds, CPU seconds)."""
    started, cpu = time.perf_counter(), time.process_time()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    row = [1234.5] * columns
    for _ in range(values // columns):
        ws.append(row)
    ws.append([1234.5] * (values % columns))
    with tempfile.TemporaryDirectory() as scratch:
        wb.save(Path(scratch) / "floor.xlsx")
    return time.perf_counter() - started, time.process_time() - cpu


def physical_floor(path: Path) -> float:
    """Seconds to deflate the parts of ``path`` (already in memory) into a new zip at the
    writer's level: the least any writer of these bytes does."""
    with zipfile.ZipFile(path) as package:
        parts = [(name, package.read(name)) for name in package.namelist()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "same-bytes.xlsx"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
            for name, data in parts:
                target.writestr(name, data)
    return time.perf_counter() - started


def before_seconds(cells: object, path: Path) -> float:
    """Seconds to write the same workbook with every cell through openpyxl (the writer before
    issue 16), to ``path``."""
    started = time.perf_counter()
    filled = fill_workbook(cells, load_template(), via_openpyxl=True)  # type: ignore[arg-type]
    _save(filled.save, path)
    return time.perf_counter() - started


def count_cells(path: Path) -> int:
    """The cells a workbook file holds, over all its worksheets."""
    with zipfile.ZipFile(path) as package:
        return sum(
            package.read(name).count(b"<c ")
            for name in package.namelist()
            if name.startswith("xl/worksheets/sheet")
        )


def peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure(label: str, org_path: Path, rep: str, *, team: bool) -> PullRun:
    from addin.review.pull import pull_for_review, write_freshness
    from sync.localorg import LocalOrg

    org = LocalOrg(org_path)
    before = org.calls.query
    started, cpu0 = time.perf_counter(), time.process_time()
    pulled = pull_for_review(org, rep, include_team=team)
    cells = pulled.cells
    queried, cpu1 = time.perf_counter(), time.process_time()
    filled = fill_workbook(cells, load_template())
    write_freshness(filled.wb, pulled.freshness)
    grid = filled.grid
    path = _save(filled.save, BENCH_DIR / f"review-{label}.xlsx")
    written, cpu2 = time.perf_counter(), time.process_time()
    workbook_cells = count_cells(path)
    floor, floor_cpu = floor_seconds(workbook_cells, len(grid.headings))
    openpyxl_write = before_seconds(cells, BENCH_DIR / f"review-{label}-before.xlsx")
    return PullRun(
        label=label,
        cells=len(cells.frame),
        workbook_cells=workbook_cells,
        query_seconds=queried - started,
        write_seconds=written - queried,
        before_seconds=openpyxl_write,
        physical_seconds=physical_floor(path),
        floor_seconds=floor,
        cpu_seconds=cpu2 - cpu0,
        write_cpu_seconds=cpu2 - cpu1,
        floor_cpu_seconds=floor_cpu,
        queries=org.calls.query - before,
        pages_needed=math.ceil(len(cells.frame) / QUERY_PAGE),
        peak_mb=peak_mb(),
    )


def report(run: PullRun) -> None:
    total = run.query_seconds + run.write_seconds
    print(
        f"   {run.label:>4}: {run.cells:,} forecast cells -> {run.workbook_cells:,} workbook cells\n"
        f"         pull-to-workbook {total:.2f} s (org query {run.query_seconds:.2f} s, "
        f"write {run.write_seconds:.2f} s; CPU {run.cpu_seconds:.2f} s)\n"
        f"         write / floor = {run.ratio:.2f}x wall, {run.cpu_ratio:.2f}x CPU "
        f"(floor: openpyxl writing "
        f"{run.workbook_cells:,} bare values, {run.floor_seconds:.2f} s, "
        f"CPU {run.floor_cpu_seconds:.2f} s)\n"
        f"         write / physical floor = {run.write_seconds / run.physical_seconds:.1f}x "
        f"(the same bytes deflated into a zip: {run.physical_seconds:.2f} s)\n"
        f"         before (every cell through openpyxl): write {run.before_seconds:.2f} s = "
        f"{run.before_seconds / run.floor_seconds:.2f}x floor; now "
        f"{run.before_seconds / run.write_seconds:.1f}x faster\n"
        f"         org queries {run.queries} (cell pages needed {run.pages_needed}); "
        f"peak RSS so far {run.peak_mb:,.0f} MB",
        flush=True,
    )


def run() -> None:
    from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP

    print("   aims: one rep < 1 s in-process; region write <= 0.5x the floor (issue 16)")
    report(measure("3k", cached_org("demo"), DEMO_REP, team=False))
    report(measure("54k", cached_org("region"), DEMO_PLANNER, team=True))


if __name__ == "__main__":
    run()
