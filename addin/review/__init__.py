"""The review workbook a rep works in, both ways across its layout contract (defined names):
written (the template, the grid of values and formulas, the writer, the Summary sheet, the
hidden record of what was pulled) and read back (``readback``: recognise the workbook, tie its
rows to records with ``tie``, find the changeset). The ways in: ``pull`` (a new workbook) and
``refresh`` (the org's latest values into an existing one); ``file`` runs refresh on a file
and finds the org a workbook belongs to.

May import: ``addin.book``; ``sync.org``, ``sync.pull``, ``sync.orgs`` (which org a file belongs to),
``sync.cycle`` (the periods a closed review locks), ``sync.gather`` (what Phase 1 loaded: ERP
actuals, POS, when).
"""
