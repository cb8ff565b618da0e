"""The ``[actuals]`` and ``[pos]`` sections of ``demandgrid.toml`` (current directory, else
beside the file being loaded): which heading names each column of an ERP extract, and where the
distributors' part-number crosswalk is.

    [actuals]
    account = "Customer"
    product = "Material"
    month = "Posting period"
    quantity = "Qty"
    revenue = "Net value"

    [pos]
    crosswalk = "pos/crosswalk.csv"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from addin.gather.errors import GatherFileRefused

CONFIG_NAME = "demandgrid.toml"
ACTUALS_COLUMNS = {
    "account": "account",
    "product": "product",
    "month": "month",
    "quantity": "quantity",
    "revenue": "revenue",
}


def _section(name: str, near: Path | None, config: Path | None) -> dict[str, Any]:
    candidates = [config] if config else [Path(CONFIG_NAME)]
    if near is not None and not config:
        candidates.append(near.parent / CONFIG_NAME)
    for path in candidates:
        if path is None or not path.is_file():
            continue
        try:
            section = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise GatherFileRefused(f"{path}: cannot read [{name}] ({e}). Fix the file.") from None
        if not isinstance(section, dict):
            raise GatherFileRefused(f"{path}: [{name}] must be a table of settings.")
        return section
    return {}


def actuals_columns(near: Path | None = None, config: Path | None = None) -> dict[str, str]:
    """Role -> heading for an ERP extract (defaults: the role names themselves)."""
    section = _section("actuals", near, config)
    unknown = sorted(set(section) - set(ACTUALS_COLUMNS))
    if unknown:
        raise GatherFileRefused(
            f"demandgrid.toml [actuals]: unknown setting {', '.join(unknown)}. "
            f"Settings: {', '.join(ACTUALS_COLUMNS)}."
        )
    return {role: str(section.get(role, default)) for role, default in ACTUALS_COLUMNS.items()}


def crosswalk_path(near: Path | None = None, config: Path | None = None) -> Path | None:
    value = _section("pos", near, config).get("crosswalk")
    return Path(value) if value else None
