"""The FP&A scenario workbook for IBP: its layout and hidden record, the Data table inside the
package (``table``), the formula sheets (Drivers, scenarios, Monthly, Comparison), the builder
(``build``) and the refresh that replaces the table's rows and nothing else (``refresh``).

May import: ``addin.book``; ``sync.org``, ``sync.fpa``.
"""
