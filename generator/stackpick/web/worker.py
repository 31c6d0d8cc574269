"""What a render process does: render one project into its own folder, pack or list it, clean up.

These functions run in the pool's worker processes (spawned, not forked, so no event loop or lock
of the server is copied). Copier changes the process's working directory while it renders, which
is why renders run in processes rather than threads.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from stackpick.web import archive

# How long processes a timed-out render started get to exit on SIGTERM before SIGKILL.
CHILD_GRACE_SECONDS = 2.0


class RenderTimeoutError(Exception):
    """The render took longer than the server allows."""


@dataclass(frozen=True)
class Job:
    """One render: the data Copier gets, where from, and what to return."""

    data: dict[str, Any]
    src: str
    vcs_ref: str | None
    top: str  # the archive's top-level folder: the project slug
    output: str  # "zip", "tar.gz" or "tree"


def prepare() -> None:
    """Worker start-up: let the server handle Ctrl-C, and import Copier once rather than per render."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import copier  # noqa: F401


def warm() -> bool:
    """A no-op that makes the pool start its processes before the first real render."""
    return True


_fired: list[bool] = []  # set when this process's render timer went off


def _timeout(signum: int, frame: FrameType | None) -> None:
    _fired.append(True)
    raise RenderTimeoutError


def stop_children() -> int:
    """Stop every process this one started that is still running; return how many there were.

    The render timer's exception can land while Copier waits on a git child (a clone of the
    template): the exception leaves the wait, not the child, which would go on writing into the
    render folder after it is cleaned. So the children stop first (SIGTERM, then SIGKILL).
    """
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        child.terminate()
    _, alive = psutil.wait_procs(children, timeout=CHILD_GRACE_SECONDS)
    for child in alive:
        child.kill()
    psutil.wait_procs(alive, timeout=CHILD_GRACE_SECONDS)
    return len(children)


def build(job: Job, folder: str, timeout: float) -> bytes | list[dict[str, object]]:
    """Render JOB inside FOLDER within TIMEOUT seconds; return the archive bytes or the file list."""
    from stackpick import render

    _fired.clear()
    # render() leaves SIGINT and SIGTERM recording-only once the project is placed (the rest of a
    # `new` command must not report "nothing was written"); this process lives on, so it gets its own back.
    stops = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    tempfile.tempdir = folder  # whatever Copier stages (its clone of the template) lands in FOLDER too
    try:
        dest = Path(folder) / "project"
        render.render(dest, job.data, src=job.src, vcs_ref=job.vcs_ref, trust=False)
        if job.output == "tree":
            return archive.listing(dest)
        return archive.pack(dest, job.top, job.output)
    except Exception as exc:
        # The timer's exception can surface as another one: Copier's clean-up of a half-made clone
        # fails, and the adapter reports that as a RenderError. It is still a timeout.
        if _fired:
            raise RenderTimeoutError from exc
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        for sig, handler in stops.items():
            signal.signal(sig, handler)
        tempfile.tempdir = None
        if _fired:
            stop_children()
        for child in Path(folder).iterdir():
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
