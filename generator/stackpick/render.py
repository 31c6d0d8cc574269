"""Render a new project into a staging folder beside DEST, then move it into place whole."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stackpick import destination, pausepoints, shield
from stackpick.errors import DestinationError, InterruptedAfterNewError

STAGING_SUFFIX = ".stackpick"  # the staging folder beside DEST: `.DEST.RANDOM.stackpick`


def check_destination(dest: Path, *, force: bool) -> None:
    """Refuse a DEST that is a file, a dangling link, unwritable, or non-empty without --force."""
    destination.check(dest, force=force)


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
    A stop signal that comes once the project is being moved into place is held until it is there
    and the staging folder is gone, then reported as InterruptedAfterNewError: DEST is complete.
    """
    from stackpick import copier_adapter, project

    dest = destination.resolve(dest)
    destination.check(dest, force=force)
    created = destination.make_parents(dest.parent)
    shield.remove_abandoned(dest.parent, f".*{STAGING_SUFFIX}")  # what killed runs left here
    try:
        with contextlib.ExitStack() as stack:
            try:  # beside DEST, so the staging folder is on DEST's file system and the final move is a rename
                staging = stack.enter_context(shield.temporary_folder(
                    dest.parent, prefix=f".{dest.name}.", suffix=STAGING_SUFFIX, stage="new-staging", locked=True))
            except OSError as exc:
                raise DestinationError(f"cannot create a staging folder in {dest.parent}: {exc.strerror}") from exc
            copier_adapter.copy(src, staging / "project", data, vcs_ref=vcs_ref, trust=trust,
                                defaults=defaults)
            merging = force and destination.has_files(dest)
            if first_commit and not merging:
                project.init_and_commit(staging / "project", *first_commit)
            pausepoints.reached("new-rendered")
            # From here the project is whole in DEST or not there at all: a stop signal waits for
            # the move (or the all-or-nothing merge) and the staging folder's removal to finish.
            with shield.shielded() as caught:
                pausepoints.reached("new-placing")
                if merging:
                    destination.merge_into(staging / "project", dest)
                else:
                    destination.claim(staging / "project", dest)
    except BaseException:
        destination.remove_created(created)
        raise
    if caught:
        raise InterruptedAfterNewError(dest)
