"""Conflicts an update left: unmerged index entries, and the markers it wrote into files.

After an update with conflicts, `.git/stackpick/conflicts.json` records each conflicted path with
the number of Copier's marker lines (`<<<<<<< before updating`, `>>>>>>> after updating`) it had
before the update. A path stays unresolved while git lists it as unmerged or while it holds more of
those lines than that, so `git add` on a file that still has markers does not fool `check`.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from stackpick import repository, scratch
from stackpick.errors import UnresolvedConflictsError
from stackpick.merge import Plan
from stackpick.repository import Repository

RECORD = "conflicts.json"
_COPIER_MARKERS = (b"<<<<<<< before updating", b">>>>>>> after updating")


def _record(repo: Repository) -> Path:
    return scratch.state_dir(repo) / RECORD


def count(data: bytes) -> int:
    """How many of Copier's conflict-marker lines DATA holds."""
    return sum(1 for line in data.splitlines() if line.rstrip() in _COPIER_MARKERS)


def before(repo: Repository, plan: Plan) -> dict[str, int]:
    """For each path PLAN leaves in conflict, its marker lines now (call it before writing)."""
    return {c.path: _count_file(repo.path(c.path)) for c in plan.changes if c.status == "conflict"}


def remember(repo: Repository, counts: dict[str, int]) -> None:
    """Record the conflicted paths with their marker counts from `before` (none: drop the record)."""
    if not counts:
        forget(repo)
        return
    path = _record(repo)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps({"paths": counts}), encoding="utf-8")
    os.replace(temp, path)


def forget(repo: Repository) -> None:
    """Drop the conflict record."""
    with contextlib.suppress(FileNotFoundError):
        _record(repo).unlink()
    scratch.tidy(repo)


def unresolved(repo: Repository) -> list[str]:
    """Paths (relative to the project) still in conflict: unmerged, or with the update's markers."""
    found = set(repository.unmerged(repo.top))
    with contextlib.suppress(OSError, ValueError):
        recorded = json.loads(_record(repo).read_text(encoding="utf-8"))["paths"]
        found |= {name for name, before in recorded.items() if _count_file(repo.path(name)) > int(before)}
    prefix = "" if str(repo.sub) == "." else f"{repo.sub}/"
    return sorted(name.removeprefix(prefix) for name in found)


def refuse_if_unresolved(repo: Repository) -> None:
    """Raise UnresolvedConflictsError while conflicts remain."""
    remaining = unresolved(repo)
    if remaining:
        raise UnresolvedConflictsError(repo.top / repo.sub, remaining)


def _count_file(path: Path) -> int:
    try:
        return count(path.read_bytes()) if path.is_file() and not path.is_symlink() else 0
    except OSError:
        return 0
