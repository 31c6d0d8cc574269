"""CLI start-up: whole-process wall time of the commands that must stay light, beside bare Python."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from procs import timed
from table import Verdict, markdown, median, ms, ratio


def commands(python: str, stackpick: str) -> dict[str, list[str]]:
    """The baseline first, then the commands measured against it, then what they avoid importing."""
    return {
        "python -c pass": [python, "-c", "pass"],
        "stackpick --help": [stackpick, "--help"],
        "stackpick rules": [stackpick, "rules"],
        "stackpick recommend --json -d app_type=cms": [stackpick, "recommend", "--json", "-d", "app_type=cms"],
        "(reference) python -c 'import copier, questionary'":
            [python, "-c", "import copier, questionary"],
    }


def measure(cmds: Mapping[str, list[str]], runs: int, env: Mapping[str, str]) -> dict[str, float]:
    """Median wall time per command over RUNS interleaved rounds (one warm-up round discarded)."""
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for round_ in range(runs + 1):
        for name, cmd in cmds.items():
            elapsed = timed(cmd, env=env)
            if round_:
                times[name].append(elapsed)
    return {name: median(values) for name, values in times.items()}


def bench(stackpick: Path, runs: int, env: Mapping[str, str]) -> list[Verdict]:
    """Print the start-up table; nothing here has a threshold (a test guards the imports)."""
    cmds = commands(sys.executable, str(stackpick))
    medians = measure(cmds, runs, env)
    base = medians["python -c pass"]
    rows = [[name, ms(t), ratio(t / base), f"+{(t - base) * 1000:.0f} ms"] for name, t in medians.items()]
    print(markdown(["command", "wall time", "vs python -c pass", "over bare Python"], rows), end="\n\n")
    return []
