"""The ``[actuals]`` and ``[pos]`` sections of ``demandgrid.toml`` (current directory, else
beside the file being loaded or in a parent folder): which heading names each column of an ERP extract, and where the
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


def _config_file(near: Path | None, config: Path | None) -> Path | None:
    """The settings file: ``config``, else ``demandgrid.toml`` in the current directory, else
    beside ``near`` or in one of its three nearest parent folders."""
    if config is not None:
        return config
    candidates = [Path(CONFIG_NAME)]
    if near is not None:
        candidates += [folder / CONFIG_NAME for folder in list(near.absolute().parents)[:4]]
    return next((c for c in candidates if c.is_file()), None)


def _section(name: str, near: Path | None, config: Path | None) -> tuple[dict[str, Any], Path]:
    path = _config_file(near, config)
    if path is None:
        return {}, Path(".")
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise GatherFileRefused(f"{path}: cannot read [{name}] ({e}). Fix the file.") from None
    if not isinstance(section, dict):
        raise GatherFileRefused(f"{path}: [{name}] must be a table of settings.")
    return section, path.parent


def actuals_columns(near: Path | None = None, config: Path | None = None) -> dict[str, str]:
    """Role -> heading for an ERP extract (defaults: the role names themselves)."""
    section, _ = _section("actuals", near, config)
    unknown = sorted(set(section) - set(ACTUALS_COLUMNS))
    if unknown:
        raise GatherFileRefused(
            f"demandgrid.toml [actuals]: unknown setting {', '.join(unknown)}. "
            f"Settings: {', '.join(ACTUALS_COLUMNS)}."
        )
    return {role: str(section.get(role, default)) for role, default in ACTUALS_COLUMNS.items()}


def crosswalk_path(near: Path | None = None, config: Path | None = None) -> Path | None:
    """``[pos] crosswalk``, relative to the settings file's folder."""
    section, folder = _section("pos", near, config)
    value = section.get("crosswalk")
    return folder / str(value) if value else None
