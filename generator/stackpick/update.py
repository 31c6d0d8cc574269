"""`stackpick update`: preconditions first (nothing is touched when one fails), then Copier's merge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackpick import copier_adapter, generated
from stackpick.errors import ConflictsError, ExitCode, UpdateError, UsageError
from stackpick.project import git

_MARKERS = (b"<<<<<<< ", b">>>>>>> ")


@dataclass
class UpdateOptions:
    """What `update` was asked to do."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    vcs_ref: str | None = None
    trust: bool = False


def run(opts: UpdateOptions) -> int:
    """Update the project at PATH to the newest template version; return the exit code."""
    path = opts.path.absolute()
    project = generated.load(path)
    _require_clean_git(path)
    data = _checked_data(project, opts.data)
    target = opts.vcs_ref or generated.latest(project)
    if target == project.version and not data:
        print(f"{path} is already at template version {target}; nothing to do.")
        return ExitCode.OK
    copier_adapter.update(path, project.src, data, target, trust=opts.trust)
    touched = git(path, "status", "--porcelain", "--untracked-files=all", "--ignored=matching")
    conflicts = _conflicts(path, touched)
    print(f"Updated {path} from template version {project.version} to {target}.")
    lines = [line for line in touched.splitlines() if line and not line.startswith("!! ")]
    rej = [line for line in touched.splitlines() if line.startswith("!! ") and line.endswith(".rej")]
    print("Files touched:" if lines or rej else "No files changed.")
    for line in lines + rej:
        print(f"  {line}")
    if conflicts:
        raise ConflictsError(conflicts)
    print("Review with `git diff`, run the tests, then commit.")
    return ExitCode.OK


def _checked_data(project: generated.Generated, raw: Mapping[str, Any]) -> dict[str, Any]:
    """--data for an update: any answer may change except `stack` (that would delete the app)."""
    data = dict(raw)
    if project.from_stackpick:
        from stackpick.questions import parse_answers

        data = parse_answers(data)
    recorded = project.answers.get("stack")
    if "stack" in data and str(data["stack"]) != str(recorded):
        raise UsageError(
            f"update cannot change stack from {recorded} to {data['stack']}: Copier would delete the "
            f"{recorded} app's files; generate a new project with `stackpick new --stack {data['stack']}`"
        )
    return data


def _require_clean_git(path: Path) -> None:
    if git(path, "rev-parse", "--is-inside-work-tree", check=False) != "true":
        raise UpdateError(f"{path} is not in a git repository; the update merges through git "
                          "(run `git init && git add -A && git commit -m init` first)")
    dirty = git(path, "status", "--porcelain", "--untracked-files=all").splitlines()
    if dirty:
        raise UpdateError(f"{path} has {len(dirty)} uncommitted change(s) (first: {dirty[0][3:]}); "
                          "commit or stash them, then update")


def _conflicts(path: Path, status: str) -> list[str]:
    """Files with unmerged index entries, conflict markers, or a .rej witness next to them."""
    top = Path(git(path, "rev-parse", "--show-toplevel"))  # porcelain paths are from the top
    found = set(git(path, "diff", "--name-only", "--diff-filter=U").splitlines())
    for line in status.splitlines():
        name = line[3:].strip('"')
        changed_with_markers = line[:2] != "!!" and (top / name).is_file() and _has_markers(top / name)
        if name.endswith(".rej") or changed_with_markers:
            found.add(name)
    return sorted(found)


def _has_markers(file: Path) -> bool:
    with file.open("rb") as handle:
        return any(line.startswith(_MARKERS) for line in handle)


