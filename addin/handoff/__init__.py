"""Phase 3, the supply review hand-off on the file side: the locked consensus plan written as
CSV or Parquet (``export``), hand-off files read as rows (``files``), the production commitment
loaded from a file (``supply``), a supply planner's allocation turned into a planner's review
workbook of noted adjustments with a fairness sheet (``allocation``), and a design win's upside
accepted into a review workbook as a noted change (``upside``).

May import: ``addin.book``, ``addin.review``; ``sync.org``, ``sync.orgs``, ``sync.pull``,
``sync.handoff``, ``sync.cycle``.
"""
