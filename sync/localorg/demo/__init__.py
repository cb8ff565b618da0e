"""The demo org's deterministic data: names (``names``), monthly series with trend and
seasonality (``series``), one rep's portfolio (``rep``), the rows (``build``) and the org file
(``org``: ``create_demo_org``).

May import: ``sync.org``, ``sync.localorg``.
"""
