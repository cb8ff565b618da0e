"""The enterprise size (issue 16): a 500,000-cell planner view pulled in a process of its own
under the 1.5 GB memory aim, and 50,000 changed cells pushed in the minimum 50 all-or-none update
calls. Slow (the org alone takes about a minute to build); times are the bench's, not asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sync.localorg.demo.org import SIZES

PEAK_MB = 1_536

# Peak memory from VmHWM: ru_maxrss would start at the (big) test process's size at the fork.
_PULL = """
import json, sys
from pathlib import Path
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_PLANNER
from sync.pull.cells import pull_cells
def peak_mb():
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
cells = pull_cells(LocalOrg(sys.argv[1]), DEMO_PLANNER, include_team=True)
print(json.dumps({"cells": len(cells.frame), "empty_names": int((cells.frame.account_name == "").sum()),
                  "peak_mb": peak_mb()}))
"""


@pytest.fixture(scope="module")
def enterprise_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sync.localorg.demo.org import create_demo_org

    return create_demo_org(tmp_path_factory.mktemp("enterprise") / "org.sqlite", size="enterprise")


def test_the_enterprise_size_is_a_business_unit_under_one_planner():
    assert SIZES["enterprise"].reps * 150 * 21 == 504_000  # cells in a default pull
    assert SIZES["enterprise"].planners == 1


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="VmHWM in /proc/self/status is Linux's")
def test_a_500k_cell_pull_stays_under_the_memory_aim(enterprise_org):
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _PULL, str(enterprise_org)],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["cells"] == 504_000 and answer["empty_names"] == 0
    assert answer["peak_mb"] < PEAK_MB


@pytest.mark.slow
def test_50000_changed_cells_go_in_50_all_or_none_calls(enterprise_org):
    from bench.bench_push import changes_for
    from sync.localorg import LocalOrg
    from sync.org.mapping import STANDARD
    from sync.push.engine import push

    with LocalOrg(enterprise_org) as org:
        changes = changes_for(org, 50_000, value=4_321.0)
        receipt = push(org, changes)
        assert len(changes) == 50_000 and len(receipt.cells) == 50_000
        assert receipt.update_calls == 50
        sample = [c.record_id for c in changes[::5_000]]
        ids = ", ".join(f"'{i}'" for i in sample)
        soql = f"SELECT {STANDARD.adjusted} FROM {STANDARD.cell_object} WHERE Id IN ({ids})"  # noqa: S608
        assert [r[STANDARD.adjusted] for r in org.query(soql)] == [4_321.0] * len(sample)
