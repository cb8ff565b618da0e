"""The push engine: re-read and sort each change (``plan``), send in all-or-none update calls,
each a compare-and-set proven from the org's adjustment history (``calls``, ``cas``), keep a
receipt (``engine``), with an fsync'd journal of every step (``journal``).

May import: ``sync.org``.
"""
