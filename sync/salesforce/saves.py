"""``Org.save`` on the wire: one all-or-none ``POST /composite`` whose subrequests are sObject
Collections, ``PATCH /composite/sobjects`` (update by Id) or ``PATCH
/composite/sobjects/{Object}/{KeyField}`` (upsert on an external id), 200 records each, at most
five, in the order of the writes; and the answer back as ``SaveResult`` in request order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.org.seam import COLLECTION_LIMIT, FieldError, SaveResult, Write, chunks
from sync.salesforce.answers import field_error

ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"


def save_request(writes: Sequence[Write], api_version: str) -> dict[str, Any]:
    """The Composite body carrying ``writes`` (allOrNone across every subrequest)."""
    prefix = f"/services/data/v{api_version}/composite/sobjects"
    subrequests = []
    for n, w in enumerate(writes):
        url = f"{prefix}/{w.object_name}/{w.key_field}" if w.key_field else prefix
        for k, batch in enumerate(chunks(w.records, COLLECTION_LIMIT)):
            records = [
                {
                    "attributes": {"type": w.object_name},
                    **{f: v for f, v in r.items() if f != "attributes"},
                }
                for r in batch
            ]
            subrequests.append(
                {
                    "method": "PATCH",
                    "url": url,
                    "referenceId": f"{w.object_name}_{n}_{k}",
                    "body": {"allOrNone": True, "records": records},
                }
            )
    return {"allOrNone": True, "compositeRequest": subrequests}


def save_results(answer: Any, writes: Sequence[Write]) -> list[SaveResult]:
    """Per record, in request order; a subrequest rolled back for another's failure answers
    ``PROCESSING_HALTED``: its records count as rolled back."""
    subs = (answer or {}).get("compositeResponse") or []
    batches = [batch for w in writes for batch in chunks(w.records, COLLECTION_LIMIT)]
    results: list[SaveResult] = []
    for n, batch in enumerate(batches):
        body = subs[n].get("body") if n < len(subs) else None
        items = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
        if items and all(isinstance(i, dict) and "success" in i for i in items):
            for rec, item in zip(batch, items, strict=False):
                errors = tuple(field_error(e) for e in item.get("errors") or [])
                results.append(
                    SaveResult(
                        item.get("id") or str(rec.get("Id") or ""),
                        bool(item["success"]),
                        errors,
                        created=bool(item.get("created")),
                    )
                )
            continue
        first = items[0] if items and isinstance(items[0], dict) else {}
        code = first.get("errorCode") or "UNKNOWN_EXCEPTION"
        if code == "PROCESSING_HALTED":
            code = ROLLED_BACK
        message = first.get("message") or "no answer for this part of the request"
        error = FieldError(code, message, tuple(first.get("fields") or ()))
        results.extend(SaveResult(str(rec.get("Id") or ""), False, (error,)) for rec in batch)
    return results
