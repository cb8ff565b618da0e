"""Push a checked review workbook: plan and send through the push engine (``sync.push``), then
write the receipt (Push Log), the conflicts (Conflicts sheet with its Take column) and the
moved baseline into the workbook (``workbook``, ``sheets``); ``file`` runs it on a workbook file.

May import: ``addin.book``, ``addin.review``, ``addin.check``; ``sync.org``, ``sync.push``,
``sync.orgs``.
"""
