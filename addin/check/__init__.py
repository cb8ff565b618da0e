"""Check a review workbook: read it back against its hidden record (``readback``), tie its rows
to records (``tie``), run every rule on the changeset (``rules``), and show the report on the
Check sheet, as marks on the cells and as a terminal table (``sheet``). ``file`` runs it on a
workbook file.

May import: ``addin.book``, ``addin.review``; ``sync.org``, ``sync.pull`` (lock rules),
``sync.orgs``.
"""
