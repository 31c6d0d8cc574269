"""The container's limits, read from its cgroup: how many CPUs and how much memory it may use.

Inside a container `os.cpu_count()` reports every core of the host, so a server sized from it
starts far more processes than its CPU limit can run (and more memory than its memory limit
holds). The limits live in the cgroup: `cpu.max` and `memory.max` on cgroup v2,
`cpu.cfs_quota_us`/`cpu.cfs_period_us` and `memory.limit_in_bytes` on v1.
"""

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
# cgroup v1 mounts the cpu controller under one of these names, depending on the distribution.
_V1_MOUNTS = ("cpu", "cpu,cpuacct", "cpuacct,cpu")
# cgroup v1 writes "no limit" as a huge number rather than "max".
_V1_NO_MEMORY_LIMIT = 1 << 60


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _ancestors(root: Path, relative: str) -> list[Path]:
    """`root/relative` and each parent up to `root`: a limit set higher up applies as well."""
    parts = [part for part in relative.split("/") if part]
    return [root.joinpath(*parts[:depth]) for depth in range(len(parts), -1, -1)]


def _v2_quota(root: Path, relative: str) -> float | None:
    limits = []
    for directory in _ancestors(root, relative):
        fields = (_read(directory / "cpu.max") or "").split()
        if len(fields) == 2 and fields[0] != "max":
            limits.append(int(fields[0]) / int(fields[1]))
    return min(limits, default=None)


def _v1_quota(root: Path, relative: str) -> float | None:
    limits = []
    for mount in _V1_MOUNTS:
        for directory in _ancestors(root / mount, relative):
            quota, period = (
                _read(directory / "cpu.cfs_quota_us"),
                _read(directory / "cpu.cfs_period_us"),
            )
            if quota and period and int(quota) > 0 and int(period) > 0:
                limits.append(int(quota) / int(period))
    return min(limits, default=None)


def _groups(proc_cgroup: Path) -> list[tuple[str, list[str], str]]:
    """(hierarchy id, controllers, path) for each line of /proc/self/cgroup."""
    groups = []
    for line in (_read(proc_cgroup) or "").splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, relative = rest.partition(":")
        groups.append((hierarchy, [c for c in controllers.split(",") if c], relative))
    return groups


def cpu_quota(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float | None:
    """The CPU limit of this process's cgroup in cores (1.5 for `150000 100000`), or None."""
    limits = []
    for hierarchy, controllers, relative in _groups(proc_cgroup):
        if hierarchy == "0" and not controllers:
            limits.append(_v2_quota(root, relative))
        elif "cpu" in controllers:
            limits.append(_v1_quota(root, relative))
    return min((limit for limit in limits if limit is not None), default=None)


def memory_limit(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> int | None:
    """The memory limit of this process's cgroup in bytes, or None."""
    limits = []
    for hierarchy, controllers, relative in _groups(proc_cgroup):
        if hierarchy == "0" and not controllers:
            directories, name = _ancestors(root, relative), "memory.max"
        elif "memory" in controllers:
            directories, name = _ancestors(root / "memory", relative), "memory.limit_in_bytes"
        else:
            continue
        for directory in directories:
            value = _read(directory / name) or ""
            if value.isdigit() and int(value) < _V1_NO_MEMORY_LIMIT:
                limits.append(int(value))
    return min(limits, default=None)


def cpu_count(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> int:
    """CPUs to size pools and workers by: the quota rounded up, capped by the CPU affinity, >= 1."""
    available = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
    quota = cpu_quota(root, proc_cgroup)
    if quota is not None:
        available = min(available, math.ceil(quota))
    return max(1, available)


def env_count(name: str, default: int) -> int:
    """A positive process count from the environment variable `name`, else `default`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)
