"""The command line on a Salesforce org: pull and a dry-run push with ``--org ALIAS`` through
the HTTPS test server, signed in with a refresh token from the (test) keychain."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from addin.cli.main import app
from sync.orgs.registry import OrgConfig, save_org_config
from sync.salesforce.auth import store_refresh_token


@pytest.fixture
def acme(sf_server, memory_keyring, tmp_path, monkeypatch):
    monkeypatch.setenv("DEMANDGRID_HOME", str(tmp_path / "home"))
    save_org_config(
        OrgConfig(
            "acme", sf_server.url, "web", sf_server.client_id, ca_bundle=str(sf_server.ca_pem)
        )
    )
    store_refresh_token("acme", sf_server.issue_refresh_token())
    return sf_server


def test_pull_and_dry_run_push_with_an_alias(acme, tmp_path):
    from sync.localorg.demo.org import DEMO_REP

    out = tmp_path / "review.xlsx"
    runner = CliRunner()
    pulled = runner.invoke(app, ["pull", "--rep", DEMO_REP, "--org", "acme", "-o", str(out)])
    assert pulled.exit_code == 0, pulled.output
    assert out.exists() and "forecast cells" in pulled.output
    dry = runner.invoke(app, ["push", str(out), "--org", "acme", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert acme.calls["query"] > 0 and acme.calls["composite"] == 0
    for token in acme.issued:
        assert token not in pulled.output and token not in dry.output


def test_unknown_alias_is_a_message_not_a_traceback(acme, tmp_path):
    result = CliRunner().invoke(
        app, ["pull", "--rep", "x", "--org", "nope", "-o", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code == 4
    assert "No org called 'nope'" in result.output and "Traceback" not in result.output
