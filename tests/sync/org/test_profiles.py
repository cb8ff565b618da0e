"""Which profile an org speaks: detection, the org's configuration, ``demandgrid.toml``."""

from __future__ import annotations

import pytest

from sync.localorg import LocalOrg
from sync.org.aaf import AAF, MappingConfigError, detect_profile, profile_from_config
from sync.org.mapping import STANDARD, profile
from sync.orgs.registry import org_profile


def test_detection_reads_the_org(demo_org_file, aaf_org_file) -> None:
    assert detect_profile(LocalOrg(demo_org_file)).name == "standard"
    assert detect_profile(LocalOrg(aaf_org_file), "revenue").adjusted == "AdjustedRevenue__c"


def test_profiles_by_name_and_measure() -> None:
    assert profile("aaf", "revenue").baseline == "ForecastedRevenue"
    assert profile("aaf").cell_object == "AdvAccountForecastFact"
    assert profile("standard").changes_per_call == 1000 and AAF.changes_per_call == 400
    with pytest.raises(ValueError, match="Known profiles: aaf, standard"):
        profile("sap")


def test_a_customers_fact_object_and_measures_from_configuration() -> None:
    custom = profile_from_config(
        {"profile": "aaf", "fact_object": "AAFFact__c", "adjusted_quantity": "Sales__c",
         "writes_adjustment_record": False},
        "quantity",
    )  # fmt: skip
    assert custom.cell_object == "AAFFact__c" and custom.adjusted == "Sales__c"
    assert custom.changes_per_call == 1000  # no adjustment record: one record per change
    assert custom.created_fields() == ()
    with pytest.raises(ValueError, match="unknown keys: measure"):
        profile_from_config({"profile": "aaf", "measure": "x"})


def test_demandgrid_toml_wins_over_detection(demo_org_file, tmp_path) -> None:
    config = tmp_path / "demandgrid.toml"
    config.write_text('[mapping]\nprofile = "aaf"\nadjusted_quantity = "Mine__c"\n')
    chosen = org_profile(LocalOrg(demo_org_file), demo_org_file, config_file=config)
    assert chosen.name == "aaf" and chosen.adjusted == "Mine__c"
    assert org_profile(LocalOrg(demo_org_file), config_file=tmp_path / "none.toml") == STANDARD
    config.write_text("[mapping\n")
    with pytest.raises(MappingConfigError, match="Cannot read"):
        org_profile(LocalOrg(demo_org_file), config_file=config)


def test_a_workbook_of_a_profile_is_pushed_with_that_profiles_configuration(tmp_path) -> None:
    from sync.org.aaf import configured_profile

    config = tmp_path / "demandgrid.toml"
    config.write_text('[mapping]\nprofile = "aaf"\nadjusted_revenue = "Rev__c"\n')
    assert configured_profile("aaf", "revenue", config).adjusted == "Rev__c"
    assert configured_profile("standard", "revenue", config) == profile("standard", "revenue")
