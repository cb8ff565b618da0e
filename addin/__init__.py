"""Everything that knows workbooks and Excel. It reaches orgs only through ``sync``.

Packages, lowest first (a package imports only the ones above it in this list, and ``sync``):
``book`` (the book surface, workbook files, errors), ``review`` (the review workbook: template,
grid, writer, hidden record, pull to a workbook, refresh), ``check`` (read back, tie rows to
records, rules, Check sheet), ``push`` (push on a workbook, Push Log and Conflicts), ``fpa``
(the FP&A scenario workbook), ``xlam`` (the add-in file), ``excel`` (live Excel: the book on
xlwings and the ribbon), ``cli`` (the ``demandgrid`` command line). See docs/architecture.md.
"""
