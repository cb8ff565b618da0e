"""A real kill loop: a push in a subprocess, SIGKILLed at a journal step or inside an update
call, then more edits (a revert to the pulled value, a second edit), then push again.

The org must end holding what the workbook shows, each change applied exactly once (counted
in the local org's adjustment history), and the workbook must have nothing left to push.
Five edited cells go in three update calls (the call size is set to 2 in the subprocess).
The default run kills at two telling points; ``-m slow`` kills at every journal step and
before and after every update call's commit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from simple_salesforce import format_soql

from addin.book.xlsx import XlsxBook
from addin.push.workbook import push_workbook
from addin.review import layout
from addin.review.readback import read_workbook
from sync.localorg import LocalOrg
from sync.push.engine import same_value

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import sync.push.calls as calls_module, sync.push.plan as plan_module
    calls_module.UPDATE_LIMIT = plan_module.UPDATE_LIMIT = 2
    from sync.push.journal import Journal
    from sync.localorg import LocalOrg
    from addin.push.workbook import push_workbook
    from addin.book.xlsx import XlsxBook

    workbook, org_file, mode, at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    seen = [0]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if mode == "journal":  # after the at-th journal line is durable
        append = Journal.append
        def killing_append(self, *args, **kwargs):
            append(self, *args, **kwargs)
            seen[0] += 1
            if seen[0] == at:
                die()
        Journal.append = killing_append
    else:  # "before" the at-th update call reaches the org, or "after" it committed
        update = LocalOrg.update
        def killing_update(self, name, records):
            seen[0] += 1
            if seen[0] == at and mode == "before":
                die()
            result = update(self, name, records)
            if seen[0] == at:
                die()
            return result
        LocalOrg.update = killing_update
    push_workbook(XlsxBook.open(workbook), LocalOrg(org_file))
    """
)

# journal lines of an unkilled run: begin, (intent, landed, verified) x 3, stamps, end
JOURNAL_STEPS = 11
UPDATE_CALLS = 3


def _edit(review: ReviewFile, values: dict[str, float]) -> None:
    rows = {}
    for b in {review.block_of(a) for a in values}:
        rows[review.row_cell(layout.H_NOTE, b)] = "Kill loop"
        rows[review.row_cell(layout.H_REASON, b)] = "Promotion"
    review.edit({**rows, **values})


def _period(cell: dict) -> date:  # type: ignore[type-arg]
    return date.fromisoformat(str(cell["period_start"])[:10])


def _cells(path: Path, addresses: list[str]) -> dict[str, dict]:  # type: ignore[type-arg]
    reviewed = read_workbook(XlsxBook.open(path))
    by_address = {reviewed.address(c["row_key"], _period(c)): c for c in reviewed.record.cells}
    return {a: by_address[a] for a in addresses}


def _history(org: LocalOrg, ids: list[str]) -> dict[str, list[float | None]]:
    soql = format_soql(
        "SELECT AccountProdPeriodForecastId, ToValue, CreatedDate FROM AccountForecastAdjustment "
        "WHERE AdjustmentType = 'Quantity' AND AccountProdPeriodForecastId IN {ids}",
        ids=ids,
    )
    rows = sorted(org.query(soql), key=lambda r: r["CreatedDate"])
    found: dict[str, list[float | None]] = {i: [] for i in ids}
    for r in rows:
        found[r["AccountProdPeriodForecastId"]].append(r.get("ToValue"))
    return found


def _one_run(base: Path, org_master: Path, workbook_master: Path, mode: str, at: int) -> dict:  # type: ignore[type-arg]
    """Kill the push at (mode, at), edit, push again; return what was found."""
    run = base / f"{mode}-{at}"
    run.mkdir()
    org_file, workbook = run / "org.sqlite", run / "review.xlsx"
    shutil.copyfile(org_master, org_file)
    shutil.copyfile(workbook_master, workbook)
    review = ReviewFile(workbook)
    addresses = [a for _, a in review.open_cells[:5]]
    pulled = _cells(workbook, addresses)
    shown = {
        a: float(c["adjusted"] if c.get("adjusted") is not None else c["baseline"])
        for a, c in pulled.items()
    }
    ids = [pulled[a]["record_id"] for a in addresses]
    with LocalOrg(org_file) as org:
        history_before = _history(org, ids)
    first = {a: shown[a] + 10 + k for k, a in enumerate(addresses)}
    _edit(review, first)

    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT, str(workbook), str(org_file), mode, str(at)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    killed = done.returncode == -signal.SIGKILL
    assert killed or done.returncode == 0, done.stderr[-2000:]

    # The rep goes on: reverts the first cell to the pulled value, edits the second again.
    second = dict(first)
    second[addresses[0]] = shown[addresses[0]]
    second[addresses[1]] = shown[addresses[1]] + 99
    ReviewFile(workbook).edit({a: second[a] for a in addresses[:2]})
    with LocalOrg(org_file) as org:
        push_workbook(XlsxBook.open(workbook), org)
        after = {
            r["Id"]: r
            for r in org.query(
                format_soql(
                    "SELECT Id, AdjustedForecastedQuantity, ForecastedQuantity "
                    "FROM AccountProductPeriodForecast WHERE Id IN {ids}",
                    ids=ids,
                )
            )
        }
        history = _history(org, ids)
    lost, double = [], []
    for a, rid in zip(addresses, ids, strict=True):
        r = after[rid]
        holds = r["AdjustedForecastedQuantity"]
        holds = r["ForecastedQuantity"] if holds is None else holds
        if not same_value(holds, second[a]):
            lost.append(f"{a}: org shows {holds}, workbook {second[a]}")
        new_rows = history[rid][len(history_before[rid]) :]
        for value in {first[a], second[a]} - {shown[a]}:
            if sum(same_value(v, value) for v in new_rows) > 1:
                double.append(f"{a}: {value} applied {new_rows}")
    left = read_workbook(XlsxBook.open(workbook)).edits
    return {"killed": killed, "lost": lost, "double": double, "left": [e.cell for e in left]}


@pytest.fixture
def masters(org_file: Path, tmp_path: Path) -> tuple[Path, Path]:
    workbook = tmp_path / "master.xlsx"
    with LocalOrg(org_file) as org:
        pull_review_file(org, workbook)
    return org_file, workbook


def _loop(tmp_path: Path, masters: tuple[Path, Path], points: list[tuple[str, int]]) -> dict:  # type: ignore[type-arg]
    runs, killed, lost, double, left = 0, 0, [], [], []
    for mode, at in points:
        found = _one_run(tmp_path, *masters, mode, at)
        runs += 1
        killed += found["killed"]
        lost += [f"{mode} {at}: {x}" for x in found["lost"]]
        double += [f"{mode} {at}: {x}" for x in found["double"]]
        left += [f"{mode} {at}: {x}" for x in found["left"]]
    print(
        f"\nkill loop: {runs} runs ({killed} killed), lost edits: {len(lost)}, "
        f"double applies: {len(double)}, cells left to push: {len(left)}"
    )
    assert killed == runs, "a kill point was never reached: the loop proved nothing"
    assert (lost, double, left) == ([], [], [])
    return {"runs": runs, "killed": killed}


def test_a_push_killed_then_edited_and_rerun_loses_nothing_and_applies_once(
    tmp_path: Path, masters: tuple[Path, Path]
) -> None:
    # Inside call 3 after the org committed (its answer lost); at the journal's end line, just
    # before the workbook's save (every call landed, the workbook knows nothing of it).
    points = [("after", 3), ("journal", JOURNAL_STEPS)]
    result = _loop(tmp_path, masters, points)
    assert result["killed"] == len(points)


@pytest.mark.slow
def test_a_push_killed_at_every_step_loses_nothing_and_applies_once(
    tmp_path: Path, masters: tuple[Path, Path]
) -> None:
    points = [("journal", n) for n in range(1, JOURNAL_STEPS + 1)]
    points += [(mode, n) for mode in ("before", "after") for n in range(1, UPDATE_CALLS + 1)]
    result = _loop(tmp_path, masters, points)
    assert result["killed"] == len(points)
