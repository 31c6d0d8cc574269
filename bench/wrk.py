"""Bounded wrk runs on loopback and the numbers read from wrk's report."""

from __future__ import annotations

import re
from dataclasses import dataclass

from procs import BenchError, run

THREADS = 2
CONNECTIONS = 50

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    """One wrk run: throughput, tail latency, and answers that were not a success."""

    rps: float
    p99_ms: float
    max_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def parse(report: str) -> Load:
    """Read requests/s, the 99th percentile and the error counts from `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", report, re.M)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", report, re.M)
    top = re.search(r"^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)\s", report, re.M)
    total = re.search(r"^\s*(\d+) requests in", report, re.M)
    if not (rps and p99 and top and total):
        raise BenchError(f"cannot read wrk's report:\n{report}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    return Load(
        rps=float(rps.group(1)),
        p99_ms=float(p99.group(1)) * _UNITS_MS[p99.group(2)],
        max_ms=float(top.group(1)) * _UNITS_MS[top.group(2)],
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def load(url: str, seconds: int) -> Load:
    """`wrk -t2 -c50 -d<seconds>s --latency URL`; wrk stops by itself, and is killed if it hangs."""
    # --timeout 10s: a request slower than that counts as a timeout (and shows in the errors column)
    report = run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
                 timeout=seconds + 30)
    return parse(report)
