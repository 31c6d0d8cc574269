"""CPU-bound work (/compute) in a pool of processes, off the threads that serve requests.

A computation on a request thread holds the GIL and starves the worker's other requests; in a
separate process it runs on its own core, can crash without taking the worker down, and the
request thread only waits for the answer.

COMPUTE_WORKERS sets how many processes compute at once in this container (default: its CPU
quota, see limits.py). The server's WEB_CONCURRENCY worker processes each own a share of them,
at least one each, so the cores stay busy without being oversubscribed.
"""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .limits import cpu_count, env_count

MAX_N = 35  # fib(35) takes a few seconds: real work, yet bounded.

__all__ = ["MAX_N", "BrokenProcessPool", "fib", "fib_in_pool", "pool_size"]


def fib(n: int) -> int:
    """The n-th Fibonacci number, computed the slow way on purpose: a stand-in for real work."""
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def pool_size() -> int:
    """This worker process's share of COMPUTE_WORKERS."""
    total = env_count("COMPUTE_WORKERS", cpu_count())
    return max(1, total // env_count("WEB_CONCURRENCY", 1))


class _LazyPool:
    """A process pool created on first use in each worker process, never in the server's parent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._pid = 0

    def get(self) -> ProcessPoolExecutor:
        with self._lock:
            # A pool inherited across fork belongs to the parent: its processes are not ours.
            if self._pool is None or self._pid != os.getpid():
                self._pool = ProcessPoolExecutor(
                    max_workers=pool_size(),
                    # forkserver, not fork: forking a process that runs threads can copy a lock
                    # another thread holds into the child, which then deadlocks.
                    mp_context=multiprocessing.get_context("forkserver"),
                )
                self._pid = os.getpid()
            return self._pool

    def discard(self, pool: ProcessPoolExecutor) -> None:
        """Drop a broken pool (a process died, e.g. OOM-killed); the next get() starts anew."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)


_pool = _LazyPool()


def fib_in_pool(n: int) -> int:
    """Compute fib(n) in this worker's pool; raise BrokenProcessPool if a pool process died."""
    pool = _pool.get()
    try:
        return pool.submit(fib, n).result()
    except BrokenProcessPool:
        _pool.discard(pool)
        raise
