"""``demandgrid login`` and ``demandgrid org list|add``: sign in to Salesforce orgs and show
what is configured. Thin wrappers over ``sync.salesforce.auth`` and ``sync.orgs.registry``; no token is ever
printed (``org list`` says only whether one is stored in the keychain)."""

from __future__ import annotations

import webbrowser
from typing import Annotated

import typer
from rich.table import Table

from addin.cli.app import app, console, org_app, user_errors

LOGIN_URL = "https://login.salesforce.com"


@app.command("login")
@user_errors
def login_cmd(
    alias: Annotated[str, typer.Option("--alias", help="Name for this org, used with --org.")],
    instance: Annotated[
        str, typer.Option("--instance", help="Where to sign in: login, test or My Domain URL.")
    ] = LOGIN_URL,
    client_id: Annotated[
        str,
        typer.Option(
            "--client-id",
            envvar="DEMANDGRID_CLIENT_ID",
            help="Consumer key of the org's External Client App for demandgrid.",
        ),
    ] = "",
    port: Annotated[int, typer.Option(help="Loopback port of the callback URL.")] = 1717,
    api_version: Annotated[str, typer.Option(help="Salesforce API version.")] = "67.0",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the sign-in address instead.")
    ] = False,
) -> None:
    """Sign in to a Salesforce org in the browser (OAuth 2.0 with PKCE).

    The refresh token goes to the OS keychain; the org is saved in ~/.demandgrid/orgs.toml."""
    from sync.orgs.registry import OrgConfig, save_org_config
    from sync.salesforce.auth import SignInFailed
    from sync.salesforce.weblogin import web_login

    if not client_id:
        raise SignInFailed(
            "Pass --client-id (or set DEMANDGRID_CLIENT_ID): the consumer key of the External "
            "Client App your admin set up for demandgrid (see docs/salesforce.md)."
        )

    def show(url: str) -> None:
        console.print(f"Sign in to Salesforce at:\n{url}", highlight=False, soft_wrap=True)
        if not no_browser:
            webbrowser.open(url)

    result = web_login(alias, instance, client_id, port=port, open_browser=show)
    path = save_org_config(
        OrgConfig(
            alias=alias,
            instance_url=result.instance_url,
            auth="web",
            client_id=client_id,
            username=result.username,
            api_version=api_version,
            login_url=instance.rstrip("/"),
        )
    )
    console.print(
        f"Signed in to {result.instance_url} as {result.username or 'you'}. "
        f"Org '{alias}' is saved in {path}; use it with --org {alias}.",
        highlight=False,
    )


@org_app.command("list")
@user_errors
def org_list_cmd() -> None:
    """The configured Salesforce orgs (never their tokens)."""
    from sync.orgs.registry import config_path, org_rows

    rows = org_rows()
    if not rows:
        console.print(
            f"No Salesforce orgs configured in {config_path()}. Add one with "
            "`demandgrid login --alias NAME --client-id ...`. The local org is used by default.",
            highlight=False,
        )
        return
    table = Table("alias", "instance", "sign-in", "username", "API", "token in keychain")
    for r in rows:
        table.add_row(r.alias, r.instance_url, r.auth, r.username, r.api_version, r.token_stored)
    console.print(table)


@org_app.command("add")
@user_errors
def org_add_cmd(
    alias: Annotated[str, typer.Option("--alias")],
    instance: Annotated[str, typer.Option("--instance", help="The org's instance URL.")],
    auth: Annotated[str, typer.Option(help="sf-cli, jwt, web or env.")] = "sf-cli",
    client_id: Annotated[str, typer.Option("--client-id")] = "",
    username: Annotated[str, typer.Option()] = "",
    key_file: Annotated[str, typer.Option(help="jwt: path of the private key file.")] = "",
    login_url: Annotated[str, typer.Option(help="jwt: login or test URL.")] = "",
    api_version: Annotated[str, typer.Option()] = "67.0",
) -> None:
    """Configure an org that signs in another way (sf CLI login, JWT service account)."""
    from sync.orgs.registry import AUTH_METHODS, OrgConfig, OrgConfigError, save_org_config

    if auth not in AUTH_METHODS:
        raise OrgConfigError(f"--auth must be one of {', '.join(AUTH_METHODS)}.")
    config = OrgConfig(
        alias, instance.rstrip("/"), auth, client_id, username, api_version, login_url, key_file
    )
    path = save_org_config(config)
    console.print(f"Org '{alias}' saved in {path}.", highlight=False)
