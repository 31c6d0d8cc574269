"""Renders off the event loop: a process pool behind a gate, each render in its own temp folder.

The gate counts renders accepted and not yet finished (running or waiting for a process); past
`max_renders` a request is refused at once (503 + Retry-After) instead of queueing without bound.
A slot is given back only when the render itself ends, not when its request gives up, so a client
that times out or disconnects cannot make the server run more renders than the limit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import shutil
import tempfile
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from stackpick.web import worker
from stackpick.web.observability import METRICS


class BusyError(Exception):
    """Every render slot is taken."""


class RenderTimeoutError(Exception):
    """A render did not finish within the server's limit."""


class RenderPool:
    """A bounded process pool for renders, with a temp root that it always cleans."""

    def __init__(self, workers: int, max_renders: int, timeout: float) -> None:
        self.workers, self.max_renders, self.timeout = workers, max_renders, timeout
        self.in_flight = 0
        self.root = Path(tempfile.mkdtemp(prefix="stackpick-serve."))
        self._executor = self._new_executor()

    def _new_executor(self) -> concurrent.futures.ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs an event loop
        return concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=context,
                                                      initializer=worker.prepare)

    async def start(self) -> None:
        """Start every worker process now, so the first users do not wait for Copier's import."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._executor, worker.warm)
                               for _ in range(self.workers)))

    async def run(self, job: worker.Job) -> Any:
        """Render JOB; BusyError when the gate is full, RenderTimeoutError past the time limit."""
        if self.in_flight >= self.max_renders:
            METRICS.renders.labels(job.output, "busy").inc()
            raise BusyError
        self.in_flight += 1
        METRICS.in_flight.set(self.in_flight)
        folder = tempfile.mkdtemp(prefix="render.", dir=self.root)
        started = time.monotonic()
        try:
            future = self._executor.submit(worker.build, job, folder, self.timeout)
        except BrokenProcessPool:  # a worker died (killed by the OOM killer?): start a new pool
            self._executor = self._new_executor()
            future = self._executor.submit(worker.build, job, folder, self.timeout)
        except BaseException:
            self._finished(folder)
            raise
        loop = asyncio.get_running_loop()
        future.add_done_callback(lambda _: self._on_loop(loop, folder))
        # The worker stops a render TIMEOUT seconds after it starts; waiting for a free process adds at
        # most one TIMEOUT per render queued ahead. This backstop only matters if a worker hangs.
        backstop = self.timeout * (-(-self.max_renders // self.workers) + 1) + 5
        try:
            result = await asyncio.wait_for(asyncio.wrap_future(future), backstop)
        except (TimeoutError, worker.RenderTimeoutError) as exc:
            future.cancel()  # still queued: it never starts; running: its own timer stops it
            METRICS.renders.labels(job.output, "timeout").inc()
            raise RenderTimeoutError from exc
        except BaseException:
            METRICS.renders.labels(job.output, "error").inc()
            raise
        METRICS.renders.labels(job.output, "ok").inc()
        METRICS.render_seconds.labels(job.output).observe(time.monotonic() - started)
        return result

    def _on_loop(self, loop: asyncio.AbstractEventLoop, folder: str) -> None:
        # Called on the executor's own thread: hand the bookkeeping to the event loop's thread.
        try:
            loop.call_soon_threadsafe(self._finished, folder)
        except RuntimeError:  # the loop is closed (shutdown): nobody counts any more
            self._finished(folder)

    def _finished(self, folder: str) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        self.in_flight -= 1
        METRICS.in_flight.set(self.in_flight)

    def close(self, grace: float = 2.0) -> None:
        """Stop the workers (queued renders are cancelled, running ones get GRACE seconds), remove the root.

        uvicorn has already let in-flight requests finish; a render still running now belongs to a
        request it gave up on, so the server's exit within 10 s of SIGTERM comes first.
        """
        self._executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        for child in multiprocessing.active_children():  # the pool's processes: public, no private API
            child.join(max(0.0, deadline - time.monotonic()))
            if child.is_alive():
                child.terminate()
                child.join(1)
        shutil.rmtree(self.root, ignore_errors=True)
