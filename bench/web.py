"""`stackpick serve` under load: project downloads per second and p99 with 16 concurrent clients
(wrk on loopback), beside `stackpick new` with the same answers run one after another.

Both render the same project with the same engine; the server keeps Copier imported in its render
processes and renders as many projects at once as it has processes, the CLI pays a whole process
start per project.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

import generation
import wrk
from procs import BenchError, free_port, run, serving, timed
from table import Verdict, markdown, median, ms

CLIENTS = 16


def p99(values: list[float]) -> float:
    """Nearest-rank 99th percentile (the maximum for fewer than 100 values)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def bench(stackpick: Path, work: Path, seconds: int, runs: int, env: Mapping[str, str]) -> list[Verdict]:
    """Serial `stackpick new` runs, then wrk -c16 against /starter.zip; one table, two verdicts."""
    out = work / "web"
    (out / "tmp").mkdir(parents=True)
    run(generation.stackpick_cmd([str(stackpick)], out / "warm"), env=env)  # prepares the template store
    serial = [timed(generation.stackpick_cmd([str(stackpick)], out / f"new{i}"), env=env) for i in range(runs)]
    port = free_port()
    query = urlencode({**generation.ANSWERS, "stack": "flask"})
    url = f"http://127.0.0.1:{port}/starter.zip?{query}"
    cmd = [str(stackpick), "serve", "--port", str(port), "--max-renders", "32"]
    with serving(cmd, cwd=out, env={**env, "TMPDIR": str(out / "tmp")}, ready_url=f"http://127.0.0.1:{port}/readyz",
                 log=out / "serve.log"):
        run(["wrk", "-t1", "-c1", "-d1s", "--timeout", "60s", url], timeout=90)  # first renders warm the workers
        load = wrk.parse(run(["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "60s", "--latency", url],
                             timeout=seconds + 120))
    if load.requests == 0:
        raise BenchError("wrk completed no download")
    serial_rate = 1 / median(serial)
    print(markdown(["how (--stack flask, 3 answers)", "projects/s", "p99", "runs"], [
        [f"stackpick serve, {CLIENTS} concurrent clients (wrk, {seconds} s)", f"{load.rps:.2f}", ms(load.p99_ms / 1000),
         str(load.requests)],
        ["stackpick new --no-git, one after another", f"{serial_rate:.2f}", ms(p99(serial)), str(runs)],
    ]), end="\n\n")
    return [
        Verdict(f"serve: {load.rps:.2f} downloads/s with {CLIENTS} clients >= serial new {serial_rate:.2f}/s",
                load.rps >= serial_rate),
        Verdict(f"serve: every download succeeded ({load.non_2xx} non-2xx, {load.socket_errors} socket errors)",
                load.non_2xx == 0 and load.socket_errors == 0),
    ]
