"""The local org's SOQL: a subset of Salesforce's query language, run on the SQLite org.

``parse(soql)`` reads the text into a tree (``sync.localorg.soql.parse``); ``run(conn, objects, soql,
today=...)`` checks it against the schema, compiles it to one SQLite statement with LEFT JOINs
for parent paths (``sync.localorg.soql.compile``) and returns Salesforce-shaped records
(``sync.localorg.soql.shape``). The subset:

- ``SELECT`` fields and parent relationship paths of any depth, or ``COUNT()`` alone;
- one ``FROM`` object;
- ``WHERE`` with ``= != <> < <= > >= IN NOT IN LIKE``, ``AND OR NOT`` (parentheses required
  when mixing AND and OR, as in Salesforce), string/number/boolean/null/date/datetime literals
  and the relative dates ``TODAY YESTERDAY TOMORROW THIS_/LAST_/NEXT_MONTH THIS_/LAST_/NEXT_YEAR
  LAST_N_DAYS:n NEXT_N_DAYS:n LAST_N_MONTHS:n NEXT_N_MONTHS:n`` (relative to ``today``);
- ``ORDER BY`` fields/paths with ``ASC|DESC`` and ``NULLS FIRST|LAST``; ``LIMIT``; ``OFFSET``
  (at most 2,000, as in Salesforce).

Everything else is refused with ``QueryRefused`` (``MALFORMED_QUERY``, ``INVALID_TYPE``,
``INVALID_FIELD``, ``INVALID_QUERY_FILTER_OPERATOR``, ``NUMBER_OUTSIDE_VALID_RANGE``) naming the
token and its 1-based position: a query either means what Salesforce would mean or is refused.

``COUNT()``: like Salesforce, the answer has no records and ``total_size`` is the count
(``QueryResult`` is a list with a ``total_size``; the REST layer sends it as ``totalSize``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, overload

from sync.localorg.fields import ObjectDef
from sync.localorg.soql.compile import CompiledQuery, compile_query
from sync.localorg.soql.parse import (
    Comparison,
    Condition,
    FieldPath,
    Literal,
    Logical,
    Not,
    OrderItem,
    RelativeDate,
    SoqlQuery,
    parse_query,
)
from sync.localorg.soql.shape import API_VERSION, shape_rows

__all__ = [
    "API_VERSION",
    "Comparison",
    "Condition",
    "FieldPath",
    "Literal",
    "Logical",
    "Not",
    "OrderItem",
    "QueryResult",
    "RelativeDate",
    "SoqlQuery",
    "compile",
    "parse",
    "run",
    "run_rows",
]


class QueryResult(list[dict[str, Any]]):
    """Records in order; ``total_size`` is their number, or the count for ``SELECT COUNT()``."""

    def __init__(self, records: list[dict[str, Any]], total_size: int | None = None) -> None:
        super().__init__(records)
        self.total_size = len(records) if total_size is None else total_size


class ShapedRows(Sequence[dict[str, Any]]):
    """A query's rows, shaped into records only when a page of them is asked for: a cursor over
    half a million rows holds compact tuples, not half a million nested dicts."""

    def __init__(self, shape: Any, rows: list[Any], total_size: int | None = None) -> None:
        self._shape, self._rows = shape, rows
        self.total_size = len(rows) if total_size is None else total_size

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if self._shape is None:  # COUNT(): no records, only the count
            return [][index]
        if isinstance(index, slice):
            return shape_rows(self._shape, self._rows[index])
        return shape_rows(self._shape, [self._rows[index]])[0]


def parse(soql: str) -> SoqlQuery:
    """Read SOQL into a tree; ``QueryRefused`` for anything outside the subset."""
    return parse_query(soql)


def compile(  # noqa: A001 (the module's verb)
    soql: str, objects: Mapping[str, ObjectDef], *, today: date
) -> CompiledQuery:
    """The SQLite statement and parameters a query runs as (for tests and curiosity)."""
    return compile_query(parse_query(soql), objects, today=today)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def run(
    conn: sqlite3.Connection, objects: Mapping[str, ObjectDef], soql: str, *, today: date
) -> QueryResult:
    """Run a SOQL query on the local org's database; Salesforce-shaped records."""
    answer = run_rows(conn, objects, soql, today=today)
    return QueryResult(answer[:], answer.total_size)


def run_rows(
    conn: sqlite3.Connection, objects: Mapping[str, ObjectDef], soql: str, *, today: date
) -> ShapedRows:
    """``run``, with the records shaped page by page as they are read (``ShapedRows``)."""
    compiled = compile_query(parse_query(soql), objects, today=today)
    # Salesforce folds case for text comparisons and sorting beyond ASCII; SQLite's NOCASE doesn't.
    conn.create_function("soql_lower", 1, _lower, deterministic=True)
    conn.create_function("soql_upper", 1, _upper, deterministic=True)
    rows = conn.execute(compiled.sql, compiled.params).fetchall()
    if compiled.shape is None:
        return ShapedRows(None, [], rows[0][0])
    return ShapedRows(compiled.shape, rows)
