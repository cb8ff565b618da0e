"""The Phase 1 custom objects' metadata shipped for Salesforce admins (docs/salesforce/metadata)
matches the local org's schema: every field the loads write, the external ids they upsert on,
and permission sets naming exactly those fields."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sync.gather.writes import GATHER_OBJECTS
from sync.localorg.schema import OBJECTS

ROOT = Path(__file__).resolve().parents[3] / "docs" / "salesforce" / "metadata"
NS = {"m": "http://soap.sforce.com/2006/04/metadata"}
SYSTEM = {"Id", "Name", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate"}
SYSTEM |= {"LastModifiedById", "SystemModstamp"}
TYPES = {
    "string": "Text",
    "reference": "Lookup",
    "date": "Date",
    "datetime": "DateTime",
    "double": "Number",
    "int": "Number",
    "currency": "Currency",
    "boolean": "Checkbox",
}


@pytest.mark.parametrize("name", GATHER_OBJECTS)
def test_every_field_is_in_the_metadata(name: str) -> None:
    folder = ROOT / "objects" / name
    assert ET.parse(folder / f"{name}.object-meta.xml").getroot().find("m:label", NS) is not None
    shipped = {p.name.removesuffix(".field-meta.xml"): p for p in (folder / "fields").iterdir()}
    wanted = {f.name: f for f in OBJECTS[name].fields if f.name not in SYSTEM}
    assert set(shipped) == set(wanted)
    for field_name, field in wanted.items():
        root = ET.parse(shipped[field_name]).getroot()
        assert root.findtext("m:fullName", namespaces=NS) == field_name
        assert root.findtext("m:type", namespaces=NS) == TYPES[field.type], field_name
        external = root.findtext("m:externalId", namespaces=NS) == "true"
        assert external == field.external_id, field_name
        if field.type == "string":
            assert int(root.findtext("m:length", namespaces=NS) or 0) == field.length
        if field.type == "reference":
            assert root.findtext("m:referenceTo", namespaces=NS) == field.reference_to


def test_the_permission_sets_name_only_shipped_fields() -> None:
    fields = {
        f"{o}.{p.name.removesuffix('.field-meta.xml')}"
        for o in GATHER_OBJECTS
        for p in (ROOT / "objects" / o / "fields").iterdir()
    }
    sets = sorted((ROOT / "permissionsets").glob("Demandgrid_Gather_*.permissionset-meta.xml"))
    assert [p.name.split(".")[0] for p in sets] == [
        "Demandgrid_Gather_Loader",
        "Demandgrid_Gather_Reader",
    ]
    for path in sets:
        root = ET.parse(path).getroot()
        named = {e.text for e in root.iterfind("m:fieldPermissions/m:field", NS)}
        assert named == fields, path.name
        deletes = {e.text for e in root.iterfind("m:objectPermissions/m:allowDelete", NS)}
        assert deletes == {"false"}, path.name
