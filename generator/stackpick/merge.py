"""The update computed away from the user's tree: Copier's merge runs in a scratch clone of HEAD,
and its result becomes a plan of per-file outcomes that `update` applies (or `--dry-run` shows).

Statuses: added, updated (the file was the template's and takes the new version), merged (your
edits and the template's changes combined), conflict (the merge left markers or unmerged index
entries), removed. A conflict is what the merge introduced: marker-like lines that were already in
a file before the merge never count.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from stackpick import copier_adapter, generated, pausepoints, records, repository, scratch
from stackpick.repository import Repository

STATUSES = ("added", "updated", "merged", "conflict", "removed")
_MARKERS = (b"<<<<<<<", b">>>>>>>")


@dataclass(frozen=True)
class Change:
    """What the update does to one path (relative to the repository top)."""

    path: str
    status: str
    content: bytes | None  # None: the path is removed; for a symlink, its target
    previous: bytes | None = None  # the file at HEAD (None when HEAD has no such file)
    in_head: bool = True  # HEAD has the path (so an abort restores it from there)
    link: bool = False
    executable: bool = False
    stages: tuple[tuple[str, str, int], ...] = ()  # unmerged index entries: (mode, sha, stage)


@dataclass(frozen=True)
class Plan:
    """The whole outcome of an update, computed before anything in the project is touched."""

    repo: Repository
    current: str
    target: str
    changes: tuple[Change, ...]
    blobs: Mapping[str, bytes] = field(default_factory=dict)  # objects the conflict stages name

    def shown(self, change: Change) -> str:
        """CHANGE's path relative to the project folder."""
        return _relative(change.path, self.repo.sub)

    @property
    def conflicts(self) -> list[str]:
        """Paths (relative to the project) the update leaves in conflict."""
        return [self.shown(c) for c in self.changes if c.status == "conflict"]

    def as_dict(self) -> dict[str, Any]:
        """The plan for `--json`."""
        return {"path": str(self.repo.top / self.repo.sub), "from": self.current, "to": self.target,
                "files": [{"path": self.shown(c), "status": c.status} for c in self.changes],
                "conflicts": self.conflicts}


def compute(project: generated.Generated, repo: Repository, run: Path, data: Mapping[str, Any],
            target: str, *, trust: bool, detail: bool = True) -> Plan:
    """Merge template version TARGET into a scratch clone of HEAD (in RUN); return the plan.

    With DETAIL, the new version is also rendered alone to tell `updated` from `merged`, and a
    changed decision answer gets its new decision record.
    """
    with copier_adapter.fetched(project.src):  # a remote template: fetched once, within git's time limit
        return _compute(project, repo, run, data, target, trust=trust, detail=detail)


def _compute(project: generated.Generated, repo: Repository, run: Path, data: Mapping[str, Any],
             target: str, *, trust: bool, detail: bool) -> Plan:
    work_project = scratch.clone(repo, run)
    pausepoints.reached("cloned")
    copier_adapter.update(work_project, project.src, data, target, trust=trust)
    pausepoints.reached("merged")
    rendered: Path | None = None
    forced: dict[str, str] = {}
    if detail:
        answers = {k: v for k, v in generated.load(work_project).answers.items() if not k.startswith("_")}
        revisit = records.needed(project.answers, data) if project.from_stackpick else None
        names = records.names(work_project) if revisit else None
        if revisit and names:
            answers["decision"] = records.decision(revisit, names)
        rendered = run / "render"
        copier_adapter.copy(project.src, rendered, answers, vcs_ref=target, trust=trust, defaults=True)
        if revisit and names:
            for name, status in records.place(work_project, rendered, names).items():
                forced[(PurePosixPath(repo.sub) / name).as_posix()] = status
        pausepoints.reached("rendered")
    changes, blobs = _collect(repo, run / "work", rendered, forced)
    return Plan(repo=repo, current=project.version, target=target, changes=changes, blobs=blobs)


def markers_added(before: bytes | None, after: bytes) -> bool:
    """True when AFTER has more conflict-marker lines than BEFORE (the merge introduced them)."""
    return _count_markers(after) > _count_markers(before or b"")


def _count_markers(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.startswith(_MARKERS))


def _collect(repo: Repository, work: Path, rendered: Path | None,
             forced: Mapping[str, str]) -> tuple[tuple[Change, ...], dict[str, bytes]]:
    entries = repository.status(work, ignored=True)
    stages = repository.unmerged(work)
    before = repository.blobs(work, [e.head_sha for e in entries if e.head_sha.strip("0")])
    changes: list[Change] = []
    for entry in entries:
        names = _expand(work, entry.path) if entry.kind == "!" else [entry.path]
        for name in names:
            if entry.kind == "!" and os.path.lexists(repo.path(name)):
                continue  # never overwrite a file git ignores (a local .env, say)
            change = _change(work / name, name, entry.kind, before.get(entry.head_sha), stages.get(name, []),
                             rendered / _relative(name, repo.sub) if rendered else None)
            changes.append(replace(change, status=forced.get(name, change.status),
                                   in_head=bool(entry.head_sha.strip("0")), previous=before.get(entry.head_sha)))
    needed = {sha for c in changes for _, sha, _ in c.stages}
    return tuple(sorted(changes, key=lambda c: c.path)), repository.blobs(work, needed)


def _change(file: Path, name: str, kind: str, before: bytes | None,
            stages: list[tuple[str, str, int]], rendered: Path | None) -> Change:
    if not os.path.lexists(file):
        return Change(name, "removed", None)
    if file.is_symlink():
        target = os.fsencode(os.readlink(file))
        return Change(name, "added" if kind in "?!" else "updated", target, link=True)
    content = file.read_bytes()
    executable = bool(file.stat().st_mode & 0o100)
    if stages or markers_added(before, content):
        status = "conflict"
    elif kind in "?!":
        status = "added"
    elif rendered is None or (rendered.is_file() and rendered.read_bytes() == content):
        status = "updated"
    else:
        status = "merged"
    return Change(name, status, content, executable=executable,
                  stages=tuple(sorted(stages, key=lambda s: s[2])))


def _expand(work: Path, name: str) -> list[str]:
    """An ignored directory (`dir/`) as the files under it; a file as itself."""
    if not name.endswith("/"):
        return [name]
    return sorted(p.relative_to(work).as_posix() for p in (work / name).rglob("*")
                  if p.is_file() or p.is_symlink())


def _relative(name: str, sub: PurePosixPath) -> str:
    return name if str(sub) == "." else PurePosixPath(name).relative_to(sub).as_posix()
