"""The push journal: an append-only JSON-lines file beside the workbook, one line per step.

Every push appends, in order: ``begin`` (push id, user, org, time, cell count), then for each
update call an ``intent`` line before the call (record ids and values) and a ``landed`` or
``failed`` line after it (the org's answer), a ``stamps`` line with the ``SystemModstamp`` of
what was written, and an ``end`` line with the receipt's summary. Each line is flushed and
fsync'd before the next org call, so a killed process leaves a journal that says how far it got.

The journal is a record for people ("what happened last time"), not the source of truth: a
re-run decides what is left by re-reading the org. It never holds a token or any secret; only
identity fields (org id, instance, username) and the cells' values and notes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

JOURNAL_SUFFIX = ".demandgrid-journal.jsonl"


def journal_path(workbook: str | os.PathLike[str]) -> Path:
    """The journal beside ``workbook``: ``review.xlsx`` -> ``review.xlsx.demandgrid-journal.jsonl``."""
    return Path(str(workbook) + JOURNAL_SUFFIX)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Journal:
    """Appends push steps to one journal file; each line is durable when ``append`` returns."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @classmethod
    def beside(cls, workbook: str | os.PathLike[str]) -> Journal:
        return cls(journal_path(workbook))

    def append(self, kind: str, push_id: str, **fields: Any) -> None:
        entry = {"kind": kind, "push_id": push_id, "at": utc_now(), **fields}
        line = json.dumps(entry, ensure_ascii=False, default=str, separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())

    def entries(self) -> list[dict[str, Any]]:
        return read_journal(self.path)

    def unfinished(self) -> list[dict[str, Any]]:
        return unfinished_pushes(self.entries())


def read_journal(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """All entries of a journal, oldest first. A torn last line (killed mid-write) is skipped."""
    p = Path(path)
    if not p.exists():
        return []
    entries = []
    with open(p, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # only the last line can be torn; the re-read decides what landed
    return entries


def unfinished_pushes(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``begin`` entries of pushes that never wrote an ``end`` (killed or crashed)."""
    begun: dict[str, dict[str, Any]] = {}
    for e in entries:
        if e.get("kind") == "begin":
            begun[e["push_id"]] = dict(e)
        elif e.get("kind") == "end":
            begun.pop(e.get("push_id", ""), None)
    return list(begun.values())


@dataclass(frozen=True)
class PushSummary:
    """One push as the journal tells it: for the "what happened last time" message."""

    push_id: str
    started_at: str
    username: str
    org_id: str
    cells: int
    calls_landed: int
    calls_failed: int
    finished: bool
    summary: Mapping[str, Any]

    def describe(self) -> str:
        if self.finished:
            counts = ", ".join(f"{v} {k}" for k, v in self.summary.get("outcomes", {}).items())
            return f"Push {self.push_id} by {self.username} at {self.started_at}: {counts or 'nothing sent'}."
        return (
            f"Push {self.push_id} by {self.username} at {self.started_at} did not finish "
            f"({self.calls_landed} update calls landed, {self.calls_failed} failed, of {self.cells} cells). "
            "Run push again: it re-reads the org and sends only what has not landed."
        )


def push_summaries(entries: Iterable[Mapping[str, Any]]) -> list[PushSummary]:
    """Each push in the journal, oldest first."""
    order: list[str] = []
    by_id: dict[str, dict[str, Any]] = {}
    for e in entries:
        pid = e.get("push_id", "")
        if pid not in by_id:
            order.append(pid)
            by_id[pid] = {"begin": {}, "landed": 0, "failed": 0, "end": None}
        kind = e.get("kind")
        if kind == "begin":
            by_id[pid]["begin"] = e
        elif kind in ("landed", "failed"):
            by_id[pid][kind] += 1
        elif kind == "end":
            by_id[pid]["end"] = e
    result = []
    for pid in order:
        s = by_id[pid]
        begin = s["begin"]
        result.append(
            PushSummary(
                push_id=pid,
                started_at=begin.get("at", ""),
                username=begin.get("username", ""),
                org_id=begin.get("org_id", ""),
                cells=begin.get("cells", 0),
                calls_landed=s["landed"],
                calls_failed=s["failed"],
                finished=s["end"] is not None,
                summary=(s["end"] or {}).get("summary", {}),
            )
        )
    return result


def last_push(path: str | os.PathLike[str]) -> PushSummary | None:
    """The most recent push recorded beside a workbook's journal, or None."""
    summaries = push_summaries(read_journal(path))
    return summaries[-1] if summaries else None
