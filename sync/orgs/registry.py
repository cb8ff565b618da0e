"""Which org ``--org`` means: a path is the embedded local org; an alias is a Salesforce org
configured in ``~/.demandgrid/orgs.toml`` (see ``demandgrid org list``), and so is that org's
instance URL; ``env`` is the org in ``SF_INSTANCE_URL`` + ``SF_ACCESS_TOKEN``. The local org is
the default.

``orgs.toml`` holds no secret: per alias the instance URL, the sign-in method (``web``: OAuth
with PKCE, refresh token in the OS keychain; ``sf-cli``: reuse an ``sf`` CLI login; ``jwt``:
JWT bearer for service accounts, with the path of the key file; ``env``), the client id of the
External Client App, the username and the API version::

    [orgs.acme]
    instance_url = "https://acme.my.salesforce.com"
    auth = "web"
    client_id = "3MVG9..."
    username = "rep@acme.com"
    api_version = "67.0"
    profile = "aaf"        # the forecasting data model: standard or aaf (blank: detected)

``org_profile`` picks the mapping profile for an org: ``demandgrid.toml`` ``[mapping]`` (the
customer's fact object and measures, docs/aaf.md), else the alias's ``profile``, else what the
org's describe and data show (``sync.org.aaf.detect_profile``).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from sync.org.mapping import MappingProfile, Measure
from sync.org.mapping import profile as mapping_profile
from sync.org.seam import Org, OrgError

DEFAULT_LOCAL_ORG = Path("demo/org.sqlite")
AUTH_METHODS = ("web", "sf-cli", "jwt", "env")
ENV_ORG = "env"


class UnknownOrg(OrgError):
    """``--org`` names neither a local org file nor a configured Salesforce org."""


class OrgConfigError(OrgError):
    """``orgs.toml`` cannot be read or an entry is incomplete."""


@dataclass(frozen=True)
class OrgConfig:
    """One configured Salesforce org. No secrets: tokens live in the OS keychain."""

    alias: str
    instance_url: str
    auth: str = "web"
    client_id: str = ""
    username: str = ""
    api_version: str = "67.0"
    login_url: str = ""  # where to sign in (default: the instance URL)
    key_file: str = ""  # jwt only: path of the private key, never the key itself
    ca_bundle: str = ""  # a corporate proxy's CA, if any
    profile: str = ""  # mapping profile: "standard" or "aaf"; blank: detected from the org


def config_dir() -> Path:
    return Path(os.environ.get("DEMANDGRID_HOME") or Path.home() / ".demandgrid")


def config_path() -> Path:
    return config_dir() / "orgs.toml"


def load_org_configs(path: Path | None = None) -> dict[str, OrgConfig]:
    path = path or config_path()
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise OrgConfigError(f"Cannot read {path}: {e}. Fix or remove the file.") from None
    known = {f.name for f in fields(OrgConfig)} - {"alias"}
    configs = {}
    for alias, entry in (doc.get("orgs") or {}).items():
        if not isinstance(entry, dict) or not entry.get("instance_url"):
            raise OrgConfigError(f"{path}: [orgs.{alias}] needs an instance_url.")
        unknown = set(entry) - known
        if unknown:
            raise OrgConfigError(
                f"{path}: [orgs.{alias}] has unknown keys: {', '.join(sorted(unknown))}."
            )
        if entry.get("auth", "web") not in AUTH_METHODS:
            raise OrgConfigError(
                f"{path}: [orgs.{alias}] auth must be one of {', '.join(AUTH_METHODS)}."
            )
        configs[alias] = OrgConfig(alias=alias, **{k: str(v) for k, v in entry.items()})
    return configs


def save_org_config(config: OrgConfig, path: Path | None = None) -> Path:
    """Add or replace one alias in ``orgs.toml`` (the others are kept)."""
    path = path or config_path()
    configs = load_org_configs(path)
    configs[config.alias] = config
    lines = ["# demandgrid orgs: no secrets here (tokens live in the OS keychain).", ""]
    for alias in sorted(configs):
        lines.append(f"[orgs.{json.dumps(alias)}]")
        for key, value in asdict(configs[alias]).items():
            if key != "alias" and value:
                lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def is_local(spec: str | Path) -> bool:
    return _looks_like_path(str(spec)) or Path(spec).exists()


def open_org(
    spec: str | Path | None = None,
    *,
    username: str | None = None,
    profile: MappingProfile | None = None,
) -> Org:
    """Open the org ``spec`` names: a local org path (default), a configured alias, or ``env``."""
    if str(spec or "").lower().startswith("https://"):
        # an instance URL (a Salesforce-pulled workbook's origin): the alias configured for it
        found = alias_for_instance(str(spec))
        if found is None:
            raise UnknownOrg(
                f"No configured org for {spec}. Sign in with `demandgrid login --alias NAME "
                f"--instance {spec}`, or pass --org with an alias from `demandgrid org list`."
            )
        spec = found
    if spec and str(spec) == ENV_ORG:
        from sync.salesforce.auth import EnvTokenSource

        tokens = EnvTokenSource()
        config = OrgConfig(alias=ENV_ORG, instance_url=tokens.instance_url, auth="env")
        return _connect(config, tokens, profile)
    path = Path(spec) if spec else DEFAULT_LOCAL_ORG
    # A configured alias wins over a same-named folder (``demo/`` holds the demo org).
    configs = {} if not spec or _looks_like_path(str(spec)) else load_org_configs()
    if spec and str(spec) in configs:
        config = configs[str(spec)]
        return _connect(config, token_source(config), profile)
    if not spec or is_local(path):
        from sync.localorg import LocalOrg

        if not path.exists():
            raise UnknownOrg(
                f"No local org at {path}. Create the demo org with `demandgrid demo`, "
                "or pass --org with the path of an org file."
            )
        return LocalOrg(path, username=username)
    known = ", ".join(sorted(configs)) or "none yet: `demandgrid login` adds one"
    raise UnknownOrg(
        f"No org called {str(spec)!r} (configured: {known}). `demandgrid org list` shows the "
        "configured orgs; a local org is given by its file path."
    )


def _looks_like_path(s: str) -> bool:
    return s.endswith((".sqlite", ".db")) or "/" in s or "\\" in s


@dataclass(frozen=True)
class OrgRow:
    """One line of ``demandgrid org list``: never a token, only whether one is stored."""

    alias: str
    instance_url: str
    auth: str
    username: str
    api_version: str
    token_stored: str  # "yes"/"no" for the keychain (web sign-in); how else it signs in otherwise


def org_rows() -> list[OrgRow]:
    from sync.salesforce.auth import has_refresh_token

    rows = []
    for alias, c in sorted(load_org_configs().items()):
        if c.auth == "web":
            stored = "yes" if has_refresh_token(alias) else "no"
        else:
            stored = {"sf-cli": "no (sf CLI login)", "jwt": "no (JWT key file)"}.get(
                c.auth, "no (environment)"
            )
        rows.append(OrgRow(alias, c.instance_url, c.auth, c.username, c.api_version, stored))
    return rows


def alias_for_instance(instance_url: str) -> str | None:
    """The configured alias whose instance is ``instance_url`` (a workbook's origin), if any."""
    wanted = instance_url.rstrip("/").lower()
    for alias, config in load_org_configs().items():
        if config.instance_url.rstrip("/").lower() == wanted:
            return alias
    return None


def token_source(config: OrgConfig):  # type: ignore[no-untyped-def]
    """The token source for a configured org's sign-in method."""
    import requests

    from sync.salesforce import auth

    session = requests.Session()
    if config.ca_bundle:
        session.verify = config.ca_bundle
    if config.auth == "web":
        if not config.client_id:
            raise OrgConfigError(
                f"Org '{config.alias}' needs a client_id (the External Client App's consumer key)."
            )
        return auth.RefreshTokenSource(
            config.alias, config.instance_url, config.client_id, session=session
        )
    if config.auth == "sf-cli":
        return auth.SfCliTokenSource(config.alias, instance_url=config.instance_url)
    if config.auth == "jwt":
        if not (config.client_id and config.username and config.key_file):
            raise OrgConfigError(
                f"Org '{config.alias}' signs in with JWT: it needs client_id, username and key_file."
            )
        login = config.login_url or config.instance_url
        return auth.JwtBearerTokenSource(
            login, config.client_id, config.username, config.key_file, session=session
        )
    return auth.EnvTokenSource()


def _connect(config: OrgConfig, tokens, profile: MappingProfile | None) -> Org:  # type: ignore[no-untyped-def]
    from sync.salesforce.backend import SalesforceOrg

    if profile is None and config.profile:
        profile = mapping_profile(config.profile)
    return SalesforceOrg.connect(
        config.instance_url,
        tokens,
        profile=profile,
        api_version=config.api_version,
        verify=config.ca_bundle or True,
    )


def org_profile(
    org: Org,
    spec: str | Path | None = None,
    measure: Measure = "quantity",
    config_file: Path = Path("demandgrid.toml"),
) -> MappingProfile:
    """The mapping profile for ``org`` (see the module docstring)."""
    from sync.org.aaf import configured_profile, detect_profile, mapping_section

    name = str(mapping_section(config_file).get("profile") or "")
    if not name and spec and not is_local(spec):
        config = load_org_configs().get(str(spec))
        name = config.profile if config else ""
    name = name or detect_profile(org, measure).name
    return configured_profile(name, measure, config_file)
