"""The console entry point: Ctrl-C and SIGTERM are taken over before anything else is imported.

Until `cli.main` installs its own handlers, a stop signal is only recorded: a run that got one
exits 130 in one line before doing anything, and one that comes after `main` returned (the work is
done) no longer changes the exit code. Without this, a Ctrl-C in the first tens of milliseconds
(longer on a loaded machine) ends in a KeyboardInterrupt traceback from inside an import.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

_STOPS = (signal.SIGINT, signal.SIGTERM)
_pending: list[int] = []


def _record(signum: int, frame: FrameType | None) -> None:
    _pending.append(signum)


def run() -> int:
    """Run stackpick's command line with the stop signals covered from the start; return the exit code."""
    for sig in _STOPS:
        signal.signal(sig, _record)
    from stackpick import pausepoints
    from stackpick.cli import main
    from stackpick.errors import AbortedError, ExitCode

    if _pending:  # stopped while Python was still importing: nothing has begun
        print(f"stackpick: error: {AbortedError()}", file=sys.stderr, flush=True)
        return int(ExitCode.INTERRUPTED)
    code = main()
    # main() ignores SIGINT/SIGTERM from here on: the outcome is printed. Tests stop a run at this point.
    pausepoints.reached("returned")
    return code
