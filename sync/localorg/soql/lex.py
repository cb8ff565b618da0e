"""SOQL tokens and literal decoding for the local org's SOQL subset (see ``sync.localorg.soql.query``).

Positions are 1-based character offsets into the query text (Salesforce says "Column").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from sync.org.seam import QueryRefused

# ---------------------------------------------------------------- refusals


def refuse(code: str, message: str) -> QueryRefused:
    return QueryRefused(f"{code}: {message}", code)


def _malformed(message: str) -> QueryRefused:
    return refuse("MALFORMED_QUERY", message)


# ---------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, number, date, datetime, punct, end
    text: str  # the source text (for strings: the raw text between the quotes)
    position: int  # 1-based
    n: int | None = None  # for ``LAST_N_DAYS:n``


_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})",
    re.ASCII,
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\dT:])", re.ASCII)
_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?", re.ASCII)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_DATE_N = re.compile(r":(\d+)", re.ASCII)
_PUNCT = ("!=", "<>", "<=", ">=", "=", "<", ">", "(", ")", ",", ".")
_DIGITS = "0123456789"
_DIGITS_NONEMPTY = tuple(_DIGITS)
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_]", re.ASCII)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, size = 0, len(text)
    while i < size:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        pos = i + 1
        if ch == "'":
            end = _string_end(text, i)
            tokens.append(Token("string", text[i + 1 : end], pos))
            i = end + 1
            continue
        if ch in _DIGITS or (ch == "-" and text[i + 1 : i + 2] in _DIGITS_NONEMPTY):
            kind, m = _number_like(text, i)
            if kind == "number" and _DATE_START.match(text, i):
                raise _malformed(f"invalid date or datetime literal at position {pos}")
            i = m.end()
            if i < size and _IDENT_CHAR.match(text[i]):
                raise _malformed(f"unexpected token '{text[pos - 1 : i + 1]}' at position {pos}")
            tokens.append(Token(kind, m.group(0), pos))
            continue
        word = _IDENT.match(text, i)
        if word:
            i = word.end()
            n = None
            colon = _DATE_N.match(text, i)
            if colon:
                n, i = int(colon.group(1)), colon.end()
            tokens.append(Token("ident", word.group(0), pos, n))
            continue
        for p in _PUNCT:
            if text.startswith(p, i):
                tokens.append(Token("punct", "!=" if p == "<>" else p, pos))
                i += len(p)
                break
        else:
            if ch == ":":
                raise _malformed(
                    f"unexpected token ':' at position {pos}: bind variables are Apex-only; "
                    "put values into the query with format_soql"
                )
            if ch == '"':
                raise _malformed(f"unexpected token '\"' at position {pos}: quote strings with '")
            raise _malformed(f"unexpected character {ch!r} at position {pos}")
    tokens.append(Token("end", "", size + 1))
    return tokens


def _number_like(text: str, i: int) -> tuple[str, re.Match[str]]:
    for kind, pattern in (("datetime", _DATETIME), ("date", _DATE), ("number", _NUMBER)):
        m = pattern.match(text, i)
        if m:
            return kind, m
    raise AssertionError("a digit always starts a number")


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while (quote := text.find("'", i)) >= 0:
        escape = text.find("\\", i, quote)
        if escape < 0:
            return quote
        i = escape + 2  # an escaped character (possibly the quote itself)
    raise _malformed(f"unterminated string starting at position {start + 1}")


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def decode_string(token: Token, *, like: bool) -> str:
    """Decode SOQL escapes. For LIKE, return the SQL pattern (``\\`` escapes ``%``, ``_``, ``\\``)."""
    out: list[str] = []
    raw = token.text
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = raw[i + 1]
        where = f"at position {token.position + i + 1}"
        if esc in "%_":
            if not like:
                raise _malformed(f"invalid escape sequence '\\{esc}' {where}: only valid in LIKE")
            out.append("\\" + esc)
        elif esc.lower() in _ESCAPES:
            value = _ESCAPES[esc.lower()]
            out.append("\\\\" if like and value == "\\" else value)
        else:
            raise _malformed(f"invalid escape sequence '\\{esc}' {where}")
        i += 2
    return "".join(out)


def parse_date(token: Token) -> date:
    try:
        return date.fromisoformat(token.text)
    except ValueError:
        raise _malformed(f"invalid date '{token.text}' at position {token.position}") from None


def parse_datetime(token: Token) -> datetime:
    m = _DATETIME.fullmatch(token.text)
    assert m is not None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction, zone = m.group(7), m.group(8)
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    if zone == "Z":
        offset = timedelta(0)
    else:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == "-" else offset
    try:
        value = datetime(year, month, day, hour, minute, second, micro, timezone(offset))
    except ValueError:
        raise _malformed(f"invalid datetime '{token.text}' at position {token.position}") from None
    return value.astimezone(UTC)
