"""The tree tells the architecture: ``sync`` never imports ``addin``, and inside each, a
capability package imports only the packages its ``__init__`` docstring allows (lower ones).

A new import across packages that this test refuses is a design question, not a typo: either
the code belongs in another package, or the layering below changes (and the package's
docstring and docs/architecture.md with it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_SYNC_BACKENDS = {"sync.org", "sync.localorg", "sync.salesforce"}
_REVIEW = {"addin.book", "sync.org", "sync.pull", "sync.orgs", "sync.cycle", "sync.gather"}
_CHECK = _REVIEW | {"addin.review"}
_PUSH = _CHECK | {"addin.check", "sync.push"}
_FPA = {"addin.book", "sync.org", "sync.fpa"}
_XLAM = {"addin.book"}

#: package -> the packages it may import (itself always).
ALLOWED: dict[str, set[str]] = {
    "sync.org": set(),
    "sync.localorg": {"sync.org"},
    "sync.salesforce": {"sync.org"},
    "sync.orgs": _SYNC_BACKENDS,
    "sync.pull": {"sync.org"},
    "sync.push": {"sync.org"},
    "sync.fpa": {"sync.org"},
    "sync.cycle": {"sync.org", "sync.pull", "sync.fpa"},  # issue 12: calendar, close, snapshots
    "sync.gather": {"sync.org"},  # issue 13 A: ERP actuals, POS, data freshness
    "addin.book": set(),
    "addin.review": _REVIEW,
    "addin.check": _CHECK,
    "addin.push": _PUSH,
    "addin.fpa": _FPA,
    "addin.xlam": _XLAM,
    "addin.gather": {"addin.book", "sync.org", "sync.pull", "sync.gather"},  # issue 13 A
    "addin.excel": _PUSH
    | _FPA
    | _XLAM
    | {"addin.push", "addin.fpa", "addin.xlam", "addin.preread", "sync.science"},
    "addin.spread": _CHECK,  # issue 15: spread a total (reads the review workbook)
    "sync.handoff": {"sync.org", "sync.pull", "sync.cycle"},  # issue 13 part B
    "addin.handoff": _REVIEW | {"addin.review", "sync.handoff", "sync.cycle"},  # issue 13 part B
    "addin.cli": {"*"},
    # issue 12 part B: planning science and the executive pre-read
    "sync.science": {"sync.org", "sync.fpa", "sync.cycle", "sync.handoff"},
    "addin.preread": {"addin.book", "addin.fpa", "sync.org", "sync.science"},
}
ALLOWED["addin.excel"] |= {"addin.spread"}  # issue 15: the ribbon's Spread


def _package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).parent.parts[:2])


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {".".join(m.split(".")[:2]) for m in found if m.split(".")[0] in ("addin", "sync")}


def _modules() -> list[Path]:
    return sorted(p for top in ("addin", "sync") for p in (ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_what_its_package_may(path: Path) -> None:
    package = _package_of(path)
    if package in ("addin", "sync"):  # the top-level __init__ files
        assert not _imports(path)
        return
    assert package in ALLOWED, f"{package} is a new package: add it to ALLOWED and the docs"
    allowed = ALLOWED[package] | {package}
    if "*" in allowed:
        return
    wrong = sorted(_imports(path) - allowed)
    assert not wrong, f"{path.relative_to(ROOT)} ({package}) imports {wrong}"


def _packages() -> list[Path]:
    return sorted({p.parent for p in _modules()})


@pytest.mark.parametrize("folder", _packages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_package_says_its_job_and_stays_small(folder: Path) -> None:
    init = folder / "__init__.py"
    assert init.exists(), f"{folder} has no __init__.py"
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{init}: no docstring"
    modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= 12, f"{folder} holds {len(modules)} modules: split it by capability"


def test_test_files_have_unique_names() -> None:
    """pytest imports test modules by basename (rootdir-relative packages are not used): two
    test files of one name collide ("import file mismatch") when collected in one run."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
