"""Generated apps against the articles' naive hello worlds, loaded with wrk side by side.

Each stack's servers run at the same time (idle while another is loaded) so their wrk runs can be
interleaved: round after round, each server gets a 1 s warm-up and then a bounded wrk run; the
table shows the median of the rounds. Verdicts, on requests/s (p99 is reported beside them): the
generated Flask and Django setups must beat the naive one; the generated Express setup must reach
0.9x the naive one (it runs production middleware the hello world lacks). Any non-2xx answer fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import baselines
import projects
import wrk
from baselines import Server
from procs import clean_env, free_port, serving
from table import Verdict, markdown, median, ratio

STACKS = ("flask", "django", "express")
EXPRESS_FLOOR = 0.9


@dataclass(frozen=True)
class Result:
    """A server's medians over the rounds, and every failed answer wrk saw."""

    server: Server
    rps: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


def prepare(stackpick: Path, work: Path, render_env: Mapping[str, str]) -> list[Server]:
    """Render, install and build every server to load; installs and builds run in parallel."""
    apps = work / "apps"
    rendered: dict[str, dict[str, Path]] = {}
    for stack in STACKS:  # one at a time: they share the template store
        levels = ("low", "medium") if stack != "express" else ("low",)
        rendered[stack] = {level: projects.render(stackpick, apps / f"{stack}-{level}", stack, level, render_env)
                           for level in levels}

    def python_stack(stack: str, naive: Callable[[Path, Path], Server]) -> list[Server]:
        low = rendered[stack]["low"]
        projects.install(low)
        projects.install(rendered[stack]["medium"], like=low)
        return [*(projects.server(path, stack, level) for level, path in rendered[stack].items()),
                naive(apps / f"{stack}-naive", low / ".venv")]

    def express_generated() -> list[Server]:
        projects.install(rendered["express"]["low"])
        return [projects.server(rendered["express"]["low"], "express", "low")]

    tasks: list[Callable[[], list[Server]]] = [
        lambda: python_stack("flask", baselines.flask_naive),
        lambda: python_stack("django", baselines.django_naive),
        express_generated,
        lambda: [baselines.express_naive(apps / "express-naive")],
        lambda: [baselines.express_generator(apps / "express-generator")],
    ]
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(task) for task in tasks]
        return [server for future in futures for server in future.result()]


def measure(servers: Sequence[Server], seconds: int, rounds: int, logs: Path) -> list[Result]:
    """Start SERVERS together, then interleave warm-up + wrk runs over them for ROUNDS rounds."""
    loads: dict[str, list[wrk.Load]] = {s.name: [] for s in servers}
    urls: dict[str, str] = {}
    with ExitStack() as running:
        for server in servers:
            port, slug = free_port(), re.sub(r"[^a-z0-9]+", "-", server.name.lower())
            base = f"http://127.0.0.1:{port}"
            running.enter_context(serving(
                [arg.format(port=port) for arg in server.cmd], cwd=server.cwd,
                env=clean_env(HOST="127.0.0.1", PORT=str(port), **server.env),
                ready_url=base + server.ready_path, log=logs / f"{slug}.log"))
            urls[server.name] = base + "/"
        for round_ in range(rounds):
            for server in servers if round_ % 2 == 0 else reversed(servers):
                wrk.load(urls[server.name], 1)  # warm-up: imports, caches, connection pools
                loads[server.name].append(wrk.load(urls[server.name], seconds))
                print(f"  {server.name}: {loads[server.name][-1].rps:,.0f} req/s", flush=True)
    return [Result(s, median([x.rps for x in loads[s.name]]), median([x.p99_ms for x in loads[s.name]]),
                   sum(x.non_2xx for x in loads[s.name]), sum(x.socket_errors for x in loads[s.name]))
            for s in servers]


def judge(result: Result, naive: Result) -> Verdict:
    """The promise each generated setup makes against its stack's naive hello world."""
    name, times = result.server.name, ratio(result.rps / naive.rps)
    if result.non_2xx or naive.non_2xx:
        return Verdict(f"{name}: only 2xx answers (saw {result.non_2xx} + {naive.non_2xx} others)", False)
    if result.server.stack == "express":
        return Verdict(f"{name}: {times} the naive req/s (floor {EXPRESS_FLOOR:.2f}x)",
                       result.rps >= EXPRESS_FLOOR * naive.rps)
    return Verdict(f"{name}: {times} the naive req/s (must beat it; p99 {result.p99_ms:.1f} vs "
                   f"{naive.p99_ms:.1f} ms)", result.rps > naive.rps)


def bench(stackpick: Path, work: Path, seconds: int, rounds: int, render_env: Mapping[str, str]) -> list[Verdict]:
    """Build everything, load each stack's servers side by side, print the table and verdicts."""
    print("Rendering and installing (make install, npm install) ...", flush=True)
    servers = prepare(stackpick, work, render_env)
    print(f"Load average before the first wrk run: {os.getloadavg()[0]:.2f}\n", flush=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    results: list[Result] = []
    for stack in STACKS:
        results.extend(measure([s for s in servers if s.stack == stack], seconds, rounds, logs))
    print()
    naive = {r.server.stack: r for r in results if r.server.role == "naive"}
    verdicts: list[Verdict] = []
    rows: list[list[str]] = []
    for r in results:
        base = naive[r.server.stack]
        verdict = judge(r, base) if r.server.role == "generated" else None
        if verdict is not None:
            verdicts.append(verdict)
        rows.append([r.server.name, f"{r.rps:,.0f}", f"{r.p99_ms:.1f} ms",
                     "1.00x (baseline)" if r is base else ratio(r.rps / base.rps),
                     f"{r.non_2xx}/{r.socket_errors}",
                     ("PASS" if verdict.passed else "FAIL") if verdict else "-"])
    print(markdown(["server", "req/s", "p99", "req/s vs naive", "non-2xx/socket errors", "verdict"], rows),
          end="\n\n")
    return verdicts
