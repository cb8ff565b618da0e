"""Check a review workbook's changeset: every rule (``rules``), and the report on the Check
sheet, as marks on the cells and as a terminal table (``sheet``). ``file`` runs it on a workbook
file and finds the org a workbook belongs to.

May import: ``addin.book``, ``addin.review``; ``sync.org``, ``sync.pull`` (lock rules),
``sync.orgs``.
"""
