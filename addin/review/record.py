"""The hidden record: what the pull saw, carried inside the workbook.

It makes the workbook the unit of work: record IDs, pulled values, stamps, locks, the org
and user it came from, with a checksum, so a workbook emailed and opened a week later can
still be checked and pushed, and one that was edited behind our back is recognised.

Stored on the very hidden ``dg_record`` sheet from the ``dg_record`` defined name down:
  marker ("demandgrid-record"), format version, SHA-256 of the payload, chunk count,
  then the payload (zlib-compressed JSON, base64) in chunks that fit a cell.
A compressed payload keeps 54,000 cells to a few dozen cells: fast to write and read
through openpyxl and through one xlwings range call alike.
"""

from __future__ import annotations

import base64
import hashlib
import json
import operator
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sync.org.records import PullContext

MARKER = "demandgrid-record"
VERSION = 1
CHUNK = 30_000  # characters per cell (Excel's limit is 32,767)

#: Per-cell fields kept in the record, in this order.
RECORD_FIELDS = (
    "record_id",
    "row_key",
    "period_start",  # ISO date string
    "adjusted",  # pulled adjusted value, or None; moves forward after a push
    "baseline",
    "note",
    "modstamp",
    "locked",
    "lock_reason",
    "account_name",
    "product_name",
)


class RecordError(Exception):
    """The hidden record is missing, damaged or edited. The message says which and what to do."""


@dataclass
class WorkbookRecord:
    context: PullContext
    cells: list[dict[str, Any]] = field(default_factory=list)  # dicts with RECORD_FIELDS
    pushes: list[str] = field(default_factory=list)  # push ids that have landed

    def by_cell(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(row_key, ISO period start) -> cell."""
        return {(c["row_key"], c["period_start"]): c for c in self.cells}


def _context_json(context: PullContext) -> dict[str, Any]:
    d = asdict(context)
    if isinstance(d.get("first_period"), date):
        d["first_period"] = d["first_period"].isoformat()
    return d


def _rows(cells: list[dict[str, Any]]) -> list[list[Any]]:
    """Cells as rows of ``RECORD_FIELDS`` values (None for a field a cell lacks)."""
    row = operator.itemgetter(*RECORD_FIELDS)
    try:
        return [list(row(c)) for c in cells]
    except KeyError:
        return [[c.get(f) for f in RECORD_FIELDS] for c in cells]


def encode(record: WorkbookRecord) -> list[str]:
    """The column of cell values that stores ``record`` (marker first)."""
    return _encode(record.context, _rows(record.cells), record.pushes)


def encode_columns(context: PullContext, columns: dict[str, list[Any]]) -> list[str]:
    """``encode`` of a fresh pull's record from its cells a column at a time, by field
    (``RECORD_FIELDS``, as ``addin.review.grid.record_columns`` gives them): the same text,
    without a dictionary per cell."""
    rows = list(
        zip(*(columns[f] for f in RECORD_FIELDS), strict=True)
    )  # JSON writes tuples as lists
    return _encode(context, rows, [])


def _encode(context: PullContext, rows: Sequence[Sequence[Any]], pushes: list[str]) -> list[str]:
    payload = {
        "context": _context_json(context),
        "fields": list(RECORD_FIELDS),
        "cells": rows,
        "pushes": pushes,
    }
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()
    digest = hashlib.sha256(raw).hexdigest()
    blob = base64.b64encode(zlib.compress(raw, 1)).decode("ascii")  # level 1: fast, any reads
    parts = [blob[i : i + CHUNK] for i in range(0, len(blob), CHUNK)] or [""]
    return [MARKER, str(VERSION), digest, str(len(parts)), *parts]


def decode(values: list[Any]) -> WorkbookRecord:
    """Read back what ``encode`` wrote; raise ``RecordError`` on anything else."""
    fix = "Pull a fresh workbook with `demandgrid pull` and redo the changes there."
    if not values or values[0] != MARKER:
        raise RecordError(
            "This workbook has no demandgrid record: it was not pulled by demandgrid, "
            f"or its hidden record sheet was removed. {fix}"
        )
    try:
        version, digest, count = int(values[1]), str(values[2]), int(values[3])
    except (IndexError, TypeError, ValueError):
        raise RecordError(
            f"The workbook's hidden record is damaged (header unreadable). {fix}"
        ) from None
    if version != VERSION:
        raise RecordError(
            f"This workbook's record is format {version}; this demandgrid reads format {VERSION}. "
            "Update demandgrid, or pull a fresh workbook."
        )
    parts = values[4 : 4 + count]
    if len(parts) != count or any(not isinstance(p, str) for p in parts):
        raise RecordError(
            f"The workbook's hidden record is incomplete ({len(parts)} of {count} parts). {fix}"
        )
    try:
        raw = zlib.decompress(base64.b64decode("".join(parts)))
    except (ValueError, zlib.error):
        raise RecordError(
            f"The workbook's hidden record is damaged (cannot be decoded). {fix}"
        ) from None
    if hashlib.sha256(raw).hexdigest() != digest:
        raise RecordError(f"The workbook's hidden record was edited (checksum mismatch). {fix}")
    payload = json.loads(raw)
    ctx = dict(payload["context"])
    if ctx.get("first_period"):
        ctx["first_period"] = date.fromisoformat(ctx["first_period"])
    names = payload["fields"]
    cells = [dict(zip(names, row, strict=True)) for row in payload["cells"]]
    return WorkbookRecord(
        context=PullContext(**ctx), cells=cells, pushes=list(payload.get("pushes", []))
    )
