"""Time to first answer: `stackpick new` -> install -> `make serve` -> first 200 on /healthz.

Two flows per stack, in the same run, interleaved (the order alternates every round; one warm-up
round fills the pip, uv and npm caches and the template stores and is not counted):

- today: stackpick and templates at TODAY_REF from git history (previous.py), installed by that
  project's own `make install` (pip) and served by its `make serve` (gunicorn);
- new: this checkout's stackpick, `make install` (uv from uv.lock, with uv on PATH), then its
  `make serve` (Granian for Flask and Django).

Each step is timed on its own and the table shows the medians per step and of the whole (the
whole is the median of the per-run totals, so the steps need not add up to it exactly).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import projects
from previous import Generator
from procs import BenchError, clean_env, free_port, serving
from table import Verdict, markdown, median, ratio

STACKS = ("flask", "django", "express")
LIMIT = 0.5  # Flask and Django: the new flow takes at most half of today's
STEPS = ("new", "install", "serve")


@dataclass(frozen=True)
class Flow:
    """One way from nothing to an answering server."""

    name: str
    generator: Generator
    install: Callable[[Path], str]  # installs the project; returns how, for the table
    env: dict[str, str]  # for make install and make serve


def today(generator: Generator) -> Flow:
    """Today's flow: the old project's own `make install` (pip or npm)."""
    def install(project: Path) -> str:
        if (project / "package.json").is_file():
            projects.install(project, env=env)
            return "make install (npm ci)"
        if projects.locked(project) or "pip install" not in (project / "Makefile").read_text():
            raise BenchError(f"today's flow ({generator.label}) rendered a project that does not install with "
                             "pip: pass --today-ref with a commit from before the move to uv")
        projects.install(project, env=env)
        return "make install (pip)"
    env = clean_env()
    return Flow("today", generator, install, env)


def new(generator: Generator, uv: Path) -> Flow:
    """The new flow: the project's own `make install`, uv on PATH."""
    def install(project: Path) -> str:
        if (project / "package.json").is_file():
            projects.install(project, env=env)
            return "make install (npm ci)"
        if not projects.locked(project):
            raise BenchError(f"{project} has no uv.lock: the templates no longer install with uv")
        projects.install(project, env=env)
        return "make install (uv, uv.lock)"
    env = projects.path_with(uv)  # uv on PATH for make install and make serve (which may `uv run`)
    return Flow("new", generator, install, env)


def once(flow: Flow, stack: str, dest: Path, logs: Path) -> tuple[dict[str, float], str]:
    """One run of FLOW for STACK into DEST: seconds per step, and how it installed."""
    start = time.perf_counter()
    projects.render(flow.generator.cmd, dest, stack, "low", flow.generator.env)
    rendered = time.perf_counter()
    how = flow.install(dest)
    installed = time.perf_counter()
    base = f"http://127.0.0.1:{free_port()}"
    env = {**flow.env, "HOST": "127.0.0.1", "PORT": base.rsplit(":", 1)[1]}
    with serving(["make", "serve"], cwd=dest, env=env, ready_url=base + "/healthz", poll=0.05,
                 log=logs / f"first-{flow.name}-{stack}.log"):
        answered = time.perf_counter()
    return {"new": rendered - start, "install": installed - rendered, "serve": answered - installed}, how


def bench(flows: tuple[Flow, Flow], work: Path, runs: int, stacks: Sequence[str] = STACKS) -> list[Verdict]:
    """Run both flows for every stack, interleaved; print the table; judge Flask and Django."""
    logs, root = work / "logs", work / "first"
    logs.mkdir(exist_ok=True)
    rows: list[list[str]] = []
    verdicts: list[Verdict] = []
    for stack in stacks:
        steps: dict[str, dict[str, list[float]]] = {f.name: {s: [] for s in (*STEPS, "total")} for f in flows}
        how: dict[str, str] = {}
        for round_ in range(runs + 1):  # round 0 warms caches and stores, not counted
            for flow in flows if round_ % 2 else tuple(reversed(flows)):
                dest = root / f"{flow.name}-{stack}-{round_}"
                times, how[flow.name] = once(flow, stack, dest, logs)
                shutil.rmtree(dest, ignore_errors=True)
                print(f"  {stack}, {flow.name}{' (warm-up)' if not round_ else ''}: "
                      + ", ".join(f"{s} {times[s]:.2f} s" for s in STEPS), flush=True)
                if round_:
                    for s in STEPS:
                        steps[flow.name][s].append(times[s])
                    steps[flow.name]["total"].append(sum(times.values()))
        base = median(steps["today"]["total"])
        for flow in flows:
            m = {s: median(v) for s, v in steps[flow.name].items()}
            rows.append([stack, f"{flow.name}: {flow.generator.label}, {how[flow.name]}",
                         *(f"{m[s]:.2f} s" for s in (*STEPS, "total")), ratio(m["total"] / base)])
        times_new = median(steps["new"]["total"])
        if stack != "express":
            verdicts.append(Verdict(f"{stack}: new project to first 200 in {ratio(times_new / base)} today's time "
                                    f"(limit {LIMIT:.2f}x; {how['new']})", times_new <= LIMIT * base))
    print()
    print(markdown(["stack", "flow", "stackpick new", "install", "serve to 200", "total", "vs today"], rows),
          end="\n\n")
    return verdicts

