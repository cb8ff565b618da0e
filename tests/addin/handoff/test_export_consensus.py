"""``export consensus``: the locked plan of a closed cycle, byte-identical on rerun, sums exact
per product and period, refused without a closed snapshot (both backends via ``org``)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_handoff import CYCLE, SNAPSHOT_ID, snapshot_lines, write_snapshot

from addin.handoff.export import export_consensus
from addin.handoff.files import FileRefused
from sync.handoff.consensus import (
    CONSENSUS_COLUMNS,
    NoClosedSnapshot,
    SnapshotChanged,
    SnapshotIncomplete,
)
from sync.localorg.demo.names import TEXT_SAFETY_ACCOUNT


def sums(rows) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:  # type: ignore[no-untyped-def]
    out: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for product, period, quantity, revenue in rows:
        out[(product, period)][0] += quantity
        out[(product, period)][1] += revenue
    return {k: (v[0], v[1]) for k, v in out.items()}


def test_csv_is_byte_identical_on_rerun_and_sums_exactly(org, closed_cycle, tmp_path: Path) -> None:
    first = export_consensus(org, CYCLE, tmp_path / "a.csv")
    export_consensus(org, CYCLE, tmp_path / "b.csv")
    data = (tmp_path / "a.csv").read_bytes()
    assert data == (tmp_path / "b.csv").read_bytes()
    assert first.lines == len(closed_cycle) and first.snapshot_id == SNAPSHOT_ID
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert tuple(rows[0]) == CONSENSUS_COLUMNS
    assert {r["locked_at"] for r in rows} == {"2026-11-27T17:00:00Z"}
    assert TEXT_SAFETY_ACCOUNT in {r["account_name"] for r in rows}  # as the org holds it
    assert all(len(r["revenue"].split(".")[1]) == 2 for r in rows)  # cents, always
    got = sums(
        (r["product_id"], r["period_start"], Decimal(r["quantity"]), Decimal(r["revenue"]))
        for r in rows
    )
    want = sums(
        (x.product_id, x.period_start.isoformat(), x.quantity, x.revenue) for x in closed_cycle
    )
    assert got == want


def test_parquet_is_byte_identical_with_exact_decimals(org, closed_cycle, tmp_path: Path) -> None:
    export_consensus(org, CYCLE, tmp_path / "a.parquet")
    export_consensus(org, CYCLE, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    table = pq.read_table(tmp_path / "a.parquet")
    assert tuple(table.column_names) == CONSENSUS_COLUMNS
    assert str(table.schema.field("quantity").type) == "decimal128(18, 6)"
    rows = zip(
        table.column("product_id").to_pylist(),
        [d.isoformat() for d in table.column("period_start").to_pylist()],
        table.column("quantity").to_pylist(),
        table.column("revenue").to_pylist(),
        strict=True,
    )
    want = sums(
        (x.product_id, x.period_start.isoformat(), x.quantity, x.revenue) for x in closed_cycle
    )
    assert sums(rows) == want


def test_no_closed_snapshot_is_refused(org, tmp_path: Path) -> None:
    with pytest.raises(NoClosedSnapshot, match="Cycle 2030-01 has no plan snapshot.*cycle close"):
        export_consensus(org, "2030-01", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_reopened_and_unfinished_snapshots_are_refused(org, tmp_path: Path) -> None:
    lines = snapshot_lines(org, horizon=1)[:20]
    write_snapshot(org, lines, status="Reopened")
    with pytest.raises(NoClosedSnapshot, match="is Reopened"):
        export_consensus(org, CYCLE, tmp_path / "x.csv")
    write_snapshot(org, lines, line_count=21)
    with pytest.raises(SnapshotIncomplete, match="says it has 21 lines but the org holds 20"):
        export_consensus(org, CYCLE, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_other_file_kinds_are_refused(org, tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match=r"\.csv or \.parquet"):
        export_consensus(org, CYCLE, tmp_path / "x.xlsx")


def test_a_snapshot_changed_after_the_close_is_refused(org, closed_cycle, tmp_path: Path) -> None:
    first = closed_cycle[0]
    key = (
        f"{SNAPSHOT_ID}|{first.account_id[:15]}|{first.product_id[:15]}|{first.period_start:%Y-%m}"
    )
    org.upsert("DemandPlanSnapshot__c", "LineKey__c", [{"LineKey__c": key, "Quantity__c": 1.0}])
    with pytest.raises(SnapshotChanged, match="changed since the review closed.*cycle verify"):
        export_consensus(org, CYCLE, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.slow_over_https  # 5 s over HTTPS
def test_the_demo_close_exports_what_the_cycle_reads(org, tmp_path: Path) -> None:
    """The demo org's own 2026-11 snapshot (written by the cycle's close): its hash checks, and
    the export sums per product and period equal ``sync.cycle``'s reading of the consensus."""
    from sync.cycle.snapshots import read_snapshot

    done = export_consensus(org, "2026-11", tmp_path / "demo.csv")
    frame = read_snapshot(org, "2026-11").frame
    assert done.lines == len(frame) > 10_000
    rows = list(csv.DictReader(io.StringIO((tmp_path / "demo.csv").read_text(encoding="utf-8"))))
    got = sums(
        (r["product_id"], r["period_start"], Decimal(r["quantity"]), Decimal(r["revenue"]))
        for r in rows
    )
    want = sums(
        (p, d.isoformat(), Decimal(repr(q)), Decimal(repr(v)).quantize(Decimal("0.01")))
        for p, d, q, v in zip(
            frame["product_id"],
            frame["period_start"],
            frame["consensus_qty"],
            frame["consensus_rev"],
            strict=True,
        )
    )
    assert got == want
