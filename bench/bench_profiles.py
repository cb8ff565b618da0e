"""Both data models side by side (issue 14): pull and push on standard Account Forecasting and
on Advanced Account Forecasting, for one rep (~3,000 cells) and a planner's region (54,000
cells), on the local org and through simple-salesforce + the HTTPS test server.

The two orgs tell the same story (``demandgrid demo --model aaf``), so each line of one profile
has its twin on the other: same cells, same changes. Push sends ``PUSH_SHARE`` of the rep's or
region's open cells (a realistic review), with note and reason. Columns: queries, update calls
(each one all-or-none Composite), all calls, wall time (for information, never asserted; the
machine is shared). Where AAF costs more: pull reads the notes (one query: they live on
adjustment records), push reads the measure definition once and the notes beside the values in
the re-read, and an AAF call carries 400 changes (facts and adjustment records in separate collections of
200, five a call).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PUSH_SHARE = 0.1  # share of the open cells a review changes


def cached_aaf_org(size: str) -> Path:
    """The AAF twin of the bench org of this size, built once per day into ``build/bench/``."""
    from bench.bench_pull import BENCH_DIR
    from sync.localorg.demo.org import create_demo_org

    path = BENCH_DIR / f"aaf-{size}-org.sqlite"
    stamp = path.with_suffix(".as_of")
    today = datetime.now(UTC).date()
    if not path.exists() or not stamp.exists() or stamp.read_text() != today.isoformat():
        print(f"   building the {size} AAF org once into {path} ...", flush=True)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        create_demo_org(path, size=size, as_of=today, model="aaf")
        stamp.write_text(today.isoformat())
    return path


def _changes(frame: Any) -> list[Any]:
    from sync.org.records import Change

    free = frame[~frame["locked"]]
    every = max(1, round(1 / PUSH_SHARE))
    picked = free.iloc[::every]
    return [
        Change(c.record_id, "Review", f"H{i + 10}", c.account_name, c.product_name,
               c.period_start, None if c.adjusted != c.adjusted else c.adjusted,
               float(round((c.baseline or 10.0) * 1.1) + 1), "bench", "Other", c.modstamp, c.note)
        for i, c in enumerate(picked.itertuples())
    ]  # fmt: skip


def _row(
    scope: str, profile: str, action: str, backend: str, cells: int, calls: Any, s: float
) -> None:
    print(
        f"   {scope:>6} {profile:<9} {action:<5} {backend:<10} {cells:>7,} {calls.query:>7} "
        f"{calls.update:>7} {calls.total:>6} {s:>8.2f}",
        flush=True,
    )


def _run(scope: str, profile_name: str, source: Path, rep: str, team: bool) -> None:
    from bench.bench_salesforce import _salesforce
    from sync.localorg import LocalOrg
    from sync.org.mapping import profile as mapping_profile
    from sync.org.seam import CallCounter
    from sync.pull.cells import pull_cells
    from sync.push.engine import push
    from tests.sfserver.server import SalesforceServer

    profile = mapping_profile(profile_name)
    with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
        for backend in ("local", "salesforce"):
            path = Path(scratch) / f"{backend}.sqlite"
            shutil.copyfile(source, path)
            server = None
            if backend == "local":
                org: Any = LocalOrg(path)
            else:
                server = SalesforceServer(lambda p=path: LocalOrg(p)).start()
                org = _salesforce(server)
                org.identity()
            try:
                org.calls = CallCounter()
                started = time.perf_counter()
                pulled = pull_cells(org, rep, profile=profile, include_team=team)
                seconds = time.perf_counter() - started
                _row(scope, profile_name, "pull", backend, len(pulled.frame), org.calls, seconds)
                changes = _changes(pulled.frame)
                org.calls = CallCounter()
                started = time.perf_counter()
                receipt = push(org, changes, profile=profile)
                seconds = time.perf_counter() - started
                assert {c.outcome for c in receipt.cells} == {"written"}
                _row(scope, profile_name, "push", backend, len(changes), org.calls, seconds)
            finally:
                if server is not None:
                    server.stop()
                else:
                    org.close()


def run() -> None:
    from bench.bench_pull import cached_org
    from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP

    print(
        f"   {'scope':>6} {'profile':<9} {'what':<5} {'backend':<10} {'cells':>7} {'queries':>7} "
        f"{'updates':>7} {'calls':>6} {'wall s':>8}"
    )
    for scope, size, rep, team in (("rep", "demo", DEMO_REP, False),
                                   ("region", "region", DEMO_PLANNER, True)):  # fmt: skip
        _run(scope, "standard", cached_org(size), rep, team)
        _run(scope, "aaf", cached_aaf_org(size), rep, team)
    print(f"   (push: {PUSH_SHARE:.0%} of the open cells, every one with a note and reason code)")


if __name__ == "__main__":
    run()
