"""The custom objects' metadata shipped for Salesforce admins matches the local org's schema:
every field the cycle writes is deployed, with the external ids the upserts key on."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sync.localorg.schema import OBJECTS

ROOT = Path(__file__).resolve().parents[3] / "docs" / "salesforce" / "metadata"
NS = {"m": "http://soap.sforce.com/2006/04/metadata"}
SYSTEM = {"Id", "Name", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate"}
SYSTEM |= {"LastModifiedById", "SystemModstamp"}


@pytest.mark.parametrize("name", ["DemandPlanCycle__c", "DemandPlanSnapshot__c"])
def test_every_field_is_in_the_metadata(name):
    folder = ROOT / "objects" / name
    assert ET.parse(folder / f"{name}.object-meta.xml").getroot().find("m:label", NS) is not None
    shipped = {p.name.removesuffix(".field-meta.xml"): p for p in (folder / "fields").iterdir()}
    wanted = {f.name: f for f in OBJECTS[name].fields if f.name not in SYSTEM}
    assert set(shipped) == set(wanted)
    for field_name, field in wanted.items():
        root = ET.parse(shipped[field_name]).getroot()
        assert root.findtext("m:fullName", namespaces=NS) == field_name
        external = root.findtext("m:externalId", namespaces=NS) == "true"
        assert external == field.external_id, field_name
        if root.findtext("m:type", namespaces=NS) == "Text" and field.length:
            assert int(root.findtext("m:length", namespaces=NS)) == field.length, field_name


def test_the_permission_sets_name_only_shipped_fields():
    fields = {
        f"{o}.{p.name.removesuffix('.field-meta.xml')}"
        for o in ("DemandPlanCycle__c", "DemandPlanSnapshot__c")
        for p in (ROOT / "objects" / o / "fields").iterdir()
    }
    for path in (ROOT / "permissionsets").glob("Demandgrid_Cycle_*.permissionset-meta.xml"):
        named = {
            e.text for e in ET.parse(path).getroot().iterfind("m:fieldPermissions/m:field", NS)
        }
        assert named == fields, path.name
