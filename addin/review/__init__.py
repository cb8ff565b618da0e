"""The review workbook a rep works in: its layout contract (defined names), the template, the
grid of values and formulas, the writer, the Summary sheet, the hidden record of what was
pulled, and the two ways in: ``pull`` (a new workbook) and ``refresh`` (the org's latest values
into an existing one).

May import: ``addin.book``, ``addin.check`` only for reading a workbook back in ``refresh``;
``sync.org``, ``sync.pull``.
"""
