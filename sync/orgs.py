"""Which org ``--org`` means: a path is the embedded local org; an alias is a configured
Salesforce org (see ``demandgrid org list``). The local org is the default."""

from __future__ import annotations

from pathlib import Path

from sync.org import Org, OrgError

DEFAULT_LOCAL_ORG = Path("demo/org.sqlite")


class UnknownOrg(OrgError):
    """``--org`` names neither a local org file nor a configured Salesforce org."""


def is_local(spec: str | Path) -> bool:
    s = str(spec)
    return s.endswith((".sqlite", ".db")) or "/" in s or "\\" in s or Path(s).exists()


def open_org(spec: str | Path | None = None, *, username: str | None = None) -> Org:
    """Open the org ``spec`` names (a local org path; Salesforce aliases come with that backend)."""
    from sync.localorg import LocalOrg

    path = Path(spec) if spec else DEFAULT_LOCAL_ORG
    if is_local(path):
        if not path.exists():
            raise UnknownOrg(
                f"No local org at {path}. Create the demo org with `demandgrid demo`, "
                "or pass --org with the path of an org file."
            )
        return LocalOrg(path, username=username)
    raise UnknownOrg(f"No org called {spec!r}. `demandgrid org list` shows the configured orgs.")
