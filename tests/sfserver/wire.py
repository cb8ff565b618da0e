"""Salesforce's JSON shapes for the test server: error bodies, describe, save results, request
bodies (``JSON_PARSER_ERROR``), record URLs in the requested API version, record retrieval, and
the execution of sObject Collections and Composite requests against an org (all-or-none included).

Everything here is pure: it takes an org and request bodies, returns (status, body)."""

from __future__ import annotations

import json
import re
from typing import Any

from simple_salesforce import format_soql

from sync.org.seam import (
    COLLECTION_LIMIT,
    COMPOSITE_COLLECTIONS,
    FieldError,
    ObjectDescribe,
    OrgError,
    SaveResult,
    UpdateRefused,
)

COMPOSITE_SUBREQUESTS = 25
MAX_CHUNKS = 10  # runs of one object type in one sObject Collections request
ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
ROLLED_BACK_MESSAGE = "Record rolled back because not all records were valid and the request was using AllOrNone header"
PROCESSING_HALTED = [
    {
        "errorCode": "PROCESSING_HALTED",
        "message": "The transaction was rolled back since another operation in the same transaction failed.",
    }
]
_COLLECTIONS_URL = re.compile(r"^/services/data/v\d+\.\d/composite/sobjects(?:/(\w+)/(\w+))?/?$")


class WireError(Exception):
    """A request the server answers with an error status and Salesforce's error body."""

    def __init__(self, status: int, error_code: str, message: str, fields: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.body = [{"message": message, "errorCode": error_code, "fields": fields or []}]


def parse_json(raw: bytes) -> Any:
    """A request's JSON body, or 400 ``JSON_PARSER_ERROR`` saying where it breaks."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise WireError(400, "JSON_PARSER_ERROR", "Invalid UTF-8 in the request body.") from None
    except json.JSONDecodeError as e:
        raise WireError(
            400, "JSON_PARSER_ERROR", f"{e.msg} at [line:{e.lineno}, column:{e.colno}]"
        ) from None


def in_version(record: Any, shaped: str, version: str) -> Any:
    """``record`` (and its parents) with ``attributes.url`` in API ``version`` instead of
    ``shaped``: Salesforce answers record URLs in the version the request named."""
    if not isinstance(record, dict):
        return record
    out = {k: in_version(v, shaped, version) for k, v in record.items()}
    attributes = out.get("attributes")
    if isinstance(attributes, dict) and isinstance(attributes.get("url"), str):
        url = attributes["url"].replace(f"/v{shaped}/", f"/v{version}/", 1)
        out["attributes"] = {**attributes, "url": url}
    return out


def retrieve(org: Any, object_name: str, record_id: str, fields: str) -> dict[str, Any]:
    """``GET /sobjects/X/<id>[?fields=A,B]``: the record with the named (default: all) fields."""
    try:
        d = org.describe(object_name)
    except (OrgError, LookupError):
        raise WireError(404, "NOT_FOUND", "The requested resource does not exist") from None
    names = [f.strip() for f in fields.split(",") if f.strip()] or [f.name for f in d.fields]
    unknown = [n for n in names if d.field(n) is None]
    if unknown:
        raise WireError(
            400,
            "INVALID_FIELD",
            f"No such column '{unknown[0]}' on sobject of type {d.name}",
            unknown[:1],
        )
    if not re.fullmatch(r"[a-zA-Z0-9]{15}|[a-zA-Z0-9]{18}", record_id):
        raise WireError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {record_id}",
        )
    wanted = ["Id", *(n for n in names if n.lower() != "id")]
    soql = format_soql(
        "SELECT {:literal} FROM {:literal} WHERE Id = {}", ", ".join(wanted), d.name, record_id
    )
    records = list(org.query(soql))
    if not records:
        raise WireError(404, "NOT_FOUND", "The requested resource does not exist")
    return records[0]


def describe_body(d: ObjectDescribe, version: str) -> dict[str, Any]:
    return {
        "name": d.name,
        "label": d.label,
        "keyPrefix": d.key_prefix,
        "updateable": d.updateable,
        "queryable": d.queryable,
        "urls": {"describe": f"/services/data/v{version}/sobjects/{d.name}/describe"},
        "fields": [
            {
                "name": f.name,
                "type": f.type,
                "label": f.label,
                "length": f.length,
                "precision": f.precision,
                "scale": f.scale,
                "updateable": f.updateable,
                "createable": f.createable,
                "nillable": f.nillable,
                "referenceTo": list(f.reference_to),
                "relationshipName": f.relationship_name,
                "externalId": f.external_id,
            }
            for f in d.fields
        ],
    }


def save_body(result: SaveResult, upsert: bool = False) -> dict[str, Any]:
    body = {
        "id": result.id,
        "success": result.success,
        "errors": [e.as_salesforce() for e in result.errors],
    }
    if upsert and result.success:
        body["created"] = result.created
    return body


def lock_row_results(records: list[dict[str, Any]]) -> list[SaveResult]:
    """What a write meets when another transaction holds the first record's row lock."""
    results = []
    for i, rec in enumerate(records):
        if i == 0:
            err = FieldError(
                "UNABLE_TO_LOCK_ROW",
                f"unable to obtain exclusive access to this record or 1 records: {rec.get('Id')}",
            )
        else:
            err = FieldError(ROLLED_BACK, ROLLED_BACK_MESSAGE)
        results.append(SaveResult(str(rec.get("Id") or ""), False, (err,)))
    return results


def _chunks(records: list[Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The records without ``attributes``, in chunks of consecutive records of one type (the
    guide: ``{account1, account2, contact1, account3}`` is three chunks); every record must
    name its type.

    Field names are case-insensitive in Salesforce: the guide's Collections examples send
    ``id`` (as jsforce does), simple-salesforce sends ``Id``; the org is handed ``Id``."""
    chunks: list[tuple[str, list[dict[str, Any]]]] = []
    for rec in records:
        if not isinstance(rec, dict):
            raise WireError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object.")
        attributes = rec.get("attributes") or {}
        if not isinstance(attributes, dict) or not attributes.get("type"):
            raise WireError(400, "INVALID_TYPE", "Must send a concrete entity type.")
        plain = {("Id" if k.lower() == "id" else k): v for k, v in rec.items() if k != "attributes"}
        if not chunks or chunks[-1][0] != attributes["type"]:
            chunks.append((attributes["type"], []))
        chunks[-1][1].append(plain)
    if len(chunks) > MAX_CHUNKS:
        # [I] Apex's wording for the same limit; the REST guide names the limit, not the error.
        raise WireError(
            400,
            "EXCEEDED_MAX_TYPES_LIMIT",
            f"Cannot have more than {MAX_CHUNKS} chunks in a single operation. Please rearrange "
            "the data to reduce chunking.",
        )
    return chunks


def _strip(records: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    """The object type and the records without ``attributes``: one type only (Composite's
    all-or-none runs the org's update once, and one update is one object)."""
    chunks = _chunks(records)
    if len({t for t, _ in chunks}) > 1:
        raise WireError(
            400,
            "INVALID_BATCH_REQUEST",
            "The test server takes one object type per all-or-none or Composite collection.",
        )
    return (chunks[0][0] if chunks else ""), [r for _, rs in chunks for r in rs]


def _apply(
    org: Any,
    object_name: str,
    records: list[dict[str, Any]],
    all_or_none: bool,
    key: str | None = None,
):
    """Write through the org (an update, or an upsert on ``key``); all-or-none in one
    transaction, else record by record."""
    if not records:
        return []

    def write(part: list[dict[str, Any]]) -> list[SaveResult]:
        try:
            if key is None:
                return list(org.update(object_name, part))
            return list(org.upsert(object_name, key, part))
        except UpdateRefused as e:
            return list(e.results)

    if all_or_none:
        return write(records)
    return [r for rec in records for r in write([rec])]


def _collection_body(body: Any) -> tuple[list[Any], bool]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise WireError(400, "JSON_PARSER_ERROR", "Expected a body with a records list.")
    records = body["records"]
    if len(records) > COLLECTION_LIMIT:
        raise WireError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {COLLECTION_LIMIT} records into this call",
        )
    return records, bool(body.get("allOrNone", False))


def check_collection(body: Any) -> tuple[str, list[dict[str, Any]], bool]:
    records, all_or_none = _collection_body(body)
    object_name, plain = _strip(records)
    return object_name, plain, all_or_none


def upsert_collection(
    org: Any, object_name: str, key: str, body: Any, fault_lock_row: bool = False
) -> list[dict[str, Any]]:
    """``PATCH /composite/sobjects/{object}/{external id field}``: upsert, one object type."""
    records, all_or_none = _collection_body(body)
    kind, plain = _strip(records)
    if kind.lower() != object_name.lower():
        raise WireError(400, "INVALID_TYPE", f"Records must be of type {object_name}.")
    if fault_lock_row:
        return [save_body(r) for r in lock_row_results(plain)]
    return [save_body(r, True) for r in _apply(org, object_name, plain, all_or_none, key)]


def collections(org: Any, body: Any, fault_lock_row: bool = False) -> list[dict[str, Any]]:
    """``PATCH /composite/sobjects``: HTTP 200 with per-record results, in request order.
    Without ``allOrNone`` the records may be of several types (chunks, each record on its own);
    with it, of one type (the org's update is one object's all-or-none transaction)."""
    records, all_or_none = _collection_body(body)
    chunks = [_strip(records)] if all_or_none else _chunks(records)
    if fault_lock_row:
        return [save_body(r) for r in lock_row_results([r for _, rs in chunks for r in rs])]
    return [save_body(r) for t, rs in chunks for r in _apply(org, t, rs, all_or_none)]


def composite(org: Any, body: Any, fault_lock_row: bool = False) -> dict[str, Any]:
    """``POST /composite`` carrying sObject Collections updates.

    With ``allOrNone`` the whole request is one transaction: the org writes every record of
    every collection in one update call (the local org's update is all-or-none), and on a
    failure each collection answers either its per-record results (the one holding the failed
    record) or ``PROCESSING_HALTED`` (the others), as Salesforce does."""
    subrequests = body.get("compositeRequest") if isinstance(body, dict) else None
    if not isinstance(subrequests, list) or not subrequests:
        raise WireError(400, "JSON_PARSER_ERROR", "Expected a compositeRequest list.")
    if len(subrequests) > COMPOSITE_SUBREQUESTS:
        raise WireError(
            400,
            "LIMIT_EXCEEDED",
            f"A composite request may hold at most {COMPOSITE_SUBREQUESTS} subrequests.",
        )
    parsed = []
    keys = set()
    for sub in subrequests:
        url = _COLLECTIONS_URL.match(str(sub.get("url", "")))
        if sub.get("method") != "PATCH" or not url:
            raise WireError(
                400,
                "INVALID_BATCH_REQUEST",
                "The test server's composite takes PATCH /composite/sobjects subrequests only.",
            )
        keys.add(url.group(2))
        parsed.append((sub.get("referenceId", ""), *check_collection(sub.get("body"))))
    if len(keys) > 1:
        raise WireError(
            400, "INVALID_BATCH_REQUEST", "The test server takes updates or upserts, not both."
        )
    key = keys.pop()
    if len(parsed) > COMPOSITE_COLLECTIONS:
        raise WireError(
            400,
            "LIMIT_EXCEEDED",
            f"A composite request may hold at most {COMPOSITE_COLLECTIONS} sObject Collections or query subrequests.",
        )
    if body.get("allOrNone"):
        types = {p[1] for p in parsed}
        if len(types) > 1:
            raise WireError(
                400, "INVALID_BATCH_REQUEST", "The test server takes one object type per request."
            )
        every = [rec for p in parsed for rec in p[2]]
        if fault_lock_row:
            results = lock_row_results(every)
        else:
            results = _apply(org, parsed[0][1], every, True, key)
        failed = not all(r.success for r in results)
        answer, start = [], 0
        for ref, _obj, records, _aon in parsed:
            mine = results[start : start + len(records)]
            start += len(records)
            if failed and all(_only_rolled_back(r) for r in mine):
                answer.append(_sub(ref, 400, PROCESSING_HALTED))
            else:
                answer.append(_sub(ref, 200, [save_body(r, bool(key)) for r in mine]))
        return {"compositeResponse": answer}
    answer = []
    for ref, obj, records, aon in parsed:
        results = _apply(org, obj, records, aon, key)
        answer.append(_sub(ref, 200, [save_body(r, bool(key)) for r in results]))
    return {"compositeResponse": answer}


def _only_rolled_back(result: SaveResult) -> bool:
    return not result.success and all(e.status_code == ROLLED_BACK for e in result.errors)


def _sub(ref: str, status: int, body: Any) -> dict[str, Any]:
    return {"body": body, "httpHeaders": {}, "httpStatusCode": status, "referenceId": ref}


def single_update(org: Any, object_name: str, record_id: str, body: Any) -> None:
    """``PATCH /sobjects/X/<id>``: 204, or 400 with the record's errors."""
    if not isinstance(body, dict):
        raise WireError(400, "JSON_PARSER_ERROR", "Expected a JSON object.")
    try:
        results = org.update(object_name, [{**body, "Id": record_id}])
    except UpdateRefused as e:
        results = list(e.results)
    except OrgError as e:
        raise WireError(400, "INVALID_FIELD", str(e)) from None
    if results and not results[0].success:
        err = results[0].errors[0] if results[0].errors else FieldError("UNKNOWN_EXCEPTION", "")
        raise WireError(400, err.status_code, err.message, list(err.fields))
