"""Salesforce-shaped record Ids: 3-character key prefix, 12-character body, 3-character checksum.

A 15-character Salesforce Id is case-sensitive; the 18-character form appends a suffix that
encodes, for each 5-character chunk, which characters are upper case, so the Id survives
case-insensitive tools (Excel lookups among them). We compute that suffix exactly as
Salesforce does, so Ids made here pass any real Id validator.

The local org's bodies are ``"Dg0"`` (a fixed pod-like marker) followed by a 9-character
base62 counter, so Ids are deterministic: the n-th Account is always the same Id.
"""

from __future__ import annotations

import re

#: Salesforce's base62 digit order.
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BODY_MARK = "Dg0"
_COUNTER_DIGITS = 9
_ID15 = re.compile(r"^[0-9A-Za-z]{15}$")
_ID18 = re.compile(r"^[0-9A-Za-z]{18}$")


def checksum(id15: str) -> str:
    """The 3-character case-safe suffix of a 15-character Id."""
    out = []
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(_SUFFIX[bits])
    return "".join(out)


def to18(id15: str) -> str:
    """The 18-character form of a 15-character Id (an 18-character Id is returned unchanged)."""
    if len(id15) == 18:
        return id15
    if not _ID15.match(id15):
        raise ValueError(f"not a 15-character Salesforce Id: {id15!r}")
    return id15 + checksum(id15)


def base62(n: int, width: int) -> str:
    if n < 0:
        raise ValueError("counter must be non-negative")
    digits = []
    while n:
        n, r = divmod(n, 62)
        digits.append(BASE62[r])
    text = "".join(reversed(digits)) or "0"
    if len(text) > width:
        raise ValueError(f"counter too large for {width} base62 digits")
    return text.rjust(width, "0")


def make_id(prefix: str, counter: int) -> str:
    """The 18-character Id of the ``counter``-th record of the object with key ``prefix``."""
    if len(prefix) != 3:
        raise ValueError(f"key prefix must have 3 characters: {prefix!r}")
    id15 = prefix + _BODY_MARK + base62(counter, _COUNTER_DIGITS)
    return id15 + checksum(id15)


def counter_of(record_id: str) -> int:
    """The counter a local-org Id was made from (inverse of ``make_id``)."""
    n = 0
    for ch in record_id[6:15]:
        n = n * 62 + BASE62.index(ch)
    return n


def is_valid_id(value: object, prefix: str | None = None) -> bool:
    """Whether ``value`` is a well-formed 15- or 18-character Id (with ``prefix``, if given).

    For 18 characters the suffix must match the checksum of the first 15.
    """
    if not isinstance(value, str):
        return False
    if _ID18.match(value):
        if checksum(value[:15]) != value[15:]:
            return False
    elif not _ID15.match(value):
        return False
    return prefix is None or value[:3] == prefix
