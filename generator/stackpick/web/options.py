"""What `stackpick serve` was asked to do, and the limits that keep a shared service healthy."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def cpu_quota() -> int:
    """The CPUs this process may use: the cgroup v2 (or v1) quota, else the affinity count; at least 1."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = _cgroup_quota()
    return max(1, min(cpus, quota) if quota else cpus)


def _cgroup_quota() -> int | None:
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            return -(-int(quota) // int(period))  # a 1.5-CPU quota can keep two processes busy
    except (OSError, ValueError):
        pass
    try:
        quota_us = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period_us = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        if quota_us > 0:
            return -(-quota_us // period_us)
    except (OSError, ValueError):
        pass
    return None


def default_workers() -> int:
    """Render processes: $COMPUTE_WORKERS when set (as in the generated projects), else the CPU quota."""
    raw = os.environ.get("COMPUTE_WORKERS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else cpu_quota()


@dataclass(frozen=True)
class ServeOptions:
    """The server's address, its team templates and its limits (see README, "stackpick serve")."""

    host: str = "127.0.0.1"
    port: int = 8000
    templates: tuple[str, ...] = ()
    workers: int = field(default_factory=default_workers)
    max_renders: int = 32  # renders accepted at once (running or waiting for a worker); more get 503
    render_timeout: float = 30.0  # seconds one render may run (waiting for a free process aside); then 504
    max_body: int = 16 * 1024  # bytes of a request body (answers are a few hundred bytes)
    max_query: int = 4 * 1024  # bytes of a query string
    retry_after: int = 2  # seconds a client told 503 should wait
