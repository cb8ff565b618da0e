"""Which org ``--org`` means (``registry``): a path is the embedded local org, an alias or an
instance URL is a Salesforce org configured in ``~/.demandgrid/orgs.toml``.

May import: ``sync.org``, ``sync.localorg``, ``sync.salesforce``.
"""
