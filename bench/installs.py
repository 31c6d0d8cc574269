"""`make install` with uv against `pip install` of the same pins into a fresh venv, warm caches.

For each Python stack one project is rendered; every round removes the venvs and installs again,
alternating which side goes first, after one warm-up round that fills both caches. The uv side is
the project's own `make install` (uv on PATH: `uv sync --locked` from uv.lock; it also writes .env
once and, for Django, migrates, all counted against uv). The pip side is the recipe the templates
used before: `python3 -m venv` and `pip install -r` the same pins, exported from uv.lock with
`uv export`, with the groups `uv sync` installs by default (dev tools included).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import projects
from previous import Generator
from procs import BenchError, clean_env, run, timed
from table import Verdict, markdown, median, ratio

STACKS = ("flask", "django")
LIMIT = 0.4
TIMEOUT = 900


def pins(project: Path, uv: Path, out: Path) -> Path:
    """The requirements file pip installs: uv.lock exported as `uv sync` installs it (default groups)."""
    if not projects.locked(project):
        raise BenchError(f"{project} has no uv.lock: the templates no longer install with uv")
    run([str(uv), "export", "--frozen", "--format", "requirements-txt", "--no-hashes",
         "--no-emit-project", "--quiet", "--output-file", str(out)], cwd=project, env=clean_env(), timeout=120)
    return out


def pip_side(pinned: Path, venv: Path) -> list[list[str]]:
    """Today's install: a new venv, then pip over the pins (run from the pins' folder for `-r` includes)."""
    return [[projects.PYTHON, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", pinned.name]]


def _time(steps: Sequence[Sequence[str]], cwd: Path, env: Mapping[str, str]) -> float:
    return sum(timed(step, cwd=cwd, env=env, timeout=TIMEOUT) for step in steps)


def bench(generator: Generator, uv: Path, work: Path, runs: int, stacks: Sequence[str] = STACKS) -> list[Verdict]:
    """Render one project per stack, then time both installs interleaved; print the table."""
    env = projects.path_with(uv)
    rows: list[list[str]] = []
    verdicts: list[Verdict] = []
    for stack in stacks:
        project = projects.render(generator.cmd, work / "install" / stack, stack, "low", generator.env)
        pinned = pins(project, uv, work / "install" / f"{stack}-pins.txt")
        pip_venv = work / "install" / f"{stack}-pip-venv"
        uv_label, uv_steps = "make install (uv sync --locked, from uv.lock)", [["make", "install"]]
        times: dict[str, list[float]] = {"pip": [], "uv": []}
        for round_ in range(runs + 1):  # round 0 warms both caches and is not counted
            for side in ("pip", "uv") if round_ % 2 else ("uv", "pip"):
                shutil.rmtree(pip_venv if side == "pip" else project / ".venv", ignore_errors=True)
                try:
                    elapsed = (_time(pip_side(pinned, pip_venv), pinned.parent, env) if side == "pip"
                               else _time(uv_steps, project, env))
                except BenchError as exc:
                    raise BenchError(f"{stack}: the {side} install failed: {exc}") from exc
                if round_:
                    times[side].append(elapsed)
        pip_s, uv_s = median(times["pip"]), median(times["uv"])
        rows.append([stack, f"python3 -m venv + pip install -r {pinned.name} (the same pins)", f"{pip_s:.2f} s",
                     "1.00x"])
        rows.append([stack, uv_label, f"{uv_s:.2f} s", ratio(uv_s / pip_s)])
        verdicts.append(Verdict(f"{stack}: make install (uv) is {ratio(uv_s / pip_s)} pip's time for the same pins "
                                f"(limit {LIMIT:.2f}x)",
                                uv_s <= LIMIT * pip_s))
    print(markdown(["stack", "install (fresh venv, warm caches)", "wall time", "vs pip"], rows), end="\n\n")
    return verdicts
