"""The push journal: an append-only JSON-lines file beside the workbook, one line per step.

Every push appends, in order: ``begin`` (push id, user, org, time, cell count), then for each
update call an ``intent`` line before the call (record ids and values) and a ``landed`` or
``failed`` line after it (the org's answer), a ``stamps`` line with the ``SystemModstamp`` of
what was written, and an ``end`` line with the receipt's summary. Each line is flushed and
fsync'd before the next org call, so a killed process leaves a journal that says how far it got.

Each ``intent`` also carries the pulled ``SystemModstamp`` of its cells, and each call's
``verified`` line the stamps after it and the cells found written over someone else's change
(``restore`` / ``restored`` follow). The org decides what is left to send (a re-run re-reads
it); the journal moves the *workbook's* baseline forward when a push died after the org
committed but before the workbook was saved (``landed_since``), so an edit made since, even a
revert to the pulled value, is sent rather than dropped as "unchanged". It never holds a token
or any secret; only identity fields (org id, instance, username) and the cells' values and notes.

A damaged journal (a torn or edited line, bytes that are not UTF-8, a line that is not a
journal entry) loses only its bad lines, each named in a warning; one that cannot be read or
written at all (a directory in its place, no permission, a full disk) is ``JournalUnusable``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.org.seam import OrgError

JOURNAL_SUFFIX = ".demandgrid-journal.jsonl"


def journal_path(workbook: str | os.PathLike[str]) -> Path:
    """The journal beside ``workbook``: ``review.xlsx`` -> ``review.xlsx.demandgrid-journal.jsonl``."""
    return Path(str(workbook) + JOURNAL_SUFFIX)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class JournalUnusable(OrgError):
    """The journal beside the workbook cannot be read or written."""


class Journal:
    """Appends push steps to one journal file; each line is durable when ``append`` returns.

    A failed write raises ``JournalUnusable``, and so does every later ``append``: a push
    whose steps can no longer be recorded stops before its next call."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.broken = ""
        self.warnings: list[str] = []

    @classmethod
    def beside(cls, workbook: str | os.PathLike[str]) -> Journal:
        return cls(journal_path(workbook))

    def append(self, kind: str, push_id: str, **fields: Any) -> None:
        if self.broken:
            raise JournalUnusable(self.broken)
        entry = {"kind": kind, "push_id": push_id, "at": utc_now(), **fields}
        line = json.dumps(entry, ensure_ascii=False, default=str, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as f:
                if f.tell() and not _ends_with_newline(self.path):
                    f.write(b"\n")  # a torn last line stays alone on its line
                f.write((line + "\n").encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            self.broken = (
                f"The push journal {self.path} could not be written ({_reason(e)}), so this push "
                "stopped before its next org call. Make room or fix the folder's permissions "
                "(or move aside whatever is in the journal's place), then push again: it "
                "re-reads the org and sends only what has not landed."
            )
            raise JournalUnusable(self.broken) from None

    def entries(self) -> list[dict[str, Any]]:
        return read_journal(self.path, self.warnings)

    def unfinished(self) -> list[dict[str, Any]]:
        return unfinished_pushes(self.entries())


def read_journal(
    path: str | os.PathLike[str], warnings: list[str] | None = None
) -> list[dict[str, Any]]:
    """All entries of a journal, oldest first. A damaged line (torn by a kill, not UTF-8, not
    JSON, not a journal entry) is skipped, with a warning in ``warnings`` that names it; the
    good lines around it are kept. ``JournalUnusable`` when the file cannot be read at all."""
    p = Path(path)
    try:
        if not p.exists():
            return []
        if p.is_dir():
            raise JournalUnusable(
                f"The push journal {p} is a folder, not demandgrid's journal file. Nothing was "
                "sent. Move the folder aside (rename it), then push again."
            )
        data = p.read_bytes()
    except OSError as e:
        raise JournalUnusable(
            f"The push journal {p} could not be read ({_reason(e)}). Nothing was sent. Fix its "
            "permissions or move it aside, then push again."
        ) from None
    entries = []
    skipped = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            skipped.append(f"line {number} is not UTF-8 text")
            continue
        except json.JSONDecodeError:
            skipped.append(f"line {number} is cut off or not JSON")
            continue
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("kind"), str)
            or not isinstance(entry.get("push_id"), str)
        ):
            skipped.append(f"line {number} is not a journal entry")
            continue
        entries.append(entry)
    if skipped and warnings is not None:
        warnings.append(
            f"The push journal {p} is damaged: skipped {'; '.join(skipped[:5])}"
            f"{' ...' if len(skipped) > 5 else ''}. The other {len(entries)} line(s) were used; "
            "the org was re-read for what landed."
        )
    return entries


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def _reason(e: OSError) -> str:
    return e.strerror or type(e).__name__


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
            outcomes = self.summary.get("outcomes")
            outcomes = outcomes if isinstance(outcomes, Mapping) else {}
            counts = ", ".join(f"{v} {k}" for k, v in outcomes.items())
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
                summary=_mapping((s["end"] or {}).get("summary")),
            )
        )
    return result


def last_push(path: str | os.PathLike[str]) -> PushSummary | None:
    """The most recent push recorded beside a workbook's journal, or None."""
    summaries = push_summaries(read_journal(path))
    return summaries[-1] if summaries else None


def _mapping(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


# ---------------------------------------------------------------- what landed, for the workbook


@dataclass(frozen=True)
class Landed:
    """A cell a journaled push wrote (or may have written), for the workbook's baseline."""

    push_id: str
    record_id: str
    values: Mapping[str, Any]  # the payload record: Id and the fields set
    pulled_stamp: str | None  # the workbook's stamp the push started from (None: not journaled)
    stamp: str  # SystemModstamp after the call ("" when the push died before reading it)
    certain: bool  # the org answered "written"; else the answer was lost: ask the org


def landed_since(
    entries: Iterable[Mapping[str, Any]], *, skip: Iterable[str] = (), after: str = ""
) -> list[Landed]:
    """The cells pushes in ``entries`` wrote, oldest first, except pushes in ``skip`` (already
    in the workbook) and pushes begun before ``after`` (an ISO time: the workbook's pull).
    A call the org refused is left out; a call whose answer was lost is ``certain=False``;
    a cell written over someone else's change (then restored) is left out."""
    done = set(skip)
    begun: dict[str, str] = {}
    intents: dict[tuple[str, Any], Mapping[str, Any]] = {}
    answers: dict[tuple[str, Any], str] = {}
    stamps: dict[str, str] = {}
    theirs: set[tuple[str, str]] = set()
    order: list[tuple[str, Any]] = []
    for e in entries:
        pid, kind, call = e["push_id"], e["kind"], e.get("call")
        if kind == "begin":
            begun[pid] = str(e.get("at") or "")
        elif kind == "intent" and isinstance(e.get("records"), list):
            intents[(pid, call)] = e
            order.append((pid, call))
        elif kind == "landed":
            answers[(pid, call)] = "landed"
        elif kind == "failed":
            answers[(pid, call)] = "refused" if e.get("certain_nothing_landed") else "lost"
        elif kind == "verified":
            stamps.update({str(k): str(v) for k, v in _mapping(e.get("stamps")).items()})
            for o in e.get("overwritten") or []:
                if isinstance(o, Mapping):
                    theirs.add((pid, str(o.get("id"))))
    result = []
    for key in order:
        pid = key[0]
        if pid in done or pid not in begun or (after and begun[pid] < after):
            continue
        answer = answers.get(key, "lost")
        if answer == "refused":
            continue
        pulled = _mapping(intents[key].get("pulled"))
        for r in intents[key]["records"]:
            if not isinstance(r, Mapping) or not isinstance(r.get("Id"), str):
                continue
            rid = r["Id"]
            if (pid, rid) in theirs:
                continue
            result.append(
                Landed(
                    pid,
                    rid,
                    dict(r),
                    pulled.get(rid) if rid in pulled else None,
                    stamps.get(rid, ""),
                    answer == "landed",
                )
            )
    return result


@dataclass(frozen=True)
class PendingRestore:
    """A cell a push found it had written over someone else's change, whose restore never
    landed (the process died, or the restore call failed): the org may still hold mine."""

    push_id: str
    record_id: str
    mine: Mapping[str, Any]  # the payload record we wrote
    theirs: float | None
    their_note: str


def pending_restores(entries: Iterable[Mapping[str, Any]]) -> list[PendingRestore]:
    """Written-over cells (``verified`` lines) with no ``restored`` line after them."""
    payloads: dict[tuple[str, Any], Mapping[str, Any]] = {}
    pending: dict[str, PendingRestore] = {}
    for e in entries:
        pid, kind = e["push_id"], e["kind"]
        if kind == "intent" and isinstance(e.get("records"), list):
            for r in e["records"]:
                if isinstance(r, Mapping) and isinstance(r.get("Id"), str):
                    payloads[(pid, r["Id"])] = r
        elif kind == "verified":
            for o in e.get("overwritten") or []:
                rid = str(o.get("id")) if isinstance(o, Mapping) else ""
                mine = payloads.get((pid, rid))
                if mine is not None:
                    theirs = o.get("theirs")
                    pending[rid] = PendingRestore(
                        pid,
                        rid,
                        mine,
                        float(theirs) if isinstance(theirs, int | float) else None,
                        str(o.get("their_note") or ""),
                    )
        elif kind == "restored":
            for rid in e.get("ids") or []:
                pending.pop(str(rid), None)
    return list(pending.values())
