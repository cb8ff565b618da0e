"""Phase 3, the supply review hand-off on the org side: the locked consensus plan read out of a
closed cycle's snapshot (``consensus``), the production commitment loaded into
``SupplyCommitment__c`` and read back (``supply``), a supply planner's allocation cuts checked
against the demand they cut (``allocation``), and the row-level validation they share
(``rows``). Nothing here knows workbooks or files: callers hand in rows as dicts of text.

May import: ``sync.org``, ``sync.pull``, ``sync.cycle``.
"""
