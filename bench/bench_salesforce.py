"""Salesforce backend through the HTTPS test server, beside the local backend in the same run.

1. Pull (``sync.pull.cells.pull_cells``) and push (``sync.push.engine.push``): wall time and API calls for
   one rep (~3,000 cells) and a planner's region (54,000 cells), on the local org directly and
   through simple-salesforce + the test server in front of a copy of the same org.
2. The naive way a script would write 1,000 changed cells (one simple-salesforce
   ``sf.AccountProductPeriodForecast.update(id, {...})`` per record) against the batched way
   (one Composite call of five sObject Collections): calls and time, as ratios.

Call counts do not vary between runs; times are for information, never asserted. The orgs come
from ``build/bench/`` (built once a day by the pull benchmark's cache); writes go to scratch copies.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sync.org.mapping import STANDARD
from sync.org.seam import UPDATE_LIMIT, Org

NAIVE_CELLS = 1_000


class _ServerTokens:
    """Access tokens straight from the test server (no keychain in a benchmark)."""

    def __init__(self, server: Any) -> None:
        self.instance_url = server.url
        self._server = server

    def access_token(self) -> str:
        return self._server.issue_access_token()

    def refresh(self) -> str:
        return self._server.issue_access_token()


def _salesforce(server: Any) -> Org:
    from sync.salesforce.backend import SalesforceOrg

    return SalesforceOrg(server.url, _ServerTokens(server), verify=str(server.ca_pem))


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    answer = fn(*args, **kwargs)
    return answer, time.perf_counter() - started


def _row(scope: str, action: str, backend: str, cells: int, calls: Any, seconds: float) -> None:
    print(
        f"   {scope:>6} {action:<5} {backend:<10} {cells:>7,} {calls.query:>7} {calls.update:>7} "
        f"{calls.total:>6} {seconds:>8.2f}",
        flush=True,
    )


def _pull_and_push(scope: str, source: Path, rep: str, team: bool, push_cells: int) -> None:
    from bench.bench_push import changes_for
    from sync.localorg import LocalOrg
    from sync.org.seam import CallCounter
    from sync.pull.cells import pull_cells
    from sync.push.engine import push
    from tests.sfserver.server import SalesforceServer

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
                org.identity()  # sign-in and who-am-I: once per session, not per pull
            try:
                org.calls = CallCounter()
                pulled, seconds = _timed(pull_cells, org, rep, include_team=team)
                _row(scope, "pull", backend, len(pulled.frame), org.calls, seconds)
                changes = changes_for(org, push_cells, value=4_242.0)
                org.calls = CallCounter()
                receipt, seconds = _timed(push, org, changes)
                assert len(receipt.cells) == len(changes)
                _row(scope, "push", backend, len(changes), org.calls, seconds)
            finally:
                if server is not None:
                    server.stop()
                else:
                    org.close()


def _naive_vs_batched(source: Path) -> None:
    from bench.bench_push import changes_for
    from sync.localorg import LocalOrg
    from tests.sfserver.server import SalesforceServer

    with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
        path = Path(scratch) / "naive.sqlite"
        shutil.copyfile(source, path)
        with SalesforceServer(lambda: LocalOrg(path)) as server:
            org: Any = _salesforce(server)
            cells = [c.record_id for c in changes_for(org, 2 * NAIVE_CELLS, value=1.0)]
            naive_ids, batched_ids = cells[:NAIVE_CELLS], cells[NAIVE_CELLS:]
            sf = org._sf  # the same simple-salesforce client, used the way a script would
            handler = getattr(sf, STANDARD.cell_object)
            before = server.api_calls()
            _, naive_s = _timed(
                lambda: [
                    handler.update(i, {STANDARD.adjusted: 321.0, STANDARD.note: "naive"})
                    for i in naive_ids
                ]
            )
            naive_calls = server.api_calls() - before
            records = [
                {"Id": i, STANDARD.adjusted: 321.0, STANDARD.note: "batched"} for i in batched_ids
            ]
            before = server.api_calls()
            _, batched_s = _timed(lambda: org.update(STANDARD.cell_object, records))
            batched_calls = server.api_calls() - before
    print(
        f"   {NAIVE_CELLS:,} changed cells: naive {naive_calls:,} calls in {naive_s:.2f} s; "
        f"batched {batched_calls} call in {batched_s:.2f} s -> "
        f"{naive_calls / batched_calls:,.0f}x the calls, {naive_s / batched_s:,.1f}x the time",
        flush=True,
    )


def run() -> None:
    from bench.bench_pull import cached_org
    from sync.localorg.demo.org import DEMO_PLANNER, DEMO_REP

    print(
        f"   {'scope':>6} {'what':<5} {'backend':<10} {'cells':>7} {'queries':>7} {'updates':>7} "
        f"{'calls':>6} {'wall s':>8}"
    )
    _pull_and_push("3k", cached_org("demo"), DEMO_REP, False, 3_000)
    _pull_and_push("54k", cached_org("region"), DEMO_PLANNER, True, 54_000)
    print(
        f"   (push: every changeable cell up to the scope's size; updates = ceil(cells / "
        f"{UPDATE_LIMIT:,}) Composite calls of 5 x 200-record Collections)"
    )
    _naive_vs_batched(cached_org("demo"))


if __name__ == "__main__":
    run()
