"""The ``demandgrid`` command line: thin wrappers over library calls, argument handling and
printing only. ``app`` holds the Typer apps and the error printer; ``commands`` and ``orgs``
register their commands on it; ``main`` puts them together (the console script's entry).

May import: everything in ``addin`` and ``sync``; nothing imports it.
"""
