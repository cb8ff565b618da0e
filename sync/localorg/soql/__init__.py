"""The local org's SOQL: a subset of Salesforce's query language compiled to one SQLite
statement. ``query`` is the entry (parse, run); ``lex``, ``parse``, ``compile``, ``shape`` and
``values`` are its stages.

May import: ``sync.org``, ``sync.localorg.fields`` (the schema's types).
"""
