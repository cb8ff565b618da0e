"""The embedded local org: a SQLite file with Manufacturing Cloud's objects that answers like
Salesforce (``LocalOrg``), and its deterministic demo data (``sync.localorg.demo``)."""

from sync.localorg.store import LocalOrg, NotALocalOrg, OutdatedLocalOrg, QueryPage, UnknownUser

__all__ = ["LocalOrg", "NotALocalOrg", "OutdatedLocalOrg", "QueryPage", "UnknownUser"]
