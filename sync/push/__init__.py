"""The push engine: re-read and sort each change (``plan``), send in all-or-none update calls and
keep a receipt (``engine``), with an fsync'd journal of every step (``journal``).

May import: ``sync.org``.
"""
