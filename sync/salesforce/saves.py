"""``Org.save`` on the wire: one all-or-none ``POST /composite`` whose subrequests are sObject
Collections, ``PATCH /composite/sobjects`` (update by Id) or ``PATCH
/composite/sobjects/{Object}/{KeyField}`` (upsert on an external id), 200 records each, at most
five, in the order of the writes; and the answer back as ``SaveResult`` in request order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.org.seam import COLLECTION_LIMIT, SaveResult, Write, chunks
from sync.salesforce.answers import batch_results


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
    """Per record, in request order (``batch_results`` of the subrequests ``save_request``
    made); a subrequest rolled back for another's failure counts as rolled back."""
    return batch_results(
        answer, [batch for w in writes for batch in chunks(w.records, COLLECTION_LIMIT)]
    )
