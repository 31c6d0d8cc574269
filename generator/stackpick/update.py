"""`stackpick update`: preconditions first (nothing is touched when one fails), then the merge in a
scratch clone, then one short, signal-proof step that writes the result into the project."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackpick import conflicts, generated, merge, pausepoints, repository, scratch, shield, transaction
from stackpick.errors import (
    ConflictsError,
    ExitCode,
    InterruptedAfterApplyError,
    PredictedConflictsError,
    UpdateError,
    UsageError,
)

# Answers whose change would make Copier delete or move the user's code.
_MOVES_CODE = {
    "stack": "it would delete the {old} app; generate a new project with `stackpick new --stack {new}` "
             "and move your code into it",
    "project_slug": "Copier would delete the package folder {old}/ that holds your code; rename the package "
                    "by hand (move the folder, fix the imports, set project_slug: {new} in .copier-answers.yml, "
                    "commit), or generate a new project and move your code into it",
}


@dataclass
class UpdateOptions:
    """What `update` was asked to do."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    vcs_ref: str | None = None
    trust: bool = False
    dry_run: bool = False
    as_json: bool = False
    abort: bool = False


def run(opts: UpdateOptions) -> int:
    """Update the project at PATH to the newest template version; return the exit code."""
    path = opts.path.absolute()
    repo = repository.locate(path) if path.is_dir() else None
    if opts.abort and repo is not None:  # before reading the answers: the cut update may have changed them
        print(transaction.abort(repo))
        return ExitCode.OK
    project = generated.load(path)
    if repo is None:
        raise UpdateError(f"{path} is not in a git repository; the update merges through git "
                          "(run `git init && git add -A && git commit -m init` first)")
    transaction.refuse_if_interrupted(repo)
    conflicts.refuse_if_unresolved(repo)
    dirty = repository.dirty(repo)
    if dirty:
        raise UpdateError(f"{path} has {len(dirty)} uncommitted change(s) (first: {dirty[0]}); "
                          "commit or stash them, then update")
    data = checked_data(project, opts.data)
    with scratch.opened(repo) as run_dir:
        target = generated.latest(project)  # also brings the store up to date
        if opts.vcs_ref:
            target = opts.vcs_ref
            generated.require_version(project, target, recorded=False)
        generated.require_version(project, project.version)
        if generated.is_downgrade(project.version, target):
            raise UpdateError(f"{path} is at template version {project.version}, newer than {target}; "
                              "upgrade stackpick to update it (downgrades are not supported)")
        if target == project.version and not data:
            if opts.as_json:
                _report(merge.Plan(repo=repo, current=target, target=target, changes=()),
                        applied=not opts.dry_run, as_json=True)
            else:
                print(f"{path} is already at template version {target}; nothing to do.")
            return ExitCode.OK
        pausepoints.reached("prepared")
        plan = merge.compute(project, repo, run_dir, data, target, trust=opts.trust)
    pausepoints.reached("planned")
    if opts.dry_run:
        _report(plan, applied=False, as_json=opts.as_json)
        if plan.conflicts:
            raise PredictedConflictsError(plan.conflicts)
        return ExitCode.OK
    with shield.shielded() as caught:
        transaction.apply(plan)
        _report(plan, applied=True, as_json=opts.as_json)
    if caught:
        raise InterruptedAfterApplyError(_applied_line(plan))
    if plan.conflicts:
        raise ConflictsError(plan.conflicts)
    return ExitCode.OK


def checked_data(project: generated.Generated, raw: Mapping[str, Any]) -> dict[str, Any]:
    """--data for an update, checked as `new` checks it; answers that would move code are refused."""
    from stackpick.names import check_project_name, check_slug
    from stackpick.questions import BY_KEY, parse_answers

    data = dict(raw)
    known = parse_answers({k: v for k, v in data.items() if k in BY_KEY or project.from_stackpick})
    data.update(known)
    stack = str(data.get("stack", project.answers.get("stack", "")))
    if project.from_stackpick:
        if "project_name" in data:
            data["project_name"] = check_project_name(str(data["project_name"]))
        if "project_slug" in data:
            data["project_slug"] = check_slug(str(data["project_slug"]), stack)
    for key, why in _MOVES_CODE.items():
        old = project.answers.get(key)
        if key in data and old is not None and str(data[key]) != str(old):
            raise UsageError(f"update cannot change {key} from {old} to {data[key]}: "
                             + why.format(old=old, new=data[key]))
    return data


def _report(plan: merge.Plan, *, applied: bool, as_json: bool) -> None:
    path = plan.repo.top / plan.repo.sub
    if as_json:
        print(json.dumps({**plan.as_dict(), "applied": applied}, indent=2))
        return
    count = len(plan.changes)
    if applied:
        head = (f"Updated {path} from template version {plan.current} to {plan.target}"
                if plan.current != plan.target else f"Updated {path} (template version {plan.target})")
        print(f"{head}: {count} file(s) changed." if plan.changes else f"{head}; no file changed.")
    else:
        versions = (f"from template version {plan.current} to {plan.target}" if plan.current != plan.target
                    else f"at template version {plan.target}")
        print(f"Dry run: updating {path} {versions} would "
              + (f"change {count} file(s):" if plan.changes else "change no file."))
    width = max(len(s) for s in merge.STATUSES)
    for change in plan.changes:
        print(f"  {change.status:<{width}}  {plan.shown(change)}")
    if not applied:
        print("Nothing was written; `stackpick update` applies exactly this.")
    elif not plan.conflicts:
        print("Review with `git diff`, run the tests, then commit.")
    sys.stdout.flush()


def _applied_line(plan: merge.Plan) -> str:
    path = plan.repo.top / plan.repo.sub
    extra = f", with conflicts in {', '.join(plan.conflicts)}" if plan.conflicts else ""
    return (f"interrupted after the update was written: {path} is at template version {plan.target} "
            f"({len(plan.changes)} file(s) changed{extra}); review with `git diff`")
