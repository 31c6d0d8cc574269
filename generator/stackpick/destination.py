"""DEST, the folder a new project goes into: checked before rendering, claimed atomically after.

Without --force the rendered project is renamed onto DEST in one step: rename(2) onto a missing
or empty folder succeeds, and fails when DEST has content, so of several runs racing for one DEST
exactly one wins. With --force into a folder that has files, every file is added under its final
name with a no-clobber hard link (never following a link out of DEST), and everything added is
taken back if any step fails: DEST ends whole or as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from stackpick.errors import DestinationError

_TAKEN = (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR)


def resolve(dest: Path) -> Path:
    """DEST as an absolute path; a symbolic link to a folder becomes that folder, any other link is refused."""
    dest = Path(os.path.abspath(dest))
    if not dest.is_symlink():
        return dest
    target = Path(os.path.realpath(dest))
    if not target.exists():
        raise DestinationError(f"{dest} is a symbolic link to {os.readlink(dest)}, which does not exist; "
                               "create that folder first or pick another destination")
    if not target.is_dir():
        raise DestinationError(f"{dest} is a symbolic link to a file; pick a folder")
    return target


def has_files(dest: Path) -> bool:
    """True when DEST is a folder with anything in it."""
    try:
        with os.scandir(dest) as entries:
            return next(entries, None) is not None
    except (FileNotFoundError, NotADirectoryError):
        return False


def check(dest: Path, *, force: bool) -> None:
    """Refuse a DEST that cannot take the project, before anything is asked or rendered."""
    dest = resolve(dest)
    if dest.exists() and not dest.is_dir():
        raise DestinationError(f"{dest} exists and is not a folder; pick another destination")
    if dest.is_dir() and has_files(dest):
        if not force:
            raise DestinationError(
                f"{dest} is not empty; pick another destination, or pass --force to add the "
                "template's files to it (existing files are never overwritten)")
        _require_writable(dest, dest)
    holder = dest.parent
    while not holder.exists():
        holder = holder.parent
    if not holder.is_dir():
        raise DestinationError(f"cannot create {dest}: {holder} is a file, not a folder")
    _require_writable(holder, dest)


def _require_writable(folder: Path, dest: Path) -> None:
    # access(2) honours read-only mounts and the caller's real permissions (root's bypass included).
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DestinationError(f"cannot create {dest}: {folder} is not writable (permission denied or a "
                               "read-only file system); pick a destination you can write to")


def make_parents(folder: Path) -> list[Path]:
    """Create FOLDER and its missing parents; return the ones created, outermost first."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    created: list[Path] = []
    try:
        for path in reversed(missing):
            try:
                path.mkdir()
            except FileExistsError:
                continue  # another run made it meanwhile: not ours to remove
            created.append(path)
    except OSError as exc:
        remove_created(created)
        raise DestinationError(f"cannot create {folder}: {exc.strerror}") from exc
    return created


def remove_created(created: list[Path]) -> None:
    """Remove folders this run created, innermost first, if they are still empty."""
    for path in reversed(created):
        try:
            path.rmdir()
        except OSError:
            return  # not empty: someone else's files are there now; keep it and its parents


def claim(rendered: Path, dest: Path) -> None:
    """Rename RENDERED onto DEST, which must be missing or empty: atomic, first come first served."""
    try:
        os.rename(rendered, dest)
    except OSError as exc:
        if exc.errno in _TAKEN:
            raise DestinationError(f"{dest} was taken while stackpick was rendering (another run, or "
                                   "files written there meanwhile); nothing of this run was kept") from exc
        raise DestinationError(f"cannot move the project into {dest}: {exc.strerror}") from exc


@dataclass
class _Plan:
    folders: list[str] = field(default_factory=list)  # relative paths to create, parents first
    files: list[str] = field(default_factory=list)  # files and links to add
    clashes: list[str] = field(default_factory=list)


def merge_into(rendered: Path, dest: Path) -> None:
    """--force: add RENDERED's files to DEST, all or nothing; refuse a file that differs or any link."""
    plan = _plan(rendered, dest)
    if plan.clashes:
        shown = ", ".join(plan.clashes[:5]) + (f" and {len(plan.clashes) - 5} more"
                                               if len(plan.clashes) > 5 else "")
        raise DestinationError(
            f"{dest} already has files the template would change ({shown}); move them aside and "
            "re-run, or use `stackpick update` on a generated project")
    placed: list[Path] = []
    current = ""
    try:
        for current in plan.folders:
            target = dest / current
            os.mkdir(target)
            placed.append(target)
            os.chmod(target, stat.S_IMODE(os.lstat(rendered / current).st_mode))
        for current in plan.files:
            _add(rendered / current, dest / current)
            placed.append(dest / current)
    except BaseException as exc:
        for path in reversed(placed):  # take back everything this run added
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.is_symlink():
                    path.rmdir()
                else:
                    path.unlink()
        if isinstance(exc, OSError):
            raise DestinationError(f"cannot add the template's files to {dest} ({exc.strerror} at "
                                   f"{current}); nothing was added") from exc
        raise


def _add(source: Path, target: Path) -> None:
    """Give TARGET the content of SOURCE without ever replacing something already at TARGET."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target, follow_symlinks=False)  # fails with EEXIST instead of clobbering
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EXDEV) or os.path.lexists(target):
            raise
        os.rename(source, target)  # a file system without hard links: checked just above


def _plan(rendered: Path, dest: Path) -> _Plan:
    """What to create; every existing component on the way must be a real folder, never a link."""
    plan = _Plan()
    for root, dirs, files in os.walk(rendered):
        rel_root = os.path.relpath(root, rendered)
        descend = []
        for name in sorted(dirs):
            rel = os.path.normpath(os.path.join(rel_root, name))
            if os.path.islink(os.path.join(root, name)):
                files.append(name)  # a link in the template is added as a link
                continue
            kind = _kind(dest / rel)
            if kind is None:
                plan.folders.append(rel)
            elif kind != "folder":
                plan.clashes.append(f"{rel} ({'a file' if kind == 'file' else kind})")
                continue  # nothing goes through it, so nothing under it is looked at
            descend.append(name)
        dirs[:] = descend
        for name in sorted(files):
            rel = os.path.normpath(os.path.join(rel_root, name))
            kind = _kind(dest / rel)
            if kind is None:
                plan.files.append(rel)
            elif not _same(rendered / rel, dest / rel):
                plan.clashes.append(rel if kind == "file" else f"{rel} ({kind})")
    return plan


def _kind(path: Path) -> str | None:
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "not a regular file"


def _same(source: Path, target: Path) -> bool:
    """True when TARGET already is what SOURCE would add (same link, or a regular file with the same bytes)."""
    if source.is_symlink() or target.is_symlink():
        return source.is_symlink() and target.is_symlink() and os.readlink(source) == os.readlink(target)
    if not stat.S_ISREG(os.lstat(target).st_mode):
        return False
    return source.stat().st_size == target.stat().st_size and source.read_bytes() == target.read_bytes()
