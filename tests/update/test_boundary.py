"""One Copier boundary, public names only, and every imported package declared."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

PACKAGE = Path(__file__).resolve().parents[2] / "generator" / "stackpick"


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_copier_is_called_from_the_adapter_only_and_never_by_private_names() -> None:
    users = {path.name: names for path in PACKAGE.glob("*.py")
             if (names := {n for n in imports(path) if n.split(".")[0] == "copier"})}
    assert set(users) == {"copier_adapter.py"}
    assert users["copier_adapter.py"] == {"copier", "copier.run_copy", "copier.run_update", "copier.errors",
                                          "copier.errors.CopierError", "copier.errors.UnsafeTemplateError"}


def test_every_imported_package_is_a_declared_dependency() -> None:
    declared = {Requirement(r).name.lower() for r in
                tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text())["project"]["dependencies"]}
    owners = packages_distributions()
    third_party = {name.split(".")[0] for path in PACKAGE.glob("*.py") for name in imports(path)} \
        - set(sys.stdlib_module_names) - {"stackpick", "__future__"}
    missing = {top: owners.get(top) for top in third_party
               if not {d.lower() for d in owners.get(top, [top])} & declared}
    assert missing == {}
