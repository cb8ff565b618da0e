"""Read SOQL text into a syntax tree, refusing everything outside the local org's subset.

The tree knows nothing of any schema: ``sync.localorg.soql.compile`` checks names and types. Positions
in messages are 1-based character offsets into the query text (Salesforce says "Column").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal as TypingLiteral

from sync.localorg.soql.lex import (
    Token,
    decode_string,
    parse_date,
    parse_datetime,
    refuse,
    tokenize,
)

# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class FieldPath:
    """``AccountProductForecast.AccountForecast.Account.Name`` as written (any casing)."""

    parts: tuple[str, ...]
    position: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class RelativeDate:
    """A relative date literal such as ``THIS_MONTH`` or ``LAST_N_DAYS:7`` (``n`` or None)."""

    name: str  # upper case
    n: int | None = None


LiteralKind = TypingLiteral[
    "string", "pattern", "number", "boolean", "null", "date", "datetime", "relative"
]


@dataclass(frozen=True)
class Literal:
    """A value. ``string``: decoded text; ``pattern``: a LIKE pattern in SQL form (``%``/``_``
    wildcards, ``\\`` escapes a literal ``%``, ``_`` or ``\\``); ``number``: int or float;
    ``date``: date; ``datetime``: aware UTC datetime; ``relative``: RelativeDate."""

    kind: LiteralKind
    value: object
    position: int


Operator = TypingLiteral["=", "!=", "<", "<=", ">", ">=", "LIKE", "IN", "NOT IN"]


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    op: Operator
    value: Literal | tuple[Literal, ...]  # a tuple for IN / NOT IN


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class Logical:
    op: TypingLiteral["AND", "OR"]
    operands: tuple[Condition, ...]


Condition = Comparison | Not | Logical


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath
    descending: bool = False
    nulls_last: bool = False  # Salesforce sorts nulls first unless told otherwise


@dataclass(frozen=True)
class SoqlQuery:
    object_name: str
    object_position: int
    fields: tuple[FieldPath, ...]  # empty for SELECT COUNT()
    count: bool = False
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None


# ---------------------------------------------------------------- the parser

_NOT_SUPPORTED = " is not supported by the local org"
#: Words that start SOQL the local org does not speak, and what to say about them.
_REFUSED = {
    "GROUP": "GROUP BY" + _NOT_SUPPORTED,
    "HAVING": "HAVING" + _NOT_SUPPORTED,
    "WITH": "WITH (SECURITY_ENFORCED, DATA CATEGORY, ...)" + _NOT_SUPPORTED,
    "USING": "USING SCOPE" + _NOT_SUPPORTED,
    "FOR": "FOR VIEW / FOR REFERENCE / FOR UPDATE" + _NOT_SUPPORTED,
    "UPDATE": "UPDATE TRACKING / UPDATE VIEWSTAT" + _NOT_SUPPORTED,
    "ALL": "ALL ROWS" + _NOT_SUPPORTED,
    "TYPEOF": "TYPEOF" + _NOT_SUPPORTED,
    "INCLUDES": "INCLUDES (multi-select picklists)" + _NOT_SUPPORTED,
    "EXCLUDES": "EXCLUDES (multi-select picklists)" + _NOT_SUPPORTED,
    "SELECT": "a subquery (child relationship or semi-join)" + _NOT_SUPPORTED,
}
_RESERVED = {
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC",
    "NULLS", "LIMIT", "OFFSET", "NULL", "TRUE", "FALSE", *_REFUSED,
}  # fmt: skip
_AGGREGATES = {"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"}
#: Relative date literals the local org evaluates; True where the literal takes ``:n``.
RELATIVE_DATES = {
    "TODAY": False, "YESTERDAY": False, "TOMORROW": False,
    "THIS_MONTH": False, "LAST_MONTH": False, "NEXT_MONTH": False,
    "THIS_YEAR": False, "LAST_YEAR": False, "NEXT_YEAR": False,
    "LAST_N_DAYS": True, "NEXT_N_DAYS": True, "LAST_N_MONTHS": True, "NEXT_N_MONTHS": True,
}  # fmt: skip
_OTHER_DATE_LITERAL = (
    "_WEEK", "_QUARTER", "_FISCAL_", "_90_DAYS", "_N_WEEKS", "_N_QUARTERS", "_N_YEARS", "_AGO",
)  # fmt: skip
_COMPARE = {"=", "!=", "<", "<=", ">", ">="}


def parse_query(text: str) -> SoqlQuery:
    return _Parser(text).query()


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    # -- token plumbing

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def at_word(self, *words: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.kind == "ident" and tok.text.upper() in words

    def at_punct(self, punct: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.kind == "punct" and tok.text == punct

    def expect_word(self, word: str, expected: str) -> Token:
        if not self.at_word(word):
            raise self.unexpected(self.peek(), f"expected {expected}")
        return self.take()

    def expect_punct(self, punct: str, expected: str) -> Token:
        if not self.at_punct(punct):
            raise self.unexpected(self.peek(), f"expected {expected}")
        return self.take()

    def unexpected(self, tok: Token, why: str):
        if tok.kind == "end":
            return refuse(
                "MALFORMED_QUERY", f"unexpected end of query at position {tok.position}: {why}"
            )
        shown = f"'{tok.text}'" if tok.kind != "string" else f"'{tok.text[:30]}' (a string)"
        if tok.kind == "ident" and tok.text.upper() in _REFUSED:
            why = _REFUSED[tok.text.upper()]
        return refuse(
            "MALFORMED_QUERY", f"unexpected token {shown} at position {tok.position}: {why}"
        )

    # -- clauses

    def query(self) -> SoqlQuery:
        self.expect_word("SELECT", "SELECT")
        count = False
        fields: list[FieldPath] = []
        if self.at_word("COUNT") and self.at_punct("(", ahead=1):
            self.take(), self.take()
            self.expect_punct(")", "')': only COUNT() without a field" + _NOT_SUPPORTED[3:])
            count = True
            if self.at_punct(","):
                raise self.unexpected(self.peek(), "COUNT() must be alone in the field list")
        else:
            fields.append(self.field_path("SELECT"))
            while self.at_punct(","):
                self.take()
                fields.append(self.field_path("SELECT"))
        self.expect_word("FROM", "',' or FROM")
        obj = self.take()
        if obj.kind != "ident" or obj.text.upper() in _RESERVED:
            raise self.unexpected(obj, "expected an object name")
        where = None
        if self.at_word("WHERE"):
            self.take()
            where = self.condition()
        order: list[OrderItem] = []
        if self.at_word("ORDER"):
            self.take()
            self.expect_word("BY", "BY")
            order.append(self.order_item())
            while self.at_punct(","):
                self.take()
                order.append(self.order_item())
        limit = self.count_clause("LIMIT")
        offset = self.count_clause("OFFSET")
        if offset is not None and offset > 2000:
            raise refuse(
                "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is 2000 (got {offset})"
            )
        end = self.peek()
        if end.kind != "end":
            raise self.unexpected(end, "expected the end of the query")
        return SoqlQuery(
            obj.text, obj.position, tuple(fields), count, where, tuple(order), limit, offset
        )

    def count_clause(self, word: str) -> int | None:
        if not self.at_word(word):
            return None
        self.take()
        tok = self.take()
        if tok.kind != "number" or not tok.text.isdigit():
            raise self.unexpected(tok, f"{word} takes a whole number")
        return int(tok.text)

    def order_item(self) -> OrderItem:
        path = self.field_path("ORDER BY")
        descending = False
        if self.at_word("ASC", "DESC"):
            descending = self.take().text.upper() == "DESC"
        nulls_last = False
        if self.at_word("NULLS"):
            self.take()
            if not self.at_word("FIRST", "LAST"):
                raise self.unexpected(self.peek(), "expected FIRST or LAST")
            nulls_last = self.take().text.upper() == "LAST"
        return OrderItem(path, descending, nulls_last)

    def field_path(self, clause: str) -> FieldPath:
        first = self.peek()
        if first.kind == "punct" and first.text == "(" and self.at_word("SELECT", ahead=1):
            raise self.unexpected(self.peek(1), "")
        if first.kind != "ident" or first.text.upper() in _RESERVED:
            raise self.unexpected(first, "expected a field")
        parts = [self.take().text]
        if self.at_punct("("):
            kind = "aggregate function" if parts[0].upper() in _AGGREGATES else "function"
            raise self.unexpected(first, f"the {kind} {parts[0]}() in {clause}" + _NOT_SUPPORTED)
        while self.at_punct("."):
            self.take()
            tok = self.take()
            if tok.kind != "ident" or tok.text.upper() in _RESERVED:
                raise self.unexpected(tok, "expected a field or relationship name after '.'")
            parts.append(tok.text)
        return FieldPath(tuple(parts), first.position)

    # -- conditions

    def condition(self) -> Condition:
        first = self.unary()
        if not self.at_word("AND", "OR"):
            return first
        op = self.peek().text.upper()
        operands = [first]
        while self.at_word(op):
            self.take()
            operands.append(self.unary())
        if self.at_word("AND", "OR"):
            raise self.unexpected(self.peek(), "use parentheses when mixing AND and OR")
        return Logical(op, tuple(operands))  # type: ignore[arg-type]

    def unary(self) -> Condition:
        if self.at_word("NOT"):
            self.take()
            return Not(self.simple())
        return self.simple()

    def simple(self) -> Condition:
        if self.at_punct("("):
            if self.at_word("SELECT", ahead=1):
                raise self.unexpected(self.peek(1), "")
            self.take()
            inner = self.condition()
            self.expect_punct(")", "')'")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        path = self.field_path("WHERE")
        tok = self.take()
        if tok.kind == "punct" and tok.text in _COMPARE:
            return Comparison(path, tok.text, self.literal())  # type: ignore[arg-type]
        word = tok.text.upper() if tok.kind == "ident" else ""
        if word == "LIKE":
            value = self.take()
            if value.kind != "string":
                raise self.unexpected(value, "LIKE takes a quoted string")
            pattern = decode_string(value, like=True)
            return Comparison(path, "LIKE", Literal("pattern", pattern, value.position))
        if word == "IN":
            return Comparison(path, "IN", self.value_list())
        if word == "NOT" and self.at_word("IN"):
            self.take()
            return Comparison(path, "NOT IN", self.value_list())
        raise self.unexpected(
            tok, "expected a comparison operator (=, !=, <, <=, >, >=, LIKE, IN, NOT IN)"
        )

    def value_list(self) -> tuple[Literal, ...]:
        self.expect_punct("(", "'(' and a list of values")
        if self.at_word("SELECT"):
            raise self.unexpected(self.peek(), "")
        values = [self.literal()]
        while self.at_punct(","):
            self.take()
            values.append(self.literal())
        self.expect_punct(")", "',' or ')'")
        return tuple(values)

    def literal(self) -> Literal:
        tok = self.take()
        pos = tok.position
        if tok.kind == "string":
            return Literal("string", decode_string(tok, like=False), pos)
        if tok.kind == "number":
            if any(c in tok.text for c in ".eE"):
                return Literal("number", float(tok.text), pos)
            return Literal("number", int(tok.text), pos)
        if tok.kind == "date":
            return Literal("date", parse_date(tok), pos)
        if tok.kind == "datetime":
            return Literal("datetime", parse_datetime(tok), pos)
        word = tok.text.upper() if tok.kind == "ident" else ""
        if word in ("TRUE", "FALSE"):
            return Literal("boolean", word == "TRUE", pos)
        if word == "NULL":
            return Literal("null", None, pos)
        if word in RELATIVE_DATES:
            takes_n = RELATIVE_DATES[word]
            if takes_n and tok.n is None:
                raise self.unexpected(tok, f"{word} needs a number, e.g. {word}:3")
            if not takes_n and tok.n is not None:
                raise self.unexpected(tok, f"{word} takes no number")
            return Literal("relative", RelativeDate(word, tok.n), pos)
        if word and any(part in word for part in _OTHER_DATE_LITERAL):
            raise self.unexpected(tok, f"the date literal {word}" + _NOT_SUPPORTED)
        raise self.unexpected(tok, "expected a value (quote strings with ')")
