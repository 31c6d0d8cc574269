"""Stop signals held around the steps they must not cut in two.

`held` delays SIGINT, SIGTERM and SIGHUP to the end of a block, where they land as usual (the CLI
turns them into "interrupted"). `shielded` is for a step after which the work is done: the signals
are held for the block and only recorded from then on, so the caller can say what is true ("the
project is complete") instead of "nothing was written". `temporary_folder` creates and removes its
folder with the signals held, so a folder can neither be made without its removal armed nor be
left half-removed by a signal landing in the middle of `rmtree`.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from stackpick import pausepoints

STOP = {signal.SIGINT, signal.SIGTERM}
HELD = STOP | {signal.SIGHUP}  # a closed terminal ends the run only once the step is complete


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
def temporary_folder(parent: Path, prefix: str, suffix: str = "", *, stage: str = "") -> Iterator[Path]:
    """A new folder in PARENT, removed with everything in it when the block ends, however it ends.

    Creating it and removing it both happen with the stop signals held: a signal that comes then
    is delivered once the folder is in the `try` that removes it, or once it is gone. STAGE names
    the test-only pause points `STAGE-created` and `STAGE-removing` (see stackpick.pausepoints).
    """
    folder: Path | None = None
    try:
        with held():
            folder = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
            if stage:
                pausepoints.reached(f"{stage}-created")
        yield folder
    finally:
        if folder is not None:
            with held():
                if stage:
                    pausepoints.reached(f"{stage}-removing")
                shutil.rmtree(folder, ignore_errors=True)
