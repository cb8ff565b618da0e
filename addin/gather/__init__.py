"""Phase 1 data gathering on files: ERP extracts (CSV or .xlsx) read and checked row by row,
the reconciliation report, and the distributors' POS submission workbooks (template, import,
coverage report). Rows go to the org through ``sync.gather``.
May import: ``addin.book``, ``sync.org``, ``sync.pull`` (the org's date), ``sync.gather``.
"""
