"""`stackpick check`: is a generated project at the newest template version? (0 yes, 1 behind)."""

from __future__ import annotations

import json
from pathlib import Path

from stackpick import generated
from stackpick.errors import ExitCode


def run(path: Path, *, as_json: bool = False) -> int:
    """Compare the project's recorded template version with the newest available one."""
    project = generated.load(path.absolute())
    newest = generated.latest(project)
    behind = generated.is_behind(project.version, newest)
    if as_json:
        print(json.dumps({"path": str(project.path), "template": project.src,
                          "current": project.version, "latest": newest, "behind": behind}))
    elif behind:
        print(f"{project.path}: behind: template version {project.version} -> {newest} "
              "(run `stackpick update` to merge it)")
    else:
        print(f"{project.path}: up to date (template version {project.version})")
    return ExitCode.FAILURE if behind else ExitCode.OK
