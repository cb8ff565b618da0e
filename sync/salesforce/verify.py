"""Check a mapping profile against an org's describe at connect: every mapped object and field
exists for the signed-in user, and the adjusted value and the note are updateable. Problems are
collected and raised together as one ``MappingMismatch`` that names each missing piece and who
can fix it."""

from __future__ import annotations

from collections.abc import Callable

from sync.org.mapping import MappingProfile
from sync.org.seam import MappingMismatch, ObjectDescribe, OrgError


class UnknownObject(OrgError):
    """The org has no such object, or the user cannot see it."""


Describe = Callable[[str], ObjectDescribe]


def check_mapping(describe: Describe, profile: MappingProfile, username: str) -> None:
    problems: list[str] = []
    who = username or "this user"
    objects: dict[str, ObjectDescribe | None] = {}

    def obj(name: str) -> ObjectDescribe | None:
        if name not in objects:
            try:
                objects[name] = describe(name)
            except UnknownObject:
                objects[name] = None
                problems.append(
                    f"{name} is not available to {who}: the org needs Manufacturing Cloud with "
                    f"Account Forecasting, and the user needs the Manufacturing Cloud permission "
                    f"set license and read access to {name}. Ask your admin."
                )
        return objects[name]

    def need(object_name: str, field: str, *, edit: bool = False, create: bool = False) -> None:
        d = obj(object_name)
        if d is None:
            return
        f = d.field(field)
        if f is None:
            problems.append(
                f"{object_name}.{field} is missing or hidden for {who}: ask your admin for "
                f"field-level access to it (mapping profile '{profile.name}')."
            )
        elif edit and not f.updateable:
            problems.append(
                f"{object_name}.{field} is not updateable for {who}: ask your admin for edit "
                "access to Account Forecasting (permission set 'Manufacturing Cloud Account "
                f"Forecasting' with field-level edit access on {field})."
            )
        elif create and not f.createable:
            problems.append(
                f"{object_name}.{field} cannot be set on new records by {who}: ask your admin "
                f"for create access to {object_name} and field-level edit access on {field} "
                "(docs/salesforce.md, Advanced Account Forecasting)."
            )

    def walk(path: str) -> tuple[str | None, str]:
        """Follow relationship names from the cell object; (object holding the last part, last part)."""
        current: str | None = profile.cell_object
        *hops, last = path.split(".")
        for hop in hops:
            d = obj(current) if current else None
            if d is None:
                return None, last
            ref = next(
                (f for f in d.fields if (f.relationship_name or "").lower() == hop.lower()), None
            )
            if ref is None or not ref.reference_to:
                problems.append(
                    f"{d.name} has no relationship {hop} visible to {who} (mapping profile "
                    f"'{profile.name}'): ask your admin for access to it."
                )
                return None, last
            current = ref.reference_to[0]
        return current, last

    cell = profile.cell_object
    for field in (
        profile.baseline,
        profile.actual,
        profile.last_year,
        profile.modstamp,
        profile.period_start,
        profile.period_id,
    ):
        need(cell, field)
    for field in profile.updateable_fields():
        need(cell, field, edit=True)
    for object_name, field in profile.created_fields():
        need(object_name, field, create=True)
    for path in (profile.owner_path, profile.forecast_status_path):
        holder, field = walk(path)
        if holder:
            need(holder, field)
    for path, fields in (
        (profile.account_path, ("Name", profile.region_field)),
        (profile.product_path, ("Name", "Family")),
    ):
        holder, last = walk(path + ".Id")
        if holder:
            for field in fields:
                need(holder, field)
    for name in (
        profile.target_object,
        profile.target_distribution_object,
        profile.periodic_target_object,
    ):
        obj(name)
    if problems:
        raise MappingMismatch(
            f"This org does not match the mapping profile '{profile.name}':\n- "
            + "\n- ".join(problems)
        )
