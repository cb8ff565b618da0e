"""Salesforce's answers in the org interface's types: Composite/Collections save results
(both shapes of an all-or-none rollback), describe bodies, refusal messages, and the value
comparison the re-read before a re-send uses."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sync.org.seam import (
    COLLECTION_LIMIT,
    FieldDescribe,
    FieldError,
    ObjectDescribe,
    Record,
    SaveResult,
    chunks,
)

ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
LOCK_CONTENTION = "UNABLE_TO_LOCK_ROW"


def composite_results(answer: Any, sent: list[Record], key: str = "Id") -> list[SaveResult]:
    """Save results in request order from a Composite answer whose subrequests are Collections
    of ``sent``, ``COLLECTION_LIMIT`` records each (see ``batch_results``)."""
    return batch_results(answer, list(chunks(sent, COLLECTION_LIMIT)), key)


def batch_results(
    answer: Any, batches: Sequence[Sequence[Record]], key: str = "Id"
) -> list[SaveResult]:
    """Save results in request order from a Composite answer, one subrequest per batch.

    A subrequest answers either per-record results (``[{id, success, errors}]``) or, when the
    composite's ``allOrNone`` rolled it back for another subrequest's failure, an error body
    (``[{errorCode: PROCESSING_HALTED, message}]``): its records count as rolled back."""
    subs = (answer or {}).get("compositeResponse") or []
    results: list[SaveResult] = []
    for n, batch in enumerate(batches):
        body = subs[n].get("body") if n < len(subs) else None
        items = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
        if items and all(isinstance(i, dict) and "success" in i for i in items):
            for rec, item in zip(batch, items, strict=False):
                errors = tuple(field_error(e) for e in item.get("errors") or [])
                results.append(
                    SaveResult(
                        item.get("id") or str(rec.get(key) or ""),
                        bool(item["success"]),
                        errors,
                        created=bool(item.get("created")),
                    )
                )
            continue
        first = items[0] if items and isinstance(items[0], dict) else {}
        code = first.get("errorCode") or "UNKNOWN_EXCEPTION"
        message = first.get("message") or "no answer for this part of the request"
        if code == "PROCESSING_HALTED":
            code = ROLLED_BACK
        error = FieldError(code, message, tuple(first.get("fields") or ()))
        results.extend(SaveResult(str(rec.get(key) or ""), False, (error,)) for rec in batch)
    return results


def field_error(e: dict[str, Any]) -> FieldError:
    code = e.get("statusCode") or e.get("errorCode") or "UNKNOWN_EXCEPTION"
    return FieldError(code, e.get("message", ""), tuple(e.get("fields") or ()))


def lock_contention(results: list[SaveResult]) -> bool:
    codes = {e.status_code for r in results for e in r.errors}
    return LOCK_CONTENTION in codes and codes <= {LOCK_CONTENTION, ROLLED_BACK}


def refusal_message(object_name: str, results: list[SaveResult], verb: str = "update") -> str:
    failed = [
        r for r in results if not r.success and any(e.status_code != ROLLED_BACK for e in r.errors)
    ]
    failed = failed or [r for r in results if not r.success]
    first = failed[0]
    err = next(
        (e for e in first.errors if e.status_code != ROLLED_BACK),
        first.errors[0] if first.errors else None,
    )
    detail = f"{err.status_code}: {err.message}" if err else "no reason given"
    where = f" (fields: {', '.join(err.fields)})" if err and err.fields else ""
    return (
        f"Salesforce refused the {verb} of {len(results)} {object_name} records; nothing was "
        f"written. {len(failed)} record(s) failed; first, {first.id}: {detail}{where}."
    )


def same_value(held: Any, sent: Any) -> bool:
    if held in (None, "") and sent in (None, ""):
        return True
    if isinstance(sent, (int, float)) and not isinstance(sent, bool):
        try:
            return math.isclose(float(held), float(sent), rel_tol=1e-9, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return held == sent


def object_describe(body: dict[str, Any]) -> ObjectDescribe:
    return ObjectDescribe(
        name=body.get("name", ""),
        label=body.get("label", ""),
        key_prefix=body.get("keyPrefix") or "",
        updateable=bool(body.get("updateable", True)),
        queryable=bool(body.get("queryable", True)),
        fields=tuple(
            FieldDescribe(
                name=f["name"],
                type=f.get("type", "string"),
                label=f.get("label", ""),
                length=int(f.get("length") or 0),
                precision=int(f.get("precision") or 0),
                scale=int(f.get("scale") or 0),
                updateable=bool(f.get("updateable")),
                createable=bool(f.get("createable")),
                nillable=bool(f.get("nillable", True)),
                reference_to=tuple(f.get("referenceTo") or ()),
                relationship_name=f.get("relationshipName"),
                external_id=bool(f.get("externalId")),
            )
            for f in body.get("fields", [])
        ),
    )
