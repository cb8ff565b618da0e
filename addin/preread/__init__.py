"""The executive pre-read workbook: the Data sheet the pages read (``data``), one page per topic
as live formulas over it (``pages``, ``accuracy_pages``), native charts (``charts``), the build
with fixed timestamps and the PDF through LibreOffice (``build``).

May import: ``addin.book``, ``addin.fpa`` (its print setup, styles and scenario drivers);
``sync.org``, ``sync.science``.
"""
