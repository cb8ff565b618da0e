"""Live Excel: the open workbook behind the book surface through whole-range xlwings calls
(``book``; open-source core only), and the ribbon's ``RunPython`` entry points (``ribbon``),
which call the same library functions as the command line.

May import: every ``addin`` package but ``cli``; ``sync.org``, ``sync.orgs``.
"""
