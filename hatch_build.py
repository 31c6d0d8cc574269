"""Hatch build hook: ship the templates' version history as `stackpick/templates.bundle`.

From a git checkout the bundle holds one tagged version per release tag (see
generator/stackpick/history.py); from an sdist it is the bundle the sdist carries; with neither,
the current templates alone, tagged with the package version. Editable installs build it at run
time instead.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Build templates.bundle and force-include it in the wheel (and the sdist)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        out = Path(self.directory) / ".stackpick-build" / "templates.bundle"
        out.parent.mkdir(parents=True, exist_ok=True)
        carried = root / "templates.bundle"
        if (root / ".git").exists():
            _history().build(out, root / "templates", self.metadata.version, root)
        elif carried.is_file():
            shutil.copyfile(carried, out)
        else:
            _history().build(out, root / "templates", self.metadata.version, None)
        inside = "stackpick/templates.bundle" if self.target_name == "wheel" else "templates.bundle"
        build_data["force_include"][str(out)] = inside

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        shutil.rmtree(Path(self.directory) / ".stackpick-build", ignore_errors=True)


def _history() -> Any:
    path = Path(__file__).parent / "generator" / "stackpick" / "history.py"
    spec = importlib.util.spec_from_file_location("stackpick_history", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
