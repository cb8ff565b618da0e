"""The local org's schema: Manufacturing Cloud objects with their real API names and fields.

One SQLite table per object, named as the object; one column per field, named as the field.
Stored types: id/reference/string/textarea/picklist -> TEXT; double/currency/percent -> REAL;
int -> INTEGER; boolean -> INTEGER 0/1; date -> TEXT 'YYYY-MM-DD';
datetime -> TEXT 'YYYY-MM-DDTHH:MM:SS.000+0000' (Salesforce's wire format, sortable).
The SOQL engine (``sync.soql``) and describe both read these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass


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


# OBJECTS: dict[str, ObjectDef] is defined below by the local org's author (all objects of the
# issue: User, Account, Product2, Period, AccountForecast, ...).
