"""Faults a test queues on the Salesforce test server: for which request kind, on which call,
and what goes wrong (an HTTP status, an expired session, a locked row, a slow answer, or a
write that commits and then loses its connection)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

#: Request kinds the server counts and faults can target.
KINDS = (
    "token",
    "authorize",
    "userinfo",
    "versions",
    "resources",
    "query",
    "query_more",
    "describe",
    "limits",
    "composite",
    "collections",
    "sobject",
    "record",
    "sobject_update",
    "bulk_create",
    "bulk_job",
    "bulk_abort",
    "bulk_delete",
    "bulk_results",
)


@dataclass(frozen=True)
class Fault:
    """One thing that goes wrong with one request.

        ``what`` is one of: ``status`` (answer ``status`` with Salesforce's error body, nothing done),
        ``expire`` (every access token issued so far expires: 401 ``INVALID_SESSION_ID``),
        ``lock_row`` (a write answers ``UNABLE_TO_LOCK_ROW``, nothing written),
        ``slow`` (answer after ``seconds``; a write commits first), ``drop`` (a write commits, then
        the connection closes without an answer), ``limit`` (403 ``REQUEST_LIMIT_EXCEEDED``), ``job_failed`` (on ``bulk_create``: the Bulk
    query job it creates ends ``Failed``).
    """

    what: str
    status: int = 0
    seconds: float = 0.0


def status(code: int) -> Fault:
    return Fault("status", status=code)


def slow(seconds: float) -> Fault:
    return Fault("slow", seconds=seconds)


EXPIRED_SESSION = Fault("expire", status=401)
LOCK_ROW = Fault("lock_row")
DROP_AFTER_COMMIT = Fault("drop")
LIMIT_EXCEEDED = Fault("limit", status=403)
JOB_FAILED = Fault("job_failed")


@dataclass
class _Queued:
    fault: Fault
    on_call: int | None  # the n-th call of the kind (1-based), or None for the next one
    times: int


class FaultQueue:
    """Faults waiting for their request, by kind. Thread-safe: the server is threaded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, list[_Queued]] = {}

    def add(self, kind: str, fault: Fault, *, on_call: int | None = None, times: int = 1) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown request kind {kind!r}; known: {', '.join(KINDS)}")
        with self._lock:
            self._queued.setdefault(kind, []).append(_Queued(fault, on_call, times))

    def take(self, kind: str, call_number: int) -> Fault | None:
        """The fault for this call of ``kind`` (if any), consumed."""
        with self._lock:
            queue = self._queued.get(kind, [])
            for entry in queue:
                if entry.on_call is None or entry.on_call == call_number:
                    entry.times -= 1
                    if entry.times <= 0:
                        queue.remove(entry)
                    return entry.fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()

    def pending(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queued.values())
