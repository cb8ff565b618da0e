"""``demandgrid export consensus``: the locked consensus plan of a closed cycle -> CSV or Parquet.

The format is documented in ``docs/formats/consensus.md``. Both files are the same bytes on every
run from the same snapshot: lines in a fixed order (``sync.handoff.consensus``), no time of the
run anywhere, CSV with ``\\n`` line ends and plain decimals, Parquet built column by column
(no pandas metadata) with exact decimal types. Written atomically: a failed write leaves the
old file as it was.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from addin.book.atomic import save_beside
from addin.handoff.files import FileRefused
from sync.handoff.consensus import (
    CONSENSUS_COLUMNS,
    QUANTITY_SCALE,
    ConsensusLine,
    ConsensusPlan,
    SnapshotHeader,
    plain,
    read_consensus,
)
from sync.org.seam import Org

FORMATS = (".csv", ".parquet")


@dataclass(frozen=True)
class Exported:
    path: Path
    snapshot_id: str
    locked_at: str
    lines: int


def export_consensus(org: Org, cycle: str, out: Path, *, region: str | None = None) -> Exported:
    """Write ``cycle``'s locked consensus plan to ``out`` (.csv or .parquet)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS or out.is_dir():
        raise FileRefused(
            f"Cannot write the consensus plan to {out}: give a file ending in .csv or .parquet "
            "(for example -o consensus-2026-11.csv)."
        )
    plan = read_consensus(org, cycle, region)
    writer = write_csv if suffix == ".csv" else write_parquet
    save_beside(out, lambda temporary: writer(plan, temporary), keep_previous=False)
    return Exported(out, plan.header.snapshot_id, plan.header.locked_at, len(plan.lines))


def _texts(header: SnapshotHeader, line: ConsensusLine) -> list[str]:
    return [
        header.snapshot_id,
        header.cycle,
        header.locked_at,
        header.region,
        line.account_id,
        line.account_name,
        line.product_id,
        line.sku,
        line.product_name,
        line.product_family,
        line.period_start.isoformat(),
        plain(line.quantity),
        plain(line.revenue),
    ]


def consensus_csv(plan: ConsensusPlan) -> bytes:
    """The plan as CSV bytes: UTF-8, a heading row, ``\\n`` line ends, every field as text."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CONSENSUS_COLUMNS)
    writer.writerows(_texts(plan.header, line) for line in plan.lines)
    return buffer.getvalue().encode("utf-8")


def write_csv(plan: ConsensusPlan, path: Path) -> None:
    Path(path).write_bytes(consensus_csv(plan))


def _lock_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def write_parquet(plan: ConsensusPlan, path: Path) -> None:
    """The plan as Parquet: decimal128 quantity and revenue, date32 periods, UTC lock time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    header, lines = plan.header, plan.lines
    locked = _lock_time(header.locked_at)
    n = len(lines)

    def repeat(value: str) -> pa.Array:
        return pa.array([value] * n, pa.string())

    columns = {
        "snapshot_id": repeat(header.snapshot_id),
        "cycle": repeat(header.cycle),
        "locked_at": pa.array([locked] * n, pa.timestamp("s", tz="UTC")),
        "region": repeat(header.region),
        "account_id": pa.array([x.account_id for x in lines], pa.string()),
        "account_name": pa.array([x.account_name for x in lines], pa.string()),
        "product_id": pa.array([x.product_id for x in lines], pa.string()),
        "sku": pa.array([x.sku for x in lines], pa.string()),
        "product_name": pa.array([x.product_name for x in lines], pa.string()),
        "product_family": pa.array([x.product_family for x in lines], pa.string()),
        "period_start": pa.array([x.period_start for x in lines], pa.date32()),
        "quantity": pa.array([x.quantity for x in lines], pa.decimal128(18, QUANTITY_SCALE)),
        "revenue": pa.array([x.revenue for x in lines], pa.decimal128(16, 2)),
    }
    assert tuple(columns) == CONSENSUS_COLUMNS
    table = pa.table(columns)
    pq.write_table(table, path, compression="zstd", use_dictionary=False, write_statistics=True)
