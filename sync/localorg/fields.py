"""How the local org's schema is written down: field and object definitions, the SQLite type
that stores each field type, and the builders ``sync.localorg.schema`` lists its objects with.

One SQLite table per object, named as the object; one column per field, named as the field.
Stored types: id/reference/string/textarea/picklist -> TEXT; double/currency/percent -> REAL;
int -> INTEGER; boolean -> INTEGER 0/1; date -> TEXT 'YYYY-MM-DD';
datetime -> TEXT 'YYYY-MM-DDTHH:MM:SS.000+0000' (Salesforce's wire format, sortable).
The SOQL engine (``sync.localorg.soql``) and describe both read these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str  # id, reference, string, textarea, picklist, double, currency, percent, int, boolean, date, datetime
    label: str = ""
    length: int = 0
    precision: int = 0
    scale: int = 0
    updateable: bool = False
    createable: bool = True
    nillable: bool = True
    reference_to: str | None = None  # target object for a reference field
    relationship_name: str | None = None  # e.g. "Account" for AccountId
    external_id: bool = False  # unique, and may key an upsert


@dataclass(frozen=True)
class ObjectDef:
    name: str
    key_prefix: str  # first three characters of every Id of this object
    label: str
    fields: tuple[FieldDef, ...]

    def field(self, name: str) -> FieldDef | None:
        lowered = name.lower()
        for f in self.fields:
            if f.name.lower() == lowered:
                return f
        return None

    def relationship(self, name: str) -> FieldDef | None:
        lowered = name.lower()
        for f in self.fields:
            if f.relationship_name and f.relationship_name.lower() == lowered:
                return f
        return None


def sql_type(f: FieldDef) -> str:
    """The SQLite column type that stores a field (see the module docstring)."""
    if f.type in ("double", "currency", "percent"):
        return "REAL"
    if f.type in ("int", "boolean"):
        return "INTEGER"
    return "TEXT"


# ---------------------------------------------------------------- field builders
# Number fields: Salesforce's field reference lists the forecast quantities as double and the
# revenues as currency with 18 digits; we give both scale 2 (precision 18, so at most 16
# digits before the point). The org refuses more decimals than the scale and more digits than
# precision - scale (NUMBER_OUTSIDE_VALID_RANGE), so a value that passes here fits a real org.


def id_field(label: str) -> FieldDef:
    return FieldDef("Id", "id", label, length=18, createable=False, nillable=False)


def reference(
    name: str,
    to: str,
    relationship: str | None,
    label: str = "",
    *,
    updateable: bool = False,
    nillable: bool = True,
) -> FieldDef:
    return FieldDef(
        name,
        "reference",
        label or name,
        length=18,
        updateable=updateable,
        nillable=nillable,
        reference_to=to,
        relationship_name=relationship,
    )


def text(
    name: str, length: int = 255, *, updateable: bool = False, kind: str = "string"
) -> FieldDef:
    return FieldDef(name, kind, name, length=length, updateable=updateable)


def picklist(name: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, "picklist", name, length=255, updateable=updateable)


def number(name: str, kind: str = "double", *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, kind, name, precision=18, scale=2, updateable=updateable)


def external_key(name: str, length: int) -> FieldDef:
    """A unique external-id text field that keys ``upsert`` (required on create)."""
    return FieldDef(name, "string", name, length=length, updateable=True, external_id=True)


def datetime_field(name: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, "datetime", name, updateable=updateable)


def percent(name: str) -> FieldDef:
    return FieldDef(name, "percent", name, precision=5, scale=2)


def integer(name: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, "int", name, precision=9, updateable=updateable)


def boolean(name: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, "boolean", name, updateable=updateable, nillable=False)


def date_field(name: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(name, "date", name, updateable=updateable)


def name(*, updateable: bool = False) -> FieldDef:
    return FieldDef("Name", "string", "Name", length=255, updateable=updateable, nillable=False)


def owner() -> FieldDef:
    return reference("OwnerId", "User", "Owner", "Owner ID", updateable=True, nillable=False)


def _system(f: FieldDef) -> FieldDef:
    return replace(f, createable=False)


def audit() -> tuple[FieldDef, ...]:
    """The system audit fields every object carries; none is writable through the API."""
    return (
        FieldDef("CreatedDate", "datetime", "Created Date", createable=False, nillable=False),
        _system(reference("CreatedById", "User", "CreatedBy", "Created By ID", nillable=False)),
        FieldDef(
            "LastModifiedDate", "datetime", "Last Modified Date", createable=False, nillable=False
        ),
        _system(
            reference(
                "LastModifiedById", "User", "LastModifiedBy", "Last Modified By ID", nillable=False
            )
        ),
        FieldDef("SystemModstamp", "datetime", "System Modstamp", createable=False, nillable=False),
    )


def sobject(name: str, prefix: str, label: str, *fields: FieldDef) -> ObjectDef:
    return ObjectDef(name, prefix, label, (id_field(f"{label} ID"), *fields, *audit()))


def measures(*stems: str, updateable: bool = False) -> tuple[FieldDef, ...]:
    """``<stem>Quantity`` (double) and ``<stem>Revenue`` (currency) for each stem."""
    out: list[FieldDef] = []
    for stem in stems:
        out.append(number(f"{stem}Quantity", updateable=updateable))
        out.append(number(f"{stem}Revenue", "currency", updateable=updateable))
    return tuple(out)
