"""The demo's supply and allocation files: the same bytes from the same org on every backend,
and each loads cleanly through its command's library call."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin.handoff.allocation import import_allocation
from addin.handoff.supply import import_supply
from sync.handoff.demo import write_demo_files
from sync.localorg.demo.org import DEMO_PLANNER


@pytest.mark.slow_over_https  # 4 s over HTTPS
def test_demo_files_are_deterministic_and_load(org, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    supply, allocation = write_demo_files(org, tmp_path / "a", DEMO_PLANNER)
    again = write_demo_files(org, tmp_path / "b", DEMO_PLANNER)
    assert supply.read_bytes() == again[0].read_bytes()
    assert allocation.read_bytes() == again[1].read_bytes()

    loaded = import_supply(org, supply)
    assert loaded.created == loaded.rows > 0
    done = import_allocation(
        org, allocation, DEMO_PLANNER, tmp_path / "alloc.xlsx", horizon=8, history=0
    )
    assert done.cuts == 4 and done.plan_id == "ALLOC-DEMO-1"
