"""Stop signals held around the steps they must not cut in two.

`held` delays SIGINT, SIGTERM and SIGHUP to the end of a block, where they land as usual (the CLI
turns them into "interrupted"). `shielded` is for a step after which the work is done: the signals
are held for the block and only recorded from then on, so the caller can say what is true ("the
project is complete") instead of "nothing was written". `temporary_folder` creates and removes its
folder with the signals held, so a folder can neither be made without its removal armed nor be
left half-removed by a signal landing in the middle of `rmtree`; `remove_abandoned` clears the
folders that only SIGKILL (or a power cut) can leave, once their run is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from stackpick import pausepoints

STOP = {signal.SIGINT, signal.SIGTERM}
HELD = STOP | {signal.SIGHUP}  # a closed terminal ends the run only once the step is complete
LOCK = ".lock"
ABANDONED_AFTER = 60.0  # seconds a folder still being created (not yet locked) is left alone


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends; one that came is delivered then."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)  # runs the handler of a held signal, if any


@contextlib.contextmanager
def shielded() -> Iterator[list[int]]:
    """Hold SIGINT, SIGTERM (and SIGHUP) until the block ends; the list names the stop signals that came.

    On exit the stop signals get a handler that only records them (into the same list), for the
    rest of the command (the CLI restores its own afterwards): the work is done, so a late signal
    must not turn into an "interrupted, nothing was written" that is no longer true.
    """
    caught: list[int] = []
    before = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield caught
    finally:
        for sig in STOP:
            signal.signal(sig, lambda signum, frame: caught.append(signum))
        while (info := signal.sigtimedwait(STOP, 0)) is not None:
            caught.append(info.si_signo)
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def temporary_folder(parent: Path, prefix: str, suffix: str = "", *, stage: str = "",
                     locked: bool = False) -> Iterator[Path]:
    """A new folder in PARENT, removed with everything in it when the block ends, however it ends.

    Creating it and removing it both happen with the stop signals held: a signal that comes then
    is delivered once the folder is in the `try` that removes it, or once it is gone. LOCKED keeps
    an flock on a `.lock` file inside for as long as the folder lives, so `remove_abandoned` can
    tell the folder of a live run from one that SIGKILL left. STAGE names the test-only pause
    points `STAGE-created` and `STAGE-removing` (see stackpick.pausepoints).
    """
    folder: Path | None = None
    lock: int | None = None
    try:
        with held():
            folder = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
            if locked:
                lock = os.open(folder / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
                fcntl.flock(lock, fcntl.LOCK_EX)
            if stage:
                pausepoints.reached(f"{stage}-created")
        yield folder
    finally:
        if folder is not None:
            with held():
                if stage:
                    pausepoints.reached(f"{stage}-removing")
                shutil.rmtree(folder, ignore_errors=True)
                if lock is not None:
                    os.close(lock)


def lock_is_free(path: Path) -> bool | None:
    """Whether no live run holds an flock on the file PATH; None when there is no such file."""
    try:
        lock = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(lock)
    return True


def remove_abandoned(parent: Path, pattern: str) -> list[Path]:
    """Remove the folders in PARENT named like PATTERN (a glob) whose run is gone; return them.

    A folder counts as abandoned when its `.lock` (see `temporary_folder`) is not held and is more
    than ABANDONED_AFTER seconds old: the age covers a run that has made its folder and not yet
    locked it. A folder without a lock file, a link, or anything unreadable is left alone.
    """
    try:
        candidates = list(parent.glob(pattern))
    except OSError:
        return []
    removed: list[Path] = []
    for folder in candidates:
        try:
            if folder.is_symlink() or not folder.is_dir() or (folder / LOCK).is_symlink() \
                    or time.time() - (folder / LOCK).stat().st_mtime < ABANDONED_AFTER \
                    or not lock_is_free(folder / LOCK):
                continue
        except OSError:
            continue
        with held():
            shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
