"""Everything that knows orgs; nothing here knows workbooks or Excel (``sync`` never imports
``addin``).

Packages, lowest first (each imports only the ones above it): ``org`` (the seam: the ``Org``
protocol, the records that cross it, mapping profiles), ``localorg`` (the embedded SQLite org
with its SOQL and demo data) and ``salesforce`` (simple-salesforce, sign-in), ``orgs`` (which
org ``--org`` means), ``pull``, ``push`` (the engine, its plan and journal), ``fpa`` (the whole
plan for scenarios). See docs/architecture.md.
"""
