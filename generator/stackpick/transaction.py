"""Applying a computed update to the real tree in one short step, and undoing a cut-short one.

The precondition (a clean tree) makes HEAD the pre-update state of every path an update touches,
so the journal needs no backups: it records HEAD, each path and whether HEAD has it, and the
folders the update creates. It is written and fsynced before the first write and removed after
the last. SIGINT, SIGTERM and SIGHUP are held for the whole step (`shield.shielded`), so they land before
it (nothing written) or after it (everything written). Files are written whole (a temp file beside,
fsynced, renamed over), so no file is ever half-written either. Only SIGKILL or a power cut can stop it
half-way; then the journal stays, `update` and `check` refuse with one line naming
`stackpick update --abort`, and `abort` restores every listed path from HEAD.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from stackpick import conflicts, pausepoints, repository, scratch
from stackpick.errors import InterruptedUpdateError, StackpickError, UpdateError, UsageError
from stackpick.merge import Change, Plan
from stackpick.repository import Repository
from stackpick.shield import shielded

JOURNAL = "update-journal.json"


def journal_path(repo: Repository) -> Path:
    """Where the journal of an update in progress lives."""
    return scratch.state_dir(repo) / JOURNAL


def refuse_if_interrupted(repo: Repository) -> None:
    """Raise InterruptedUpdateError when an earlier update was cut short while writing."""
    if journal_path(repo).exists():
        raise InterruptedUpdateError(repo.top / repo.sub)


def apply(plan: Plan) -> None:
    """Write PLAN into the real tree: journal, files, unmerged index entries, conflict record."""
    repo = plan.repo
    _recheck(plan)
    for sha, data in plan.blobs.items():  # objects for the conflict stages, harmless if unused
        if repository.run(repo.top, "hash-object", "-w", "--stdin", input=data).decode().strip() != sha:
            raise UpdateError(f"git stored a conflict stage under another id than {sha}")
    created = _folders_to_create(plan)
    markers = conflicts.before(repo, plan)
    _write_journal(repo, {"head": repo.head, "from": plan.current, "to": plan.target,
                          "paths": [{"path": c.path, "in_head": c.in_head} for c in plan.changes],
                          "created": created})
    pausepoints.reached("apply-journal")
    ordered = [c for c in plan.changes if c.content is None] + [c for c in plan.changes if c.content is not None]
    try:
        for index, change in enumerate(ordered):
            _write(repo, change)
            if index == len(ordered) // 2:
                pausepoints.reached("apply-midway")
        for folder in {repo.path(c.path).parent for c in ordered}:
            _fsync_dir(folder)  # the new names are durable before the journal goes
        pausepoints.reached("apply-index")
        _stage_conflicts(plan)
        conflicts.remember(repo, markers)
    except (OSError, StackpickError) as exc:
        restore(repo)
        raise UpdateError(f"writing the update into {repo.top / repo.sub} failed ({exc}); every file "
                          "was restored as it was before the update") from exc
    _remove_journal(repo)
    pausepoints.reached("applied")


def abort(repo: Repository) -> str:
    """Undo a cut-short update from its journal; return what was restored, for the user."""
    journal = journal_path(repo)
    if not journal.exists():
        raise UsageError(f"{repo.top / repo.sub} has no interrupted update to abort")
    with shielded():
        recorded = restore(repo)
    return (f"Restored {repo.top / repo.sub} to how it was before the interrupted update "
            f"(template version {recorded.get('from')}, commit {repo.head[:7]}).")


def restore(repo: Repository) -> dict[str, Any]:
    """Put every path the journal lists back as HEAD has it; remove what the update created."""
    try:
        recorded: dict[str, Any] = json.loads(journal_path(repo).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UpdateError(f"cannot read {journal_path(repo)} ({exc.__class__.__name__}); restore the "
                          "files with `git checkout HEAD -- .` and remove that file") from exc
    if recorded.get("head") != repo.head:
        raise UpdateError(f"HEAD moved since the interrupted update (it was {recorded.get('head')}); "
                          f"restore by hand with `git checkout {recorded.get('head')} -- .`, then remove "
                          f"{journal_path(repo)}")
    paths = [entry["path"] for entry in recorded["paths"]]
    in_head = {entry["path"] for entry in recorded["paths"] if entry["in_head"]}
    nul = "".join(f"{p}\0" for p in paths).encode("utf-8", "surrogateescape")
    if paths:  # an empty pathspec would reset the whole index
        repository.run(repo.top, "reset", "-q", "--pathspec-from-file=-", "--pathspec-file-nul",
                       input=nul, env={"GIT_LITERAL_PATHSPECS": "1"})
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_temp_for(repo.path(path)))  # a write cut between its temp file and the rename
        if path not in in_head and os.path.lexists(repo.path(path)):
            os.unlink(repo.path(path))
    if in_head:
        repository.run(repo.top, "checkout-index", "-f", "-u", "-z", "--stdin",
                       input="".join(f"{p}\0" for p in sorted(in_head)).encode("utf-8", "surrogateescape"))
    for folder in sorted(recorded.get("created", []), key=len, reverse=True):
        with contextlib.suppress(OSError):
            repo.path(folder).rmdir()
    conflicts.forget(repo)
    _remove_journal(repo)
    return recorded


def _recheck(plan: Plan) -> None:
    """Right before writing: HEAD and the tree are as when the merge was computed."""
    repo = plan.repo
    head = repository.text(repo.top, "rev-parse", "HEAD")
    dirty = repository.dirty(repo)
    in_the_way = [c.path for c in plan.changes if not c.in_head and os.path.lexists(repo.path(c.path))]
    if head != repo.head or dirty or in_the_way:
        first = (dirty or in_the_way or ["HEAD"])[0]
        raise UpdateError(f"{repo.top / repo.sub} changed while the update was being computed ({first}); "
                          "nothing was written: commit or stash, then run `stackpick update` again")


def _folders_to_create(plan: Plan) -> list[str]:
    created: set[str] = set()
    for change in plan.changes:
        if change.content is None:
            continue
        parent = Path(change.path).parent
        while str(parent) != "." and not plan.repo.path(parent.as_posix()).is_dir():
            created.add(parent.as_posix())
            parent = parent.parent
    return sorted(created)


def _write(repo: Repository, change: Change) -> None:
    """One path, replaced whole (temp file + rename) or removed with its emptied folders."""
    target = repo.path(change.path)
    if change.content is None:
        if os.path.lexists(target):
            os.unlink(target)
        parent = target.parent
        while parent != repo.top and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_for(target)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)
    if change.link:
        os.symlink(os.fsdecode(change.content), temp)
    else:
        mask = _umask()
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, (0o777 if change.executable else 0o666) & ~mask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(change.content)
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(temp, target)


def _temp_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.stackpick-new")


def _stage_conflicts(plan: Plan) -> None:
    """Unmerged index entries for conflicts, as git leaves them after a merge (`git status` lists them)."""
    lines = []
    for change in plan.changes:
        if change.stages:
            lines.append(f"0 {'0' * 40}\t{change.path}\0")
            lines += [f"{mode} {sha} {stage}\t{change.path}\0" for mode, sha, stage in change.stages]
    if lines:
        repository.run(plan.repo.top, "update-index", "-z", "--index-info",
                       input="".join(lines).encode("utf-8", "surrogateescape"))


def _write_journal(repo: Repository, content: dict[str, Any]) -> None:
    path = journal_path(repo)
    path.parent.mkdir(exist_ok=True)
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8") as handle:
        json.dump(content, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    _fsync_dir(path.parent)


def _remove_journal(repo: Repository) -> None:
    with contextlib.suppress(FileNotFoundError):
        journal_path(repo).unlink()
    _fsync_dir(journal_path(repo).parent)
    scratch.tidy(repo)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
