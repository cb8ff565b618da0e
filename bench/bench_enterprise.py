"""Enterprise scale (issue 16): a 500,000-cell planner view and Bulk API 2.0 reads.

1. The ``enterprise`` demo org (160 reps under one planner: 504,000 cells in a default pull of 18
   months ahead and 3 back), built once a day into ``build/bench/`` (a few minutes). Each step
   runs in its own process so its peak memory (``VmHWM``) is its own: the org pull, pull to
   workbook (``demandgrid pull --team``: pull, locks, Phase 1 data, writer, save), check (open + read back + every rule, on the
   pulled workbook as saved: no edits, since editing 500,000 cells with openpyxl alone takes
   minutes) and a push of 50,000 changed cells (aim: 50 all-or-none update calls).
   Aims: pull and check each under 30 s on 2 cores, peak memory under 1.5 GB. CPU seconds are
   printed beside wall time: on a machine shared with other work they are the steadier figure.
2. Bulk API 2.0 against REST through simple-salesforce and the HTTPS test server: a planner's
   region (63,000 cells) pulled with the Bulk threshold off and at its default
   (``sync.salesforce.bulk.BULK_THRESHOLD``), then the enterprise pull over Bulk: API calls by
   kind, wall time, peak memory (the server and its org run in the same process: counted too).

``python -m bench enterprise`` runs this section alone (``make bench`` runs it too): about 2
minutes of CPU, plus building the org once a day; on a 2-core machine shared with other work the
wall time was 15 to 28 minutes. Times are for information, never asserted; call counts are
exact.
"""

from __future__ import annotations

import json
import math
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path("build/bench")
PUSH_CELLS = 50_000
AIM_SECONDS = 30.0
AIM_MB = 1_536


def _peak_mb() -> float:
    """This process's peak resident memory. On Linux from ``VmHWM``: ``ru_maxrss`` would start
    at the parent's resident size when the process was forked (it survives ``exec``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# ---------------------------------------------------------------- steps (one process each)


def _pull(org_path: Path) -> dict[str, Any]:
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_PLANNER
    from sync.pull.cells import pull_cells

    org = LocalOrg(org_path)
    started = time.perf_counter()
    cells = pull_cells(org, DEMO_PLANNER, include_team=True)
    return {
        "cells": len(cells.frame),
        "seconds": time.perf_counter() - started,
        "queries": org.calls.query,
    }


def _pull_to_workbook(org_path: Path) -> dict[str, Any]:
    """``demandgrid pull --team``: the cells, closed-review locks, what Phase 1 loaded, the
    workbook written and saved."""
    from addin.review.pull import pull_review
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_PLANNER

    org = LocalOrg(org_path)
    out = BENCH_DIR / "review-500k.xlsx"
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    pulled = pull_review(org, DEMO_PLANNER, out, include_team=True)
    done = time.perf_counter()
    return {
        "cells": pulled.cells,
        "seconds": done - started,
        "pull": pulled.query_seconds,
        "write": pulled.write_seconds,
    }


def _check(_org_path: Path) -> dict[str, Any]:
    from addin.book.xlsx import XlsxBook
    from addin.check.rules import check
    from addin.review.readback import read_workbook

    started = time.perf_counter()
    reviewed = read_workbook(XlsxBook.open(BENCH_DIR / "review-500k.xlsx"))
    report = check(reviewed)
    return {
        "cells": len(reviewed.record.cells),
        "seconds": time.perf_counter() - started,
        "issues": len(report.issues),
    }


def _push(org_path: Path) -> dict[str, Any]:
    from bench.bench_push import changes_for
    from sync.localorg import LocalOrg
    from sync.push.engine import push

    scratch = BENCH_DIR / "scratch-push-500k.sqlite"
    shutil.copyfile(org_path, scratch)
    try:
        org = LocalOrg(scratch)
        changes = changes_for(org, PUSH_CELLS, value=4_242.0)
        before = org.calls.total
        started = time.perf_counter()
        receipt = push(org, changes)
        seconds = time.perf_counter() - started
        org.close()
    finally:
        scratch.unlink(missing_ok=True)
    return {
        "cells": len(changes),
        "seconds": seconds,
        "updates": receipt.update_calls,
        "queries": receipt.query_calls,
        "calls": org.calls.total - before,
    }


def _salesforce_pull(org_path: Path, threshold: int | None) -> dict[str, Any]:
    from bench.bench_salesforce import _salesforce
    from sync.localorg import LocalOrg
    from sync.localorg.demo.org import DEMO_PLANNER
    from sync.org.seam import CallCounter
    from sync.pull.cells import pull_cells
    from tests.sfserver.server import SalesforceServer

    with SalesforceServer(lambda: LocalOrg(org_path)) as server:
        org: Any = _salesforce(server)
        if threshold is not None:
            org.bulk_threshold = threshold
        org.identity()
        org.calls = CallCounter()
        before = dict(server.calls)
        started = time.perf_counter()
        cells = pull_cells(org, DEMO_PLANNER, include_team=True)
        seconds = time.perf_counter() - started
        kinds = {k: n - before.get(k, 0) for k, n in server.calls.items() if n - before.get(k, 0)}
    return {"cells": len(cells.frame), "seconds": seconds, "calls": org.calls.total, "kinds": kinds}


def _sf_rest(org_path: Path) -> dict[str, Any]:
    return _salesforce_pull(org_path, 10**12)


def _sf_bulk(org_path: Path) -> dict[str, Any]:
    return _salesforce_pull(org_path, None)


STEPS = {
    "pull": _pull,
    "pull_to_workbook": _pull_to_workbook,
    "check": _check,
    "push": _push,
    "sf_rest": _sf_rest,
    "sf_bulk": _sf_bulk,
}


def _step(name: str, org_path: Path) -> dict[str, Any]:
    """Run one step in a fresh interpreter; its answer and its own peak memory."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_enterprise", name, str(org_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"failed": " / ".join(tail)}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the report


def _current_org(size: str) -> Path:
    """``bench_pull.cached_org(size)``, built anew when the cached file is from another schema."""
    from bench.bench_pull import cached_org
    from sync.localorg import LocalOrg
    from sync.localorg.store import OutdatedLocalOrg

    path = cached_org(size)
    try:
        LocalOrg(path).close()
    except OutdatedLocalOrg:
        path.unlink()
        return cached_org(size)
    return path


def _mark(ok: bool) -> str:
    return "ok" if ok else "OVER"


def run() -> None:
    from sync.salesforce.bulk import BULK_THRESHOLD, RESULTS_PAGE

    enterprise = _current_org("enterprise")
    print(
        f"   500k planner view (aims: pull and check < {AIM_SECONDS:.0f} s, peak < "
        f"{AIM_MB:,} MB; push {PUSH_CELLS:,} cells in {PUSH_CELLS // 1_000} update calls)"
    )
    for name in ("pull", "pull_to_workbook", "check", "push"):
        m = _step(name, enterprise)
        if "failed" in m:
            print(f"   {name:<16} FAILED: {m['failed']}", flush=True)
            continue
        extra = ""
        if name == "pull":
            extra = f"; {m['queries']} queries (pages of 2,000: {math.ceil(m['cells'] / 2000)})"
        if name == "pull_to_workbook":
            extra = f" (pull {m['pull']:.1f} s + write {m['write']:.1f} s)"
        if name == "push":
            extra = (
                f"; {m['updates']} update calls (aim {math.ceil(m['cells'] / 1000)}), "
                f"{m['queries']} queries, {m['calls']} calls in all"
            )
        timed = name in ("pull", "pull_to_workbook", "check")
        verdict = f" [{_mark(m['seconds'] < AIM_SECONDS)}]" if timed else ""
        print(
            f"   {name:<16} {m['cells']:>8,} cells {m['seconds']:>7.1f} s{verdict} (CPU "
            f"{m.get('cpu', 0):.1f} s), peak "
            f"{m['peak_mb']:>6,.0f} MB [{_mark(m['peak_mb'] < AIM_MB)}]{extra}",
            flush=True,
        )
    print(
        f"   Salesforce reads (Bulk API 2.0 above {BULK_THRESHOLD:,} records, result sets of "
        f"{RESULTS_PAGE:,}; server in-process)"
    )
    region = _current_org("region")
    for label, path, step in (
        ("63k REST", region, "sf_rest"),
        ("63k Bulk", region, "sf_bulk"),
        ("500k Bulk", enterprise, "sf_bulk"),
    ):
        m = _step(step, path)
        if "failed" in m:
            print(f"   {label:<10} FAILED: {m['failed']}", flush=True)
            continue
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(m["kinds"].items()))
        print(
            f"   {label:<10} {m['cells']:>8,} cells {m['seconds']:>7.1f} s (CPU {m.get('cpu', 0):.1f} s"
            f" with the server), {m['calls']:>4} API "
            f"calls ({kinds}), peak {m['peak_mb']:,.0f} MB",
            flush=True,
        )


def main(argv: list[str]) -> int:
    name, org_path = argv[0], Path(argv[1])
    cpu = time.process_time()
    answer = STEPS[name](org_path)
    answer["cpu"] = time.process_time() - cpu  # robust to a busy machine, unlike wall time
    answer["peak_mb"] = _peak_mb()
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
