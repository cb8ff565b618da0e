"""The Excel add-in file ``demandgrid.xlam``, built from text sources: a compound-file writer
(``cfb``), the VBA project (``vbaproject``), the build (``build``, sources in ``vba/``) and the
install into Excel's startup folder with its settings file (``install``).

May import: ``addin.book`` (errors only). Nothing here runs inside Excel.
"""
