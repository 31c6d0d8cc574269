"""Scratch space for `update` and `check`: a private folder under the project's git folder.

Each run works in `.git/stackpick/run-XXXX/` (on the project's own filesystem, never in $TMPDIR)
and holds an flock on its `lock` file while it lives. A run killed with SIGKILL leaves its folder
behind; the next run finds the lock free and removes it. While a scratch is open, Python's
temporary files (Copier's template clones and renders among them) go into it too, so an
interruption at any moment leaves nothing in $TMPDIR.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from stackpick import repository, shield
from stackpick.errors import UpdateError
from stackpick.repository import Repository

STATE = "stackpick"  # .git/stackpick: scratch runs, the update journal, the conflict record


def state_dir(repo: Repository) -> Path:
    """`.git/stackpick` of REPO (per work tree for linked worktrees)."""
    return repo.git_dir / STATE


@contextlib.contextmanager
def opened(repo: Repository) -> Iterator[Path]:
    """A locked, empty run folder under `.git/stackpick`, removed on exit; temp files go inside."""
    state = state_dir(repo)
    try:
        for attempt in range(3):  # another run may remove the empty state folder at any moment
            state.mkdir(exist_ok=True)
            try:
                remove_stale(state)
                creating = Path(tempfile.mkdtemp(prefix=".new-", dir=state))
                break
            except FileNotFoundError:
                if attempt == 2:
                    raise
        lock = os.open(creating / "lock", os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as exc:
        raise UpdateError(f"cannot create a scratch folder in {state} ({exc.strerror}): stackpick merges in a "
                          "scratch clone under the project's .git folder, so it needs to write there") from exc
    fcntl.flock(lock, fcntl.LOCK_EX)
    run = state / f"run-{creating.name.removeprefix('.new-')}"
    os.rename(creating, run)
    (run / "tmp").mkdir()
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = str(run / "tmp")
    try:
        yield run
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]
        with shield.held():  # a signal landing mid-removal would leave half a clone behind
            shutil.rmtree(run, ignore_errors=True)
        os.close(lock)
        tidy(repo)


def tidy(repo: Repository) -> None:
    """Remove `.git/stackpick` when nothing (journal, conflict record, other runs) is left in it."""
    with contextlib.suppress(OSError):
        state_dir(repo).rmdir()


def remove_stale(state: Path) -> None:
    """Remove run folders whose process is gone (its flock is free)."""
    for folder in state.iterdir():
        if not folder.name.startswith(("run-", ".new-")) or not folder.is_dir():
            continue
        free = shield.lock_is_free(folder / "lock")
        if free is None:  # no lock file: a run still creating its folder, unless renamed to run- already
            free = folder.name.startswith("run-") or time.time() - folder.stat().st_mtime > shield.ABANDONED_AFTER
        if free:
            shutil.rmtree(folder, ignore_errors=True)


def clone(repo: Repository, run: Path) -> Path:
    """Check out REPO's HEAD into RUN/work, sharing its objects; return the project folder there."""
    work = run / "work"
    quiet = {"GIT_LFS_SKIP_SMUDGE": "1"}  # large files stay pointers: the merge never reads them
    repository.run(run, "clone", "--quiet", "--shared", "--no-checkout", "--template=", "--",
                   str(repo.top), str(work), env=quiet)
    repository.run(work, "-c", f"core.hooksPath={os.devnull}", "-c", "advice.detachedHead=false",
                   "checkout", "--quiet", "--detach", repo.head, env=quiet)
    return work / repo.sub
