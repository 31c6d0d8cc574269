"""Render a new project into a staging folder beside DEST, then move it into place whole."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stackpick.errors import DestinationError


def check_destination(dest: Path, *, force: bool) -> None:
    """Refuse a DEST that is a file, or a non-empty folder without --force."""
    if dest.exists() and not dest.is_dir():
        raise DestinationError(f"{dest} exists and is not a folder; pick another destination")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise DestinationError(
            f"{dest} is not empty; pick another destination, or pass --force to add the "
            "template's files to it (existing files are never overwritten)"
        )


def render(
    dest: Path,
    data: Mapping[str, Any],
    *,
    src: str,
    vcs_ref: str | None = None,
    force: bool = False,
    trust: bool = False,
    defaults: bool = True,
    first_commit: tuple[str, str] | None = None,
) -> None:
    """Render the template into DEST, atomically: DEST appears complete or not at all.

    `first_commit` (message, author) makes the project a git repository with one commit, done in
    the staging folder so an interruption cannot leave a half-initialised repository behind. It is
    skipped when --force writes into a folder that already has files (they are not ours to commit).
    """
    from stackpick import copier_adapter, project

    dest = Path(os.path.abspath(dest))
    check_destination(dest, force=force)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".stackpick", dir=dest.parent))
    try:
        copier_adapter.copy(src, staging / "project", data, vcs_ref=vcs_ref, trust=trust,
                            defaults=defaults)
        if first_commit and not (dest.is_dir() and any(dest.iterdir())):
            project.init_and_commit(staging / "project", *first_commit)
        _move_into_place(staging / "project", dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(rendered: Path, dest: Path) -> None:
    if dest.is_dir() and any(dest.iterdir()):
        _merge_into(rendered, dest)
        return
    if dest.is_dir():
        dest.rmdir()
    os.replace(rendered, dest)


def _merge_into(rendered: Path, dest: Path) -> None:
    """--force: add the template's files to DEST; refuse rather than overwrite a file that differs."""
    clashes = []
    for path in sorted(rendered.rglob("*")):
        target = dest / path.relative_to(rendered)
        if path.is_dir() or not (target.exists() or target.is_symlink()):
            continue
        if target.is_dir() or target.is_symlink() or target.read_bytes() != path.read_bytes():
            clashes.append(str(path.relative_to(rendered)))
    if clashes:
        shown = ", ".join(clashes[:5]) + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
        raise DestinationError(
            f"{dest} already has files the template would change ({shown}); move them aside and "
            "re-run, or use `stackpick update` on a generated project"
        )
    shutil.copytree(rendered, dest, dirs_exist_ok=True, symlinks=True)
