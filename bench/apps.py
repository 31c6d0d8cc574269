"""Generated apps under load: against the naive hello worlds, Granian against gunicorn, cluster against one process.

Each stack's servers run at the same time (idle while another is loaded) so their wrk runs can be
interleaved: round after round, each server gets a 1 s warm-up and then a bounded wrk run; the
table shows the median of the rounds. Verdicts: the generated Flask setup must serve at least 4x
the naive `app.run()`'s requests/s and Django 5x `runserver`'s, each with a p99 no worse than the
naive server's; Express at least 0.9x a naive single-process Express. Any non-2xx answer fails.
Express's ratio is near 1, within what this machine's speed moves from one minute to the next, so
its verdict comes from pairs of short runs back to back (generated, naive; then naive, generated):
the median of the pairs' ratios (docs/benchmarks.md, 2026-12-03, says why).
The real-time variants (WebSockets) are measured beside them for reference, without a verdict.
Then each Python stack's `make serve` takes one sustained run as shipped and one with its workers
recycled every minute (pyservers.recycled), and the worker restarts are counted from each log:
recycling must not show in the p99.
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
import pyservers
import wrk
from baselines import Server
from previous import Generator
from procs import clean_env, free_port, serving
from table import Verdict, markdown, median, ratio

STACKS = ("flask", "django", "express")
NO_MEMORY_REDUCER = "--no-memory-reducer"  # a V8 flag: no full collection when the process goes idle
FLOORS = {"flask": 4.0, "django": 5.0, "express": 0.9}  # generated req/s at least this times the naive one
SUSTAINED_P99 = 2.0  # a sustained run's p99 at most this times the short rounds' median p99
RECYCLED_P99 = 1.5  # the recycled run's p99 at most this times the same load's p99 without recycling
# What each Python stack renders (name -> concurrency, app_type); Express renders only "low".
VARIANTS = {"low": ("low", "rest_api"), "medium": ("medium", "rest_api"), "realtime": ("medium", "realtime")}


@dataclass(frozen=True)
class Options:
    """How long and how often to load: wrk seconds per run, rounds, the sustained run, worker counts.

    Express's verdict takes PAIRS pairs of PAIR_SECONDS runs besides the rounds: a ratio near 1
    between two servers of about the same speed, where the rounds of one run have differed by 0.3x
    (a round runs six servers one after the other, and the machine's speed moves in between); the
    Python verdicts have margins of 20% and more.
    """

    seconds: int
    rounds: int
    pairs: int
    pair_seconds: int
    sustained: int
    workers: tuple[int, ...]
    stacks: tuple[str, ...] = STACKS


@dataclass(frozen=True)
class Result:
    """A server's medians over the rounds, every failed answer wrk saw, and its sustained run."""

    server: Server
    rps: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    runs: str  # which server process answered (gunicorn, granian, node, ...)
    sustained: wrk.Load | None = None
    restarts: int = 0
    per_round: tuple[float, ...] = ()  # req/s of each short round, in order
    paired: tuple[float, ...] = ()  # Express: req/s over the naive server's in each back-to-back pair


def prepare(generator: Generator, work: Path, uv: Path, options: Options) -> list[Server]:
    """Render, install and build every server to load; installs and builds run in parallel."""
    apps = work / "apps"
    rendered: dict[str, dict[str, Path]] = {}
    for stack in options.stacks:  # one at a time: they share the template store
        rendered[stack] = {}
        for name in VARIANTS if stack != "express" else ("low",):
            concurrency, app_type = VARIANTS[name]
            rendered[stack][name] = projects.render(generator.cmd, apps / f"{stack}-{name}", stack, concurrency,
                                                    generator.env, app_type=app_type)
    env = projects.path_with(uv)

    def python_stack(stack: str, naive: Callable[[Path, Path], Server]) -> list[Server]:
        low, medium, realtime = (rendered[stack][level] for level in ("low", "medium", "realtime"))
        for project in (low, medium, realtime):
            projects.install(project, env=env)
        pyservers.prepare(low, uv)
        return [projects.server(low, stack, "low"), projects.server(medium, stack, "medium"),
                projects.server(realtime, stack, "medium", label="real-time variant", role="reference"),
                *(s for n in options.workers for s in pyservers.servers(low, stack, n)),
                naive(apps / f"{stack}-naive", low / ".venv"), pyservers.recycled(low, stack)]

    def express_generated() -> list[Server]:
        project = rendered["express"]["low"]
        projects.install(project, env=env)
        env_file = ["--env-file=.env"] if (project / ".env").is_file() else []  # as `make serve` passes it
        entry = ["node", *env_file, "src/cluster.js"]
        cores = str(os.cpu_count() or 1)
        return [projects.server(project, "express", "low"),
                Server(f"express: cluster.js, WEB_CONCURRENCY={cores}", "express", "cluster", entry, project,
                       "/healthz", {"WEB_CONCURRENCY": cores}),
                Server("express: generated, LOG_LEVEL=warn (no access lines)", "express", "reference",
                       ["make", "serve"], project, "/healthz", {"LOG_LEVEL": "warn"}),
                # The lead on the Express slowdown (docs/benchmarks.md): V8's idle-time collection.
                Server(f"express: generated, node {NO_MEMORY_REDUCER}", "express", "reference",
                       ["node", NO_MEMORY_REDUCER, *env_file, "src/server.js"], project, "/healthz")]

    tasks: list[Callable[[], list[Server]]] = []
    if "flask" in options.stacks:
        tasks.append(lambda: python_stack("flask", baselines.flask_naive))
    if "django" in options.stacks:
        tasks.append(lambda: python_stack("django", baselines.django_naive))
    if "express" in options.stacks:
        tasks += [express_generated, lambda: [baselines.express_naive(apps / "express-naive")],
                  lambda: [baselines.express_generator(apps / "express-generator")]]
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(task) for task in tasks]
        return [server for future in futures for server in future.result()]


def _slug(server: Server) -> str:
    return re.sub(r"[^a-z0-9]+", "-", server.name.lower()).strip("-")


def _sustained(server: Server) -> bool:
    """Does SERVER take a sustained run: each Python `make serve` (low), as shipped and recycled."""
    shipped = server.role == "generated" and server.stack != "express" and "concurrency=low" in server.name
    return shipped or server.role == "recycled"


def _pairs(generated: str, naive: str, count: int, seconds: int) -> dict[str, list[wrk.Load]]:
    """COUNT pairs of runs back to back, alternating which goes first; each URL's runs, in order.

    Two runs seconds apart see about the same machine, where a round's runs of the same two servers
    are tens of seconds apart; the median of the pairs' ratios is the verdict's ratio.
    """
    runs: dict[str, list[wrk.Load]] = {generated: [], naive: []}
    for index in range(count):
        for url in (generated, naive) if index % 2 == 0 else (naive, generated):
            wrk.load(url + "/", 1)  # warm-up, as in the rounds
            runs[url].append(wrk.load(url + "/", seconds))
        mine, theirs = runs[generated][-1].rps, runs[naive][-1].rps
        print(f"  pair {index + 1}: generated {mine:,.0f} req/s, naive {theirs:,.0f} req/s, {ratio(mine / theirs)}",
              flush=True)
    return runs


def measure(servers: Sequence[Server], seconds: int, rounds: int, logs: Path, sustained: int,
            env: Mapping[str, str] | None = None, pairs: int = 0, pair_seconds: int = 3) -> list[Result]:
    """Start SERVERS together, interleave warm-up + wrk runs over them for ROUNDS rounds, then PAIRS pairs of the
    generated and the naive server (if PAIRS), then the sustained runs."""
    loads: dict[str, list[wrk.Load]] = {s.name: [] for s in servers}
    paired: dict[str, list[wrk.Load]] = {}  # server name -> its runs in the pairs
    ratios: tuple[float, ...] = ()  # the generated server's req/s over the naive one's, pair by pair
    urls = {s.name: f"http://127.0.0.1:{free_port()}" for s in servers}
    log = {s.name: logs / f"{_slug(s)}.log" for s in servers}
    long: dict[str, tuple[wrk.Load | None, int]] = {}
    with ExitStack() as running:
        for server in servers:
            port = urls[server.name].rsplit(":", 1)[1]
            running.enter_context(serving(
                [arg.format(port=port) for arg in server.cmd], cwd=server.cwd,
                env={**(env if env is not None else clean_env()), "HOST": "127.0.0.1", "PORT": port, **server.env},
                ready_url=urls[server.name] + server.ready_path, log=log[server.name]))
        short = [s for s in servers if s.role != "recycled"]  # recycled servers only take the sustained run
        for round_ in range(rounds):
            for server in short if round_ % 2 == 0 else reversed(short):
                wrk.load(urls[server.name] + "/", 1)  # warm-up: imports, caches, connection pools
                loads[server.name].append(wrk.load(urls[server.name] + "/", seconds))
                print(f"  {server.name}: {loads[server.name][-1].rps:,.0f} req/s, "
                      f"p99 {loads[server.name][-1].p99_ms:.1f} ms", flush=True)
        if pairs:
            name = {s.role: s.name for s in servers if s.role in ("generated", "naive")}
            print(f"  {pairs} pairs of {pair_seconds} s runs, generated and naive back to back:", flush=True)
            by_url = _pairs(urls[name["generated"]], urls[name["naive"]], pairs, pair_seconds)
            paired = {name[role]: by_url[urls[name[role]]] for role in ("generated", "naive")}
            ratios = tuple(a.rps / b.rps for a, b in zip(paired[name["generated"]], paired[name["naive"]], strict=True))
        for server in filter(_sustained, servers):
            before = pyservers.spawns(log[server.name])
            steady = wrk.load(urls[server.name] + "/", sustained)
            long[server.name] = steady, pyservers.spawns(log[server.name]) - before
            print(f"  {server.name}, sustained {sustained} s: {steady.rps:,.0f} req/s, p99 {steady.p99_ms:.1f} ms, "
                  f"worker restarts: {long[server.name][1]}", flush=True)
    results = []
    for s in servers:
        load, restarts = long.get(s.name, (None, 0))
        xs = loads[s.name] or ([load] if load is not None else [])  # a recycled server's only run: sustained
        runs = pyservers.kind(log[s.name]) if s.stack != "express" else "node"
        if s.role == "naive":
            runs = {"flask": "werkzeug app.run()", "django": "runserver"}.get(s.stack, runs)
        mine = paired.get(s.name, [])  # the pairs' answers count too; only the verdict reads their req/s
        results.append(Result(s, median([x.rps for x in xs]), median([x.p99_ms for x in xs]),
                              sum(x.non_2xx for x in [*xs, *mine]), sum(x.socket_errors for x in [*xs, *mine]),
                              runs, load, restarts, tuple(x.rps for x in loads[s.name]),
                              ratios if s.role == "generated" else ()))
    return results


def judge(result: Result, naive: Result) -> Verdict:
    """The promise each generated setup makes against its stack's naive hello world."""
    name, times, floor = result.server.name, result.rps / naive.rps, FLOORS[result.server.stack]
    if result.non_2xx or naive.non_2xx:
        return Verdict(f"{name}: only 2xx answers (saw {result.non_2xx} + {naive.non_2xx} others)", False)
    if result.paired:
        paired = median(result.paired)
        return Verdict(f"{name}: {ratio(paired)} the naive req/s, median of {len(result.paired)} pairs back to back "
                       f"(floor {floor:.2f}x); pairs {ratio(min(result.paired))} to {ratio(max(result.paired))}, "
                       f"the rounds' medians {ratio(times)}{_spread(result, naive)}", paired >= floor)
    if result.server.stack == "express":
        return Verdict(f"{name}: {ratio(times)} the naive req/s (floor {floor:.2f}x){_spread(result, naive)}",
                       times >= floor)
    return Verdict(f"{name} ({result.runs}): {ratio(times)} the naive req/s (floor {floor:.0f}x), p99 "
                   f"{result.p99_ms:.1f} vs naive {naive.p99_ms:.1f} ms (no worse)",
                   times >= floor and result.p99_ms <= naive.p99_ms)


def _spread(result: Result, naive: Result) -> str:
    """How far apart the rounds were: the lowest and highest ratio of two runs in the same round.

    A wide spread says the machine's speed, or one server's, moved during the run (docs/benchmarks.md,
    2026-12-03). Both servers took the same rounds.
    """
    ratios = [a / b for a, b in zip(result.per_round, naive.per_round, strict=True) if b > 0]
    if len(ratios) < 2:
        return ""
    return f" (per round {ratio(min(ratios))} to {ratio(max(ratios))})"


def _restarts(count: int) -> str:
    return f"{count} worker restart{'' if count == 1 else 's'}"


def judge_sustained(result: Result, seconds: int) -> Verdict:
    """The shipped server holds its p99 over a long run: within SUSTAINED_P99 x the short runs' p99."""
    assert result.sustained is not None
    p99, limit = result.sustained.p99_ms, SUSTAINED_P99 * result.p99_ms
    return Verdict(f"{result.server.name} ({result.runs}): p99 over {seconds} s of load {p99:.1f} ms with "
                   f"{_restarts(result.restarts)} (limit {limit:.1f} ms = {SUSTAINED_P99:.0f}x the short runs' "
                   f"{result.p99_ms:.1f} ms)", p99 <= limit and result.sustained.non_2xx == 0)


def judge_recycled(result: Result, shipped: Result, workers: int, seconds: int) -> Verdict:
    """Recycling must not show: every worker replaced during the run, and the p99 within RECYCLED_P99 x
    the shipped server's over the same load."""
    assert result.sustained is not None and shipped.sustained is not None
    p99, limit = result.sustained.p99_ms, RECYCLED_P99 * shipped.sustained.p99_ms
    # Socket errors are reported, not judged: a stopping worker resets the connections queued at its
    # own listening socket (SCALING.md says when, and the kernel setting that hands them over).
    return Verdict(f"{result.server.name} ({result.runs}): {_restarts(result.restarts)} in {seconds} s (at least "
                   f"{workers}), p99 {p99:.1f} ms (limit {limit:.1f} ms = {RECYCLED_P99:.1f}x the "
                   f"{shipped.sustained.p99_ms:.1f} ms without recycling), {result.sustained.non_2xx} non-2xx; "
                   f"{result.sustained.socket_errors} socket errors of {result.sustained.requests:,} requests "
                   f"(reported, not judged)",
                   result.restarts >= workers and p99 <= limit and result.sustained.non_2xx == 0)


def bench(generator: Generator, work: Path, uv: Path, options: Options) -> tuple[list[Verdict], list[Result]]:
    """Build everything, load each stack's servers side by side, print the tables and verdicts."""
    print("Rendering and installing (make install, npm install) ...", flush=True)
    servers = prepare(generator, work, uv, options)
    print(f"Load average before the first wrk run: {os.getloadavg()[0]:.2f}\n", flush=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    results: list[Result] = []
    for stack in options.stacks:
        pairs = options.pairs if stack == "express" else 0
        results.extend(measure([s for s in servers if s.stack == stack], options.seconds, options.rounds, logs,
                               options.sustained, projects.path_with(uv), pairs, options.pair_seconds))
    print()
    naive = {r.server.stack: r for r in results if r.server.role == "naive"}
    verdicts: list[Verdict] = []
    rows: list[list[str]] = []
    for r in results:
        if r.server.role == "recycled":
            continue  # its only run is the sustained one, in the table below
        base = naive[r.server.stack]
        verdict = judge(r, base) if r.server.role == "generated" else None
        if verdict is not None:
            verdicts.append(verdict)
        rows.append([r.server.name, r.runs, f"{r.rps:,.0f}", f"{r.p99_ms:.1f} ms",
                     "1.00x (baseline)" if r is base else ratio(r.rps / base.rps),
                     f"{r.non_2xx}/{r.socket_errors}", ("PASS" if verdict.passed else "FAIL") if verdict else "-"])
    print(markdown(["server", "runs", "req/s", "p99", "req/s vs naive", "non-2xx/socket errors", "verdict"], rows),
          end="\n\n")
    print(comparison(results), end="\n\n")
    long = [r for r in results if r.sustained is not None]
    if long:
        print(markdown(["sustained run", "runs", "req/s", "p99", "max", "worker restarts", "requests",
                        "non-2xx/socket errors"],
                       [[f"{r.server.name}, {options.sustained} s", r.runs, f"{r.sustained.rps:,.0f}",
                         f"{r.sustained.p99_ms:.1f} ms", f"{r.sustained.max_ms:.1f} ms", str(r.restarts),
                         f"{r.sustained.requests:,}", f"{r.sustained.non_2xx}/{r.sustained.socket_errors}"]
                        for r in long if r.sustained is not None]), end="\n\n")
        for r in long:
            if r.server.role != "recycled":
                verdicts.append(judge_sustained(r, options.sustained))
                continue
            shipped = next(x for x in long if x.server.stack == r.server.stack and x.server.role == "generated")
            verdicts.append(judge_recycled(r, shipped, min(options.workers), options.sustained))
    return verdicts, [r for r in results if r.server.role != "recycled"]


def _workers(server: Server) -> str:
    return server.env.get("WEB_CONCURRENCY", "")


def comparison(results: Sequence[Result]) -> str:
    """Granian against each gunicorn worker model at each worker count; the Express cluster, Express without its
    access lines, and Express without V8's memory reducer, against the generated single process."""
    rows: list[list[str]] = []
    servers = [r for r in results if r.server.role == "server"]
    for r in servers:
        if "granian" not in r.server.name:
            continue
        for other in servers:
            if "gunicorn" in other.server.name and other.server.stack == r.server.stack \
                    and _workers(other.server) == _workers(r.server):
                rows.append([f"{r.server.name} vs {other.server.name.split(': ', 1)[1]}",
                             f"{r.rps:,.0f} vs {other.rps:,.0f}", ratio(r.rps / other.rps),
                             f"{r.p99_ms:.1f} vs {other.p99_ms:.1f} ms"])
    one = next((x for x in results if x.server.stack == "express" and x.server.role == "generated"), None)
    if one is not None:
        for r in results:
            if r.server.role == "cluster":
                what = "one process (make serve)"
            elif r.server.stack == "express" and "LOG_LEVEL" in r.server.env:
                what = "with them (make serve)"
            elif NO_MEMORY_REDUCER in r.server.cmd:
                what = "V8's default (make serve)"
            else:
                continue
            rows.append([f"{r.server.name} vs {what}", f"{r.rps:,.0f} vs {one.rps:,.0f}",
                         ratio(r.rps / one.rps), f"{r.p99_ms:.1f} vs {one.p99_ms:.1f} ms"])
    return markdown(["side by side (same app)", "req/s", "ratio", "p99"], rows)
