"""Describe metadata of the local org's objects, built from the schema (``sync.localorg.schema``)."""

from __future__ import annotations

from functools import cache

from sync.localorg.fields import ObjectDef
from sync.localorg.rules import label
from sync.org.seam import FieldDescribe, ObjectDescribe


@cache
def describe_object(obj: ObjectDef) -> ObjectDescribe:
    fields = tuple(
        FieldDescribe(
            name=f.name,
            type=f.type,
            label=label(f),
            length=f.length,
            precision=f.precision,
            scale=f.scale,
            updateable=f.updateable,
            createable=f.createable,
            nillable=f.nillable,
            reference_to=(f.reference_to,) if f.reference_to else (),
            relationship_name=f.relationship_name,
            external_id=f.external_id,
        )
        for f in obj.fields
    )
    return ObjectDescribe(
        name=obj.name,
        label=obj.label,
        key_prefix=obj.key_prefix,
        fields=fields,
        updateable=any(f.updateable for f in obj.fields),
        queryable=True,
    )
