"""Compile a parsed SOQL query against the local org's schema into one SQLite statement.

Names are checked against the schema (``INVALID_TYPE`` / ``INVALID_FIELD``) and literal types
against field types (``INVALID_QUERY_FILTER_OPERATOR``). Identifiers in the SQL come only from
the schema, literals only as parameters. Parent relationship paths become LEFT JOINs (INNER
where the WHERE clause needs the parent anyway); the result shape (nested parents, attributes)
is planned once here and applied by ``sync.localorg.soql.shape``.

SOQL semantics kept exactly:
- two-valued logic: a comparison with a null field is false, ``!=`` and ``NOT IN`` include nulls,
  and ``NOT`` negates that (SQL's three-valued NULL never leaks out);
- text comparisons, LIKE and ORDER BY are case-insensitive; Ids compare exactly (15-character
  Ids are widened to 18);
- booleans: ``= null`` is ``= false``; text: ``= ''`` is ``= null`` (Salesforce stores no '');
- relative date literals are ranges: ``=`` within, ``<`` before the start, ``>`` after the end;
- nulls sort first unless ``NULLS LAST``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sync.localorg.fields import FieldDef, ObjectDef
from sync.localorg.soql.lex import refuse
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
)
from sync.localorg.soql.values import format_datetime, id18, relative_range

TEXT_TYPES = {"string", "textarea", "picklist", "email", "phone", "url", "combobox"}
ID_TYPES = {"id", "reference"}
NUMBER_TYPES = {"double", "currency", "percent", "int", "long"}
#: Salesforce cannot filter or sort long text areas (over 255 characters).
LONG_TEXT = 255
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z", re.ASCII)


@dataclass
class Shape:
    """How one object of a result record is built: its Id column and its items in order."""

    type_name: str
    id_index: int
    items: list[tuple[str, int | Shape, str]] = field(
        default_factory=list
    )  # key, column/child, type


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple[object, ...]
    shape: Shape | None  # None for SELECT COUNT()


def _quote(name: str) -> str:
    if not _SAFE_NAME.match(name):  # schema names only, but never trust text that becomes SQL
        raise ValueError(f"unsafe identifier in the local org schema: {name!r}")
    return f'"{name}"'


def _close(word: str, names: list[str]) -> str:
    lowered = {n.lower(): n for n in names}
    hits = difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.6)
    return (" Did you mean " + " or ".join(f"'{lowered[h]}'" for h in hits) + "?") if hits else ""


@dataclass(frozen=True)
class _Column:
    alias: str
    path: tuple[str, ...]  # canonical relationship names from the root
    field: FieldDef
    obj: ObjectDef

    @property
    def sql(self) -> str:
        return f"{self.alias}.{_quote(self.field.name)}"


class _Scope:
    """The FROM object and the parents joined to reach every path the query names."""

    def __init__(self, objects: Mapping[str, ObjectDef], name: str, position: int) -> None:
        self.objects = {k.lower(): v for k, v in objects.items()}
        root = self.objects.get(name.lower())
        if root is None:
            raise refuse(
                "INVALID_TYPE",
                f"sObject type '{name}' is not supported at position {position}."
                + _close(name, [o.name for o in objects.values()]),
            )
        self.root = root
        self.nodes: dict[tuple[str, ...], tuple[str, ObjectDef]] = {(): ("t0", root)}
        self.joins: list[tuple[tuple[str, ...], str]] = []  # (path, "JOIN ... ON ...")

    def node(self, path: tuple[str, ...]) -> tuple[str, ObjectDef]:
        return self.nodes[path]

    def resolve(self, fp: FieldPath) -> _Column:
        path: tuple[str, ...] = ()
        alias, obj = self.nodes[()]
        for part in fp.parts[:-1]:
            ref = obj.relationship(part)
            target = self.objects.get((ref.reference_to or "").lower()) if ref else None
            if ref is None or target is None or ref.relationship_name is None:
                names = [f.relationship_name for f in obj.fields if f.relationship_name]
                raise refuse(
                    "INVALID_FIELD",
                    f"Didn't understand relationship '{part}' in field path '{fp.text}' on entity "
                    f"'{obj.name}' at position {fp.position}." + _close(part, names),
                )
            path = (*path, ref.relationship_name)
            if path not in self.nodes:
                child = f"t{len(self.nodes)}"
                self.joins.append(
                    (
                        path,
                        f"JOIN {_quote(target.name)} AS {child} "
                        f"ON {child}.{_quote('Id')} = {alias}.{_quote(ref.name)}",
                    )
                )
                self.nodes[path] = (child, target)
            alias, obj = self.nodes[path]
        leaf = obj.field(fp.parts[-1])
        if leaf is None:
            raise refuse(
                "INVALID_FIELD",
                f"No such column '{fp.parts[-1]}' on entity '{obj.name}' at position "
                f"{fp.position}." + _close(fp.parts[-1], [f.name for f in obj.fields]),
            )
        return _Column(alias, path, leaf, obj)


def compile_query(
    query: SoqlQuery, objects: Mapping[str, ObjectDef], *, today: date
) -> CompiledQuery:
    scope = _Scope(objects, query.object_name, query.object_position)
    params: list[object] = []
    columns: list[str] = []
    shape = None if query.count else _plan_shape(query, scope, columns)
    where = f" WHERE {_condition(query.where, scope, params, today)}" if query.where else ""
    order = [_order(item, scope) for item in query.order_by]
    order.append(f"t0.{_quote('Id')}")  # stable pages for equal sort keys
    tail = ""
    if query.limit is not None or query.offset is not None:
        tail = " LIMIT ? OFFSET ?"
        params += [-1 if query.limit is None else query.limit, query.offset or 0]
    # A parent the WHERE clause can only match when present is joined INNER, so SQLite may
    # start from it (e.g. from the owner's account forecasts instead of scanning every cell).
    needed = _required_paths(query.where, scope)
    joins = [("" if path in needed else "LEFT ") + sql for path, sql in scope.joins]
    source = f"FROM {_quote(scope.root.name)} AS t0 " + " ".join(joins)
    if shape is None:
        sql = f"SELECT COUNT(*) FROM (SELECT 1 {source}{where}{tail})"  # noqa: S608 (schema names only)
    else:
        sql = f"SELECT {', '.join(columns)} {source}{where} ORDER BY {', '.join(order)}{tail}"  # noqa: S608
    return CompiledQuery(sql, tuple(params), shape)


# ---------------------------------------------------------------- SELECT: the result shape


def _plan_shape(query: SoqlQuery, scope: _Scope, columns: list[str]) -> Shape:
    index: dict[str, int] = {}

    def column(sql: str, ftype: str) -> int:
        if sql not in index:
            index[sql] = len(columns)
            cast = {"double": "REAL", "currency": "REAL", "percent": "REAL", "int": "INTEGER"}
            columns.append(f"CAST({sql} AS {cast[ftype]})" if ftype in cast else sql)
        return index[sql]

    def shape_for(path: tuple[str, ...]) -> Shape:
        alias, obj = scope.node(path)
        return Shape(obj.name, column(f"{alias}.{_quote('Id')}", "id"))

    root = shape_for(())
    shapes: dict[tuple[str, ...], Shape] = {(): root}
    seen: set[tuple[str, ...]] = set()
    for fp in query.fields:
        col = scope.resolve(fp)
        key = (*col.path, col.field.name)
        if key in seen:
            raise refuse("INVALID_FIELD", f"duplicate field selected: {'.'.join(key)}")
        seen.add(key)
        for depth in range(1, len(col.path) + 1):
            sub = col.path[:depth]
            if sub not in shapes:
                shapes[sub] = shape_for(sub)
                shapes[sub[:-1]].items.append((sub[-1], shapes[sub], "parent"))
        idx = column(col.sql, col.field.type)
        shapes[col.path].items.append((col.field.name, idx, col.field.type))
    return root


# ---------------------------------------------------------------- ORDER BY


def _order(item: OrderItem, scope: _Scope) -> str:
    col = scope.resolve(item.field)
    if col.field.type == "textarea" and col.field.length > LONG_TEXT:
        raise refuse(
            "INVALID_FIELD",
            f"field '{item.field.text}' can not be sorted in a query call "
            f"(a long text area) at position {item.field.position}",
        )
    # NULLIF: '' is null in Salesforce (see the module docstring), so it sorts with the nulls.
    expr = f"NULLIF(soql_upper({col.sql}), '')" if col.field.type in TEXT_TYPES else col.sql
    direction = "DESC" if item.descending else "ASC"
    return f"{expr} {direction} NULLS {'LAST' if item.nulls_last else 'FIRST'}"


# ---------------------------------------------------------------- WHERE


def _condition(cond: Condition, scope: _Scope, params: list[object], today: date) -> str:
    if isinstance(cond, Logical):
        parts = [_condition(c, scope, params, today) for c in cond.operands]
        return "(" + f" {cond.op} ".join(parts) + ")"
    if isinstance(cond, Not):
        # COALESCE: SQL's unknown (NULL) is SOQL's false, so NOT of it is true.
        return f"(NOT COALESCE({_condition(cond.operand, scope, params, today)}, 0))"
    return _comparison(cond, scope, params, today)


def _required_paths(where: Condition | None, scope: _Scope) -> set[tuple[str, ...]]:
    """Relationship paths whose parent must exist for the WHERE clause to hold: those of
    comparisons, directly under the top-level AND, that are false on a null field."""
    if where is None:
        return set()
    terms = where.operands if isinstance(where, Logical) and where.op == "AND" else (where,)
    needed: set[tuple[str, ...]] = set()
    for term in terms:
        if not isinstance(term, Comparison) or term.op in ("!=", "NOT IN"):
            continue
        values = term.value if isinstance(term.value, tuple) else (term.value,)
        col = scope.resolve(term.field)
        if col.field.type == "boolean" or any(v.kind == "null" or v.value == "" for v in values):
            continue  # booleans: null matches false; "= null" and "= ''" match a missing parent
        needed.update(col.path[:depth] for depth in range(1, len(col.path) + 1))
    return needed


def _category(f: FieldDef) -> str:
    if f.type in TEXT_TYPES:
        return "text"
    if f.type in ID_TYPES:
        return "id"
    if f.type in NUMBER_TYPES:
        return "number"
    if f.type in ("boolean", "date", "datetime"):
        return f.type
    return "other"


#: The literal kinds each field category accepts (besides null), and how Salesforce says so.
_ACCEPTS = {
    "text": ({"string"}, "string and should be enclosed in quotes"),
    "id": ({"string"}, "id and should be enclosed in quotes"),
    "number": ({"number"}, "double and should not be enclosed in quotes"),
    "boolean": ({"boolean"}, "boolean and should not be enclosed in quotes"),
    "date": ({"date", "relative"}, "date and should not be enclosed in quotes"),
    "datetime": ({"datetime", "relative"}, "dateTime and should not be enclosed in quotes"),
}


def _bad_filter(message: str) -> Exception:
    return refuse("INVALID_QUERY_FILTER_OPERATOR", message)


def _comparison(cmp: Comparison, scope: _Scope, params: list[object], today: date) -> str:
    col = scope.resolve(cmp.field)
    f, name, pos = col.field, cmp.field.text, cmp.field.position
    cat = _category(f)
    if cat == "other" or (f.type == "textarea" and f.length > LONG_TEXT):
        raise refuse(
            "INVALID_FIELD",
            f"field '{name}' can not be filtered in a query call at position {pos}",
        )
    values = cmp.value if isinstance(cmp.value, tuple) else (cmp.value,)
    if cmp.op == "LIKE":
        if cat != "text":
            raise _bad_filter(
                f"invalid operator LIKE on field '{name}' ({f.type}) at position {pos}"
            )
        params.append(str(values[0].value).lower())
        return f"(NULLIF(soql_lower({col.sql}), '') LIKE ? ESCAPE '\\')"
    accepted, expected = _ACCEPTS[cat]
    for lit in values:
        if lit.kind == "null" and cmp.op in ("IN", "NOT IN"):
            raise refuse(
                "MALFORMED_QUERY",
                f"null in an IN list at position {lit.position} is not supported by the local "
                f"org; write ({name} IN (...) OR {name} = null) instead",
            )
        if lit.kind == "relative" and cmp.op in ("IN", "NOT IN"):
            raise refuse(
                "MALFORMED_QUERY",
                f"relative date literal in an IN list at position {lit.position} "
                "is not supported by the local org",
            )
        if lit.kind != "null" and lit.kind not in accepted:
            raise _bad_filter(
                f"value of filter criterion for field '{name}' must be of type {expected} "
                f"(position {lit.position})"
            )
    if cat == "boolean" and cmp.op not in ("=", "!="):
        raise _bad_filter(f"invalid operator {cmp.op} on boolean field '{name}' at position {pos}")
    lit = values[0]
    if lit.kind == "null" and cmp.op not in ("=", "!="):
        raise _bad_filter(
            f"null can only be compared with = or != (field '{name}', position {pos})"
        )
    if cat == "boolean":
        expr = f"COALESCE({col.sql}, 0)"  # null matches false
        params.append(0 if lit.kind == "null" else int(bool(lit.value)))
        return f"({expr} {'=' if cmp.op == '=' else '!='} ?)"
    if cat == "text" and (lit.kind == "null" or lit.value == "") and cmp.op in ("=", "!="):
        # Salesforce keeps no empty text: '' is null there, so '' and null match alike here.
        if cmp.op == "=":
            return f"({col.sql} IS NULL OR {col.sql} = '')"
        return f"({col.sql} IS NOT NULL AND {col.sql} != '')"
    if lit.kind == "null":
        return f"({col.sql} IS {'NOT ' if cmp.op == '!=' else ''}NULL)"
    if lit.kind == "relative":
        assert isinstance(lit.value, RelativeDate)
        return _relative(col.sql, cmp.op, lit.value, cat, params, today)
    expr = f"NULLIF(soql_lower({col.sql}), '')" if cat == "text" else col.sql
    params.extend(_sql_value(v, cat) for v in values)
    if cmp.op in ("IN", "NOT IN"):
        marks = ", ".join("?" * len(values))
        if cmp.op == "IN":
            return f"({expr} IN ({marks}))"
        return f"({expr} IS NULL OR {expr} NOT IN ({marks}))"
    if cmp.op == "!=":
        return f"({expr} IS NOT ?)"  # IS NOT: a null field is "not equal", as in SOQL
    return f"({expr} {cmp.op} ?)"


def _sql_value(lit: Literal, cat: str) -> object:
    v = lit.value
    if cat == "text":
        return str(v).lower()
    if cat == "id":
        return id18(str(v), lit.position)
    if cat == "date":
        assert isinstance(v, date)
        return v.isoformat()
    if cat == "datetime":
        assert isinstance(v, datetime)
        return format_datetime(v)
    return v


def _relative(
    sql: str, op: str, rel: RelativeDate, cat: str, params: list[object], today: date
) -> str:
    start, end = relative_range(rel, today)
    if cat == "datetime":
        lo, hi = (f"{d.isoformat()}T00:00:00.000+0000" for d in (start, end))
    else:
        lo, hi = start.isoformat(), end.isoformat()
    if op == "=":
        params += [lo, hi]
        return f"({sql} >= ? AND {sql} < ?)"
    if op == "!=":
        params += [lo, hi]
        return f"({sql} IS NULL OR {sql} < ? OR {sql} >= ?)"
    bound, sql_op = {"<": (lo, "<"), "<=": (hi, "<"), ">": (hi, ">="), ">=": (lo, ">=")}[op]
    params.append(bound)
    return f"({sql} {sql_op} ?)"
