"""Saving a workbook so a crash never leaves a half-written file: the new file is written
beside the old one, flushed to disk, the old one is kept as ``<name>.prev.xlsx``, and one rename
puts the new file in place."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def previous_version(target: Path) -> Path:
    return target.with_name(f"{target.stem}.prev{target.suffix}")


def replace_keeping_previous(new: Path, target: Path) -> Path:
    """Move the finished file ``new`` over ``target``, keeping ``target``'s last version."""
    with open(new, "rb+") as fh:
        os.fsync(fh.fileno())
    previous = previous_version(target)
    if target.exists():
        shutil.copy2(target, previous)
    os.replace(new, target)
    return previous
