"""The Salesforce backend: the ``Org`` interface over the REST API through simple-salesforce
(``backend``), its HTTP session (``wire``: timeouts, retries, call counts), Salesforce's answers
in the seam's types (``answers``), the mapping check at connect (``verify``), and sign-in
(``auth`` token sources, ``weblogin`` browser flow).

May import: ``sync.org``.
"""
