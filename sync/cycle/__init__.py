"""The S&OP cycle: the calendar (``calendar``, ``demandgrid.toml`` ``[cycle]``), lock points
(``close``: close and reopen a demand review, taking the plan snapshot), the snapshots in the
org (``snapshots``: read, list, verify), the periods a close locks (``locks``) and the actuals
that followed (``actuals``).

May import: ``sync.org``, ``sync.pull`` (lock rules) and ``sync.fpa`` (the targets' reading).
"""
