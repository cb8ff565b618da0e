"""The workbook as check, push and refresh see it: the book surface (a few whole-range
operations, ``surface``) and its file side (``xlsx``, with ``table`` for a readable table,
``styles`` for LibreOffice's style numbering and ``marks`` for check's marks), atomic saves
(``atomic``), one command per workbook at a time (``lock``), worksheet XML as text
(``sheet_xml``), and the errors a user meets (``errors``).

May import: nothing else in ``addin``; from ``sync`` nothing.
"""
