"""Test-only pause points, so tests can signal `update` and `new` at exact moments instead of guessing times.

Never set these outside tests. `STACKPICK_TEST_STAGES=1` announces every stage a run reaches
on stderr (`stackpick-test: stage NAME`); `STACKPICK_TEST_STAGES=NAME` (or NAME,NAME...) also sleeps
there for `STACKPICK_TEST_PAUSE_SECONDS` (default 5) after announcing `stackpick-test: paused at NAME`.
Stages of `update`, in order: prepared, cloned, merged, rendered, planned, apply-journal,
apply-midway, apply-index, applied. Of `new`: new-staging-created, new-rendered, new-placing,
new-staging-removing. Of every command run from the console script: returned (its outcome printed,
the process not yet ended).
"""

from __future__ import annotations

import os
import sys
import time


def reached(stage: str) -> None:
    """Announce STAGE and pause there when a test asked for it; a no-op otherwise."""
    wanted = os.environ.get("STACKPICK_TEST_STAGES")
    if not wanted:
        return
    print(f"stackpick-test: stage {stage}", file=sys.stderr, flush=True)
    if stage in wanted.split(","):
        print(f"stackpick-test: paused at {stage}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("STACKPICK_TEST_PAUSE_SECONDS", "5")))
