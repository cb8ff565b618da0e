"""The workbook as check, push and refresh see it: the book surface (a few whole-range
operations) and its file side (``xlsx``), atomic saves, worksheet XML as text, and the errors a
user meets (``errors``).

May import: nothing else in ``addin``; from ``sync`` nothing.
"""
