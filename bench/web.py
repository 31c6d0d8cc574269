"""`stackpick serve` under load: project downloads per second and p99 with 16 concurrent clients
on loopback, beside `stackpick new` with the same answers run one after another.

Both render the same project with the same engine; the server keeps Copier imported in its render
processes and renders as many projects at once as it has processes, while the CLI pays a whole
process start per project. A download takes about a second, so the clients make a fixed number of
downloads (every one is counted) rather than run for a fixed time as wrk does.
"""

from __future__ import annotations

import concurrent.futures
import math
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

import generation
from procs import BenchError, free_port, run, serving, timed
from table import Verdict, markdown, median, ms

CLIENTS = 16


def p99(values: list[float]) -> float:
    """Nearest-rank 99th percentile (the maximum for fewer than 100 values)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def download(url: str) -> tuple[float, int]:
    """One download: its latency in seconds and its status (0 when the connection failed)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError:
        status = 0
    return time.perf_counter() - started, status


def load(url: str, rounds: int) -> tuple[float, list[float], int]:
    """CLIENTS threads, ROUNDS downloads each: downloads/s, every latency, failures."""
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(download, [url] * (CLIENTS * rounds)))
    wall = time.perf_counter() - started
    return len(results) / wall, [latency for latency, _ in results], sum(status != 200 for _, status in results)


def bench(stackpick: Path, work: Path, rounds: int, runs: int, env: Mapping[str, str]) -> list[Verdict]:
    """Serial `stackpick new` runs, then 16 clients against /starter.zip; one table, two verdicts."""
    out = work / "web"
    (out / "tmp").mkdir(parents=True)
    run(generation.stackpick_cmd([str(stackpick)], out / "warm"), env=env)  # prepares the template store
    serial = [timed(generation.stackpick_cmd([str(stackpick)], out / f"new{i}"), env=env) for i in range(runs)]
    port = free_port()
    url = f"http://127.0.0.1:{port}/starter.zip?{urlencode({**generation.ANSWERS, 'stack': 'flask'})}"
    cmd = [str(stackpick), "serve", "--port", str(port), "--max-renders", str(CLIENTS)]
    with serving(cmd, cwd=out, env={**env, "TMPDIR": str(out / "tmp")}, ready_url=f"http://127.0.0.1:{port}/readyz",
                 log=out / "serve.log"):
        for _ in range(2):  # each render process renders once before the clock starts
            if download(url)[1] != 200:
                raise BenchError(f"the warm-up download from {url} failed; see {out / 'serve.log'}")
        rate, latencies, failed = load(url, rounds)
    serial_rate = 1 / median(serial)
    print(markdown(["how (--stack flask, 3 answers)", "projects/s", "p50", "p99", "projects"], [
        [f"stackpick serve, {CLIENTS} concurrent clients", f"{rate:.2f}", ms(median(latencies)), ms(p99(latencies)),
         str(len(latencies))],
        ["stackpick new --no-git, one after another", f"{serial_rate:.2f}", ms(median(serial)), ms(p99(serial)),
         str(runs)],
    ]), end="\n\n")
    return [
        Verdict(f"serve: {rate:.2f} downloads/s with {CLIENTS} clients >= serial new {serial_rate:.2f}/s",
                rate >= serial_rate),
        Verdict(f"serve: every download succeeded ({failed} of {len(latencies)} failed)", failed == 0),
    ]
