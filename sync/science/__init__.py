"""Planning science over the cycle's memory: accuracy of each plan snapshot against the actuals
that followed, by lag (``accuracy``), forecast value added as a stairstep (``fva``), the revenue
bridge from the prior plan (``bridge``), top risk accounts (``risk``), demand vs supply
(``supply``), and the org-facing gathering of snapshots and actuals (``history``).

Everything but ``history`` and ``supply.read_supply_commitments`` is a pure function over frames
(the columns of ``sync.cycle.snapshots.read_snapshot`` and ``sync.cycle.actuals.read_actuals``),
so the tests build the frames directly.

May import: ``sync.org``, ``sync.fpa`` (the org's regions), ``sync.cycle``, ``sync.handoff``.
"""
