"""Turn result rows into Salesforce-shaped records, following a plan made once per query.

A record is ``{"attributes": {"type", "url"}, <fields in SELECT order>}`` with each parent
relationship nested the same way, or ``None`` where the parent is missing. The plan is turned
into one function per object up front, so the per-row work is indexing and dict building only.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import Any

from sync.localorg.soql.compile import Shape

API_VERSION = "67.0"
Row = Sequence[Any]


def builder(shape: Shape, *, nullable: bool = False) -> Callable[[Row], dict[str, Any] | None]:
    """A function building one record (or ``None`` for a missing parent) from a row."""
    type_name = shape.type_name
    url = f"/services/data/v{API_VERSION}/sobjects/{type_name}/"
    id_index = shape.id_index
    # (key, column) for plain values, (key, function of the row) for parents and booleans
    items: list[tuple[str, int | Callable[[Row], Any]]] = []
    for key, source, ftype in shape.items:
        if isinstance(source, Shape):
            items.append((key, builder(source, nullable=True)))
        elif ftype == "boolean":
            items.append((key, _bool_at(source)))
        else:
            items.append((key, source))
    plan = tuple(items)

    def build(row: Row) -> dict[str, Any] | None:
        rid = row[id_index]
        if rid is None and nullable:
            return None
        record: dict[str, Any] = {"attributes": {"type": type_name, "url": url + rid}}
        for key, source in plan:
            record[key] = row[source] if source.__class__ is int else source(row)  # type: ignore[operator,index]
        return record

    return build


def _bool_at(index: int) -> Callable[[Row], bool | None]:
    def value(row: Row) -> bool | None:
        cell = row[index]
        return None if cell is None else bool(cell)

    return value


def shape_rows(shape: Shape, rows: Sequence[Row]) -> list[dict[str, Any]]:
    build = builder(shape)
    # Hundreds of thousands of fresh dicts would trigger the cycle collector over and over
    # (about 3x the time); they hold no cycles, so it is paused while they are built.
    paused = gc.isenabled()
    gc.disable()
    try:
        return [build(row) for row in rows]  # type: ignore[misc]
    finally:
        if paused:
            gc.enable()
