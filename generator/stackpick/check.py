"""`stackpick check`: would a newer template version change this project? (0 no, 1 yes, 2 error).

"Behind" means the update would change at least one file for this project's answers, found by
running the same merge `update` runs, in a scratch clone of HEAD. A newer version whose only
effect is the new version number in `.copier-answers.yml` is not "behind". Equal versions skip the
merge. An interrupted update, unresolved conflicts and a recorded version the template does not
have are errors (exit 2), never "up to date".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stackpick import conflicts, generated, merge, repository, scratch, transaction
from stackpick.errors import ExitCode


def run(path: Path, *, as_json: bool = False) -> int:
    """Report whether the project at PATH is behind its template; return the exit code."""
    project = generated.load(path.absolute())
    repo = repository.locate(project.path)
    if repo is not None:
        transaction.refuse_if_interrupted(repo)
        conflicts.refuse_if_unresolved(repo)
    report: dict[str, Any] = {"path": str(project.path), "template": project.src, "current": project.version}
    if repo is None:
        newest = generated.latest(project)
        generated.require_version(project, project.version)
        behind = generated.is_behind(project.version, newest)
        report |= {"latest": newest, "behind": behind, "would_change": None, "would_conflict": None}
        line = (f"{project.path}: behind: template version {project.version} -> {newest} (not a git "
                "repository, so which files would change is unknown)" if behind else None)
        return _print(report, line, as_json)
    with scratch.opened(repo) as run_dir:
        newest = generated.latest(project)
        generated.require_version(project, project.version)
        report["latest"] = newest
        if not generated.is_behind(project.version, newest):
            report |= {"behind": False, "would_change": [], "would_conflict": []}
            return _print(report, None, as_json)
        plan = merge.compute(project, repo, run_dir, {}, newest, trust=False, detail=False)
    changed = [plan.shown(c) for c in plan.changes if not _only_version(c)]
    report |= {"behind": bool(changed), "would_change": changed, "would_conflict": plan.conflicts}
    if not changed:
        line = (f"{project.path}: up to date: template version {newest} changes nothing in this project "
                f"(it records {project.version}; `stackpick update` records the new version)")
    else:
        clash = f", {len(plan.conflicts)} with conflicts" if plan.conflicts else ""
        line = (f"{project.path}: behind: template version {project.version} -> {newest} would change "
                f"{len(changed)} file(s){clash} (run `stackpick update --dry-run` to see them, "
                "`stackpick update` to merge)")
    return _print(report, line, as_json)


def _only_version(change: merge.Change) -> bool:
    """True for the answers file when the update changes nothing in it but `_commit`."""
    import yaml

    if change.path.rsplit("/", 1)[-1] != generated.ANSWERS_FILE or None in (change.content, change.previous):
        return False
    try:
        before, after = (yaml.safe_load(text or b"") for text in (change.previous, change.content))
    except yaml.YAMLError:
        return False
    if not isinstance(before, dict) or not isinstance(after, dict):
        return False
    return {k: v for k, v in before.items() if k != "_commit"} == {k: v for k, v in after.items() if k != "_commit"}


def _print(report: dict[str, Any], line: str | None, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report))
    elif line:
        print(line)
    elif generated.is_behind(report["latest"], report["current"]):
        print(f"{report['path']}: up to date (template version {report['current']}, newer than "
              f"{report['latest']}, the newest this stackpick has)")
    else:
        print(f"{report['path']}: up to date (template version {report['current']})")
    return ExitCode.FAILURE if report["behind"] else ExitCode.OK
