"""Pull: org -> one row per forecast cell of a rep's (or a planner's) portfolio (``cells``),
with the lock rules that say which cells may not be adjusted, and why (``locks``), and the
cells two org records claim, reported and locked (``duplicates``).

May import: ``sync.org``.
"""
