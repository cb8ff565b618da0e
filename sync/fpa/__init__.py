"""The plan as FP&A sees it: forecast sets (which horizon, shown how; ``forecast_sets``) and every
cell of a set, all reps, in long form with targets and the prior plan (``plan``).

May import: ``sync.org``.
"""
