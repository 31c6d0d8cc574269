"""How many CPUs this process may really use: the container's CPU quota, not the host's cores.

Inside a container `os.cpu_count()` reports every core of the host, so a server sized from it
starts far more processes than its CPU limit can run (and more memory than its memory limit
holds). The quota lives in the cgroup: `cpu.max` on cgroup v2, `cpu.cfs_quota_us` and
`cpu.cfs_period_us` on v1.
"""

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
# cgroup v1 mounts the cpu controller under one of these names, depending on the distribution.
_V1_MOUNTS = ("cpu", "cpu,cpuacct", "cpuacct,cpu")


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


def cpu_quota(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float | None:
    """The CPU limit of this process's cgroup in cores (1.5 for `150000 100000`), or None."""
    limits = []
    for line in (_read(proc_cgroup) or "").splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, relative = rest.partition(":")
        if hierarchy == "0" and not controllers:
            limits.append(_v2_quota(root, relative))
        elif "cpu" in controllers.split(","):
            limits.append(_v1_quota(root, relative))
    return min((limit for limit in limits if limit is not None), default=None)


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
