"""Spread a total over a row's open periods (time disaggregation) in the review workbook.

``exact`` is the arithmetic (largest remainder in the field's units, no workbook knowledge);
``workbook`` reads the grid's New total / Spread over inputs, writes the Spread preview sheet
and, on apply, the spread cells. May import ``addin.book``, ``addin.review``, ``addin.check``
and ``sync``; nothing imports it but ``addin.excel`` and ``addin.cli``.
"""
