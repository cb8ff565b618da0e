"""Phase 1 data gathering: ERP actuals and distributor point-of-sale (POS) lines into the org,
validated row by row before any API call and idempotent (what the org already holds is not
sent again), and the log of loads behind the review's data-freshness line.

Rows arrive already read from their files (``addin.gather`` reads CSV and workbooks); this
package resolves them against the org, refuses what cannot load, and writes with
``Org.upsert`` / ``Org.update`` in all-or-none calls of at most 1,000 records.
May import: ``sync.org``.
"""
